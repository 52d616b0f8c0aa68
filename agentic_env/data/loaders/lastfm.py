"""Last.fm HetRec 2011 (``hetrec2011-lastfm-2k``): implicit listening counts.

92,834 (user, artist) pairs from 1,892 users on 17,632 artists, each with the user's total
listening count as the label. There are no timestamps (the tagging log that has them is not
part of the interaction log). Item features: the artist's ``name`` and ``url``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from agentic_env.data.build import build_log, require_columns
from agentic_env.data.download import Archive
from agentic_env.data.files import find_file, read_table
from agentic_env.data.log import InteractionLog
from agentic_env.data.registry import register


@register(
    "lastfm-hetrec2011",
    # GroupLens publishes no checksum for this archive.
    archive=Archive(
        "https://files.grouplens.org/datasets/hetrec2011/hetrec2011-lastfm-2k.zip",
        "hetrec2011-lastfm-2k.zip",
        "hetrec2011-lastfm-2k",
    ),
    description="Last.fm HetRec 2011: 1,892 users x 17,632 artists, listening counts",
)
def load_lastfm(path: Path) -> InteractionLog:
    """Read the TAB-separated ``user_artists.dat`` (CRLF lines) and ``artists.dat``."""
    data = find_file(path, "user_artists.dat")
    raw = read_table(data, sep="\t")
    require_columns(raw, ["userID", "artistID", "weight"], data)
    return build_log(
        raw,
        name="lastfm-hetrec2011",
        source=data,
        user="userID",
        item="artistID",
        label="weight",
        label_kind="play_count",
        item_features=_artists(path),
    )


def _artists(root: Path) -> pd.DataFrame:
    path = find_file(root, "artists.dat")
    # Artist names contain quote characters that are not CSV quoting.
    table = read_table(path, sep="\t", quoting=csv.QUOTE_NONE, encoding="utf-8")
    require_columns(table, ["id", "name", "url"], path)
    return table.set_index("id")[["name", "url"]]
