"""Open Bandit Dataset (ZOZOTOWN, Saito et al. 2021): logged slates with true propensities.

Each row is one impression: the item shown at slate position 1-3, the click, and the behaviour
policy's probability of that item at that position. Two behaviour policies (``random``, uniform;
``bts``, Bernoulli Thompson sampling) ran on three campaigns (``all``, ``men``, ``women``); the
loader reads one (policy, campaign) pair, since each has its own item set and propensities.

User ids: the dataset has none. Each impression carries four hashed categorical user features;
the loader uses their ``|``-joined tuple as the raw user id, so a "user" is a feature profile
and impressions of different shoppers with the same profile share it. The per-impression
``user-item_affinity_<k>`` columns are context, not identity, and are not kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from agentic_env.data.build import build_log, require_columns
from agentic_env.data.download import Archive
from agentic_env.data.files import find_file, read_table
from agentic_env.data.log import InteractionLog
from agentic_env.data.registry import register

Policy = Literal["random", "bts"]
Campaign = Literal["all", "men", "women"]
POLICIES: tuple[str, ...] = ("random", "bts")
CAMPAIGNS: tuple[str, ...] = ("all", "men", "women")
USER_FEATURES: list[str] = [f"user_feature_{k}" for k in range(4)]
_LOG_COLUMNS: list[str] = ["timestamp", "item_id", "position", "click", "propensity_score"]


@register(
    "open-bandit",
    # The full dataset (~26M impressions). The sha256 is provisional: a third party's hash of its
    # local copy, not a checksum published by ZOZO (see the shared DOWNLOADS.md).
    archive=Archive(
        "https://research.zozo.com/data_release/open_bandit_dataset.zip",
        "open_bandit_dataset.zip",
        "open_bandit_dataset",
        sha256="e8ec18196582a5937381a1776382ca940689b90a18d2dcd1fb635be6df614d78",
    ),
    description="Open Bandit Dataset: fashion e-commerce slates, clicks, true propensities",
)
def load_open_bandit(
    path: Path, policy: Policy = "random", campaign: Campaign = "all"
) -> InteractionLog:
    """Read ``<policy>/<campaign>/<campaign>.csv`` and its ``item_context.csv``."""
    if policy not in POLICIES:
        raise ValueError(f"unknown behaviour policy {policy!r}; expected one of {POLICIES}")
    if campaign not in CAMPAIGNS:
        raise ValueError(f"unknown campaign {campaign!r}; expected one of {CAMPAIGNS}")
    data = find_file(path, f"{policy}/{campaign}/{campaign}.csv")
    wanted = set(_LOG_COLUMNS + USER_FEATURES)  # skips the index and the affinity columns
    raw = read_table(data, usecols=lambda column: column in wanted)
    require_columns(raw, _LOG_COLUMNS + USER_FEATURES, data)
    raw["user"] = _profile_ids(raw)
    users = raw[["user", *USER_FEATURES]].drop_duplicates("user").set_index("user")
    return build_log(
        raw,
        name=f"open-bandit-{policy}-{campaign}",
        source=data,
        user="user",
        item="item_id",
        label="click",
        label_kind="click",
        timestamp="timestamp",
        position="position",
        propensity="propensity_score",
        duplicates="keep",  # the same item can be shown to the same profile at the same time
        user_features=users,
        item_features=_item_context(find_file(data.parent, "item_context.csv")),
        meta={"policy": policy, "campaign": campaign},
    )


def _profile_ids(raw: pd.DataFrame) -> pd.Series:
    """The ``|``-joined hashed user features; a missing feature leaves the id missing."""
    parts = raw[USER_FEATURES]
    joined = parts[USER_FEATURES[0]].astype(str)
    for column in USER_FEATURES[1:]:
        joined = joined + "|" + parts[column].astype(str)
    return joined.where(parts.notna().all(axis=1))


def _item_context(path: Path) -> pd.DataFrame:
    items = read_table(path, index_col=0)
    require_columns(items, ["item_id"], path)
    return items.set_index("item_id")
