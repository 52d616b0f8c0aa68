"""The comparison behind paper_auto_train's conclusion, and its markdown report and plot.

Per-user metrics of the baseline and the variant (same users, same split, averaged over seeds)
are compared pairwise: the mean difference and a bootstrap 95% interval over users, overall and
within each user segment. The verdict is "helps" or "hurts" only when the interval excludes zero,
else "no detectable difference": with a few hundred users that is the honest answer more often
than not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agentic_env.data.segments import USER_SEGMENTS


@dataclass(frozen=True)
class Row:
    """One slice of the comparison."""

    segment: str
    n_users: int
    baseline: float
    variant: float
    delta: float
    low: float
    high: float

    @property
    def verdict(self) -> str:
        if self.n_users == 0:
            return "no users"
        if self.low > 0:
            return "helps"
        if self.high < 0:
            return "hurts"
        return "no detectable difference"


def paired_row(segment: str, base: np.ndarray, variant: np.ndarray, seed: int,
               n_boot: int = 2000) -> Row:
    """Mean of each and of the paired difference with a bootstrap 95% interval."""
    ok = ~(np.isnan(base) | np.isnan(variant))
    b, v = base[ok], variant[ok]
    if b.size == 0:
        nan = float("nan")
        return Row(segment, 0, nan, nan, nan, nan, nan)
    diff = v - b
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, diff.size, (n_boot, diff.size))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return Row(segment, int(b.size), float(b.mean()), float(v.mean()), float(diff.mean()),
               float(low), float(high))


def compare(base: np.ndarray, variant: np.ndarray, codes: np.ndarray, seed: int) -> list[Row]:
    """The overall row, then one row per user segment (``codes`` index USER_SEGMENTS)."""
    rows = [paired_row("all users", base, variant, seed)]
    for i, name in enumerate(USER_SEGMENTS):
        rows.append(paired_row(name, base[codes == i], variant[codes == i], seed + i + 1))
    return rows


def table(rows: Sequence[Row], metric: str) -> str:
    head = (f"| segment | users | baseline {metric} | variant {metric} | Δ | 95% interval | "
            "verdict |\n|---|---:|---:|---:|---:|---|---|")
    lines = [f"| {r.segment} | {r.n_users} | {r.baseline:.4f} | {r.variant:.4f} | "
             f"{r.delta:+.4f} | [{r.low:+.4f}, {r.high:+.4f}] | {r.verdict} |"
             for r in rows if r.n_users]
    return "\n".join([head, *lines])


def plot(rows: Sequence[Row], metric: str, path: Path) -> Path:
    """Grouped bars of the metric per slice, baseline beside variant, interval on the delta."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if r.n_users]
    x = np.arange(len(shown))
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(x - 0.2, [r.baseline for r in shown], 0.4, label="baseline")
    errors = np.array([[r.delta - r.low for r in shown], [r.high - r.delta for r in shown]])
    ax.bar(x + 0.2, [r.variant for r in shown], 0.4, label="variant (95% CI of Δ)",
           yerr=errors, capsize=3)
    ax.set_xticks(x, [f"{r.segment}\n(n={r.n_users})" for r in shown], fontsize=8)
    ax.set_ylabel(metric)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def markdown(title: str, record: Mapping[str, str], blocks: str, setup: Mapping[str, object],
             rows: Sequence[Row], metric: str, conclusion: str, rejections: Sequence[str],
             plot_name: str) -> str:
    """The report: method record, template, setup, table, plot, conclusion, rejected replies."""
    parts = [f"# paper_auto_train: {title}", "## Method record",
             "\n".join(f"- **{k}**: {v}" for k, v in record.items() if v),
             "## Template", blocks, "## Setup", "\n".join(f"- {k}: {v}" for k, v in setup.items()),
             f"## Results ({metric}, per test user, mean over seeds)", table(rows, metric),
             f"![{metric} by segment]({plot_name})", "## Conclusion", conclusion]
    if rejections:
        parts += ["## Rejected model replies", "\n".join(f"- {r}" for r in rejections)]
    return "\n\n".join(parts) + "\n"
