"""Errors of the knowledge store: each names the database, the value, and what was expected."""

from __future__ import annotations


class StoreError(RuntimeError):
    """Base class of every error the knowledge store raises on purpose."""


class NotAStoreError(StoreError):
    """The file or database exists but is not a knowledge store (corrupt, foreign, not SQLite)."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer version of this code; opening it could lose data."""


class MissingStoreError(StoreError):
    """A read-only command pointed at a database file that does not exist."""


class UnknownRecordError(StoreError, LookupError):
    """A run, configuration, template or evaluation id that the store does not hold."""


class TransitionError(StoreError, ValueError):
    """A proposed template's status cannot move from its current status to the requested one."""


class ExportError(StoreError):
    """Writing an export failed (e.g. a full disk); the destination was left untouched."""
