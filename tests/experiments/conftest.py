"""Shared helpers: running an entry point as a subprocess from the repository root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_module(module: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """``python -m module args...`` from the repo root, one thread, wandb kept offline."""
    env = {**os.environ, "AGENTIC_RS_THREADS": "1", "WANDB_MODE": "offline",
           "HYDRA_FULL_ERROR": "0"}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def smoke_multirun(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seeds of the smoke preset through the joblib launcher (one sweep for many tests)."""
    sweep = tmp_path_factory.mktemp("multirun")
    done = run_module("experiments.evolve", "--multirun", "hydra/launcher=local_joblib",
                      "+experiment=smoke", "budget=24", "seed=0,1",
                      "policy=bandit", "proposer=heuristic", f"hydra.sweep.dir={sweep}")
    assert done.returncode == 0, done.stderr[-3000:]
    return sweep
