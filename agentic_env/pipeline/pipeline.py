"""The multi-stage recommender: recall sources -> fusion -> ranking -> re-ranking, router in front.

The pipeline is a composition graph of agents. Its decision space is the union of theirs, each
knob prefixed with its component (``recall_0.model``, ``fusion.weight.recall_1``,
``ranking.arch``, ``reranking.pool``, ``router.path.cold_start``), so environments can evolve any
subset. :meth:`Pipeline.fit` trains only what the configuration needs (sources with a positive
fusion weight, the ranker only if some segment is routed through it) and reuses fitted components
whose training-relevant knobs, data and seed did not change. :meth:`Pipeline.serve` returns one
slate of unique item ids per user and records the latency of each stage.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np

from agentic_env.data import InteractionLog
from agentic_env.pipeline.cache import FitCache, data_identity
from agentic_env.pipeline.fill import PopularFallback
from agents.candidates import Candidates
from agents.fusion import FusionAgent
from agents.ranking import RankingAgent
from agents.reranking import RerankingAgent
from agents.retrieval_agent import RetrievalAgent
from agents.router import RouterAgent
from agents.space import Config, DecisionSpace, sub_config

DEFAULT_SOURCES: dict[str, str] = {"recall_0": "item_knn", "recall_1": "mf",
                                   "recall_2": "popularity"}
STAGES = ("routing", "recall", "fusion", "ranking", "reranking", "fill")
POPULAR = {"model": "popularity"}


class Pipeline:
    """Recall sources, fusion, ranking and re-ranking behind a segment router.

    Args:
        sources: Recall source name -> default backbone of its ``model`` knob.
        seed: Seed of every component's training.
        device: Torch device for the models that use one.
        chunk: Users scored together while serving (bounds memory: one
            ``(chunk, n_items)`` score matrix per source).
    """

    def __init__(self, sources: Mapping[str, str] | None = None, *, seed: int = 0,
                 device: str = "cpu", chunk: int = 1024, cache_size: int = 32) -> None:
        sources = dict(DEFAULT_SOURCES if sources is None else sources)
        clash = set(sources) & {"fusion", "ranking", "reranking", "router", "popular"}
        if not sources or clash:
            raise ValueError(f"need at least one recall source, named apart from the other "
                             f"components; got {list(sources)}")
        self.seed, self.device, self.chunk = seed, device, chunk
        self.sources = tuple(sources)
        self.components: dict[str, Any] = {  # agents with fit/apply, typed loosely
            **{name: RetrievalAgent(model) for name, model in sources.items()},
            "fusion": FusionAgent(self.sources), "ranking": RankingAgent(),
            "reranking": RerankingAgent(), "router": RouterAgent()}
        self.space = DecisionSpace.merge(
            {name: agent.decision_space() for name, agent in self.components.items()})
        self.cache = FitCache(cache_size)
        self.config: Config | None = None
        self.fitted: dict[str, Any] = {}
        self.timings: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self._fallback: PopularFallback | None = None
        self.n_users = 0
        self._memo: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    # ----- decision space -------------------------------------------------------------------

    def knobs(self) -> list[dict[str, Any]]:
        """Every knob: name, type, domain, default, owning component, roles, condition."""
        return self.space.describe()

    def default_config(self) -> Config:
        return self.space.default()

    def fill_slot(self, knob: str, template: str) -> int:
        """Open a reserved slot of a categorical knob to a new template (see DecisionSpace)."""
        return self.space.fill_slot(knob, template)

    @property
    def fit_counts(self) -> Counter[str]:
        """Real trainings per component kind since construction (cache hits excluded)."""
        return self.cache.fits

    # ----- training -------------------------------------------------------------------------

    def fit(self, log: InteractionLog, config: Mapping[str, Any] | None = None, *,
            valid: InteractionLog | None = None) -> Pipeline:
        """Train what ``config`` needs on ``log``, reusing unchanged fitted components."""
        full = self.space.validate(config or {})
        data_id = data_identity(log)
        parts = {name: sub_config(full, name) for name in self.components}
        fitted: dict[str, Any] = {
            "fusion": copy.copy(self.components["fusion"]).apply(parts["fusion"]),
            "router": self._fit("router", log, parts["router"], data_id),
            "reranking": self._fit("reranking", log, parts["reranking"], data_id),
            "popular": self._fit(self.sources[0], log, POPULAR, data_id),
        }
        for name in fitted["fusion"].active_sources():
            fitted[name] = self._fit(name, log, parts[name], data_id, valid)
        if "full" in fitted["router"].paths_used():
            fitted["ranking"] = self._fit("ranking", log, parts["ranking"], data_id, valid)
        self.config, self.fitted, self.n_users = full, fitted, log.n_users
        self._memo = {}
        self._fallback = PopularFallback(log, fitted["reranking"].allowed())
        return self

    def _fit(self, kind: str, log: InteractionLog, config: Config, data_id: str,
             valid: InteractionLog | None = None) -> Any:
        """A fitted view of component ``kind``: the cached fit when its key matches.

        The key leaves out knobs that do not affect training (``affects_fit=False``); they
        take effect on the returned shallow copy without retraining.
        """
        proto = self.components[kind]
        space = proto.decision_space()
        full = space.validate(config)
        key = space.fit_relevant(full)

        def train() -> Any:
            return copy.copy(proto).fit(log, full, seed=self.seed, device=self.device,
                                        valid=valid)

        # sources share one cache kind, so equal configs on two sources train once
        cache_kind = "retrieval" if isinstance(proto, RetrievalAgent) else kind
        view = copy.copy(self.cache.get_or_fit(cache_kind, key, data_id, self.seed, train))
        view.config = full
        return view

    # ----- serving --------------------------------------------------------------------------

    def serve(self, user_ids: np.ndarray, k: int = 10) -> np.ndarray:
        """``(len(user_ids), k)`` slates of unique item ids, best first.

        Serving is deterministic between fits, so each user's slate is computed once per ``k``
        and then read from a memo (cleared by :meth:`fit`): a simulated day asks for the same
        users' slates many times. Ids beyond the training id space are served as cold-start
        users on the popularity path. Seconds spent per stage on the users computed in this
        call land in :attr:`timings`.
        """
        if self.config is None or self._fallback is None:
            raise RuntimeError("Pipeline is not fitted; call fit(log, config) first")
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        users = np.asarray(user_ids, np.int64)
        if users.ndim != 1 or (users.size and users.min() < 0):
            raise ValueError(f"user_ids must be a 1-D array of ids >= 0, got {users.shape}")
        self.timings = dict.fromkeys(STAGES, 0.0)
        start = time.perf_counter()
        rows = np.minimum(users, self.n_users)  # every unknown user shares the last memo row
        memo, done = self._memo.setdefault(
            k, (np.zeros((self.n_users + 1, k), np.int64), np.zeros(self.n_users + 1, bool)))
        todo = np.unique(rows[~done[rows]])
        for lo in range(0, len(todo), self.chunk):
            part = todo[lo:lo + self.chunk]
            memo[part] = self._serve_chunk(part, k)
            done[part] = True
        self.timings["total"] = time.perf_counter() - start
        return memo[rows]

    def __call__(self, user_ids: np.ndarray, k: int = 10) -> np.ndarray:
        return self.serve(user_ids, k)

    def _serve_chunk(self, users: np.ndarray, k: int) -> np.ndarray:
        with self._timed("routing"):
            paths = self.fitted["router"].route(users)
            known = users < self.n_users
            paths[~known] = "popular"
        out = np.empty((len(users), k), np.int64)
        for path in np.unique(paths):
            rows = np.flatnonzero(paths == path)
            ranked = self._path(str(path), users[rows])
            with self._timed("reranking"):
                slates = self.fitted["reranking"].rerank(users[rows], ranked, k)
            with self._timed("fill"):
                out[rows] = self._fallback_or_raise().fill(users[rows], slates.ids)
        return out

    def _path(self, path: str, users: np.ndarray) -> Candidates:
        if path == "popular":
            with self._timed("recall"):
                return self._popular(users)
        if path not in ("full", "no_rank"):
            raise ValueError(f"router path {path!r} has no implementation; implemented: "
                             "['full', 'no_rank', 'popular']")
        with self._timed("recall"):
            lists = {s: self.fitted[s].candidates(users)
                     for s in self.fitted["fusion"].active_sources()}
        with self._timed("fusion"):
            fused: Candidates = self.fitted["fusion"].fuse(lists)
        if path == "no_rank":
            return fused
        with self._timed("ranking"):
            ranked: Candidates = self.fitted["ranking"].rank(users, fused)
        return ranked

    def _popular(self, users: np.ndarray) -> Candidates:
        """The cold-start path's recall: unseen popular items; unknown users get the top list."""
        fallback = self._fallback_or_raise()
        source = self.fitted["popular"]
        n = int(source.config["n_candidates"])
        known = users < self.n_users
        if known.all():
            own: Candidates = source.candidates(users, n)
            return own
        cands = fallback.candidates(users, n)
        if known.any():
            part = source.candidates(users[known], n)
            ids, scores = cands.ids.copy(), cands.scores.copy()
            ids[known, : part.width], scores[known, : part.width] = part.ids, part.scores
            cands = Candidates(ids, scores)
        return cands

    def _fallback_or_raise(self) -> PopularFallback:
        if self._fallback is None:
            raise RuntimeError("Pipeline is not fitted; call fit(log, config) first")
        return self._fallback

    def _timed(self, stage: str) -> _Timer:
        return _Timer(self.timings, stage)


class _Timer:
    """Adds the seconds spent in a ``with`` block to ``timings[stage]``."""

    def __init__(self, timings: dict[str, float], stage: str) -> None:
        self.timings, self.stage, self.start = timings, stage, 0.0

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.stage] += time.perf_counter() - self.start
