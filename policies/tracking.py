"""W&B logging for evolution runs: offline by default, files under the run directory.

Offline runs need no account or network and can be synced later (``wandb sync``); set
``mode="online"`` (with a configured key) to stream instead, or ``"disabled"`` to skip.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast

Mode = Literal["offline", "online", "disabled"]
MODES = ("offline", "online", "disabled")


class WandbLogger:
    """A W&B run writing under ``<run_dir>/wandb``."""

    def __init__(self, run_dir: str | Path, *, project: str = "agentic-rs-gym",
                 name: str | None = None, config: Mapping[str, Any] | None = None,
                 mode: str = "offline") -> None:
        if mode not in MODES:
            raise ValueError(f"wandb mode {mode!r} is unknown; expected one of {MODES}")
        import wandb

        directory = Path(run_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self.run = wandb.init(project=project, name=name, dir=str(directory),
                              mode=cast(Mode, mode),
                              config=dict(config or {}), reinit="create_new")
        self.dir = Path(self.run.dir).parent if mode != "disabled" else directory

    def log(self, values: Mapping[str, float], step: int) -> None:
        self.run.log(dict(values), step=step)

    def finish(self) -> None:
        self.run.finish()
