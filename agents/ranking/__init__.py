"""Ranking agents: feature tables, the FM / DCN / MMoE rankers, and the agent that picks one."""

from agents.ranking.agent import ARCHS, RankingAgent, build_space
from agents.ranking.features import FIELDS, FeatureTables

__all__ = ["ARCHS", "FIELDS", "FeatureTables", "RankingAgent", "build_space"]
