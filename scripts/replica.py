#!/usr/bin/env python
"""A throwaway streaming replica of the local PostgreSQL, for the replica tests.

``scripts/run_tests.py`` starts one before its PostgreSQL run and removes it after. The
replica is a second server of the primary's version: ``pg_basebackup -R -X stream`` copies the
primary's cluster into a temporary folder, a few lines of configuration give it its own port
and socket folder, and ``pg_ctl`` starts it as a hot standby that streams from the primary. It
replays the whole cluster, so the test database Django creates on the primary appears on it.

What the primary must allow: ``wal_level`` ``replica`` or ``logical`` and ``max_wal_senders``
above 0 (PostgreSQL's defaults; changing them needs a restart, which this never does), and a
``replication`` line in pg_hba.conf for the connecting user from 127.0.0.1. When that line is
missing and the file is writable (CI and this machine run as root), ``start`` appends
``host replication <user> 127.0.0.1/32 trust``, reloads the primary and says so; the line stays.

PostgreSQL refuses to run as root: as root, the replica's files belong to ``postgres`` and its
commands run through ``runuser -u postgres``.

By hand: ``python scripts/replica.py [primary URL]`` starts one, prints its URL, and removes it
on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_PRIMARY = "postgres://postgres@127.0.0.1:5432/postgres"
FIRST_PORT = 5433  # the first port tried; the next free one is taken when it is in use
OS_USER = "postgres"  # the account the server runs as when this runs as root
# A standby refuses to start unless these are at least the primary's values.
MATCHED_SETTINGS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
READY_TIMEOUT_S = 120


class ReplicaError(Exception):
    """The replica could not be started; the message says why."""


@dataclass
class Replica:
    """A running replica: where it listens and what it lives in."""

    host: str
    port: int
    user: str
    workdir: Path
    bindir: Path
    notes: list[str] = field(default_factory=list)  # what start changed on the primary, for the output

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def log_file(self) -> Path:
        return self.workdir / "server.log"

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@{self.host}:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server and delete its folder (also after a failed start)."""
        if (self.data_dir / "postmaster.pid").exists():
            for mode in ("fast", "immediate"):
                stopped = _run_as_server(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "-t", "30", "stop"],
                    check=False,
                )
                if stopped.returncode == 0:
                    break
        shutil.rmtree(self.workdir, ignore_errors=True)


def _parse(url: str) -> tuple[str, int, str, str]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 5432, parts.username or "postgres", parts.path.lstrip("/")


def _as_server(command: list[str]) -> list[str]:
    return ["runuser", "-u", OS_USER, "--", *command] if os.geteuid() == 0 else command


def _run_as_server(
    command: list[str], *, check: bool = True, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PGPASSWORD=password) if password else None  # runuser keeps the environment
    result = subprocess.run(_as_server(command), capture_output=True, text=True, check=False, timeout=300, env=env)
    if check and result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise ReplicaError(f"{Path(command[0]).name} failed: " + " | ".join(tail))
    return result


def _free_port(host: str, first: int) -> int:
    for port in range(first, first + 100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise ReplicaError(f"no free port in {first}-{first + 99}")


def _bindir(version_num: int) -> Path:
    versioned = Path(f"/usr/lib/postgresql/{version_num // 10000}/bin")  # Debian keeps one folder per version
    if (versioned / "pg_ctl").exists():
        return versioned
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise ReplicaError(f"pg_ctl not found (looked in {versioned} and on PATH)")


def _allow_replication(conn: object, user: str, host: str, notes: list[str]) -> None:
    """Make sure pg_hba.conf lets ``user`` open a replication connection from ``host``."""
    rows = conn.execute(  # type: ignore[attr-defined]
        "SELECT 1 FROM pg_hba_file_rules WHERE error IS NULL AND 'replication' = ANY(database) "
        "AND ('all' = ANY(user_name) OR %s = ANY(user_name)) AND type <> 'local'",
        [user],
    ).fetchall()
    if rows:
        return
    hba = Path(conn.execute("SHOW hba_file").fetchone()[0])  # type: ignore[attr-defined]
    line = f"host replication {user} {host}/32 trust"
    if not os.access(hba, os.W_OK):
        raise ReplicaError(f"{hba} has no replication line and is not writable here; add `{line}` and reload")
    with hba.open("a", encoding="utf-8") as handle:
        handle.write(f"\n# Added by thidua scripts/replica.py: the test suite's streaming replica.\n{line}\n")
    conn.execute("SELECT pg_reload_conf()")  # type: ignore[attr-defined]
    notes.append(f"added `{line}` to {hba} and reloaded the primary (the line stays)")


def _configure(replica: Replica, primary: dict[str, str]) -> None:
    """The replica's own settings, after what it copied from the primary (last setting wins)."""
    matched = "".join(f"{name} = {primary[name]}\n" for name in MATCHED_SETTINGS)
    settings = (
        "\n# thidua scripts/replica.py: a throwaway hot standby for the tests\n"
        f"port = {replica.port}\n"
        f"listen_addresses = '{replica.host}'\n"
        f"unix_socket_directories = '{replica.workdir}'\n"
        "hot_standby = on\n"
        "shared_buffers = '32MB'\n"
        "fsync = off\n"  # it is thrown away after the run
        "logging_collector = off\n"
        "ssl = off\n" + matched
    )
    data = replica.data_dir
    with (data / "postgresql.auto.conf").open("a", encoding="utf-8") as handle:
        handle.write(settings)
    # Debian keeps postgresql.conf and pg_hba.conf in /etc, so the copy has none: give it its own.
    (data / "postgresql.conf").touch()
    (data / "pg_ident.conf").touch()
    (data / "pg_hba.conf").write_text(
        "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n", encoding="utf-8"
    )
    if os.geteuid() == 0:
        for name in ("postgresql.auto.conf", "postgresql.conf", "pg_ident.conf", "pg_hba.conf"):
            shutil.chown(data / name, OS_USER, OS_USER)


def _wait_streaming(replica: Replica, primary_url: str) -> None:
    """Until the replica answers in recovery with its WAL receiver streaming from the primary."""
    import psycopg

    started = time.monotonic()
    last = "not answering"
    while time.monotonic() < started + READY_TIMEOUT_S:
        # The server writes its pid file as it starts; gone after that, it has stopped.
        if time.monotonic() > started + 5 and not (replica.data_dir / "postmaster.pid").exists():
            raise ReplicaError("the server stopped while starting")
        try:
            with psycopg.connect(replica.url("postgres"), connect_timeout=3, autocommit=True) as conn:
                in_recovery = conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]  # type: ignore[index]
                status = conn.execute("SELECT status FROM pg_stat_wal_receiver").fetchone()
            if not in_recovery:
                raise ReplicaError("the copy started as a primary, not as a standby (no standby.signal?)")
            if status and status[0] == "streaming":
                return
            last = f"WAL receiver {status[0] if status else 'not started'}"
        except psycopg.OperationalError as exc:
            last = str(exc).strip().splitlines()[0]
        time.sleep(0.5)
    raise ReplicaError(f"not ready after {READY_TIMEOUT_S} s ({last}){_why_not_ready(primary_url)}")


def _why_not_ready(primary_url: str) -> str:
    """The usual reason a hot standby streams but takes no connections: until every transaction
    of the primary with more than 64 subtransactions (savepoints) ends, it has no snapshot."""
    import psycopg

    try:
        with psycopg.connect(primary_url, connect_timeout=3, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*), max(now() - xact_start)::text FROM pg_stat_activity "
                "WHERE xact_start < now() - interval '1 minute' AND pid <> pg_backend_pid()"
            ).fetchone()
    except psycopg.Error:
        return ""
    if not row or not row[0]:
        return ""
    return (
        f"; the primary has {row[0]} transaction(s) open for up to {row[1]}: a standby accepts no connection "
        "until those with over 64 savepoints end (another test run on this server?)"
    )


def start(primary_url: str = DEFAULT_PRIMARY, *, port: int | None = None) -> Replica:
    """Copy the primary into a temporary folder and start it as a streaming hot standby."""
    import psycopg

    host, primary_port, user, _database = _parse(primary_url)
    notes: list[str] = []
    try:
        with psycopg.connect(primary_url, connect_timeout=3, autocommit=True) as conn:
            values = {
                name: str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
                for name in ("server_version_num", "wal_level", *MATCHED_SETTINGS)
            }
            if values["wal_level"] not in ("replica", "logical"):
                raise ReplicaError(f"the primary's wal_level is {values['wal_level']} (needs replica; restart)")
            if int(values["max_wal_senders"]) < 2:
                raise ReplicaError("the primary's max_wal_senders is below 2 (the backup and the stream)")
            _allow_replication(conn, user, host, notes)
    except psycopg.Error as exc:
        raise ReplicaError(f"primary {host}:{primary_port}: {str(exc).strip().splitlines()[0]}") from None

    bindir = _bindir(int(values["server_version_num"]))
    free_port = _free_port(host, port or int(os.environ.get("THIDUA_TEST_REPLICA_PORT", FIRST_PORT)))
    workdir = Path(tempfile.mkdtemp(prefix="thidua-replica-"))
    replica = Replica(host=host, port=free_port, user=user, workdir=workdir, bindir=bindir, notes=notes)
    try:
        if os.geteuid() == 0:
            shutil.chown(workdir, OS_USER, OS_USER)
        workdir.chmod(0o700)
        backup = [
            str(replica.bindir / "pg_basebackup"),
            *("-h", host, "-p", str(primary_port), "-U", user, "-D", str(replica.data_dir)),
            *("-R", "-X", "stream", "--checkpoint=fast", "--no-password"),
        ]
        for attempt in range(3):  # a pg_hba.conf line added just now may take a moment to load
            try:
                _run_as_server(backup, password=urlsplit(primary_url).password)
                break
            except ReplicaError:
                if attempt == 2 or not notes:
                    raise
                shutil.rmtree(replica.data_dir, ignore_errors=True)
                time.sleep(1)
        _configure(replica, values)
        # -W: do not wait here; _wait_streaming waits for connections and says why they do not come.
        _run_as_server(
            [str(replica.bindir / "pg_ctl"), "-D", str(replica.data_dir), "-l", str(replica.log_file), "-W", "start"]
        )
        _wait_streaming(replica, primary_url)
    except BaseException as exc:
        log = replica.log_file.read_text(encoding="utf-8", errors="replace") if replica.log_file.exists() else ""
        replica.stop()
        if isinstance(exc, ReplicaError) and log:
            raise ReplicaError(f"{exc}; server log: {' | '.join(log.strip().splitlines()[-3:])}") from None
        raise
    return replica


@contextmanager
def running(primary_url: str = DEFAULT_PRIMARY) -> Iterator[Replica]:
    replica = start(primary_url)
    try:
        yield replica
    finally:
        replica.stop()


def main() -> int:
    primary = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PRIMARY
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `kill` stops and removes it too
    try:
        with running(primary) as replica:
            for note in replica.notes:
                print(f"Note: {note}")
            print(f"Streaming replica of {primary} at {replica.url(_parse(primary)[3])}; Ctrl-C stops it.")
            while True:
                time.sleep(3600)
    except ReplicaError as exc:
        print(f"No replica: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
