"""SASRec: next-item retrieval with causal self-attention (Kang & McAuley, ICDM 2018).

Each user's training interactions, ordered by time, are cut into non-overlapping windows of
``max_len`` next-item predictions (every training interaction after a user's first is a target
exactly once per epoch, the same data RecBole's prefix augmentation uses). The model reads item
and position embeddings through ``n_layers`` pre-norm transformer blocks
(:mod:`agents.retrieval.attention`) and scores every item by a dot product with the item embedding
table (tied input/output embeddings).

Loss: full softmax cross-entropy over the whole catalogue at every position (Klenitskiy &
Vasilev, RecSys 2023, find it clearly stronger than SASRec's original sampled BCE; with a few
thousand items it is also cheap). ``score(users)`` reads each user's last ``max_len`` items of
the history given to ``fit`` (or to :meth:`SASRec.set_history`) and returns the last position's
logits.

Optional repeat term (``repeat_bias=True``): one learned scalar added to the logit of every item
already in the input window. With tied embeddings a hidden state stays close to the embeddings of
the items it read, so plain SASRec keeps ranking just-consumed items high; the scalar lets the
loss learn the domain's re-consumption rate (strongly negative on MovieLens, where nobody rates a
film twice; positive where users replay). Off by default, SASRec as published.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from agentic_env.data import InteractionLog
from agents.retrieval.attention import TransformerBlock, causal_mask
from agents.retrieval.base import check_int, check_range, check_users, not_fitted
from agents.retrieval.early_stopping import EarlyStopping, ValidationSet, end_of_epoch
from agents.retrieval.training import (
    EpochCallback,
    batches,
    resolve_device,
    seed_everything,
    synchronise,
)


class SASRec:
    """Self-attentive sequential retriever.

    Args:
        dim: Model dimension, ``>= 1`` and divisible by ``n_heads``.
        n_layers: Transformer blocks, ``>= 1``.
        n_heads: Attention heads per block, ``>= 1``.
        max_len: Items of history read per prediction, ``>= 1``.
        dropout: Dropout on embeddings, attention outputs and feed-forward layers, in ``[0, 1)``.
        ffn_mult: Width of the feed-forward layer as a multiple of ``dim``, ``>= 1``.
        lr: Adam learning rate, in ``(0, 1]``.
        weight_decay: AdamW weight decay, ``>= 0``.
        epochs: Maximum passes over the training windows, ``>= 1``.
        batch_size: Windows per step, ``>= 1``.
        patience: Epochs without validation improvement before stopping, ``>= 1``.
        gated_attention: Gate each head's output with ``sigmoid(x W_g)`` (see ``attention.py``).
        repeat_bias: Learn a logit offset for items already in the input window (see above).
        eval_k: Cut-off of the validation recall used for early stopping, ``>= 1``.
    """

    def __init__(
        self,
        *,
        dim: int = 64,
        n_layers: int = 2,
        n_heads: int = 1,
        max_len: int = 200,
        dropout: float = 0.2,
        ffn_mult: int = 1,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        epochs: int = 200,
        batch_size: int = 128,
        patience: int = 10,
        gated_attention: bool = False,
        repeat_bias: bool = False,
        eval_k: int = 10,
    ) -> None:
        self.dim = check_int("dim", dim, 1)
        self.n_layers = check_int("n_layers", n_layers, 1)
        self.n_heads = check_int("n_heads", n_heads, 1, dim)
        if dim % n_heads:
            raise ValueError(f"dim must be divisible by n_heads, got dim={dim}, n_heads={n_heads}")
        self.max_len = check_int("max_len", max_len, 1)
        self.dropout = check_range("dropout", float(dropout), 0.0, 0.999)
        self.ffn_mult = check_int("ffn_mult", ffn_mult, 1)
        self.lr = check_range("lr", float(lr), 0.0, 1.0, low_open=True)
        self.weight_decay = check_range("weight_decay", float(weight_decay), 0.0)
        self.epochs = check_int("epochs", epochs, 1)
        self.batch_size = check_int("batch_size", batch_size, 1)
        self.patience = check_int("patience", patience, 1)
        self.gated_attention = bool(gated_attention)
        self.repeat_bias = bool(repeat_bias)
        self.eval_k = check_int("eval_k", eval_k, 1)
        self.network_: _Network | None = None
        self.histories_: torch.Tensor | None = None
        self.history_: list[float] = []
        self.best_epoch_ = -1
        self.epochs_run_ = 0
        self.epoch_seconds_: list[float] = []

    def fit(
        self,
        train: InteractionLog,
        *,
        seed: int = 0,
        device: str = "cpu",
        valid: InteractionLog | None = None,
        callback: EpochCallback | None = None,
    ) -> SASRec:
        """Train on ``train``'s sequences; with ``valid``, stop early on recall@``eval_k``.

        ``callback(epoch)`` runs after each epoch (returning True stops training).
        """
        rng = seed_everything(seed)
        dev = resolve_device(device)
        inputs, targets = (torch.as_tensor(a, device=dev) for a in windows(train, self.max_len))
        network = _Network(train.n_items, self, dev)
        self.network_ = network
        self.set_history(train)
        optimiser = torch.optim.AdamW(
            network.parameters(), lr=self.lr, weight_decay=self.weight_decay
        )
        checker = ValidationSet.build(train, valid, self.eval_k) if valid is not None else None
        stopper = EarlyStopping(self.patience)
        self.epochs_run_, self.epoch_seconds_ = 0, list[float]()
        for epoch in range(self.epochs):
            started = time.perf_counter()
            network.train()
            order = torch.as_tensor(rng.permutation(len(inputs)), device=dev)
            for rows in batches(order, self.batch_size):
                loss = network.loss(inputs[rows], targets[rows])
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
            synchronise(dev)
            self.epoch_seconds_.append(time.perf_counter() - started)
            self.epochs_run_ = epoch + 1
            if end_of_epoch(epoch, checker, stopper, self.score, network.state, callback):
                break
        if checker is not None and stopper.best_state is not None:
            network.load_state_dict(stopper.best_state)  # type: ignore[arg-type]
        self.history_, self.best_epoch_ = stopper.history, stopper.best_epoch
        return self

    def set_history(self, log: InteractionLog) -> SASRec:
        """Score from ``log``'s sequences from now on (e.g. train + valid before testing)."""
        if self.network_ is None:
            raise not_fitted(self)
        if log.n_items != self.network_.n_items:
            raise ValueError(f"log has {log.n_items} items, the model {self.network_.n_items}")
        latest = last_items(log, self.max_len)
        self.histories_ = torch.as_tensor(latest, device=self.network_.device)
        return self

    @torch.no_grad()
    def score(self, users: np.ndarray, batch: int = 1024) -> np.ndarray:
        """``(len(users), n_items)`` next-item logits after each user's history."""
        if self.network_ is None or self.histories_ is None:
            raise not_fitted(self)
        users = check_users(users, len(self.histories_))
        self.network_.eval()
        parts = []
        for start in range(0, len(users), batch):
            rows = torch.as_tensor(users[start : start + batch], device=self.network_.device)
            history = self.histories_[rows]
            hidden = self.network_(history)[:, -1]
            parts.append(self.network_.logits(hidden, history).float().cpu().numpy())
        n_items = self.network_.n_items
        return np.concatenate(parts) if parts else np.zeros((0, n_items), np.float32)


def _time_order(log: InteractionLog) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Users and 1-based item ids in (user, time) order, each row's rank within its user and
    the user's length."""
    order = np.lexsort((np.arange(len(log)), log.timestamps, log.users))
    users = log.users[order].astype(np.int64)
    counts = np.bincount(users, minlength=log.n_users)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.arange(len(users)) - starts[users]
    return users, log.items[order].astype(np.int64) + 1, rank, counts[users]


def last_items(log: InteractionLog, max_len: int) -> np.ndarray:
    """``(n_users, max_len)`` each user's latest items (1-based ids), left-padded with 0."""
    users, items, rank, length = _time_order(log)
    from_end = length - rank  # 1 = latest
    keep = from_end <= max_len
    out = np.zeros((log.n_users, max_len), np.int64)
    out[users[keep], max_len - from_end[keep]] = items[keep]
    return out


def windows(log: InteractionLog, max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Training windows: ``(n_windows, max_len)`` inputs and next-item targets, 0 = padding.

    Target ``j`` (a user's ``j``-th item, ``j >= 1``) sits in window ``(n - 1 - j) // max_len``
    counted back from the user's latest item, so windows end flush right like ``last_items``.
    """
    users, items, rank, length = _time_order(log)
    per_user = np.zeros(log.n_users, np.int64)
    first = rank == 0
    per_user[users[first]] = (length[first] - 1 + max_len - 1) // max_len
    offset = np.concatenate(([0], np.cumsum(per_user)[:-1]))
    target = ~first
    back = length[target] - 1 - rank[target]
    window = offset[users[target]] + back // max_len
    column = max_len - 1 - back % max_len
    inputs = np.zeros((int(per_user.sum()), max_len), np.int64)
    targets = np.zeros_like(inputs)
    inputs[window, column] = items[np.flatnonzero(target) - 1]
    targets[window, column] = items[target]
    return inputs, targets


class _Network(nn.Module):
    """Embeddings, transformer blocks and the tied output layer."""

    def __init__(self, n_items: int, config: SASRec, device: torch.device) -> None:
        super().__init__()
        self.n_items, self.device = n_items, device
        self.items = nn.Embedding(n_items + 1, config.dim, padding_idx=0)
        self.positions = nn.Embedding(config.max_len, config.dim)
        nn.init.normal_(self.items.weight, std=0.02)
        nn.init.normal_(self.positions.weight, std=0.02)
        with torch.no_grad():
            self.items.weight[0].zero_()
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(
            TransformerBlock(
                config.dim, config.n_heads, config.dropout, config.gated_attention, config.ffn_mult
            )
            for _ in range(config.n_layers)
        )
        self.norm = nn.LayerNorm(config.dim)
        self.repeat = nn.Parameter(torch.zeros(())) if config.repeat_bias else None
        self.to(device)

    def forward(self, sequence: torch.Tensor) -> torch.Tensor:
        """``(B, L)`` 1-based item ids (0 = padding) -> ``(B, L, D)`` hidden states."""
        positions = torch.arange(sequence.shape[1], device=sequence.device)
        x = self.drop(self.items(sequence) + self.positions(positions))
        allowed = causal_mask(sequence == 0)
        for block in self.blocks:
            x = block(x, allowed)
        return self.norm(x)  # type: ignore[no-any-return]

    def logits(self, hidden: torch.Tensor, read: torch.Tensor) -> torch.Tensor:
        """``(N, D)`` hidden states and ``(N, L)`` the 1-based items each has read (0 = none)
        -> ``(N, n_items)`` scores of the real (0-based) items, plus the repeat term."""
        scores = hidden @ self.items.weight[1:].T
        if self.repeat is None:
            return scores
        was_read = torch.zeros(len(read), self.n_items + 1, device=read.device)
        was_read.scatter_(1, read, 1.0)
        return scores + self.repeat * was_read[:, 1:]

    def loss(self, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy over the non-padding target positions."""
        hidden = self(inputs)
        real = targets > 0
        window, position = real.nonzero(as_tuple=True)
        columns = torch.arange(inputs.shape[1], device=inputs.device)
        read = torch.where(columns <= position[:, None], inputs[window], 0)  # causal prefix
        return F.cross_entropy(self.logits(hidden[real], read), targets[real] - 1)

    def state(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone() for k, v in self.state_dict().items()}
