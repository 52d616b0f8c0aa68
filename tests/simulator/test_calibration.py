"""Fitting users and items from logs, position bias from Open Bandit, and the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agentic_env.data import InteractionLog, load
from agentic_env.data.segments import user_segments
from agentic_env.simulator import ResponseParams, SimulatorInputError
from agentic_env.simulator.affinity import static_item_logits
from agentic_env.simulator.calibration import calibration_report, main, plot_report
from agentic_env.simulator.factors import FactorMethod, latent_factors
from agentic_env.simulator.fit import fit_simulator, simulate_picks
from agentic_env.simulator.position_bias import estimate_position_bias, load_random_logs
from agentic_env.simulator.response import sample_responses


def test_fit_keeps_the_log_id_space_and_segments(synthetic_log: InteractionLog) -> None:
    fitted = fit_simulator(synthetic_log, dim=4)
    assert fitted.population.interests.shape == (synthetic_log.n_users, 4)
    assert fitted.corpus.vectors.shape == (synthetic_log.n_items, 4)
    np.testing.assert_array_equal(fitted.population.segment, user_segments(synthetic_log))
    assert fitted.category_names[:4] == ("A", "B", "C", "D")
    assert np.all((fitted.corpus.quality >= 0) & (fitted.corpus.quality <= 1))
    assert np.all((fitted.population.activity > 0) & (fitted.population.activity <= 1))
    assert min(fitted.scale_ks.values()) == fitted.scale_ks[fitted.scale]
    report = fitted.simulator(seed=0).simulate_day(lambda ids: np.tile(np.arange(5), (len(ids), 1)))
    assert report.overall.sessions > 0


def test_simulated_picks_respect_counts_and_exclusions() -> None:
    logits = np.zeros((3, 10))
    excluded = np.zeros((3, 10), bool)
    excluded[:, :5] = True
    counts = simulate_picks(logits, np.array([2, 5, 0]), np.random.default_rng(0), excluded)
    assert counts.sum() == 7 and counts[:5].sum() == 0 and counts.max() <= 2


def test_report_ranks_held_out_interactions_of_a_low_rank_log(
    synthetic_log: InteractionLog, tmp_path: Path
) -> None:
    report = calibration_report(synthetic_log, dim=3, seed=0)
    assert report.auc > 0.7  # the log is low-rank, the fit must find it
    assert 0 <= report.ks_popularity <= 1 and 0 <= report.ks_activity <= 1
    assert report.sim_user_counts.sum() > 0
    assert "AUC held-out vs unseen" in report.table()
    assert plot_report(report, tmp_path / "c.png").stat().st_size > 10_000


@pytest.mark.parametrize("method", ["als", "svd"])
def test_both_factor_methods_recover_the_low_rank_preferences(
    synthetic_log: InteractionLog, method: FactorMethod
) -> None:
    assert calibration_report(synthetic_log, dim=3, seed=0, method=method).auc > 0.7


def test_als_factors_are_deterministic_and_fit_the_observed_pairs(
    synthetic_log: InteractionLog,
) -> None:
    users, items = latent_factors(synthetic_log, 3, "als", seed=4)
    again = latent_factors(synthetic_log, 3, "als", seed=4)
    np.testing.assert_array_equal(users, again[0])
    scores = users @ items.T
    observed = synthetic_log.to_csr().toarray() > 0
    assert scores[observed].mean() > scores[~observed].mean() + 0.15


def test_fit_rejects_an_impossible_dimension_or_method(synthetic_log: InteractionLog) -> None:
    with pytest.raises(SimulatorInputError, match="dim=500"):
        fit_simulator(synthetic_log, dim=500)
    with pytest.raises(SimulatorInputError, match="unknown factor method 'pca'"):
        fit_simulator(synthetic_log, dim=3, method="pca")  # type: ignore[arg-type]


def test_position_bias_recovers_a_known_power_law() -> None:
    rng = np.random.default_rng(0)
    position = rng.integers(1, 4, 300_000)
    click = rng.random(len(position)) < 0.2 * position**-1.0
    bias = estimate_position_bias(pd.DataFrame({"position": position, "click": click}))
    assert bias.exponent == pytest.approx(1.0, abs=0.05)
    assert bias.eta[0] == 1.0 and bias.eta[2] == pytest.approx(1 / 3, abs=0.03)
    np.testing.assert_allclose(bias.curve(4)[3], 4**-bias.exponent)


def test_position_bias_on_the_open_bandit_random_logs(shared_data: Path) -> None:
    frame = load_random_logs(shared_data / "open-bandit-dataset-small")
    bias = estimate_position_bias(frame)
    assert bias.shown.sum() == len(frame) == 30_000
    assert bias.eta[0] == 1.0 and 0 <= bias.exponent <= 3
    with pytest.raises(SimulatorInputError, match="not found"):
        load_random_logs(shared_data / "nowhere")


def test_movielens_100k_report_from_the_command_line(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data / "movielens-100k"
    assert main(["--dataset", "movielens-100k", "--path", str(path), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "KS item popularity" in printed and "OBD power-law exponent" in printed
    assert (tmp_path / "calibration.png").is_file()
    log = load("movielens-100k", path=path)
    report = calibration_report(log, dim=16, seed=1)
    assert report.auc > 0.85 and report.ks_popularity < 0.15


def test_fitted_rating_bias_reproduces_the_logged_mean_rating(
    synthetic_log: InteractionLog,
) -> None:
    fitted = fit_simulator(synthetic_log, dim=3)
    users, items = synthetic_log.users, synthetic_log.items
    static = static_item_logits(fitted.corpus, fitted.affinity)
    dots = np.einsum("nd,nd->n", fitted.population.interests[users], fitted.corpus.vectors[items])
    relative = fitted.scale * dots + static[items] - fitted.affinity.no_click
    out = sample_responses(
        users, items[:, None], np.zeros(len(users), np.int64), relative,
        fitted.corpus.quality, fitted.response, np.random.default_rng(0),
    )
    assert np.mean(out.rating) == pytest.approx(synthetic_log.labels.mean(), abs=0.1)
    assert fitted.response.rating_bias != ResponseParams().rating_bias


def test_no_click_is_anchored_on_the_popularity_slate(synthetic_log: InteractionLog) -> None:
    rates = {}
    for anchor in (0.2, 0.6):
        fitted = fit_simulator(synthetic_log, dim=3, popular_slate_ctr=anchor)
        top = np.argsort(-synthetic_log.item_counts(), kind="stable")[:10]
        static = static_item_logits(fitted.corpus, fitted.affinity)
        logits = (fitted.scale * fitted.population.interests @ fitted.corpus.vectors[top].T
                  + static[top] - fitted.affinity.no_click)
        weights = np.exp(logits).sum(axis=1)
        rates[anchor] = float(np.mean(weights / (1 + weights)))
    # the anchor holds on the whole population up to the 2,000-user calibration sample
    assert rates[0.2] == pytest.approx(0.2, abs=0.03)
    assert rates[0.6] == pytest.approx(0.6, abs=0.03)
    with pytest.raises(ValueError, match="anchor click rate must lie in"):
        fit_simulator(synthetic_log, dim=3, popular_slate_ctr=1.5)
