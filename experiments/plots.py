"""The report's figures, each drawn from a normalised history (:mod:`experiments.history`).

Every function writes one PNG and returns its path; drift events are drawn as dashed vertical
lines on every time axis so a reader sees what the evolution reacted to.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never open a window (headless CI, cluster jobs)

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from experiments.history import SYSTEM

DPI = 110


def system_rows(history: pd.DataFrame) -> pd.DataFrame:
    """One metric row per step for the whole pipeline, with anytime columns added.

    ``anytime_outer`` is the best outer metric seen so far within the phase (the incumbent's),
    ``anytime_regret`` the smallest regret so far within the phase.
    """
    rows = history[(history["agent"] == SYSTEM) & (history["event"] == "")]
    rows = rows.drop_duplicates("step", keep="last").sort_values("step").copy()
    by_phase = rows.groupby("phase", sort=False)
    rows["anytime_outer"] = by_phase["outer"].cummax()
    rows["anytime_regret"] = by_phase["regret"].cummin()
    return rows.reset_index(drop=True)


def agent_names(history: pd.DataFrame) -> list[str]:
    agents = history.loc[(history["event"] == "") & (history["agent"] != SYSTEM), "agent"]
    return list(dict.fromkeys(agents))


def _drift_lines(ax: Axes, history: pd.DataFrame) -> None:
    for step in history.loc[history["event"] == "drift", "step"].unique():
        ax.axvline(float(step), color="tab:red", linestyle="--", linewidth=1, alpha=0.7)


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def plot_anytime(history: pd.DataFrame, out: Path) -> Path:
    """Outer metric per step with its anytime (incumbent) curve; regret below when known."""
    rows = system_rows(history)
    has_regret = bool(rows["regret"].notna().any())
    fig, axes = plt.subplots(2 if has_regret else 1, 1, figsize=(8, 5.5 if has_regret else 3.2),
                             sharex=True, squeeze=False)
    top = axes[0, 0]
    top.plot(rows["step"], rows["outer"], ".", ms=3, alpha=0.4, label="evaluated")
    top.plot(rows["step"], rows["anytime_outer"], lw=2, label="anytime (incumbent)")
    top.set_ylabel("outer reward")
    top.legend(loc="lower right", fontsize=8)
    _drift_lines(top, history)
    if has_regret:
        low = axes[1, 0]
        low.plot(rows["step"], rows["regret"], ".", ms=3, alpha=0.4, label="regret")
        low.plot(rows["step"], rows["anytime_regret"], lw=2, label="anytime regret")
        low.set_ylabel("regret")
        low.legend(loc="upper right", fontsize=8)
        _drift_lines(low, history)
    axes[-1, 0].set_xlabel("step (evaluations)")
    return _save(fig, out)


def plot_agents(history: pd.DataFrame, out: Path, window: int = 10) -> Path:
    """Each agent's inner metric, the outer metric and its layered reward (rolling means)."""
    agents = agent_names(history) or [SYSTEM]
    fig, axes = plt.subplots(len(agents), 1, figsize=(8, 2.2 * len(agents)), sharex=True,
                             squeeze=False)
    for ax, agent in zip(axes[:, 0], agents, strict=True):
        rows = history[(history["agent"] == agent) & (history["event"] == "")].sort_values("step")
        smooth = {c: rows[c].rolling(window, min_periods=1).mean() for c in
                  ("inner", "outer", "reward")}
        for column, colour in (("inner", "tab:blue"), ("reward", "tab:green")):
            if smooth[column].notna().any():
                ax.plot(rows["step"], smooth[column], color=colour, label=column)
        right = ax.twinx()  # the outer metric keeps its own (business) scale
        right.plot(rows["step"], smooth["outer"], color="tab:orange", ls="--", label="outer")
        right.set_ylabel("outer", fontsize=8, color="tab:orange")
        ax.set_title(agent, fontsize=9, loc="left")
        lines = ax.get_lines() + right.get_lines()
        ax.legend(lines, [str(line.get_label()) for line in lines], loc="lower right",
                  fontsize=7, ncols=3)
        _drift_lines(ax, history)
    axes[-1, 0].set_xlabel(f"step (rolling mean over {window})")
    return _save(fig, out)


def plot_timeline(history: pd.DataFrame, out: Path) -> Path:
    """One lane per agent: a mark where its own configuration changed, coloured by config."""
    agents = agent_names(history) or [SYSTEM]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(agents) + 1.2))
    for lane, agent in enumerate(agents):
        rows = history[(history["agent"] == agent) & (history["event"] == "")].sort_values("step")
        codes = rows["config_code"].to_numpy()
        changed = np.r_[True, codes[1:] != codes[:-1]] if len(codes) else np.array([], bool)
        ax.scatter(rows["step"].to_numpy()[changed], np.full(int(changed.sum()), lane),
                   c=codes[changed] % 20, cmap="tab20", vmin=0, vmax=19, s=14, marker="|")
    ax.set_yticks(range(len(agents)), agents)
    ax.set_ylim(-0.5, len(agents) - 0.5)
    ax.set_xlabel("step: a mark is a configuration change (colour: which configuration)")
    _drift_lines(ax, history)
    return _save(fig, out)


def plot_templates(history: pd.DataFrame, out: Path) -> Path:
    """Cumulative templates proposed, accepted and rejected over steps."""
    fig, ax = plt.subplots(figsize=(8, 3))
    steps = np.arange(int(history["step"].max()) + 1) if len(history) else np.arange(1)
    for kind in ("template_proposed", "template_accepted", "template_rejected"):
        at = history.loc[history["event"] == kind, "step"].to_numpy()
        counts = np.bincount(at, minlength=len(steps))[: len(steps)].cumsum()
        ax.step(steps, counts, where="post", label=kind.removeprefix("template_"))
    ax.set_ylabel("templates (cumulative)")
    ax.set_xlabel("step")
    ax.legend(loc="upper left", fontsize=8)
    _drift_lines(ax, history)
    return _save(fig, out)


def plot_ablation_curves(curves: dict[str, list[pd.DataFrame]], column: str, out: Path) -> Path:
    """Mean over seeds of a system-row column (e.g. ``anytime_regret``) per variant, with a
    95% band (t interval) across seeds."""
    from experiments.stats import mean_ci

    fig, ax = plt.subplots(figsize=(8, 4))
    for label, runs in curves.items():
        if not runs:
            continue
        steps = min(len(r) for r in runs)
        values = np.stack([r[column].to_numpy()[:steps] for r in runs])
        stats = [mean_ci(values[:, t]) for t in range(steps)]
        mean = np.array([m for m, _ in stats])
        half = np.nan_to_num(np.array([h for _, h in stats]))
        x = runs[0]["step"].to_numpy()[:steps]
        ax.plot(x, mean, label=label)
        ax.fill_between(x, mean - half, mean + half, alpha=0.2)
    ax.set_xlabel("step (evaluations)")
    ax.set_ylabel(column.replace("_", " "))
    ax.legend(fontsize=8)
    return _save(fig, out)
