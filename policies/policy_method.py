"""An SB3 policy as the ``"rl"`` method of a schedule, over a growing action set.

The agent's action is one value index per own knob over *all* the grid's values; values not
yet unlocked are masked (sb3-contrib ``MaskablePPO``), so when the LLM phase unlocks a value the
same policy keeps training with one more valid action instead of being rebuilt. The model lives
across phases; each phase trains it until the phase's budget is spent or rewards saturate.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from sb3_contrib import MaskablePPO
from stable_baselines3.common.callbacks import BaseCallback

from policies.evolution import PhaseContext
from policies.rl import quiet


class PhaseEnv(gym.Env[np.ndarray, np.ndarray]):
    """One agent's knobs as a masked ``MultiDiscrete``; each step evaluates one configuration.

    Observation: one-hot of the incumbent's values of the agent's knobs. Reward: the observed
    reward of the proposed configuration. Episodes last ``horizon`` steps.
    """

    def __init__(self, ctx: PhaseContext, horizon: int = 16) -> None:
        self.ctx, self.horizon = ctx, horizon
        self.radices = ctx.state.space.radices[ctx.knobs]
        self.action_space = gym.spaces.MultiDiscrete(self.radices)
        self.observation_space = gym.spaces.Box(0.0, 1.0, (int(self.radices.sum()),), np.float32)
        self._t = 0

    def _obs(self) -> np.ndarray:
        values = self.ctx.state.space.decode(self.ctx.state.incumbent)[self.ctx.knobs]
        out = np.zeros(int(self.radices.sum()), dtype=np.float32)
        offsets = np.concatenate([[0], np.cumsum(self.radices)[:-1]])
        out[offsets + values] = 1.0
        return out

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._t = 0
        return self._obs(), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        values = np.asarray(action, dtype=np.int64)
        locked = [k for k, v in zip(self.ctx.knobs, values, strict=True)
                  if int(v) not in self.ctx.state.unlocked[k]]
        if locked:
            raise ValueError(f"action {values.tolist()} uses locked values of knobs {locked}")
        code = self.ctx.state.with_values(self.ctx.state.incumbent, self.ctx.knobs, values)
        reward = self.ctx.evaluate(code)
        self._t += 1
        return self._obs(), reward, False, self._t >= self.horizon, {"code": code}

    def action_masks(self) -> np.ndarray:
        return np.concatenate([np.isin(np.arange(r), self.ctx.state.unlocked[k])
                               for k, r in zip(self.ctx.knobs, self.radices, strict=True)])


class _UntilDone(BaseCallback):
    def __init__(self, ctx: PhaseContext) -> None:
        super().__init__()
        self.ctx = ctx

    def _on_step(self) -> bool:
        return not self.ctx.done


class MaskablePolicyMethod:
    """MaskablePPO per agent, kept across phases (see module docstring)."""

    kind = "rl"

    def __init__(self, name: str = "maskable_ppo", horizon: int = 16, **options: Any) -> None:
        self.name, self.horizon = name, horizon
        self.options = {"n_steps": 16, "batch_size": 16, "n_epochs": 4, **options}
        self.models: dict[str, MaskablePPO] = {}
        self.envs: dict[str, PhaseEnv] = {}

    def run(self, ctx: PhaseContext) -> None:
        env = self.envs.get(ctx.agent)
        if env is None:
            env = self.envs[ctx.agent] = PhaseEnv(ctx, self.horizon)
            self.models[ctx.agent] = quiet(MaskablePPO("MlpPolicy", env, seed=ctx.seed,
                                                       verbose=0, device="cpu", **self.options))
        env.ctx = ctx
        model = self.models[ctx.agent]
        model.learn(1 << 40, callback=_UntilDone(ctx), reset_num_timesteps=False)
