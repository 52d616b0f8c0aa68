"""Splits partition the log exactly and respect their protocol's ordering and ratios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agentic_env.data import DataError, InteractionLog, build_log
from agentic_env.data.splits import Split, leave_last_k_out, random_split, temporal_split


def _rows(*logs: InteractionLog) -> pd.DataFrame:
    frame = pd.concat([log.frame for log in logs], ignore_index=True)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _assert_partition(log: InteractionLog, split: Split) -> None:
    assert sum(split.sizes()) == len(log)
    pd.testing.assert_frame_equal(_rows(split.train, split.valid, split.test), _rows(log))
    for part in (split.train, split.valid, split.test):
        assert (part.n_users, part.n_items) == (log.n_users, log.n_items)
        assert part.user_ids is log.user_ids and part.item_ids is log.item_ids


@pytest.mark.parametrize(
    "make", [temporal_split, leave_last_k_out, lambda log: random_split(log, seed=3)]
)
def test_splits_partition_rows(log: InteractionLog, make) -> None:
    _assert_partition(log, make(log))


def test_temporal_split_never_trains_on_the_future(log: InteractionLog) -> None:
    split = temporal_split(log, valid_fraction=0.1, test_fraction=0.2)
    assert split.train.timestamps.max() <= split.valid.timestamps.min()
    assert split.valid.timestamps.max() <= split.test.timestamps.min()
    assert split.train.timestamps.max() <= split.test.timestamps.min()
    assert abs(len(split.test) / len(log) - 0.2) < 0.01


def test_temporal_split_needs_timestamps() -> None:
    raw = pd.DataFrame({"u": [1, 2], "i": [1, 1], "y": [3.0, 4.0]})
    log = build_log(raw, name="t", source="t", user="u", item="i", label="y", label_kind="rating")
    with pytest.raises(DataError, match="no timestamps"):
        temporal_split(log)


def test_leave_last_k_out_holds_out_each_users_latest(log: InteractionLog) -> None:
    split = leave_last_k_out(log, k=1, valid_k=1)
    frame = log.frame
    latest = frame.groupby("user")["timestamp"].max()
    second = frame.groupby("user")["timestamp"].apply(lambda t: t.nlargest(2).iloc[-1])
    counts = log.user_counts()
    test = split.test.frame.set_index("user")
    valid = split.valid.frame.set_index("user")
    assert set(test.index) == set(np.flatnonzero(counts > 2))  # one each, history kept for others
    assert test.index.is_unique and valid.index.is_unique
    np.testing.assert_array_equal(test["timestamp"], latest.loc[test.index])
    assert set(valid.index) == set(test.index)
    np.testing.assert_array_equal(valid["timestamp"], second.loc[valid.index])
    short = np.flatnonzero((counts > 0) & (counts <= 2))
    assert set(split.train.frame["user"]) >= set(short)


def test_leave_last_k_out_k_rows(log: InteractionLog) -> None:
    split = leave_last_k_out(log, k=3, valid_k=0)
    counts = split.test.user_counts()
    assert set(counts[log.user_counts() > 3]) == {3} and len(split.valid) == 0
    with pytest.raises(ValueError, match="k >= 1"):
        leave_last_k_out(log, k=0)


def test_random_split_ratios_per_user(log: InteractionLog) -> None:
    split = random_split(log, valid_fraction=0.1, test_fraction=0.1, seed=7)
    total = log.user_counts()
    busy = total >= 20
    for part, share in ((split.train, 0.8), (split.valid, 0.1), (split.test, 0.1)):
        ratio = part.user_counts()[busy] / total[busy]
        assert np.abs(ratio - share).max() <= 0.06
    assert abs(len(split.train) / len(log) - 0.8) < 0.05


def test_random_split_is_deterministic_by_seed(log: InteractionLog) -> None:
    first, again = random_split(log, seed=11), random_split(log, seed=11)
    other = random_split(log, seed=12)
    for a, b in ((first.train, again.train), (first.valid, again.valid), (first.test, again.test)):
        pd.testing.assert_frame_equal(a.frame, b.frame)
    assert not first.test.frame.equals(other.test.frame)


@pytest.mark.parametrize(("valid", "test"), [(-0.1, 0.1), (0.1, 0.0), (0.5, 0.5), (0.7, 0.4)])
def test_bad_fractions_are_rejected(log: InteractionLog, valid: float, test: float) -> None:
    with pytest.raises(ValueError, match="valid_fraction"):
        random_split(log, valid_fraction=valid, test_fraction=test)
    with pytest.raises(ValueError, match="valid_fraction"):
        temporal_split(log, valid_fraction=valid, test_fraction=test)


def test_random_split_gives_short_users_their_share_of_test_items() -> None:
    users = np.repeat(np.arange(2_000), 5)  # 2,000 users with 5 interactions each
    raw = pd.DataFrame({"u": users, "i": np.tile(np.arange(5), 2_000)})
    log = build_log(
        raw, name="short", source="mem", user="u", item="i", label=None, label_kind="implicit"
    )
    split = random_split(log, valid_fraction=0.1, test_fraction=0.1, seed=0)
    assert len(split.test) / len(log) == pytest.approx(0.1, abs=0.01)
    assert len(split.valid) / len(log) == pytest.approx(0.1, abs=0.01)
