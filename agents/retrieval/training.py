"""Seeding, device and batching helpers shared by the torch retrievers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch

#: Called after each epoch with its index; returning True stops training. Benchmarks use it to
#: track test accuracy against time without touching the model.
EpochCallback = Callable[[int], bool]


def seed_everything(seed: int) -> np.random.Generator:
    """Seed torch's global generator (weight init, dropout) and return the numpy one (sampling).

    Same seed on CPU gives bit-identical training; CUDA kernels may differ in the last bits.
    """
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    torch.manual_seed(int(seed))
    return np.random.default_rng(int(seed))


def resolve_device(device: str) -> torch.device:
    """``device`` as a torch device, refusing CUDA when it is not available."""
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"device must be like 'cpu' or 'cuda:0', got {device!r}") from error
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but CUDA is not available here")
    return resolved


def batches(order: torch.Tensor, size: int) -> Iterator[torch.Tensor]:
    """Consecutive slices of ``order`` of at most ``size`` entries."""
    for start in range(0, len(order), size):
        yield order[start : start + size]


def synchronise(device: torch.device) -> None:
    """Wait for queued CUDA work so wall-clock timings measure it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
