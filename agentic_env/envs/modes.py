"""Evaluation modes of the environments: ``cached`` (default), ``live``, ``surrogate``.

* ``cached``: a :class:`~.backends.TableBackend` over the given table or the bundled one;
  codes the table lacks go to a live backend only when ``allow_live=True``.
* ``live``: a :class:`~.backends.LiveBackend` over the table's grid (or the bundled default
  grid); reward scales come from the table when one is given, else raw metrics.
* ``surrogate``: a :class:`~.surrogate_backend.SurrogateBackend` fitted on the table's evaluated
  cells predicts every code of its grid (for tables built on a sample of the grid).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from agentic_env.envs.backends import Backend, LiveBackend, TableBackend
from agentic_env.envs.core import Scales
from agentic_env.evaluator.table import BenchmarkTable

if TYPE_CHECKING:
    from agentic_env.evaluator.pipeline_trial import PipelineTrial

MODES = ("cached", "live", "surrogate")


def load_table(table: BenchmarkTable | str | Path | None) -> BenchmarkTable:
    """The table itself, one loaded from a path, or the bundled table."""
    if isinstance(table, BenchmarkTable):
        return table
    return BenchmarkTable.bundled() if table is None else BenchmarkTable.load(table)


def make_backend(mode: str, table: BenchmarkTable | str | Path | None = None,
                 live: LiveBackend | PipelineTrial | None = None,
                 allow_live: bool = False) -> tuple[Backend, Scales]:
    """The backend of ``mode`` and the reward scales to use with it."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; valid: {list(MODES)}")
    if mode == "surrogate":
        from agentic_env.envs.surrogate_backend import SurrogateBackend

        t = load_table(table)
        return SurrogateBackend(t), Scales.from_table(t)
    if mode == "cached":
        t = load_table(table)
        fallback = _live(t, live) if allow_live else None
        return TableBackend(t, fallback), Scales.from_table(t)
    ref = load_table(table) if table is not None else None
    backend = _live(ref, live)
    scales = (Scales.from_table(ref) if ref is not None
              else Scales.identity(len(backend.inner_names), len(backend.outer_names)))
    return backend, scales


def _live(table: BenchmarkTable | None, live: LiveBackend | PipelineTrial | None) -> LiveBackend:
    if isinstance(live, LiveBackend):
        if table is None:
            return live
        if live.grid != table.grid:
            raise ValueError("the live backend evaluates another grid than the table's; "
                             f"live: {live.grid!r}, table: {table.grid!r}")
        # same trial and memo, metrics in the table's order
        return replace(live, inner_names=table.inner_names, outer_names=table.outer_names)
    from agentic_env.evaluator.grid import default_grid
    from agentic_env.evaluator.pipeline_trial import PipelineTrial, SimProtocol

    grid = table.grid if table is not None else default_grid()
    if live is None:
        protocol = (SimProtocol(scenarios=table.scenarios, n_phases=table.n_phases)
                    if table is not None else SimProtocol())
        live = PipelineTrial(protocol=protocol)
    names = (table.inner_names, table.outer_names) if table is not None else ((), ())
    return LiveBackend(grid, live, inner_names=names[0], outer_names=names[1])
