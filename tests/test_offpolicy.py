"""Off-policy estimators: unbiased on synthetic logs with a known truth, and on real logs.

The Open Bandit sample holds two behaviour policies on the same campaign. The uniform-random
policy's on-policy click rate is the ground truth; estimating it from the Thompson-sampling logs
through their propensities must land near it.
"""

import numpy as np
import pytest

from agentic_env.offpolicy import bootstrap, doubly_robust, fit_mean_reward, ips, snips


def _synthetic(n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    mean_reward = np.array([0.05, 0.1, 0.2, 0.4])
    logging = np.array([0.55, 0.25, 0.15, 0.05])
    target = np.array([0.1, 0.1, 0.3, 0.5])
    actions = rng.choice(4, size=n, p=logging)
    rewards = (rng.random(n) < mean_reward[actions]).astype(float)
    truth = float(target @ mean_reward)
    return actions, rewards, logging[actions], target[actions], mean_reward, target, truth


def test_estimators_recover_the_target_policy_value() -> None:
    rng = np.random.default_rng(0)
    actions, rewards, pscore, target, _, target_dist, truth = _synthetic(20_000, rng)
    q = fit_mean_reward(actions, np.zeros_like(actions), rewards, n_actions=4)[:, 0]
    logged_value = rewards.mean()
    assert abs(logged_value - truth) > 0.1  # the naive on-log average is badly biased
    for estimate in (
        bootstrap(ips, rewards, pscore, target, rng=rng),
        bootstrap(snips, rewards, pscore, target, rng=rng),
        bootstrap(
            doubly_robust,
            rewards,
            pscore,
            target,
            q[actions],
            np.full(len(actions), target_dist @ q),
            rng=rng,
        ),
    ):
        assert estimate.contains(truth), estimate
        assert estimate.high - estimate.low < 0.05


def test_identical_policies_give_the_on_policy_mean() -> None:
    rewards = np.array([1.0, 0.0, 1.0, 0.0])
    p = np.full(4, 0.25)
    assert ips(rewards, p, p) == pytest.approx(0.5)
    assert snips(rewards, p, p) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("pscore", "message"),
    [(np.array([0.5, 0.0]), "logging propensities"), (np.array([0.5]), "one entry per logged row")],
)
def test_bad_propensities_are_rejected(pscore: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ips(np.array([1.0, 0.0]), pscore, np.array([0.5, 0.5]))


def test_random_policy_value_estimated_from_thompson_logs(shared_data) -> None:
    from agentic_env.data import load

    folder = shared_data / "open-bandit-dataset-small"
    truths, rewards, pscore, target = [], [], [], []
    for campaign in ("all", "men", "women"):  # pooled: clicks are rare (about 0.5%)
        random_log = load("open-bandit", path=folder, policy="random", campaign=campaign)
        bts_log = load("open-bandit", path=folder, policy="bts", campaign=campaign)
        truths.append(float(random_log.labels.mean()))  # on-policy rate of the uniform policy
        rewards.append(bts_log.labels.astype(float))
        pscore.append(bts_log.frame["propensity"].to_numpy(float))
        target.append(np.full(len(bts_log), 1.0 / bts_log.n_items))  # uniform at each position
    truth = float(np.mean(truths))  # every campaign contributes the same number of rows
    columns = [np.concatenate(c) for c in (rewards, pscore, target)]
    rng = np.random.default_rng(0)
    for estimator in (ips, snips):
        estimate = bootstrap(estimator, *columns, rng=rng, n_boot=300)
        assert estimate.contains(truth), (estimator.__name__, estimate, truth)
        assert estimate.high - estimate.low < 0.01
