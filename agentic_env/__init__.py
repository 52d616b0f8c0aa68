"""agentic-rs-gym: a research environment for agentic recommender systems."""

from agentic_env.runtime import configure_threads

configure_threads()

__version__ = "0.1.0"
