"""Experiment tracking: W&B (offline unless told otherwise) or nothing at all.

Named ``tracking`` rather than ``logging`` so that running a script from this folder never
shadows the standard library module. With ``logger=none`` wandb is not even imported. A W&B
run lives under ``<run_dir>/wandb`` and records the composed config, the seed, the installed
package versions and the git revision, like the knowledge store does; ``wandb sync`` uploads an
offline run later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from agentic_env.store import provenance


class Tracker(Protocol):
    def log(self, metrics: Mapping[str, float], step: int) -> None: ...

    def summary(self, values: Mapping[str, Any]) -> None: ...

    def finish(self) -> None: ...


class NullTracker:
    """Tracks nothing (``logger=none``)."""

    def log(self, metrics: Mapping[str, float], step: int) -> None:
        return None

    def summary(self, values: Mapping[str, Any]) -> None:
        return None

    def finish(self) -> None:
        return None


def provenance_record(seed: int) -> dict[str, Any]:
    """Seed, package versions and git revision: what a run needs to be reproduced."""
    return {
        "seed": seed,
        "git_revision": provenance.git_revision(),
        "package_versions": provenance.package_versions(
            (*provenance.DEFAULT_PACKAGES, "hydra-core", "wandb")
        ),
    }


class WandbTracker:
    """A W&B run; every call is forwarded, nothing is buffered."""

    def __init__(self, logger: Mapping[str, Any], config: Mapping[str, Any], run_dir: Path,
                 name: str) -> None:
        import wandb

        run_dir.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("WANDB_SILENT", "true")
        self.run = wandb.init(
            project=logger["project"], entity=logger.get("entity"), group=logger.get("group"),
            tags=list(logger.get("tags") or []), mode=logger["mode"], dir=str(run_dir),
            name=name, config=dict(config), reinit="create_new",
            settings=wandb.Settings(console="off", x_disable_stats=True),
        )

    def log(self, metrics: Mapping[str, float], step: int) -> None:
        self.run.log(dict(metrics), step=step)

    def summary(self, values: Mapping[str, Any]) -> None:
        self.run.summary.update(dict(values))

    def finish(self) -> None:
        self.run.finish()


def open_tracker(config: Mapping[str, Any], run_dir: str | Path, name: str) -> Tracker:
    """The tracker ``config["logger"]`` asks for; the config and provenance are recorded."""
    logger = config["logger"]
    if logger["name"] == "none":
        return NullTracker()
    if logger["name"] != "wandb":
        raise ValueError(f"logger {logger['name']!r} is unknown; expected 'wandb' or 'none'")
    record = {**config, "provenance": provenance_record(int(config["seed"]))}
    return WandbTracker(logger, record, Path(run_dir), name)
