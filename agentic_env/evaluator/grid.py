"""A finite grid over some of the pipeline's knobs: what a benchmark table covers.

Tabular benchmarks (NAS-Bench, JAHS-Bench-201) evaluate every point of a small grid once so
that search and RL can run thousands of steps per second afterwards. Our grid picks a few values
of a few knobs per component; every other knob keeps a fixed base value. A point of the grid has
a *code*, the mixed-radix number of its value indices (first knob most significant), so a table
is a set of dense arrays indexed by code and a lookup is one array index.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.knobs import Value

if TYPE_CHECKING:
    from agentic_env.pipeline import Pipeline


@dataclass(frozen=True)
class GridKnob:
    """One knob of the grid: its pipeline name, the values it takes, and its tags."""

    name: str
    values: tuple[Value, ...]
    owner: str
    roles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.values) < 1 or len(set(self.values)) != len(self.values):
            raise ValueError(f"grid knob {self.name!r} needs distinct values, got {self.values}")

    def index(self, value: Any) -> int:
        """Position of ``value`` among :attr:`values` (numbers compared by value)."""
        for i, v in enumerate(self.values):
            if (v == value and type(v) is type(value)) or _same_number(v, value):
                return i
        raise ValueError(f"{self.name}={value!r} is not on the grid; grid values: "
                         f"{list(self.values)}")


def _same_number(a: Any, b: Any) -> bool:
    numeric = (int, float, np.integer, np.floating)
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    return isinstance(a, numeric) and isinstance(b, numeric) and float(a) == float(b)


class Grid:
    """Knobs with finite values; codes number the grid's points (see module docstring).

    Args:
        knobs: The grid's knobs, in code order (first is most significant).
        base: Values of pipeline knobs that are not on the grid (may be empty).
    """

    def __init__(self, knobs: Sequence[GridKnob], base: Mapping[str, Any] | None = None) -> None:
        if not knobs:
            raise ValueError("a grid needs at least one knob")
        names = [k.name for k in knobs]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate grid knobs in {names}")
        self.knobs = tuple(knobs)
        self.base = {k: v for k, v in (base or {}).items() if k not in set(names)}
        self.radices = np.array([len(k.values) for k in knobs], dtype=np.int64)
        # place value of each digit: the last knob varies fastest
        self._places = np.concatenate([np.cumprod(self.radices[::-1])[::-1][1:], [1]])

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.knobs)

    @property
    def size(self) -> int:
        """Number of configurations (codes ``0 .. size-1``)."""
        return int(np.prod(self.radices))

    def __len__(self) -> int:
        return len(self.knobs)

    def encode(self, indices: Any) -> np.ndarray:
        """Codes of value-index vectors ``(..., n_knobs)``; out-of-range indices raise."""
        idx = np.asarray(indices, dtype=np.int64)
        if idx.shape[-1:] != (len(self.knobs),):
            raise ValueError(f"indices must end in a dimension of {len(self.knobs)} (one per "
                             f"knob: {list(self.names)}), got shape {idx.shape}")
        bad = (idx < 0) | (idx >= self.radices)
        if bad.any():
            where = int(np.argwhere(bad)[0][-1])
            raise ValueError(f"index out of range for {self.names[where]!r}: valid 0.."
                             f"{self.radices[where] - 1}, got {idx[..., where].ravel().tolist()}")
        return idx @ self._places  # type: ignore[no-any-return]

    def decode(self, codes: Any) -> np.ndarray:
        """Value-index vectors ``(..., n_knobs)`` of ``codes``."""
        c = np.asarray(codes, dtype=np.int64)
        if ((c < 0) | (c >= self.size)).any():
            raise ValueError(f"codes must lie in 0..{self.size - 1}, got {c.ravel()[:5].tolist()}")
        return (c[..., None] // self._places) % self.radices  # type: ignore[no-any-return]

    def values_of(self, code: int) -> dict[str, Value]:
        """The grid knobs' values at ``code``."""
        return {k.name: k.values[i] for k, i in zip(self.knobs, self.decode(code), strict=True)}

    def config(self, code: int) -> dict[str, Any]:
        """The pipeline configuration at ``code``: base values updated by the grid's.

        Knobs enabled only at some grid points (children of a grid knob) are left out and take
        their defaults when the pipeline validates the configuration.
        """
        return {**self.base, **self.values_of(int(code))}

    def code_of(self, config: Mapping[str, Any]) -> int:
        """The code of ``config``'s grid values (missing knobs are an error naming them)."""
        missing = [n for n in self.names if n not in config]
        if missing:
            raise ValueError(f"config lacks grid knobs {missing}")
        return int(self.encode([k.index(config[k.name]) for k in self.knobs]))

    def select(self, *, owner: str | None = None, role: str | None = None) -> list[int]:
        """Positions of the grid knobs with this owner and/or role."""
        return [i for i, k in enumerate(self.knobs)
                if (owner is None or k.owner == owner) and (role is None or role in k.roles)]

    @property
    def owners(self) -> tuple[str, ...]:
        """Components that own grid knobs, in grid order, each once."""
        return tuple(dict.fromkeys(k.owner for k in self.knobs))

    def to_json(self) -> str:
        return json.dumps({"knobs": [{"name": k.name, "values": list(k.values),
                                      "owner": k.owner, "roles": list(k.roles)}
                                     for k in self.knobs], "base": self.base}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Grid:
        data = json.loads(text)
        return cls([GridKnob(k["name"], tuple(k["values"]), k["owner"], tuple(k["roles"]))
                    for k in data["knobs"]], data["base"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Grid) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(self.to_json())

    def __repr__(self) -> str:
        shape = " x ".join(f"{k.name}[{len(k.values)}]" for k in self.knobs)
        return f"Grid({self.size} configs: {shape})"

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline, spec: Mapping[str, Sequence[Value]],
                      base: Mapping[str, Any] | None = None) -> Grid:
        """A grid over ``spec``'s knobs, values checked against the pipeline's space.

        Every grid point is validated, so a grid never holds a configuration the pipeline
        would refuse (e.g. a conditional knob whose parent is off the grid's base).
        """
        space = pipeline.space
        knobs = []
        for name, values in spec.items():
            knob = space[name]
            checked = tuple(knob.check(v) for v in values)
            knobs.append(GridKnob(name, checked, knob.owner, knob.roles))
        grid = cls(knobs, {**pipeline.default_config(), **(base or {})})
        always: set[str] | None = None  # base knobs active at every grid point
        for code in range(grid.size):
            point = grid.values_of(code)
            active = space.active({**point, **{n: v for n, v in grid.base.items()
                                               if space[n].condition is None}})
            off = [n for n in point if n not in active]
            if off:
                raise ValueError(f"grid knobs {off} are inactive at {point}")
            always = active if always is None else always & active
        grid.base = {n: v for n, v in grid.base.items() if n in (always or set())}
        return grid


#: The knobs and values of the bundled benchmark table (see ``tables/README.md``):
#: retrieval architecture and loss, fusion composition and serving size, ranking architecture
#: and one feature, re-ranking diversity, and the cold-start route. The order puts the knobs
#: whose change costs a retraining first, so a build in code order reuses fitted models.
DEFAULT_SPEC: dict[str, tuple[Value, ...]] = {
    "recall_1.mf.dim": (16, 64),
    "recall_1.mf.loss": ("bpr", "sampled_softmax"),
    "ranking.arch": ("fm", "dcn", "mmoe"),
    "ranking.feature.item_genres": (False, True),
    "fusion.weight.recall_0": (0.0, 1.0),
    "fusion.size": (100, 300),
    "reranking.mmr": (0.0, 0.3, 0.7),
    "router.path.cold_start": ("full", "popular"),
}


def default_grid() -> Grid:
    """The grid of the bundled table over the default pipeline."""
    from agentic_env.pipeline import Pipeline

    return Grid.from_pipeline(Pipeline(), DEFAULT_SPEC)
