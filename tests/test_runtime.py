import os

import pytest
import torch

from agentic_env.runtime import configure_threads


def test_import_sets_one_thread_by_default() -> None:
    import agentic_env  # noqa: F401

    assert os.environ["OMP_NUM_THREADS"] == os.environ.get("AGENTIC_RS_THREADS", "1")


def test_configure_threads_sets_torch_and_env() -> None:
    try:
        assert configure_threads(2) == 2
        assert torch.get_num_threads() == 2
        assert os.environ["OMP_NUM_THREADS"] == "2"
    finally:
        configure_threads(1)
    assert torch.get_num_threads() == 1


def test_configure_threads_rejects_zero() -> None:
    with pytest.raises(ValueError, match="thread count must be >= 1, got 0"):
        configure_threads(0)
