"""Matrix factorisation trained on implicit feedback, in torch.

Two losses:

* ``"bpr"`` — Bayesian Personalised Ranking (Rendle et al., UAI 2009): each observed (user, item)
  pair should outscore ``neg_ratio`` items drawn uniformly from those the user has not seen.
* ``"sampled_softmax"`` — softmax cross-entropy over the distinct items among the batch's own
  positives plus ``neg_ratio * batch_size`` uniformly drawn items shared by the batch (in-batch
  negatives as in Yi et al., RecSys 2019, without the log-q correction). Each candidate appears
  once, so a user's other positives never count as its negatives twice and the softmax costs at
  most ``batch_size × n_items``.

Negatives for a whole epoch are drawn at once with numpy, and redrawn only where they hit a seen
item, so no Python loop runs per training row.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from agentic_env.data import InteractionLog
from agents.retrieval.base import check_choice, check_int, check_range, check_users, not_fitted
from agents.retrieval.early_stopping import EarlyStopping, ValidationSet, end_of_epoch
from agents.retrieval.negatives import SeenItems
from agents.retrieval.training import (
    EpochCallback,
    batches,
    resolve_device,
    seed_everything,
    synchronise,
)

LOSSES = ("bpr", "sampled_softmax")


class MatrixFactorization:
    """User and item embeddings whose dot product scores an item for a user.

    Args:
        dim: Embedding size, ``>= 1``.
        loss: ``"bpr"`` or ``"sampled_softmax"``.
        lr: Adam learning rate, in ``(0, 1]``.
        reg: L2 weight on the embeddings used in a batch, ``>= 0``.
        neg_ratio: Negatives per positive (BPR) or per batch row (sampled softmax), ``>= 1``.
        epochs: Maximum number of passes over the training pairs, ``>= 1``.
        batch_size: Training pairs per step, ``>= 1``.
        patience: Epochs without validation improvement before stopping, ``>= 1``.
        temperature: Divides the logits of the sampled softmax, ``> 0``.
        eval_k: Cut-off of the validation recall used for early stopping, ``>= 1``.
    """

    def __init__(
        self,
        *,
        dim: int = 64,
        loss: str = "bpr",
        lr: float = 5e-3,
        reg: float = 1e-2,
        neg_ratio: int = 4,
        epochs: int = 300,
        batch_size: int = 2048,
        patience: int = 10,
        temperature: float = 0.2,
        eval_k: int = 10,
    ) -> None:
        self.dim = check_int("dim", dim, 1)
        self.loss = check_choice("loss", loss, LOSSES)
        self.lr = check_range("lr", float(lr), 0.0, 1.0, low_open=True)
        self.reg = check_range("reg", float(reg), 0.0)
        self.neg_ratio = check_int("neg_ratio", neg_ratio, 1)
        self.epochs = check_int("epochs", epochs, 1)
        self.batch_size = check_int("batch_size", batch_size, 1)
        self.patience = check_int("patience", patience, 1)
        self.temperature = check_range("temperature", float(temperature), 0.0, low_open=True)
        self.eval_k = check_int("eval_k", eval_k, 1)
        self.user_emb_: np.ndarray | None = None
        self.item_emb_: np.ndarray | None = None
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
    ) -> MatrixFactorization:
        """Train; with ``valid``, stop early on validation recall@``eval_k`` and keep the best.

        ``callback(epoch)`` runs after each epoch (returning True stops); the model scores with
        that epoch's weights while it runs.
        """
        rng = seed_everything(seed)
        dev = resolve_device(device)
        users = torch.as_tensor(train.users.astype(np.int64), device=dev)
        items = torch.as_tensor(train.items.astype(np.int64), device=dev)
        model = _Embeddings(train.n_users, train.n_items, self.dim).to(dev)
        optimiser = torch.optim.Adam(model.parameters(), lr=self.lr)
        seen = SeenItems(train)
        checker = ValidationSet.build(train, valid, self.eval_k) if valid is not None else None
        stopper = EarlyStopping(self.patience)
        self.epochs_run_, self.epoch_seconds_ = 0, list[float]()
        for epoch in range(self.epochs):
            started = time.perf_counter()
            model.train()
            order = torch.as_tensor(rng.permutation(len(train)), device=dev)
            negatives = self._negatives(train, seen, rng, dev)
            for rows in batches(order, self.batch_size):
                loss = self._batch_loss(model, users[rows], items[rows], negatives, rows, rng)
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
            synchronise(dev)
            self.epoch_seconds_.append(time.perf_counter() - started)
            self.epochs_run_ = epoch + 1
            self._export(model)
            if end_of_epoch(epoch, checker, stopper, self.score, model.state, callback):
                break
        if checker is not None and stopper.best_state is not None:
            model.load_state_dict(stopper.best_state)  # type: ignore[arg-type]
            self._export(model)
        self.history_, self.best_epoch_ = stopper.history, stopper.best_epoch
        return self

    def _negatives(
        self, train: InteractionLog, seen: SeenItems, rng: np.random.Generator, dev: torch.device
    ) -> torch.Tensor:
        """``(len(train), neg_ratio)`` unseen items for BPR; ``(0,)`` for the softmax loss."""
        if self.loss != "bpr":
            return torch.empty(0, dtype=torch.long, device=dev)
        users = np.repeat(train.users.astype(np.int64)[:, None], self.neg_ratio, axis=1)
        negatives = rng.integers(0, train.n_items, size=users.shape)
        redraw = np.flatnonzero(seen.contains(users.ravel(), negatives.ravel()))
        for _ in range(100):  # each round redraws only the collisions; a few rounds suffice
            if not redraw.size:
                break
            flat = negatives.reshape(-1)
            flat[redraw] = rng.integers(0, train.n_items, size=redraw.size)
            redraw = redraw[seen.contains(users.reshape(-1)[redraw], flat[redraw])]
        return torch.as_tensor(negatives, dtype=torch.long, device=dev)

    def _batch_loss(
        self,
        model: _Embeddings,
        users: torch.Tensor,
        items: torch.Tensor,
        negatives: torch.Tensor,
        rows: torch.Tensor,
        rng: np.random.Generator,
    ) -> torch.Tensor:
        """Mean loss of a batch of ``B`` pairs plus ``reg`` times the batch's squared norms / B."""
        u = model.users(users)
        if self.loss == "bpr":
            v = model.items(torch.cat((items[:, None], negatives[rows]), 1))  # (B, 1 + R, dim)
            s = (u[:, None, :] * v).sum(-1)  # elementwise: much faster than bmm for tiny R
            loss = -F.logsigmoid(s[:, :1] - s[:, 1:]).mean()
            weight = torch.full((1 + self.neg_ratio,), 1.0 / self.neg_ratio, device=u.device)
            weight[0] = 1.0  # each positive counts once, the R negatives once in all
            penalty = u.pow(2).sum() + (v.pow(2).sum(-1) * weight).sum()
        else:
            n_items = model.item.num_embeddings
            drawn = torch.as_tensor(
                rng.integers(0, n_items, self.neg_ratio * len(items)), device=items.device
            )
            candidates = torch.unique(torch.cat((items, drawn)))  # sorted, each item once
            logits = u @ model.items(candidates).T / self.temperature  # (B, n_candidates)
            loss = F.cross_entropy(logits, torch.searchsorted(candidates, items))
            penalty = u.pow(2).sum() + model.items(items).pow(2).sum()
        return loss + self.reg * penalty / len(items)

    def _export(self, model: _Embeddings) -> None:
        self.user_emb_ = model.user.weight.detach().cpu().numpy().copy()
        self.item_emb_ = model.item.weight.detach().cpu().numpy().copy()

    def score(self, users: np.ndarray) -> np.ndarray:
        """``(len(users), n_items)`` dot products of user and item embeddings."""
        if self.user_emb_ is None or self.item_emb_ is None:
            raise not_fitted(self)
        users = check_users(users, len(self.user_emb_))
        return np.asarray(self.user_emb_[users] @ self.item_emb_.T, np.float32)


class _Embeddings(nn.Module):
    """The two embedding tables, Xavier-initialised."""

    def __init__(self, n_users: int, n_items: int, dim: int) -> None:
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        nn.init.xavier_normal_(self.user.weight)
        nn.init.xavier_normal_(self.item.weight)

    def users(self, ids: torch.Tensor) -> torch.Tensor:
        return self.user(ids)  # type: ignore[no-any-return]

    def items(self, ids: torch.Tensor) -> torch.Tensor:
        return self.item(ids)  # type: ignore[no-any-return]

    def state(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone() for k, v in self.state_dict().items()}
