"""The recommender pipeline: recall sources -> fusion -> ranking -> re-ranking, router in front."""

from agentic_env.pipeline.cache import FitCache, canonical, data_identity
from agentic_env.pipeline.evaluate import inner_metrics
from agentic_env.pipeline.pipeline import DEFAULT_SOURCES, STAGES, Pipeline

__all__ = ["DEFAULT_SOURCES", "STAGES", "FitCache", "Pipeline", "canonical", "data_identity",
           "inner_metrics"]
