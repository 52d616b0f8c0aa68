"""A run's markdown report and plots, from its history (``python -m experiments.report RUN_DIR``).

Reads ``history.parquet`` / ``history.csv`` (format: :mod:`experiments.history`) or, failing
that, the run's ``knowledge.sqlite``, and writes ``report.md`` beside four PNGs: anytime outer
reward and regret, each agent's inner and outer reward, the configuration timeline, and the
templates proposed/accepted; scenario drift events are marked on each and listed in the text.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import plots
from experiments.history import HistoryError, read_history

PLOTS = {
    "anytime.png": ("Anytime outer reward and regret", plots.plot_anytime),
    "agents.png": ("Each agent's inner and outer reward", plots.plot_agents),
    "timeline.png": ("Configuration timeline", plots.plot_timeline),
    "templates.png": ("Templates proposed and accepted", plots.plot_templates),
}


def summary(history: pd.DataFrame) -> dict[str, float | int]:
    """Headline figures of a run: final and anytime outer reward and regret, cost, templates."""
    rows = plots.system_rows(history)
    events = history["event"]
    out: dict[str, float | int] = {
        "steps": len(rows),
        "agents": len(plots.agent_names(history)),
        "final_outer": _last(rows["anytime_outer"]),
        "best_outer": float(rows["outer"].max()) if len(rows) else float("nan"),
        "final_regret": _last(rows["anytime_regret"]),
        "mean_anytime_regret": float(rows["anytime_regret"].mean()) if len(rows) else float("nan"),
        "cost_seconds": float(rows["cost"].sum()),
        "drift_events": int((events == "drift").sum()),
        "templates_proposed": int((events == "template_proposed").sum()),
        "templates_accepted": int((events == "template_accepted").sum()),
    }
    return out


def _last(series: pd.Series) -> float:
    values = series.dropna()
    return float(values.iloc[-1]) if len(values) else float("nan")


def _fmt(value: float | int) -> str:
    if isinstance(value, (int, np.integer)):
        return str(value)
    return "n/a" if not np.isfinite(value) else f"{value:.4g}"


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub markdown table of ``frame`` (no extra dependency)."""
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def render(history: pd.DataFrame, title: str, images: dict[str, str]) -> str:
    """The markdown text: headline table, drift events, templates, and the figures."""
    lines = [f"# {title}", "", "| figure | value |", "|---|---|"]
    lines += [f"| {key} | {_fmt(value)} |" for key, value in summary(history).items()]
    drifts = history[history["event"] == "drift"]
    lines += ["", "## Scenario drift events", ""]
    lines += [f"- step {r['step']}: {r['detail'] or 'shift'}" for r in _records(drifts)]
    lines += [] if len(drifts) else ["- none"]
    templates = history[history["event"].str.startswith("template_")]
    lines += ["", "## Templates", ""]
    lines += [
        f"- step {r['step']}: {str(r['event']).removeprefix('template_')} `{r['detail']}` "
        f"({r['agent']})"
        for r in _records(templates)
    ]
    lines += [] if len(templates) else ["- none proposed"]
    for name, caption in images.items():
        lines += ["", f"## {caption}", "", f"![{caption}]({name})"]
    return "\n".join(lines) + "\n"


def build_report(run_dir: str | Path, title: str | None = None) -> Path:
    """Write ``report.md`` and the PNGs into ``run_dir``; returns the report's path."""
    root = Path(run_dir)
    history = read_history(root)
    if history.empty:
        raise HistoryError(f"the history of {root} is empty; nothing to report")
    images = {}
    for name, (caption, draw) in PLOTS.items():
        draw(history, root / name)
        images[name] = caption
    path = root / "report.md"
    path.write_text(render(history, title or f"Run report: {root.name}", images))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.report", description=__doc__)
    parser.add_argument("run_dir", help="a run's output directory (holds history.* or a store)")
    parser.add_argument("--title", default=None, help="report title (default: the folder name)")
    args = parser.parse_args(argv)
    try:
        path = build_report(args.run_dir, args.title)
    except HistoryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
