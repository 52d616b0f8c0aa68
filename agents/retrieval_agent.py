"""The retrieval agent: picks a recall model and its hyperparameters, serves candidate sets.

A model-centric agent (AgenticRS): it reads the interaction log, decides which items enter the
candidate set (nothing outside it can reach a user), learns from the interactions it sees, and is
judged on its own by recall@K, catalogue coverage and long-tail recall on held-out data. Its
decision space is the backbone choice (with reserved slots for proposed templates) and the
hyperparameters of each backbone, each active only when its backbone is chosen.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from agentic_env.data import InteractionLog
from agentic_env.data.segments import ITEM_SEGMENTS, item_segments
from agentic_env.metrics import coverage, long_tail_recall, mean_metric, recall_at_k, topk
from agents.base import Agent, register_agent
from agents.candidates import PAD, Candidates
from agents.space import Boolean, Categorical, Config, DecisionSpace, Float, Integer, Knob

#: Backbone name -> (module, class) under ``agents.retrieval``; imported on first use.
MODELS: dict[str, tuple[str, str]] = {
    "popularity": ("agents.retrieval.popularity", "PopularityRetriever"),
    "item_knn": ("agents.retrieval.item_knn", "ItemKNN"),
    "mf": ("agents.retrieval.mf", "MatrixFactorization"),
    "sasrec": ("agents.retrieval.sasrec", "SASRec"),
    "content": ("agents.retrieval.content", "GenreRetriever"),
}
#: Builders for templates that fill reserved slots: name -> (hyperparameters -> retriever).
TEMPLATES: dict[str, Callable[[dict[str, Any]], Any]] = {}
RESERVED_MODEL_SLOTS = 4


def _model_knobs() -> list[Knob]:
    def on(model: str) -> dict[str, Any]:
        return {"condition": ("model", {model}), "owner": "retrieval"}

    train, arch = ("training",), ("model",)
    return [
        Integer("item_knn.k", 10, 400, log=True, default=100, roles=arch, **on("item_knn")),
        Float("item_knn.shrink", 0.0, 100.0, default=10.0, roles=arch, **on("item_knn")),
        Categorical("item_knn.similarity", ("cosine", "jaccard"), roles=arch, **on("item_knn")),
        Integer("mf.dim", 8, 256, log=True, default=64, roles=arch, **on("mf")),
        Categorical("mf.loss", ("bpr", "sampled_softmax"), roles=train, **on("mf")),
        Float("mf.lr", 1e-4, 1e-1, log=True, default=5e-3, roles=train, **on("mf")),
        Float("mf.reg", 1e-6, 1e-1, log=True, default=1e-2, roles=train, **on("mf")),
        Integer("mf.neg_ratio", 1, 64, log=True, default=4, roles=train, **on("mf")),
        Integer("mf.epochs", 1, 300, log=True, default=10, roles=train, **on("mf")),
        Categorical("mf.batch_size", (512, 1024, 2048, 4096, 8192), default=2048, roles=train,
                    **on("mf")),
        Integer("sasrec.dim", 16, 128, log=True, default=64, roles=arch, **on("sasrec")),
        Integer("sasrec.n_layers", 1, 4, default=2, roles=arch, **on("sasrec")),
        Categorical("sasrec.n_heads", (1, 2, 4), default=1, roles=arch, **on("sasrec")),
        Integer("sasrec.max_len", 10, 200, log=True, default=50, roles=arch, **on("sasrec")),
        Float("sasrec.dropout", 0.0, 0.5, default=0.2, roles=arch, **on("sasrec")),
        Boolean("sasrec.gated_attention", default=False, roles=arch, **on("sasrec")),
        Boolean("sasrec.repeat_bias", default=False, roles=arch, **on("sasrec")),
        Float("sasrec.lr", 1e-4, 1e-2, log=True, default=1e-3, roles=train, **on("sasrec")),
        Integer("sasrec.epochs", 1, 200, log=True, default=20, roles=train, **on("sasrec")),
    ]


def build_space(default_model: str = "popularity") -> DecisionSpace:
    """The retrieval decision space, with ``default_model`` as the backbone default."""
    return DecisionSpace([
        Categorical("model", tuple(MODELS), default=default_model,
                    reserved_slots=RESERVED_MODEL_SLOTS, roles=("model",), owner="retrieval"),
        Integer("n_candidates", 10, 1000, log=True, default=200, roles=("serving",),
                affects_fit=False, owner="retrieval",
                doc="items this source hands to fusion per user"),
        *_model_knobs(),
    ])


def make_model(config: Config) -> Any:
    """An unfitted retriever for a validated config (backbone plus its own knobs)."""
    name = config["model"]
    params = {key.split(".", 1)[1]: value for key, value in config.items()
              if key.startswith(f"{name}.")}
    if name in TEMPLATES:
        return TEMPLATES[name](params)
    if name not in MODELS:
        raise ValueError(f"retrieval model {name!r} fills a slot but has no builder; call "
                         f"register_template({name!r}, builder) first (built-in: {list(MODELS)})")
    module, cls = MODELS[name]
    return getattr(importlib.import_module(module), cls)(**params)


def register_template(name: str, builder: Callable[[dict[str, Any]], Any]) -> None:
    """Make ``name`` buildable; fill a ``model`` slot with it to let agents choose it.

    ``builder`` maps the template's hyperparameters to an unfitted retriever (any object with
    the :class:`~agents.retrieval.base.Retriever` methods).
    """
    if name in MODELS or name in TEMPLATES:
        raise ValueError(f"retrieval template {name!r} exists already; taken: "
                         f"{[*MODELS, *TEMPLATES]}")
    TEMPLATES[name] = builder


@register_agent
class RetrievalAgent(Agent):
    """One recall source: a backbone choice plus hyperparameters; emits top-N candidates."""

    name = "retrieval"
    kind = "model-centric"
    inputs = ("interaction log", "user ids")
    decision = "which items enter a user's candidate set"
    feedback = "held-out and simulated interactions with served items"
    inner_metrics = ("recall@k", "coverage", "long_tail_recall@k")

    def __init__(self, default_model: str = "popularity") -> None:
        self._space = build_space(default_model)
        self.config: Config | None = None
        self.model: Any = None
        self._seen: sp.csr_matrix | None = None
        self._long_tail = np.zeros(0, bool)

    def decision_space(self) -> DecisionSpace:
        return self._space

    def fit(self, train: InteractionLog, config: Config | None = None, *, seed: int = 0,
            device: str = "cpu", valid: InteractionLog | None = None) -> RetrievalAgent:
        """Build and train the configured backbone on ``train``."""
        self.config = self.validate(config)
        self.model = make_model(self.config).fit(train, seed=seed, device=device, valid=valid)
        self._seen = train.to_csr()
        self._long_tail = item_segments(train) == ITEM_SEGMENTS.index("long_tail")
        return self

    def candidates(self, users: np.ndarray, n: int | None = None) -> Candidates:
        """Top-``n`` unseen items per user with their scores, best first (padded if fewer)."""
        if self.model is None or self.config is None or self._seen is None:
            raise RuntimeError("RetrievalAgent is not fitted; call fit(train, config) first")
        n = int(self.config["n_candidates"] if n is None else n)
        scores = np.asarray(self.model.score(users), np.float32)
        ids = topk(scores, n, exclude=self._seen[users])
        picked = np.take_along_axis(scores, ids, axis=1)
        rows = np.repeat(users, ids.shape[1])
        seen = np.asarray(self._seen[rows, ids.ravel()]).reshape(ids.shape) > 0
        ok = np.isfinite(picked) & ~seen
        return Candidates(np.where(ok, ids, PAD), np.where(ok, picked, -np.inf))

    def evaluate(self, test: InteractionLog, k: int = 20) -> dict[str, float]:
        """Recall@k, coverage of the top-k lists and long-tail recall@k on ``test``'s users."""
        users = np.unique(test.users)
        if users.size == 0:
            raise ValueError("evaluate needs a test log with at least one interaction")
        top = self.candidates(users, k).for_metrics(test.n_items)
        truth = test.to_csr()[users]
        return {
            "recall@k": mean_metric(recall_at_k(top, truth, k)),
            "coverage": coverage(top, test.n_items),
            "long_tail_recall@k": mean_metric(long_tail_recall(top, truth, self._long_tail, k)),
        }
