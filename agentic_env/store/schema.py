"""Schema versioning: an explicit ``schema_version`` table and ordered migration functions.

A new database gets the current tables and is stamped with every migration's version. An older
one is brought forward by running the migrations it lacks, in order, in one transaction. A newer
one (written by newer code) is refused rather than written to, and so is any database that holds
tables but no ``schema_version`` (a foreign database): the store never writes into what it does
not recognise, so existing records stay intact.

To change the schema, edit ``models.py`` and append a :class:`Migration` whose ``upgrade`` turns
the previous version's tables into the new ones (``ALTER TABLE``, new tables, data moves); new
databases are created from ``models.py`` directly and skip the upgrade functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, inspect, select, text

from agentic_env.store.errors import (
    MissingStoreError,
    NotAStoreError,
    SchemaTooNewError,
    StoreError,
)
from agentic_env.store.models import TABLES, Base, SchemaVersion, utcnow


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``upgrade`` brings version ``version - 1`` to ``version``."""

    version: int
    description: str
    upgrade: Callable[[Connection], None]


def _initial_tables(conn: Connection) -> None:
    Base.metadata.create_all(conn, checkfirst=True)


MIGRATIONS: list[Migration] = [
    Migration(1, "initial tables", _initial_tables),
]

# Held for the whole initialisation so that workers opening one new PostgreSQL database at the
# same moment create it once (SQLite serialises them through BEGIN IMMEDIATE instead).
_PG_INIT_LOCK_ID = 0x6167_656E_7469_63


def latest_version() -> int:
    """The schema version this code writes."""
    return MIGRATIONS[-1].version if MIGRATIONS else 0


def database_version(conn: Connection) -> int | None:
    """The highest applied version, or None when the database has no ``schema_version`` table."""
    if not inspect(conn).has_table(SchemaVersion.__tablename__):
        return None
    return int(conn.scalar(select(func.coalesce(func.max(SchemaVersion.version), 0))) or 0)


def prepare(conn: Connection, where: str, *, create: bool = True) -> int:
    """Create, upgrade or validate the schema inside the caller's write transaction.

    Returns the schema version; ``where`` names the database in errors. Without ``create`` an
    empty database is an error instead of becoming a new store.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_INIT_LOCK_ID})
    version = database_version(conn)
    if version is None:
        _refuse_foreign(conn, where)
        if not create:
            raise MissingStoreError(f"{where} is empty: it holds no knowledge store")
        version = 0
    latest = latest_version()
    if version > latest:
        raise SchemaTooNewError(
            f"{where}: schema version {version} is newer than this code's {latest}; "
            "upgrade agentic-rs-gym to open it (nothing was written)"
        )
    _upgrade(conn, version, where, fresh=version == 0)
    _check_tables(conn, where)
    return latest


def _refuse_foreign(conn: Connection, where: str) -> None:
    tables = sorted(inspect(conn).get_table_names())
    if tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise NotAStoreError(
            f"{where}: holds tables ({shown}) but no schema_version table; expected an "
            "agentic-rs-gym knowledge store or an empty database (nothing was written)"
        )


def _upgrade(conn: Connection, version: int, where: str, *, fresh: bool) -> None:
    """Apply the migrations after ``version``; a fresh database gets today's tables at once."""
    if fresh:
        Base.metadata.create_all(conn)
    for migration in MIGRATIONS:
        if migration.version <= version:
            continue
        if not fresh:
            _apply(conn, migration, version, where)
        conn.execute(
            insert(SchemaVersion).values(
                version=migration.version, description=migration.description, applied_at=utcnow()
            )
        )


def _apply(conn: Connection, migration: Migration, version: int, where: str) -> None:
    try:
        migration.upgrade(conn)
    except Exception as error:
        raise StoreError(
            f"{where}: migration {migration.version} ({migration.description}) failed: {error}; "
            f"the database stays at schema version {version}"
        ) from error


def _check_tables(conn: Connection, where: str) -> None:
    present = set(inspect(conn).get_table_names())
    missing = sorted(set(TABLES) - present)
    if missing:
        raise NotAStoreError(
            f"{where}: schema_version says this is a knowledge store but tables {missing} are "
            "missing; the database is damaged"
        )
