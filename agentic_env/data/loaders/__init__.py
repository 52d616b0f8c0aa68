"""Dataset loaders; importing this package registers every dataset."""

from agentic_env.data.loaders import movielens

__all__ = ["movielens"]
