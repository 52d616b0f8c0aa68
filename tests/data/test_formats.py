"""Every loader on tiny files written in its release's exact format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agentic_env.data import DataError, category_matrix, load
from tests.data import formats


def _raw_rows(log) -> list[tuple[object, object, float]]:
    """(raw user, raw item, label) per row, to compare with what the files say."""
    return [
        (log.user_ids[u], log.item_ids[i], float(y))
        for u, i, y in zip(log.users, log.items, log.labels, strict=True)
    ]


def _ml_expected() -> list[tuple[object, object, float]]:
    return [(u, i, r) for u, i, r, _ in formats.ML_ROWS]


def test_movielens_100k_format(tmp_path: Path) -> None:
    log = load("movielens-100k", path=formats.movielens_100k(tmp_path))
    assert _raw_rows(log) == _ml_expected()
    np.testing.assert_array_equal(log.timestamps, [t for *_, t in formats.ML_ROWS])
    assert log.item_features is not None and log.user_features is not None
    features = log.item_features.set_index(log.item_ids)
    assert features.loc[20, "title"] == "Amélie (2001)"  # latin-1 decoded
    assert features.loc[30, "genres"] == "Action|Comedy"
    assert log.user_features.set_index(log.user_ids).loc[2, "occupation"] == "other"


def test_movielens_1m_double_colon_format(tmp_path: Path) -> None:
    log = load("movielens-1m", path=formats.movielens_1m(tmp_path))
    assert _raw_rows(log) == _ml_expected()
    assert log.item_features is not None and log.user_features is not None
    assert list(log.item_features["genres"]) == ["Action|Crime", "Comedy", "Horror|Sci-Fi"]
    assert list(log.user_features["gender"]) == ["M", "F", "M"]
    matrix, names = category_matrix(log)
    assert matrix.shape == (3, 5) and "Sci-Fi" in names


@pytest.mark.parametrize("name", ["movielens-latest-small", "movielens-20m", "movielens-25m"])
def test_movielens_csv_format(tmp_path: Path, name: str) -> None:
    log = load(name, path=formats.movielens_csv(tmp_path))
    assert log.name == name and _raw_rows(log) == _ml_expected()
    assert log.item_features is not None
    assert list(log.item_features["title"])[1] == "Amélie, Le Fabuleux (2001)"
    assert list(log.item_features["genres"])[2] == ""  # "(no genres listed)"


def test_open_bandit_format(tmp_path: Path) -> None:
    log = load(
        "open-bandit",
        path=formats.open_bandit(tmp_path, "bts", "men"),
        policy="bts",
        campaign="men",
    )
    assert len(log) == len(formats.OBD_ROWS)  # the repeated impression is kept
    assert list(log.frame["position"]) == [0, 1, 1, 2]
    np.testing.assert_allclose(log.frame["propensity"], [0.5, 0.5, 0.5, 0.25])
    assert list(log.labels) == [0, 1, 1, 0]
    assert list(log.user_ids) == ["a0|a1|a2|a3", "b0|b1|b2|b3"]
    assert log.timestamps[0] == pd.Timestamp("2019-11-24 00:00:01", tz="UTC").timestamp()
    assert log.item_features is not None and list(log.item_features["item_feature_1"]) == [
        "hashA",
        "hashB",
    ]
    assert log.user_features is not None and log.user_features.loc[1, "user_feature_2"] == "b2"
    assert log.meta == {"policy": "bts", "campaign": "men"}


def test_open_bandit_rejects_unknown_policy(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'greedy'.*random"):
        load("open-bandit", path=formats.open_bandit(tmp_path), policy="greedy")
    with pytest.raises(ValueError, match=r"'kids'.*women"):
        load("open-bandit", path=tmp_path, campaign="kids")


def test_kuairec_small_matrix(tmp_path: Path) -> None:
    log = load("kuairec", path=formats.kuairec(tmp_path), matrix="small")
    assert log.name == "kuairec-small" and log.label_kind == "watch_ratio"
    assert _raw_rows(log) == [
        (14, 148, pytest.approx(0.722)),
        (14, 183, pytest.approx(1.907)),
        (21, 183, 1.0),
    ]
    assert log.meta["dropped_no_timestamp"] == 1  # the blank-time row
    assert list(log.timestamps) == [1593898068, 1593898080, 1594029600]
    assert log.item_features is not None and list(log.item_features["genres"]) == ["8", "27|9"]
    assert log.user_features is not None
    assert list(log.user_features["user_active_degree"]) == ["high_active", "middle_active"]
    matrix, names = category_matrix(log)
    assert names == ["27", "8", "9"] and matrix.sum() == 3


def test_kuairec_without_timestamps_keeps_every_row(tmp_path: Path) -> None:
    log = load("kuairec", path=formats.kuairec(tmp_path), timestamps=False)
    assert len(log) == 4 and not log.has_timestamps and log.meta["dropped_no_timestamp"] == 0
    assert (log.timestamps == -1).all()


def test_kuairec_big_matrix(tmp_path: Path) -> None:
    log = load("kuairec", path=formats.kuairec(tmp_path), matrix="big")
    assert log.name == "kuairec-big" and len(log) == 2
    with pytest.raises(ValueError, match=r"'huge'.*small"):
        load("kuairec", path=tmp_path, matrix="huge")


def test_kuairand_standard_log_joins_both_periods(tmp_path: Path) -> None:
    log = load("kuairand-pure", path=formats.kuairand_pure(tmp_path), log="standard")
    assert log.name == "kuairand-pure-standard" and log.label_kind == "click"
    assert _raw_rows(log) == [(0, 5, 1.0), (1, 6, 0.0), (0, 6, 0.0)]
    assert list(log.timestamps) == [1649412000, 1649412001, 1650600000]  # ms -> s
    assert log.item_features is not None and list(log.item_features["genres"]) == ["4|28", ""]
    assert log.user_features is not None and len(log.user_features) == 2


def test_kuairand_random_log(tmp_path: Path) -> None:
    log = load("kuairand-pure", path=formats.kuairand_pure(tmp_path), log="random")
    assert _raw_rows(log) == [(1, 7, 1.0)]
    assert log.item_features is not None and list(log.item_features["genres"]) == ["9"]
    with pytest.raises(ValueError, match=r"'biased'.*standard"):
        load("kuairand-pure", path=tmp_path, log="biased")


def _coat_matrices() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    train = np.array([[5, 0, 0, 3], [0, 1, 0, 0], [0, 0, 4, 2]])
    test = np.array([[0, 2, 0, 0], [4, 0, 0, 5], [1, 0, 0, 0]])
    propensities = np.arange(1, 13).reshape(3, 4) / 20
    return train, test, propensities


def test_coat_train_and_test(tmp_path: Path) -> None:
    train_m, test_m, propensities = _coat_matrices()
    formats.coat(tmp_path, train_m, test_m, propensities)
    train = load("coat", path=tmp_path, part="train")
    assert _raw_rows(train) == [(0, 0, 5.0), (0, 3, 3.0), (1, 1, 1.0), (2, 2, 4.0), (2, 3, 2.0)]
    np.testing.assert_allclose(
        train.frame["propensity"], propensities[train.users, train.items], rtol=1e-6
    )
    test = load("coat", path=tmp_path, part="test")
    assert _raw_rows(test) == [(0, 1, 2.0), (1, 0, 4.0), (1, 3, 5.0), (2, 0, 1.0)]
    np.testing.assert_allclose(test.frame["propensity"], [1 / 4, 2 / 4, 2 / 4, 1 / 4])
    assert test.user_features is not None and list(test.user_features.columns) == [
        "gender:men",
        "gender:women",
    ]
    assert test.item_features is not None and bool(test.item_features.loc[2, "jackettype:bomber"])
    assert not test.has_timestamps and (test.timestamps == -1).all()
    # item 2 has no test rating, yet both parts keep the matrix's ids
    assert test.n_items == train.n_items == 4 and 2 not in set(test.items)


def test_lastfm_format(tmp_path: Path) -> None:
    log = load("lastfm-hetrec2011", path=formats.lastfm(tmp_path))
    assert _raw_rows(log) == [(2, 51, 13883.0), (2, 52, 11690.0), (3, 51, 7.0)]
    assert log.label_kind == "play_count" and not log.has_timestamps
    assert log.item_features is not None
    assert list(log.item_features["name"]) == ['Duran "Duran"', "Morcheeba"]


@pytest.mark.parametrize(
    "filename",
    [
        "Musical_Instruments.json",
        "Musical_Instruments.json.gz",
        "reviews_Musical_Instruments_5.json.gz",
        "reviews_Musical_Instruments_5.json",
    ],
)
def test_amazon_file_names(tmp_path: Path, filename: str) -> None:
    log = load("amazon2014-5core", path=formats.amazon(tmp_path, filename))
    assert _raw_rows(log) == [("A1", "B01", 5.0), ("A2", "B01", 3.0), ("A1", "B02", 4.0)]
    assert list(log.timestamps) == [1393545600, 1363392000, 1377648000]


def test_amazon_other_category(tmp_path: Path) -> None:
    formats.amazon(tmp_path, "reviews_Digital_Music_5.json.gz")
    log = load("amazon2014-5core", path=tmp_path, category="Digital_Music")
    assert len(log) == 3 and log.meta["category"] == "Digital_Music"
    with pytest.raises(DataError, match=r"'Books'.*reviews_Books_5.json.gz"):
        load("amazon2014-5core", path=tmp_path, category="Books")


def test_kuairand_single_tags_are_not_floats(tmp_path: Path) -> None:
    formats.kuairand_pure(tmp_path)
    videos = next(tmp_path.rglob("video_features_basic_pure.csv"))
    videos.write_text("video_id,tag\n5,4\n6,\n7,9\n")  # pandas reads this column as float
    log = load("kuairand-pure", path=tmp_path, log="standard")
    assert log.item_features is not None and list(log.item_features["genres"]) == ["4", ""]
