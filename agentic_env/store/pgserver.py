"""A throwaway PostgreSQL server in a temporary folder, for tests and benchmarks.

Uses Debian's server binaries (``/usr/lib/postgresql/<version>/bin``). ``initdb`` refuses to run
as root, so as root the server runs as the ``postgres`` system user through ``runuser``. The
server listens on 127.0.0.1 only, on a free high port, with trust authentication: it is for this
machine's tests, never for data that matters.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

INITDB_GLOB = "/usr/lib/postgresql/*/bin/initdb"
SYSTEM_USER = "postgres"


def find_bindir() -> Path | None:
    """The newest installed server's ``bin`` folder, or None when no server is installed."""
    found = sorted(glob.glob(INITDB_GLOB), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user(command: Sequence[str]) -> list[str]:
    return ["runuser", "-u", SYSTEM_USER, "--", *command] if os.geteuid() == 0 else list(command)


def _run(command: Sequence[str], what: str) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _check_identifier(name: str) -> None:
    if not name.isidentifier() or name.lower() != name:
        raise ValueError(f"name {name!r} must be a lower-case plain identifier")


@dataclass
class PostgresServer:
    """A running throwaway server; :meth:`stop` shuts it down and deletes its folder."""

    bindir: Path
    root: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://{SYSTEM_USER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={SYSTEM_USER} dbname={database}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.encode())

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` (an identifier) and return its URL."""
        _check_identifier(name)
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def create_schema(self, name: str, database: str = "postgres") -> str:
        """Create an empty schema ``name`` and return a URL whose search path is that schema.

        Much cheaper than a database per test (no copy of ``template1``), and just as empty
        from the store's point of view.
        """
        _check_identifier(name)
        self._admin(f'CREATE SCHEMA "{name}"', database)
        return f"{self.url(database)}?options=-csearch_path%3D{name}"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        try:
            _run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "stop"],
                "stop",
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_server(
    bindir: Path | None = None, *, settings: Sequence[str] = (), attempts: int = 3
) -> PostgresServer:
    """Initialise and start a server; ``settings`` are extra ``-c name=value`` options."""
    bindir = bindir or find_bindir()
    if bindir is None:
        raise FileNotFoundError(f"no PostgreSQL server binaries match {INITDB_GLOB}")
    as_root = os.geteuid() == 0
    # as root, $TMPDIR may sit in a folder the server user cannot enter; /tmp is open to all
    root = Path(tempfile.mkdtemp(prefix="agentic-pg-", dir="/tmp" if as_root else None))
    root.chmod(0o755)
    if as_root:
        shutil.chown(root, user=SYSTEM_USER)
    data = root / "data"
    try:
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", SYSTEM_USER]
        _run([*initdb, "--auth=trust", "-E", "UTF8", "--locale=C"], "initdb")
        return _start(bindir, root, settings, attempts)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _start(bindir: Path, root: Path, settings: Sequence[str], attempts: int) -> PostgresServer:
    error: RuntimeError | None = None
    for _ in range(attempts):  # another process may take the free port before the server does
        port = _free_port()
        options = [f"-p {port}", f"-k {root}", "-c listen_addresses=127.0.0.1"]
        options += [f"-c {s}" for s in settings]
        command = [str(bindir / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log")]
        try:
            _run([*command, "-o", " ".join(options), "-w", "start"], "pg_ctl start")
            return PostgresServer(bindir, root, port)
        except RuntimeError as failure:
            error = failure
    assert error is not None
    raise error
