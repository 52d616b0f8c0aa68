"""Each class of bad input gives a DataError naming the file, the column or value, and what was
expected: missing or misnamed columns, wrong types, missing ids, duplicates, empty files,
malformed lines, unknown names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from agentic_env.data import DataError, UnknownDatasetError, datasets, load
from tests.data import formats


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _expect(match: str, name: str, root: Path, **kwargs: Any) -> DataError:
    with pytest.raises(DataError, match=match) as info:
        load(name, path=root, **kwargs)
    return info.value


# --- missing or misnamed columns -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "writer", "file", "old", "new", "column"),
    [
        (
            "movielens-latest-small",
            formats.movielens_csv,
            "ratings.csv",
            "userId",
            "user",
            "userId",
        ),
        ("open-bandit", formats.open_bandit, "all.csv", ",click,", ",clicked,", "click"),
        ("kuairec", formats.kuairec, "small_matrix.csv", "watch_ratio", "ratio", "watch_ratio"),
        (
            "kuairand-pure",
            formats.kuairand_pure,
            "log_standard_4_22_to_5_08_pure.csv",
            "is_click",
            "click",
            "is_click",
        ),
        ("lastfm-hetrec2011", formats.lastfm, "user_artists.dat", "weight", "count", "weight"),
    ],
)
def test_missing_column_is_named(
    tmp_path: Path, name: str, writer, file: str, old: str, new: str, column: str
) -> None:
    writer(tmp_path)
    path = next(tmp_path.rglob(file))
    _replace(path, old, new)
    error = _expect(f"missing column.*'{column}'", name, tmp_path)
    assert error.source == str(path) or str(path) in str(error)
    assert "found" in str(error)  # lists the columns that are there


def test_amazon_missing_field_names_the_line(tmp_path: Path) -> None:
    reviews = [dict(r) for r in formats.AMAZON_REVIEWS]
    del reviews[1]["overall"]
    formats.amazon(tmp_path, text=formats.amazon_lines(reviews))
    error = _expect(r"line 2 lacks field\(s\) \['overall'\]", "amazon2014-5core", tmp_path)
    assert error.source is not None and error.source.endswith("Musical_Instruments.json")


def test_item_context_without_item_id(tmp_path: Path) -> None:
    formats.open_bandit(tmp_path)
    _replace(next(tmp_path.rglob("item_context.csv")), "item_id", "id")
    _expect(r"item_context.csv: missing column.*'item_id'", "open-bandit", tmp_path)


# --- wrong types -----------------------------------------------------------------------------


def test_non_numeric_rating(tmp_path: Path) -> None:
    formats.movielens_csv(tmp_path)
    _replace(next(tmp_path.rglob("ratings.csv")), "1,20,3.0,200", "1,20,three,200")
    _expect(
        r"ratings.csv: column 'rating' must be numeric; row 1 holds 'three'",
        "movielens-latest-small",
        tmp_path,
    )


def test_unparseable_timestamp(tmp_path: Path) -> None:
    formats.open_bandit(tmp_path)
    _replace(next(tmp_path.rglob("all.csv")), "2019-11-25 12:00:00+00:00", "yesterday")
    _expect(
        r"all.csv: column 'timestamp' must hold unix seconds or dates; row 3 holds 'yesterday'",
        "open-bandit",
        tmp_path,
    )


def test_non_numeric_play_count(tmp_path: Path) -> None:
    formats.lastfm(tmp_path)
    _replace(next(tmp_path.rglob("user_artists.dat")), "11690", "lots")
    _expect(
        r"user_artists.dat: column 'weight' must be numeric; row 1 holds 'lots'",
        "lastfm-hetrec2011",
        tmp_path,
    )


def test_kuairand_bad_milliseconds(tmp_path: Path) -> None:
    formats.kuairand_pure(tmp_path)
    _replace(next(tmp_path.rglob("log_random_4_22_to_5_08_pure.csv")), "1650600002000", "noon")
    _expect(
        r"column 'time_ms' must hold unix milliseconds; row 0 holds 'noon'",
        "kuairand-pure",
        tmp_path,
        log="random",
    )


def test_coat_bad_cells(tmp_path: Path) -> None:
    train = np.array([[5, 0], [0, 7]])
    formats.coat(tmp_path, train, np.ones((2, 2), int), np.full((2, 2), 0.5))
    _expect(
        r"train.ascii: row 1, column 1 holds 7.0; expected 0 \(unobserved\) or a rating 1-5",
        "coat",
        tmp_path,
    )
    _replace(tmp_path / "coat" / "test.ascii", "1 1", "1 x")
    _expect(
        r"test.ascii: row 0, column 1 holds 'x'; expected a number", "coat", tmp_path, part="test"
    )


def test_coat_shape_mismatch(tmp_path: Path) -> None:
    formats.coat(tmp_path, np.ones((2, 2), int), np.ones((2, 2), int), np.full((2, 3), 0.5))
    _expect(
        r"propensities.ascii: shape \(2, 3\), expected the ratings' shape \(2, 2\)",
        "coat",
        tmp_path,
    )


def test_propensity_out_of_range(tmp_path: Path) -> None:
    formats.open_bandit(tmp_path)
    _replace(next(tmp_path.rglob("all.csv")), ",0.25,", ",0.0,")
    _expect(r"column 'propensity_score' must lie in \(0, 1\]", "open-bandit", tmp_path)


# --- missing ids -----------------------------------------------------------------------------


def test_missing_user_id(tmp_path: Path) -> None:
    formats.movielens_csv(tmp_path)
    _replace(next(tmp_path.rglob("ratings.csv")), "\n2,10,", "\n,10,")
    _expect(
        r"ratings.csv: column 'userId' has 1 missing id\(s\), first at row 2",
        "movielens-latest-small",
        tmp_path,
    )


def test_missing_video_id(tmp_path: Path) -> None:
    formats.kuairec(tmp_path)
    _replace(next(tmp_path.rglob("small_matrix.csv")), "\n21,183,", "\n21,,")
    _expect(r"small_matrix.csv: column 'video_id' has 1 missing id", "kuairec", tmp_path)


def test_missing_hashed_user_feature_means_no_user(tmp_path: Path) -> None:
    formats.open_bandit(tmp_path)
    _replace(next(tmp_path.rglob("all.csv")), "b0,b1,", "b0,,")
    _expect(r"column 'user' has 1 missing id", "open-bandit", tmp_path)


# --- duplicates ------------------------------------------------------------------------------


def test_duplicate_rating_rows(tmp_path: Path) -> None:
    formats.movielens_100k(tmp_path)
    data = next(tmp_path.rglob("u.data"))
    data.write_text(data.read_text() + "3\t30\t1\t300\n")
    _expect(
        r"u.data: 1 duplicate interaction row\(s\).*first at row 5.*duplicates='drop'",
        "movielens-100k",
        tmp_path,
    )


def test_duplicate_pairs_without_time(tmp_path: Path) -> None:
    formats.lastfm(tmp_path)
    data = next(tmp_path.rglob("user_artists.dat"))
    data.write_text(data.read_text() + "3\t51\t9\r\n")
    _expect("duplicate interaction", "lastfm-hetrec2011", tmp_path)


def test_duplicate_reviews_error_or_drop(tmp_path: Path) -> None:
    reviews = [*formats.AMAZON_REVIEWS, formats.AMAZON_REVIEWS[0]]
    formats.amazon(tmp_path, text=formats.amazon_lines(reviews))
    _expect("duplicate interaction", "amazon2014-5core", tmp_path)
    assert len(load("amazon2014-5core", path=tmp_path, duplicates="drop")) == 3


# --- empty files, malformed lines, missing files ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "writer", "file"),
    [
        ("movielens-100k", formats.movielens_100k, "u.data"),
        ("movielens-1m", formats.movielens_1m, "ratings.dat"),
        ("movielens-latest-small", formats.movielens_csv, "ratings.csv"),
        ("open-bandit", formats.open_bandit, "all.csv"),
        ("kuairec", formats.kuairec, "small_matrix.csv"),
        ("lastfm-hetrec2011", formats.lastfm, "user_artists.dat"),
        ("amazon2014-5core", formats.amazon, "Musical_Instruments.json"),
    ],
)
def test_empty_file(tmp_path: Path, name: str, writer, file: str) -> None:
    writer(tmp_path)
    path = next(tmp_path.rglob(file))
    path.write_text("")
    error = _expect("the file is empty", name, tmp_path)
    assert error.source == str(path)


def test_header_only_file(tmp_path: Path) -> None:
    formats.movielens_csv(tmp_path)
    next(tmp_path.rglob("ratings.csv")).write_text("userId,movieId,rating,timestamp\n")
    _expect("no interactions: the table is empty", "movielens-latest-small", tmp_path)


def test_all_zero_coat_matrix(tmp_path: Path) -> None:
    formats.coat(tmp_path, np.zeros((2, 2), int), np.ones((2, 2), int), np.full((2, 2), 0.5))
    _expect("train.ascii: no interactions", "coat", tmp_path)


def test_malformed_json_line(tmp_path: Path) -> None:
    text = formats.amazon_lines()
    lines = text.splitlines(keepends=True)
    formats.amazon(
        tmp_path,
        "reviews_Musical_Instruments_5.json.gz",
        text=lines[0] + lines[1][:25] + "\n" + lines[2],
    )
    error = _expect(r"line 2 is not valid JSON", "amazon2014-5core", tmp_path)
    assert error.source is not None and error.source.endswith(
        "reviews_Musical_Instruments_5.json.gz"
    )


def test_missing_file_is_named(tmp_path: Path) -> None:
    formats.movielens_100k(tmp_path)
    next(tmp_path.rglob("u.user")).unlink()
    _expect(r"file 'u.user' not found", "movielens-100k", tmp_path)


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    _expect("path does not exist", "coat", tmp_path / "nowhere")


# --- unknown names ---------------------------------------------------------------------------


def test_unknown_dataset_lists_known_names() -> None:
    with pytest.raises(UnknownDatasetError) as info:
        load("movielens-100m")
    message = str(info.value)
    assert "'movielens-100m'" in message
    for name in datasets():
        assert name in message
    expected = {
        "movielens-100k",
        "open-bandit",
        "kuairec",
        "kuairand-pure",
        "coat",
        "lastfm-hetrec2011",
        "amazon2014-5core",
    }
    assert expected <= set(datasets())
    assert re.search("known datasets: .*coat", message)


def test_truncated_gzip_reviews(tmp_path: Path) -> None:
    formats.amazon(tmp_path, "reviews_Musical_Instruments_5.json.gz")
    path = tmp_path / "reviews_Musical_Instruments_5.json.gz"
    path.write_bytes(path.read_bytes()[:-12])  # cut the gzip trailer and some data
    error = _expect(r"cannot read past line \d", "amazon2014-5core", tmp_path)
    assert error.source == str(path)


def test_coat_feature_map_must_name_every_column(tmp_path: Path) -> None:
    formats.coat(tmp_path, np.ones((2, 3), int), np.ones((2, 3), int), np.full((2, 3), 0.5))
    (tmp_path / "coat" / "user_item_features" / "user_features_map.txt").write_text("gender:men")
    _expect(r"user_features.ascii: shape \(2, 2\), expected \(2, 1\)", "coat", tmp_path)
