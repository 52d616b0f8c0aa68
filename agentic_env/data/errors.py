"""Errors of the data layer: each names the file, the column or value, and what was expected."""

from __future__ import annotations

from pathlib import Path


class DataError(ValueError):
    """A dataset file or table does not have the expected shape or content."""

    def __init__(self, message: str, *, source: str | Path | None = None) -> None:
        self.source = str(source) if source is not None else None
        super().__init__(f"{self.source}: {message}" if self.source else message)


class ChecksumError(DataError):
    """A downloaded or cached archive does not match its published checksum."""


class UnknownDatasetError(KeyError):
    """A dataset name that no loader is registered for."""

    def __str__(self) -> str:  # KeyError would print the repr of its argument
        return str(self.args[0])
