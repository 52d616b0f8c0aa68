"""The loaders on the real files shared beside the repository (``../shared/data``)."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agentic_env.data import load
from tests.data.conftest import dataset_folder


def test_movielens_100k_counts(shared_data: Path) -> None:
    log = load("movielens-100k", path=dataset_folder(shared_data, "movielens-100k"))
    assert (log.n_users, log.n_items, len(log)) == (943, 1682, 100_000)
    assert log.label_kind == "rating"
    assert set(np.unique(log.labels)) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert log.user_features is not None and len(log.user_features) == 943
    assert log.item_features is not None and log.item_features["genres"].str.len().gt(0).all()


def test_movielens_raw_ids_map_back(shared_data: Path) -> None:
    folder = dataset_folder(shared_data, "movielens-100k")
    log = load("movielens-100k", path=folder)
    raw = pd.read_csv(
        folder / "ml-100k" / "u.data", sep="\t", names=["user", "item", "rating", "time"]
    )
    np.testing.assert_array_equal(log.user_ids[log.users], raw["user"].to_numpy())
    np.testing.assert_array_equal(log.item_ids[log.items], raw["item"].to_numpy())
    np.testing.assert_array_equal(log.labels, raw["rating"].to_numpy())
    np.testing.assert_array_equal(log.timestamps, raw["time"].to_numpy())
    # u.item line 1 is Toy Story; its features sit at the dense id of raw item 1.
    dense = int(np.flatnonzero(log.item_ids == 1)[0])
    assert log.item_features is not None
    assert log.item_features.loc[dense, "title"] == "Toy Story (1995)"


def test_bundled_default_loads_without_network(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the bundled dataset must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr("urllib.request.urlopen", refuse)
    monkeypatch.setenv("AGENTIC_RS_DATA", str(tmp_path))
    log = load()
    assert (log.n_users, log.n_items, len(log)) == (671, 9066, 100_004)
    assert log.name == "movielens-latest-small"
    assert list(tmp_path.iterdir()) == []  # nothing was fetched into the cache


def test_open_bandit_random_all(shared_data: Path) -> None:
    folder = dataset_folder(shared_data, "open-bandit-dataset-small")
    log = load("open-bandit", path=folder, policy="random", campaign="all")
    assert log.name == "open-bandit-random-all"
    assert len(log) == 10_000 and log.n_items == 80
    np.testing.assert_allclose(log.frame["propensity"], 1 / 80, rtol=1e-6)
    assert set(log.frame["position"]) == {0, 1, 2}
    assert set(np.unique(log.labels)) == {0.0, 1.0}
    assert log.label_kind == "click"
    assert log.describe()["first"] == "2019-11-24" and log.describe()["last"] == "2019-11-30"
    assert log.item_features is not None and "item_feature_0" in log.item_features
    assert all(str(u).count("|") == 3 for u in log.user_ids)


@pytest.mark.parametrize(("campaign", "n_items"), [("all", 80), ("men", 34), ("women", 46)])
def test_open_bandit_bts_campaigns(shared_data: Path, campaign: str, n_items: int) -> None:
    folder = dataset_folder(shared_data, "open-bandit-dataset-small")
    log = load("open-bandit", path=folder, policy="bts", campaign=campaign)
    assert len(log) == 10_000 and log.n_items == n_items
    p = log.frame["propensity"].to_numpy()
    assert p.min() < p.max() <= 1  # Thompson sampling propensities vary


def test_coat_parts_share_ids_and_propensities(shared_data: Path) -> None:
    folder = dataset_folder(shared_data, "coat")
    train = load("coat", path=folder, part="train")
    test = load("coat", path=folder, part="test")
    assert (len(train), len(test)) == (6960, 4640)
    assert (train.n_users, train.n_items) == (test.n_users, test.n_items) == (290, 300)
    np.testing.assert_array_equal(train.item_ids, np.arange(300))
    learned = np.loadtxt(folder / "coat" / "propensities.ascii")
    np.testing.assert_allclose(
        train.frame["propensity"], learned[train.users, train.items], rtol=1e-6
    )
    np.testing.assert_allclose(test.frame["propensity"], 16 / 300, rtol=1e-6)
    assert not train.has_timestamps
    assert train.item_features is not None and train.item_features.shape == (300, 33)
    assert train.user_features is not None and train.user_features.shape == (290, 14)


def test_lastfm_counts(shared_data: Path) -> None:
    log = load("lastfm-hetrec2011", path=dataset_folder(shared_data, "lastfm-hetrec2011-2k"))
    assert (len(log), log.n_users, log.n_items) == (92_834, 1892, 17_632)
    assert log.label_kind == "play_count" and log.labels.max() == 352_698
    assert log.item_features is not None and log.item_features["name"].notna().all()


def test_amazon_musical_instruments_counts(shared_data: Path) -> None:
    folder = dataset_folder(shared_data, "amazon2014-musical-instruments-5core")
    log = load("amazon2014-5core", path=folder)
    assert (len(log), log.n_users, log.n_items) == (10_261, 1429, 900)
    assert log.describe()["first"] == "2004-09-18" and log.describe()["last"] == "2014-07-22"
    assert log.user_counts().min() >= 5 and log.item_counts().min() >= 5  # a 5-core
