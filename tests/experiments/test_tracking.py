"""W&B runs offline under the run dir with config and provenance; ``none`` needs no wandb."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from experiments.tracking import NullTracker, WandbTracker, open_tracker


def test_logger_none_works_without_wandb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "wandb", None)  # any "import wandb" would now fail
    tracker = open_tracker({"logger": {"name": "none"}, "seed": 0}, ".", "x")
    assert isinstance(tracker, NullTracker)
    tracker.log({"a": 1.0}, 0)
    tracker.finish()


def test_wandb_offline_records_config_and_provenance(tmp_path: Path) -> None:
    config = {"logger": {"name": "wandb", "mode": "offline", "project": "test"}, "seed": 7,
              "policy": {"name": "tpe"}}
    tracker = open_tracker(config, tmp_path, "run-7")
    assert isinstance(tracker, WandbTracker)
    try:
        recorded = dict(tracker.run.config)
        assert recorded["seed"] == 7 and recorded["policy"]["name"] == "tpe"
        provenance = recorded["provenance"]
        assert provenance["seed"] == 7 and "git_revision" in provenance
        assert "numpy" in provenance["package_versions"]
        tracker.log({"outer": 1.0}, 0)
    finally:
        tracker.finish()
    assert list((tmp_path / "wandb").glob("offline-run-*"))


def test_unknown_logger_is_rejected() -> None:
    with pytest.raises(ValueError, match="expected 'wandb' or 'none'"):
        open_tracker({"logger": {"name": "mlflow"}, "seed": 0}, ".", "x")
