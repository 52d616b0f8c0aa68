"""``python -m agentic_env.data``: list datasets; print a dataset's statistics, segments, splits."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from agentic_env.data.log import InteractionLog
from agentic_env.data.registry import DEFAULT_DATASET, datasets, load
from agentic_env.data.segments import (
    ITEM_SEGMENTS,
    item_segments,
    segment_shares,
    user_segments,
)
from agentic_env.data.splits import Split, leave_last_k_out, random_split, temporal_split


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentic-rs-data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="registered datasets")
    stats = sub.add_parser("stats", help="statistics, segments and split sizes of a dataset")
    stats.add_argument("name", nargs="?", default=DEFAULT_DATASET)
    stats.add_argument("--path", default=None, help="folder with a local copy of the files")
    stats.add_argument("--cache", default=None, help="download cache directory")
    return parser


def _list(console: Console) -> None:
    table = Table("dataset", "bundled", "download", "description")
    for name, ds in sorted(datasets().items()):
        url = ds.archive.url if ds.archive else "-"
        table.add_row(name, "yes" if ds.bundled else "", url, ds.description)
    console.print(table)


def _splits(log: InteractionLog) -> dict[str, Split]:
    out = {"leave-last-1-out": leave_last_k_out(log), "random 80/10/10": random_split(log)}
    if log.has_timestamps:
        out["temporal 80/10/10"] = temporal_split(log)
    return out


def _stats(console: Console, args: argparse.Namespace) -> None:
    start = time.perf_counter()
    log = load(args.name, args.path, cache=args.cache)
    loaded = time.perf_counter() - start
    table = Table("statistic", "value", title=f"{log.name} (loaded in {loaded:.2f} s)")
    for key, value in log.describe().items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    for name, share in segment_shares(user_segments(log)).items():
        table.add_row(f"users: {name}", f"{share:.1%}")
    for name, share in segment_shares(item_segments(log), ITEM_SEGMENTS).items():
        table.add_row(f"items: {name}", f"{share:.1%}")
    for name, split in _splits(log).items():
        table.add_row(f"split {name}", " / ".join(f"{n:,}" for n in split.sizes()))
    console.print(table)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console()
    if args.command == "list":
        _list(console)
    else:
        _stats(console, args)
    return 0
