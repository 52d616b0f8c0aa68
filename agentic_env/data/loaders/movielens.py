"""MovieLens (GroupLens): the 100K, 1M and CSV (latest-small, 20M, 25M) formats.

Item features: ``title`` and ``genres`` (``|``-joined names). User features where the release has
them (100K, 1M): age, gender, occupation, zip code.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from agentic_env.data.build import build_log, require_columns
from agentic_env.data.download import Archive
from agentic_env.data.files import find_file, read_table
from agentic_env.data.log import InteractionLog
from agentic_env.data.registry import register

_BASE = "https://files.grouplens.org/datasets/movielens"


@register(
    "movielens-100k",
    archive=Archive(
        f"{_BASE}/ml-100k.zip",
        "ml-100k.zip",
        "ml-100k",
        sha256="50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229",
    ),
    description="MovieLens 100K: 943 users, 1,682 movies, ratings 1-5, demographics, genres",
)
def load_100k(path: Path) -> InteractionLog:
    """Read ``u.data``, ``u.item`` (latin-1, 19 genre flags) and ``u.user``."""
    data = find_file(path, "u.data")
    raw = read_table(data, sep="\t", header=None, names=["user", "item", "rating", "timestamp"])
    items = read_table(find_file(path, "u.item"), sep="|", header=None, encoding="latin-1")
    genres = read_table(find_file(path, "u.genre"), sep="|", header=None, names=["name", "id"])
    flags = items.iloc[:, 5 : 5 + len(genres)].to_numpy(dtype=bool)
    names = genres["name"].to_numpy()
    item_features = pd.DataFrame(
        {"title": items[1].to_numpy(), "genres": ["|".join(names[row]) for row in flags]},
        index=items[0].to_numpy(),
    )
    users = read_table(
        find_file(path, "u.user"),
        sep="|",
        header=None,
        names=["user", "age", "gender", "occupation", "zip"],
    ).set_index("user")
    return build_log(
        raw,
        name="movielens-100k",
        source=data,
        user="user",
        item="item",
        label="rating",
        label_kind="rating",
        timestamp="timestamp",
        user_features=users,
        item_features=item_features,
    )


@register(
    "movielens-1m",
    archive=Archive(
        f"{_BASE}/ml-1m.zip",
        "ml-1m.zip",
        "ml-1m",
        sha256="a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20",
    ),
    description="MovieLens 1M: 6,040 users, 3,706 movies, demographics, genres",
)
def load_1m(path: Path) -> InteractionLog:
    """Read the ``::``-separated ``ratings.dat``, ``movies.dat`` and ``users.dat``."""
    data = find_file(path, "ratings.dat")
    raw = _read_dat(data, ["user", "item", "rating", "timestamp"])
    movies = _read_dat(find_file(path, "movies.dat"), ["item", "title", "genres"])
    users = _read_dat(find_file(path, "users.dat"), ["user", "gender", "age", "occupation", "zip"])
    return build_log(
        raw,
        name="movielens-1m",
        source=data,
        user="user",
        item="item",
        label="rating",
        label_kind="rating",
        timestamp="timestamp",
        user_features=users.set_index("user"),
        item_features=movies.set_index("item"),
    )


def _read_dat(path: Path, names: list[str]) -> pd.DataFrame:
    # A regex separator forces the Python engine; ``::`` never appears inside fields.
    return read_table(path, sep="::", header=None, names=names, engine="python", encoding="latin-1")


def load_csv_release(path: Path, name: str) -> InteractionLog:
    """The CSV releases (latest, latest-small, 20M, 25M): ``ratings.csv`` and ``movies.csv``."""
    data = find_file(path, "ratings.csv")
    raw = read_table(data)
    require_columns(raw, ["userId", "movieId", "rating", "timestamp"], data)
    movies = read_table(find_file(path, "movies.csv"))
    require_columns(movies, ["movieId", "title", "genres"], find_file(path, "movies.csv"))
    genres = movies["genres"].replace("(no genres listed)", "")
    item_features = pd.DataFrame(
        {"title": movies["title"].to_numpy(), "genres": genres.to_numpy()},
        index=movies["movieId"].to_numpy(),
    )
    return build_log(
        raw,
        name=name,
        source=data,
        user="userId",
        item="movieId",
        label="rating",
        label_kind="rating",
        timestamp="timestamp",
        item_features=item_features,
    )


@register(
    "movielens-latest-small",
    archive=Archive(
        f"{_BASE}/ml-latest-small.zip",
        "ml-latest-small.zip",
        "ml-latest-small",
        sha256="696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436",
    ),
    bundled="ml-latest-small",
    description="MovieLens latest-small (2016 generation, bundled): 671 users, 9,066 movies",
)
def load_latest_small(path: Path) -> InteractionLog:
    return load_csv_release(path, "movielens-latest-small")


@register(
    "movielens-20m",
    archive=Archive(
        f"{_BASE}/ml-20m.zip",
        "ml-20m.zip",
        "ml-20m",
        sha256="96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3",
    ),
    description="MovieLens 20M: 138,493 users, 26,744 movies",
)
def load_20m(path: Path) -> InteractionLog:
    return load_csv_release(path, "movielens-20m")


@register(
    "movielens-25m",
    archive=Archive(
        f"{_BASE}/ml-25m.zip",
        "ml-25m.zip",
        "ml-25m",
        sha256="8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa",
    ),
    description="MovieLens 25M: 162,541 users, 59,047 movies",
)
def load_25m(path: Path) -> InteractionLog:
    return load_csv_release(path, "movielens-25m")
