"""Process-wide runtime settings: thread counts and seeding.

Small shared machines get slower with more threads (two torch/OpenMP threads made SB3 PPO up to
50x slower under load on 2 cores), so every entry point runs with one thread unless told otherwise
through :func:`configure_threads` or ``$AGENTIC_RS_THREADS``.
"""

from __future__ import annotations

import os
import sys

THREADS_ENV = "AGENTIC_RS_THREADS"
_THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def configure_threads(n: int | None = None) -> int:
    """Set torch and OpenMP/BLAS thread counts to ``n`` (default ``$AGENTIC_RS_THREADS`` or 1).

    Environment variables only affect libraries not yet loaded, so this is called on import of
    ``agentic_env``; torch is configured directly when it is already imported.
    """
    count = int(n if n is not None else os.environ.get(THREADS_ENV, "1"))
    if count < 1:
        raise ValueError(f"thread count must be >= 1, got {count}")
    for var in _THREAD_VARS:
        if n is not None or var not in os.environ:
            os.environ[var] = str(count)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(count)
    return count
