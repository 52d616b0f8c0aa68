"""The fusion agent: merges the candidate sets of several recall sources into one.

It sits near the output, so its decision (how much each source contributes) shapes what users see
directly. Its decision space is the merge rule (with reserved slots for proposed rules), a weight
per source (weight 0 switches a source off, so the pipeline need not train it: compositional
evolution) and the size of the fused set (a serving-cost knob). Its inner metric is the recall of
the fused candidate set on held-out interactions: nothing missing from it can be ranked later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from agentic_env.data import InteractionLog
from agentic_env.metrics import mean_metric, recall_at_k
from agents.base import Agent, register_agent
from agents.candidates import Candidates, dense_rows
from agents.space import Categorical, Config, DecisionSpace, Float, Integer

RULES = ("rrf", "score", "quota")
RESERVED_RULE_SLOTS = 2
QUOTA_BONUS = 1e6  # lifts quota entries above every reciprocal-rank score


@register_agent
class FusionAgent(Agent):
    """Weighted merge with deduplication: reciprocal rank, normalised score, or quotas.

    * ``rrf``: an item scores ``sum_s w_s / (rrf_k + rank_s)`` over the sources listing it.
    * ``score``: per-user min-max normalised source scores, weighted and summed.
    * ``quota``: source ``s`` fills ``w_s / sum(w)`` of the fused set with its best items; the
      rest (left by duplicates) is filled in reciprocal-rank order.
    """

    name = "fusion"
    kind = "model-centric"
    inputs = ("candidate sets of the recall sources",)
    decision = "which candidates go on to ranking, and in what proportion per source"
    feedback = "held-out and simulated interactions with served items"
    inner_metrics = ("fused_recall",)

    def __init__(self, sources: Sequence[str] = ("recall_0", "recall_1")) -> None:
        if not sources or len(set(sources)) != len(sources):
            raise ValueError(f"fusion needs distinct source names, got {list(sources)}")
        self.sources = tuple(sources)
        self._space = DecisionSpace([
            Categorical("rule", RULES, reserved_slots=RESERVED_RULE_SLOTS, roles=("model",),
                        affects_fit=False, owner=self.name),
            Float("rrf_k", 1.0, 200.0, log=True, default=60.0, roles=("model",),
                  condition=("rule", {"rrf", "quota"}), affects_fit=False, owner=self.name),
            *[Float(f"weight.{s}", 0.0, 1.0, default=1.0, roles=("composition",),
                    affects_fit=False, owner=self.name) for s in self.sources],
            Integer("size", 10, 1000, log=True, default=200, roles=("serving",), affects_fit=False,
                    owner=self.name),
        ])
        self.config: Config = self._space.default()

    def decision_space(self) -> DecisionSpace:
        return self._space

    def apply(self, config: Config | None) -> FusionAgent:
        """Adopt a configuration (fusion has nothing to train)."""
        config = self.validate(config)
        if not any(config[f"weight.{s}"] > 0 for s in self.sources):
            raise ValueError(f"at least one of {[f'weight.{s}' for s in self.sources]} must "
                             "be > 0, or no candidates are left")
        self.config = config
        return self

    def active_sources(self, config: Config | None = None) -> list[str]:
        """Sources with a positive weight: the only ones the pipeline must fit and query."""
        config = self.config if config is None else self.validate(config)
        return [s for s in self.sources if config[f"weight.{s}"] > 0]

    def fuse(self, lists: Mapping[str, Candidates]) -> Candidates:
        """Deduplicated fused candidates, best first, at most ``size`` per user."""
        used = [s for s in self.active_sources() if s in lists]
        missing = set(self.active_sources()) - set(lists)
        if missing:
            raise ValueError(f"fusion needs lists from {sorted(missing)}; got {sorted(lists)}")
        n_users = len(next(iter(lists.values())).ids)
        rows, items, values = [], [], []
        for s in used:
            cand = lists[s].sorted()
            r, c = np.nonzero(cand.valid)
            rows.append(r)
            items.append(cand.ids[r, c])
            values.append(self._contribution(s, cand, c))
        return _sum_duplicates(np.concatenate(rows), np.concatenate(items),
                               np.concatenate(values), n_users).sorted(int(self.config["size"]))

    def _contribution(self, source: str, cand: Candidates, rank: np.ndarray) -> np.ndarray:
        weight = float(self.config[f"weight.{source}"])
        rule = self.config["rule"]
        if rule == "score":
            return weight * _minmax(cand)[cand.valid]
        rrf = weight / (float(self.config["rrf_k"]) + rank + 1.0)
        if rule == "quota":
            total = sum(self.config[f"weight.{s}"] for s in self.active_sources())
            quota = round(self.config["size"] * weight / total)
            return np.where(rank < quota, QUOTA_BONUS, 0.0) + rrf
        if rule == "rrf":
            return rrf
        raise ValueError(f"fusion rule {rule!r} has no implementation; implemented: {RULES}")

    def evaluate(self, lists: Mapping[str, Candidates], users: np.ndarray,
                 test: InteractionLog) -> dict[str, float]:
        """Recall of the whole fused set for ``users`` (the rows of ``lists``) on ``test``."""
        fused = self.fuse(lists)
        truth = test.to_csr()[users]
        top = fused.for_metrics(test.n_items)
        return {"fused_recall": mean_metric(recall_at_k(top, truth))}


def _minmax(cand: Candidates) -> np.ndarray:
    """Scores rescaled to [0, 1] per row over the real entries (a constant row maps to 1)."""
    scores = np.where(cand.valid, cand.scores, np.nan).astype(np.float64)
    low = np.nanmin(np.where(cand.valid.any(1, keepdims=True), scores, 0.0), 1, keepdims=True)
    high = np.nanmax(np.where(cand.valid.any(1, keepdims=True), scores, 0.0), 1, keepdims=True)
    span = np.where(high > low, high - low, 1.0)
    return np.where(high > low, (scores - low) / span, 1.0)


def _sum_duplicates(rows: np.ndarray, items: np.ndarray, values: np.ndarray,
                    n_users: int) -> Candidates:
    """One entry per (user, item) with the contributions of every source summed."""
    width = int(items.max()) + 1 if items.size else 1
    keys, inverse = np.unique(rows.astype(np.int64) * width + items, return_inverse=True)
    summed = np.bincount(inverse, weights=values, minlength=len(keys))
    return dense_rows(keys // width, keys % width, summed, n_users)
