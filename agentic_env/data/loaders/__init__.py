"""Dataset loaders; importing this package registers every dataset."""

from agentic_env.data.loaders import amazon, coat, kuai, lastfm, movielens, open_bandit

__all__ = ["amazon", "coat", "kuai", "lastfm", "movielens", "open_bandit"]
