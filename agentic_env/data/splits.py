"""Train / validation / test splits over one shared id space.

* :func:`temporal_split` cuts the whole log at global time quantiles (no future leaks into
  training; the realistic protocol for a deployed recommender).
* :func:`leave_last_k_out` holds out each user's last interactions (the sequential-recommendation
  protocol, e.g. SASRec's leave-one-out).
* :func:`random_split` shuffles each user's interactions and cuts them by ratio (the protocol of
  RecBole's general recommenders, e.g. BPR's 80/10/10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agentic_env.data.errors import DataError
from agentic_env.data.log import InteractionLog


@dataclass(frozen=True)
class Split:
    """Three logs over the same users and items."""

    train: InteractionLog
    valid: InteractionLog
    test: InteractionLog

    def sizes(self) -> tuple[int, int, int]:
        return len(self.train), len(self.valid), len(self.test)


def _by_part(log: InteractionLog, part: np.ndarray) -> Split:
    return Split(log.subset(part == 0), log.subset(part == 1), log.subset(part == 2))


def temporal_split(
    log: InteractionLog, valid_fraction: float = 0.1, test_fraction: float = 0.1
) -> Split:
    """Global time cut: the last ``test_fraction`` of interactions (by time) are the test part."""
    if not log.has_timestamps:
        raise DataError(f"dataset {log.name!r} has no timestamps; use random_split instead")
    _check_fractions(valid_fraction, test_fraction)
    order = np.argsort(log.timestamps, kind="stable")
    rank = np.empty(len(log), np.int64)
    rank[order] = np.arange(len(log))
    n_train = round(len(log) * (1 - valid_fraction - test_fraction))
    n_valid = round(len(log) * valid_fraction)
    part = np.where(rank < n_train, 0, np.where(rank < n_train + n_valid, 1, 2))
    return _by_part(log, part)


def leave_last_k_out(log: InteractionLog, k: int = 1, valid_k: int = 1) -> Split:
    """Each user's last ``k`` interactions are test, the ``valid_k`` before them validation.

    Users with at most ``k + valid_k`` interactions keep them all in training, so every held-out
    interaction has some history to be predicted from. On logs without timestamps (Coat,
    Last.fm) "last" means last in file order.
    """
    if k < 1 or valid_k < 0:
        raise ValueError(f"need k >= 1 and valid_k >= 0, got k={k}, valid_k={valid_k}")
    order = np.lexsort((np.arange(len(log)), log.timestamps, log.users))
    users = log.users[order]
    counts = np.bincount(users, minlength=log.n_users)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    from_end = counts[users] - (np.arange(len(log)) - starts[users])  # 1 = the last one
    sorted_part = np.where(from_end <= k, 2, np.where(from_end <= k + valid_k, 1, 0))
    sorted_part[counts[users] <= k + valid_k] = 0
    part = np.empty(len(log), np.int64)
    part[order] = sorted_part
    return _by_part(log, part)


def random_split(
    log: InteractionLog,
    valid_fraction: float = 0.1,
    test_fraction: float = 0.1,
    seed: int = 0,
) -> Split:
    """Per-user random split by ratio (each user's interactions shuffled, then cut)."""
    _check_fractions(valid_fraction, test_fraction)
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(log)), log.users))
    users = log.users[order]
    counts = np.bincount(users, minlength=log.n_users)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    # A random offset per user makes each part's expected share exact even for users with only
    # a handful of interactions (a plain rank / count cut never gives them a test item).
    offset = rng.random(log.n_users)[users]
    position = (np.arange(len(log)) - starts[users] + offset) / counts[users]  # in [0, 1)
    train_end = 1 - valid_fraction - test_fraction
    sorted_part = np.where(position < train_end, 0, np.where(position < 1 - test_fraction, 1, 2))
    part = np.empty(len(log), np.int64)
    part[order] = sorted_part
    return _by_part(log, part)


def _check_fractions(valid_fraction: float, test_fraction: float) -> None:
    if valid_fraction < 0 or test_fraction <= 0 or valid_fraction + test_fraction >= 1:
        raise ValueError(
            "need valid_fraction >= 0, test_fraction > 0 and their sum < 1; got "
            f"{valid_fraction}, {test_fraction}"
        )
