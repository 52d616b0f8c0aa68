"""Stable-Baselines3 drivers: PPO, A2C, DQN and sb3-contrib MaskablePPO on our environments.

:func:`train` runs one algorithm on one Gymnasium env under the shared :mod:`budget
<policies.budget>` (an env step is one evaluation; its ``info["cost"]`` the compute seconds),
writes every step to the knowledge store and W&B, stops when the budget is spent, and
checkpoints so that a long run resumes where it stopped (model, DQN replay buffer, trace and
budget; the episode in progress restarts).

DQN needs a ``Discrete`` action: :class:`FlatDiscrete` numbers every combination of a
``MultiDiscrete`` action (up to ``max_actions``); it cannot mask, so envs with reserved
template slots should use ``on_masked="keep"`` (a masked choice then costs a penalty) with DQN.
MaskablePPO reads the env's ``action_masks()``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import gymnasium as gym
import numpy as np
from sb3_contrib import MaskablePPO
from stable_baselines3 import A2C, DQN, PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.logger import Logger

from policies.budget import Budget, BudgetMeter
from policies.recording import RunRecorder
from policies.search.loop import Trace
from policies.tracking import WandbLogger

M = TypeVar("M", bound=BaseAlgorithm)

ALGORITHMS: dict[str, type[BaseAlgorithm]] = {
    "ppo": PPO, "a2c": A2C, "dqn": DQN, "maskable_ppo": MaskablePPO,
}
#: Small defaults: an evolution episode is tens of steps, not millions.
DEFAULTS: dict[str, dict[str, Any]] = {
    "ppo": {"n_steps": 64, "batch_size": 32, "n_epochs": 4},
    "maskable_ppo": {"n_steps": 64, "batch_size": 32, "n_epochs": 4},
    "a2c": {"n_steps": 8},
    "dqn": {"learning_starts": 32, "buffer_size": 10_000, "train_freq": 4,
            "target_update_interval": 100, "exploration_fraction": 0.3},
}


class FlatDiscrete(gym.ActionWrapper[Any, Any, Any]):
    """``MultiDiscrete(nvec)`` as ``Discrete(prod(nvec))`` (mixed radix, first entry most
    significant), for DQN."""

    def __init__(self, env: gym.Env[Any, Any], max_actions: int = 4096) -> None:
        super().__init__(env)
        space = env.action_space
        if not isinstance(space, gym.spaces.MultiDiscrete) or space.nvec.ndim != 1:
            raise ValueError(f"FlatDiscrete needs a 1-d MultiDiscrete action, got {space}")
        self.nvec = tuple(int(n) for n in space.nvec)
        n = int(np.prod(self.nvec))
        if n > max_actions:
            raise ValueError(f"{n} joint actions exceed max_actions={max_actions}; use PPO or "
                             "MaskablePPO on this env")
        self.action_space = gym.spaces.Discrete(n)

    def action(self, action: int) -> np.ndarray:
        return np.array(np.unravel_index(int(action), self.nvec), dtype=np.int64)


def prepare_env(algo: str, env: gym.Env[Any, Any]) -> gym.Env[Any, Any]:
    """``env`` as ``algo`` needs it (DQN: flattened to Discrete)."""
    if algo == "dqn" and isinstance(env.action_space, gym.spaces.MultiDiscrete):
        return FlatDiscrete(env)
    return env


def make_model(algo: str, env: gym.Env[Any, Any], seed: int = 0,
               **kwargs: Any) -> BaseAlgorithm:
    """An untrained ``algo`` model with our small defaults (``kwargs`` override them)."""
    if algo not in ALGORITHMS:
        raise ValueError(f"algorithm {algo!r} is unknown; expected one of {sorted(ALGORITHMS)}")
    options = {**DEFAULTS[algo], **kwargs}
    return quiet(ALGORITHMS[algo]("MlpPolicy", env, seed=seed, verbose=0, device="cpu",
                                  **options))


def quiet(model: M) -> M:
    """``model`` with a logger that writes nothing: SB3's default makes an empty
    ``/tmp/SB3-<time>`` folder on every ``learn`` call; our callbacks do the recording."""
    model.set_logger(Logger(folder=None, output_formats=[]))
    return model


@dataclass
class DriverState:
    """What a checkpoint remembers besides the model."""

    trace: Trace = field(default_factory=Trace)
    evaluations: int = 0
    seconds: float = 0.0
    run_id: int | None = None
    episodes: int = 0


class EvolutionCallback(BaseCallback):
    """Per step: charge the budget, extend the trace, write store and W&B; stop when spent."""

    def __init__(self, meter: BudgetMeter, state: DriverState,
                 recorder: RunRecorder | None = None, wandb: WandbLogger | None = None) -> None:
        super().__init__()
        self.meter, self.state, self.recorder, self.wandb = meter, state, recorder, wandb
        self._return = 0.0
        self._length = 0

    def _on_step(self) -> bool:
        infos, rewards = self.locals["infos"], self.locals["rewards"]
        dones = self.locals["dones"]
        for info, reward, done in zip(infos, rewards, dones, strict=True):
            self._record(info, float(reward))
            if done:
                self._episode_end()
        return not self.meter.exhausted

    def _record(self, info: dict[str, Any], reward: float) -> None:
        code = int(info.get("proposed_code", info.get("code", -1)))
        cost = float(info.get("cost", 0.0))
        self.meter.charge(cost)
        trace = self.state.trace
        trace.add(code, reward, cost, info)
        self._return += reward
        self._length += 1
        step = len(trace) - 1
        if self.recorder is not None:
            self.recorder.evaluation(step, code, reward, cost, {**info, "method": trace.method})
        if self.wandb is not None:
            values = {"reward": reward, "cost": cost}
            values.update({k: float(info[k]) for k in ("inner", "outer", "regret")
                           if isinstance(info.get(k), int | float)})
            self.wandb.log(values, step=step)

    def _episode_end(self) -> None:
        self.state.episodes += 1
        payload = {"episode": self.state.episodes, "return": self._return,
                   "length": self._length}
        if self.recorder is not None:
            self.recorder.event(len(self.state.trace), "episode", payload, scenario="rl")
        if self.wandb is not None:
            self.wandb.log({"episode_return": self._return}, step=len(self.state.trace) - 1)
        self._return, self._length = 0.0, 0


class Checkpointer(BaseCallback):
    """Saves model, replay buffer (off-policy) and driver state every ``every`` steps."""

    def __init__(self, directory: Path, every: int, state: DriverState,
                 meter: BudgetMeter) -> None:
        super().__init__()
        self.directory, self.every, self.state, self.meter = directory, every, state, meter

    def _on_step(self) -> bool:
        if self.num_timesteps % self.every == 0:
            save_checkpoint(self.model, self.directory, self.state, self.meter)
        return True


def save_checkpoint(model: BaseAlgorithm, directory: Path, state: DriverState,
                    meter: BudgetMeter) -> Path:
    """Write ``model_<t>.zip`` (+ ``replay_<t>.pkl``) and then ``state_<t>.json`` (last, so
    a state file means a complete checkpoint)."""
    directory.mkdir(parents=True, exist_ok=True)
    t = model.num_timesteps
    model.save(directory / f"model_{t}.zip")
    if hasattr(model, "replay_buffer") and model.replay_buffer is not None:
        model.save_replay_buffer(directory / f"replay_{t}.pkl")  # type: ignore[attr-defined]
    trace = state.trace
    data = {"timesteps": t, "run_id": state.run_id, "episodes": state.episodes,
            "evaluations": meter.evaluations, "seconds": meter.seconds,
            "trace": {"method": trace.method, "codes": trace.codes, "rewards": trace.rewards,
                      "costs": trace.costs, "regrets": trace.regrets}}
    path = directory / f"state_{t}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)
    return path


def latest_checkpoint(directory: Path) -> int | None:
    """Timesteps of the newest complete checkpoint in ``directory``."""
    steps = [int(p.stem.split("_")[1]) for p in directory.glob("state_*.json")]
    return max(steps) if steps else None


@dataclass
class TrainResult:
    model: BaseAlgorithm
    trace: Trace
    run_id: int | None
    resumed_from: int | None


def _restore(algo: str, env: gym.Env[Any, Any], directory: Path,
             t: int) -> tuple[BaseAlgorithm, DriverState, dict[str, Any]]:
    data = json.loads((directory / f"state_{t}.json").read_text())
    model = quiet(ALGORITHMS[algo].load(directory / f"model_{t}.zip", env=env, device="cpu"))
    replay = directory / f"replay_{t}.pkl"
    if replay.exists():
        model.load_replay_buffer(replay)  # type: ignore[attr-defined]
    trace = Trace(**data["trace"])
    state = DriverState(trace, run_id=data["run_id"], episodes=data["episodes"])
    return model, state, data


def train(algo: str, env: gym.Env[Any, Any], budget: Budget, *, seed: int = 0,
          run_dir: str | Path | None = None, recorder: RunRecorder | None = None,
          wandb_mode: str | None = None, checkpoint_every: int | None = None,
          resume: bool = True, model: BaseAlgorithm | None = None,
          **kwargs: Any) -> TrainResult:
    """Train ``algo`` on ``env`` until ``budget`` (evaluations and/or compute seconds) is spent.

    Args:
        algo: ``"ppo"``, ``"a2c"``, ``"dqn"`` or ``"maskable_ppo"``.
        env: A Gymnasium env (wrapped for DQN as needed).
        budget: The evaluation budget; training stops as soon as it is spent.
        run_dir: Where checkpoints (``checkpoints/``) and W&B files go; needed for both.
        recorder: Store run to write each step and episode to (a resumed run continues it).
        wandb_mode: ``"offline"``, ``"online"`` or ``"disabled"``; None: no W&B.
        checkpoint_every: Save every this many steps (None: never).
        resume: Continue from the newest checkpoint in ``run_dir`` if there is one.
        model: Continue training this model (its env must be ``env`` as prepared) instead of
            building one; its step count carries on.
        **kwargs: Algorithm options (override :data:`DEFAULTS`).
    """
    env = prepare_env(algo, env) if model is None else env
    directory = Path(run_dir) / "checkpoints" if run_dir is not None else None
    if checkpoint_every is not None and directory is None:
        raise ValueError("checkpoint_every needs a run_dir to write checkpoints to")
    t = latest_checkpoint(directory) if (resume and directory is not None) else None
    meter = BudgetMeter(budget)
    fresh = t is None and model is None
    if t is not None and directory is not None:
        model, state, data = _restore(algo, env, directory, t)
        meter.evaluations, meter.seconds = data["evaluations"], data["seconds"]
    else:
        model = model if model is not None else make_model(algo, env, seed, **kwargs)
        state = DriverState(Trace(method=algo))
    if recorder is not None:
        state.run_id = recorder.run_id
    wandb = None
    if wandb_mode is not None:
        if run_dir is None:
            raise ValueError("W&B logging needs a run_dir for its files")
        wandb = WandbLogger(run_dir, name=f"{algo}-{seed}", mode=wandb_mode,
                            config={"algo": algo, "seed": seed, **kwargs})
    callbacks: list[BaseCallback] = [EvolutionCallback(meter, state, recorder, wandb)]
    if checkpoint_every is not None and directory is not None:
        callbacks.append(Checkpointer(directory, checkpoint_every, state, meter))
    try:
        remaining = meter.remaining_evaluations
        steps = remaining if remaining is not None else 1 << 40
        if steps > 0 and not meter.exhausted:
            model.learn(steps, callback=CallbackList(callbacks), reset_num_timesteps=fresh)
    finally:
        if wandb is not None:
            wandb.finish()
    return TrainResult(model, state.trace, state.run_id, t)
