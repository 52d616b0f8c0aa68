"""A toy log with known structure, shared by the retrieval tests, and tests of the shared checks.

Two user groups, each walking through its own block of 15 items one step at a time: user ``u``
in group ``g = u % 2`` interacts with ``block_g[(start + t) % 15]`` at time ``t``. A model that
learns the blocks beats popularity on a random split; one that learns the order predicts the
next item exactly on a leave-one-out split. Item genres follow the blocks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from agentic_env.data import InteractionLog, build_log
from agentic_env.metrics import hit_at_k, mean_metric, recall_at_k, topk
from agents.retrieval.base import Retriever, check_choice, check_int, check_range, check_users

N_USERS, BLOCK, STEPS = 60, 15, 10


def toy_log(seed: int = 0) -> InteractionLog:
    """``N_USERS`` users × ``2 * BLOCK`` items, ``STEPS`` interactions each, in block order."""
    rng = np.random.default_rng(seed)
    users = np.repeat(np.arange(N_USERS), STEPS)
    steps = np.tile(np.arange(STEPS), N_USERS)
    starts = rng.integers(0, BLOCK, N_USERS)
    items = (users % 2) * BLOCK + (starts[users] + steps) % BLOCK
    frame = pd.DataFrame({"user": users, "item": items, "ts": 1_000 + steps})
    genres = pd.DataFrame(
        {"genres": ["Action|Drama"] * BLOCK + ["Comedy"] * BLOCK}, index=np.arange(2 * BLOCK)
    )
    return build_log(
        frame,
        name="toy",
        source="toy",
        user="user",
        item="item",
        label=None,
        label_kind="implicit",
        timestamp="ts",
        item_features=genres,
    )


def held_out_recall(model: Retriever, seen: InteractionLog, test: InteractionLog, k: int) -> float:
    """Mean recall@k on ``test`` with ``seen``'s items masked."""
    truth = test.to_csr()
    users = np.flatnonzero(np.diff(truth.indptr))
    top = topk(model.score(users), k, exclude=seen.to_csr()[users])
    return mean_metric(recall_at_k(top, truth[users]))


def held_out_hit(model: Retriever, seen: sp.csr_matrix, test: InteractionLog, k: int) -> float:
    """Mean hit@k on ``test`` with the ``seen`` matrix's items masked."""
    truth = test.to_csr()
    users = np.flatnonzero(np.diff(truth.indptr))
    top = topk(model.score(users), k, exclude=seen[users])
    return mean_metric(hit_at_k(top, truth[users]))


def test_toy_log_has_the_intended_structure() -> None:
    log = toy_log()
    assert (log.n_users, log.n_items, len(log)) == (N_USERS, 2 * BLOCK, N_USERS * STEPS)
    assert ((log.items >= BLOCK) == (log.users % 2 == 1)).all()


def test_checks_name_the_value_and_range() -> None:
    assert check_range("lr", 0.1, 0.0, 1.0, low_open=True) == 0.1
    with pytest.raises(ValueError, match=r"lr must lie in \(0.0, 1.0\], got 0.0"):
        check_range("lr", 0.0, 0.0, 1.0, low_open=True)
    with pytest.raises(ValueError, match="nan"):
        check_range("reg", float("nan"), 0.0)
    with pytest.raises(ValueError, match=r"dim must be an integer in \[1, inf\], got 2.5"):
        check_int("dim", 2.5, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="got True"):
        check_int("dim", True, 1)
    with pytest.raises(ValueError, match=r"loss must be one of \['bpr'\], got 'x'"):
        check_choice("loss", "x", ["bpr"])
    with pytest.raises(ValueError, match=r"user ids must lie in \[0, 3\)"):
        check_users(np.array([0, 3]), 3)
