"""agentic-rs-gym: a research environment for agentic recommender systems."""

from agentic_env.runtime import configure_threads

configure_threads()

from agentic_env.envs.registration import register_envs  # noqa: E402  (ids only, no torch)

register_envs()

__version__ = "0.1.0"
