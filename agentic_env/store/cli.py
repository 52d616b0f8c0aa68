"""Command line: query and export a knowledge store.

    python -m agentic_env.store DB best --agent X --metric Y [--top N] [--minimize]
    python -m agentic_env.store DB negatives [--agent X]
    python -m agentic_env.store DB history --run N
    python -m agentic_env.store DB export --table evaluations --format parquet --out F

``DB`` is a path to an SQLite file or a database URL (``postgresql+psycopg://...``). Errors are
printed as one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from agentic_env.store.export import FORMATS
from agentic_env.store.models import TABLES
from agentic_env.store.queries import METRIC_HELP
from agentic_env.store.store import KnowledgeStore


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m agentic_env.store``."""
    parser = argparse.ArgumentParser(prog="python -m agentic_env.store", description=__doc__)
    parser.add_argument("db", help="SQLite file path or database URL")
    commands = parser.add_subparsers(dest="command", required=True)

    best = commands.add_parser("best", help="best configurations of an agent by a metric")
    best.add_argument("--agent", required=True)
    best.add_argument("--metric", default="objective", help=METRIC_HELP)
    best.add_argument("--dataset")
    best.add_argument("--split")
    best.add_argument("--fidelity", type=float)
    best.add_argument("--top", type=int, default=5)
    best.add_argument("--minimize", action="store_true", help="lower is better")

    negatives = commands.add_parser("negatives", help="failed directions, newest first")
    negatives.add_argument("--agent")
    negatives.add_argument("--limit", type=int)

    history = commands.add_parser("history", help="everything a run recorded, oldest first")
    history.add_argument("--run", type=int, required=True)

    export = commands.add_parser("export", help="write a table to CSV or Parquet")
    export.add_argument("--table", required=True, choices=sorted(TABLES))
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--out", required=True)
    return parser


def run(args: argparse.Namespace) -> str:
    """Execute one parsed command and return what it prints."""
    with KnowledgeStore.open(args.db, create=False) as store:
        if args.command == "best":
            rows = store.best_configs(
                args.agent,
                args.metric,
                dataset=args.dataset,
                split=args.split,
                fidelity=args.fidelity,
                top=args.top,
                maximize=not args.minimize,
            )
            lines = [f"{'value':>12}  {'n':>3}  config_hash       config"]
            lines += [
                f"{r.value:12.6g}  {r.n_evaluations:3d}  {r.config_hash[:16]}  {dict(r.config)}"
                for r in rows
            ]
            return "\n".join(lines) if rows else f"no evaluations of agent {args.agent!r}"
        if args.command == "negatives":
            cases = store.negative_cases(agent=args.agent, limit=args.limit)
            lines = [
                f"{c.id:5d}  {c.agent}  {(c.config_hash or '-')[:16]}  {c.reason}" for c in cases
            ]
            return "\n".join(lines) if cases else "no negative cases"
        if args.command == "history":
            frame = store.run_history(args.run).fillna({"agent": "-"})
            return frame.to_string(index=False) if len(frame) else f"run {args.run} has no records"
        path = store.export(args.table, args.format, args.out)
        return f"wrote {args.table} to {path}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        print(run(args))
    except (RuntimeError, ValueError, LookupError) as error:  # StoreError is a RuntimeError
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
