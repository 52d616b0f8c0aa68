"""Calibration report: how closely a simulator fitted on training logs reproduces held-out logs.

The log is split per user at random; users and items are fitted on the training part
(:func:`agentic_env.simulator.fit.fit_simulator`), then the simulator generates the held-out
period: each user's number of interactions from the fitted activity and patience, and the items
by the fitted choice logits over items the user has not seen in training. Reported:

* KS distance between simulated and real held-out item-popularity distributions (per-item
  counts) and user-activity distributions (per-user counts), with a uniform-choice baseline;
* AUC of the simulated preferences ranking held-out interactions above random unseen items,
  with the popularity ranking as a baseline;
* position bias estimated on Open Bandit random-policy logs, when given.

Command line: ``python -m agentic_env.simulator.calibration --dataset movielens-100k
--path ../shared/data/movielens-100k --out <dir>`` prints the table and writes
``calibration.png``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from agentic_env.data import InteractionLog, load
from agentic_env.data.sampling import sample_negatives
from agentic_env.data.splits import random_split
from agentic_env.simulator.affinity import static_item_logits
from agentic_env.simulator.factors import FactorMethod
from agentic_env.simulator.fit import FittedSimulator, fit_simulator, simulate_picks
from agentic_env.simulator.position_bias import (
    PositionBias,
    estimate_position_bias,
    load_random_logs,
)


@dataclass(frozen=True)
class CalibrationReport:
    """Numbers of the report plus the arrays the plot needs."""

    dataset: str
    method: str
    scale: float
    ks_popularity: float
    ks_popularity_pvalue: float
    ks_popularity_uniform: float
    ks_activity: float
    ks_activity_pvalue: float
    auc: float
    auc_popularity: float
    real_item_counts: np.ndarray
    sim_item_counts: np.ndarray
    real_user_counts: np.ndarray
    sim_user_counts: np.ndarray
    position_bias: PositionBias | None

    def table(self) -> str:
        rows = [
            ("dataset", self.dataset),
            ("latent factors", self.method),
            ("fitted affinity scale", f"{self.scale:g}"),
            ("KS item popularity (sim vs held-out)", f"{self.ks_popularity:.4f}"),
            ("  p-value", f"{self.ks_popularity_pvalue:.3g}"),
            ("  baseline: uniform choice", f"{self.ks_popularity_uniform:.4f}"),
            ("KS user activity (sim vs held-out)", f"{self.ks_activity:.4f}"),
            ("  p-value", f"{self.ks_activity_pvalue:.3g}"),
            ("AUC held-out vs unseen (simulated prefs)", f"{self.auc:.4f}"),
            ("  baseline: popularity", f"{self.auc_popularity:.4f}"),
        ]
        if self.position_bias is not None:
            pb = self.position_bias
            for pos, (ctr, eta, n) in enumerate(zip(pb.ctr, pb.eta, pb.shown, strict=True), 1):
                half_width = 1.96 * np.sqrt(ctr * (1 - ctr) / n)
                value = f"{ctr:.5f} +/- {half_width:.5f} / {eta:.3f} ({n:g})"
                rows.append((f"OBD position {pos}: CTR 95% CI / eta (n)", value))
            rows.append(("OBD power-law exponent", f"{pb.exponent:.3f}"))
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def _auc(positive: np.ndarray, negative: np.ndarray) -> float:
    return float(np.mean(positive > negative) + 0.5 * np.mean(positive == negative))


def calibration_report(
    log: InteractionLog,
    dim: int = 32,
    seed: int = 0,
    test_fraction: float = 0.2,
    obd_root: str | Path | None = None,
    method: FactorMethod = "als",
) -> CalibrationReport:
    """Fit on a random per-user split of ``log`` and compare the simulation to the held-out part."""
    split = random_split(log, valid_fraction=0.0, test_fraction=test_fraction, seed=seed)
    fitted = fit_simulator(split.train, dim=dim, seed=seed, method=method)
    rng = np.random.default_rng(seed + 1)
    logits = _logits(fitted)
    seen = split.train.to_csr().toarray() > 0
    real_users, real_items = split.test.user_counts(), split.test.item_counts()
    sim_users = _simulate_activity(fitted, len(split.test), (~seen).sum(axis=1), rng)
    sim_items = simulate_picks(logits, sim_users, rng, seen)
    uniform = simulate_picks(np.zeros_like(logits), sim_users, rng, seen)
    negatives = sample_negatives(log, split.test.users, 1, rng)[:, 0]
    users, items = split.test.users, split.test.items
    popularity = split.train.item_counts().astype(np.float64)
    ks_pop = stats.ks_2samp(sim_items, real_items)
    ks_act = stats.ks_2samp(sim_users, real_users)
    bias = estimate_position_bias(load_random_logs(obd_root)) if obd_root else None
    return CalibrationReport(
        dataset=log.name,
        method=method,
        scale=fitted.scale,
        ks_popularity=float(ks_pop.statistic),
        ks_popularity_pvalue=float(ks_pop.pvalue),
        ks_popularity_uniform=float(stats.ks_2samp(uniform, real_items).statistic),
        ks_activity=float(ks_act.statistic),
        ks_activity_pvalue=float(ks_act.pvalue),
        auc=_auc(logits[users, items], logits[users, negatives]),
        auc_popularity=_auc(popularity[items], popularity[negatives]),
        real_item_counts=real_items,
        sim_item_counts=sim_items,
        real_user_counts=real_users,
        sim_user_counts=sim_users,
        position_bias=bias,
    )


def _logits(fitted: FittedSimulator) -> np.ndarray:
    params = fitted.affinity
    dots = fitted.population.interests @ fitted.corpus.vectors.T
    return params.scale * dots + static_item_logits(fitted.corpus, params)[None, :]


def _simulate_activity(
    fitted: FittedSimulator, total: int, available: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Per-user counts from the fitted visit rate x session budget, ``total`` in all."""
    rate = fitted.population.activity.astype(np.float64) * fitted.population.patience
    return np.minimum(rng.poisson(rate * total / rate.sum()), available)


def plot_report(report: CalibrationReport, path: str | Path) -> Path:
    """Write a PNG: item rank-frequency, user-activity ECDFs and the position-bias curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 3 if report.position_bias is not None else 2
    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 4))
    for counts, label in ((report.real_item_counts, "held-out"), (report.sim_item_counts, "sim")):
        ranked = np.sort(counts)[::-1]
        axes[0].loglog(np.arange(1, len(ranked) + 1), np.maximum(ranked, 0.5), label=label)
    axes[0].set(title=f"item popularity (KS {report.ks_popularity:.3f})", xlabel="item rank",
                ylabel="interactions")
    for counts, label in ((report.real_user_counts, "held-out"), (report.sim_user_counts, "sim")):
        values = np.sort(counts)
        axes[1].step(values, np.arange(1, len(values) + 1) / len(values), label=label)
    axes[1].set(title=f"user activity (KS {report.ks_activity:.3f})", xlabel="interactions",
                ylabel="ECDF", xscale="symlog")
    if report.position_bias is not None:
        pb = report.position_bias
        axes[2].bar(np.arange(1, len(pb.eta) + 1), pb.eta, alpha=0.6, label="OBD CTR ratio")
        axes[2].plot(np.arange(1, 11), pb.curve(10), "o-", label=f"fit p^-{pb.exponent:.2f}")
        axes[2].set(title="position bias (examination)", xlabel="position", ylabel="eta")
    for ax in axes:
        ax.legend()
    fig.suptitle(f"{report.dataset}: simulator vs held-out log (AUC {report.auc:.3f})")
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="movielens-100k")
    parser.add_argument("--path", default=None, help="dataset folder (default: bundled/cache)")
    parser.add_argument("--out", default="calibration", help="folder for calibration.png")
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--method", choices=("als", "svd"), default="als")
    parser.add_argument(
        "--obd", default=None,
        help="Open Bandit folder (default: open-bandit-dataset-small beside --path, if present)",
    )
    args = parser.parse_args(argv)
    obd = args.obd
    if obd is None and args.path is not None:
        beside = Path(args.path).parent / "open-bandit-dataset-small"
        obd = beside if beside.is_dir() else None
    log = load(args.dataset, path=args.path)
    report = calibration_report(log, args.dim, args.seed, 0.2, obd, args.method)
    print(report.table())
    print(f"plot: {plot_report(report, Path(args.out) / 'calibration.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
