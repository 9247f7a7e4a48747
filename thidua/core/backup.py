"""Backups: the database and the media files in one dated archive, with a manifest that proves a restore.

An archive (``thidua-YYYYmmdd-HHMMSS.tar.gz``) holds, in this order:

* ``database/db.sqlite3`` (SQLite's online backup API: a consistent copy taken while the
  application keeps writing, in WAL mode) or ``database/db.dump`` (``pg_dump -Fc``);
* ``media/<path>`` for every file under ``MEDIA_ROOT``;
* ``manifest.json``, last, so each media file is hashed from exactly the bytes archived.

The manifest records the engine, the latest applied migration of each app, and per table
its row count and a SHA-256 of its rows, read in primary-key order and written as text.
The checksums are computed from the very state that was dumped (the SQLite copy itself; on
PostgreSQL the transaction whose snapshot ``pg_dump --snapshot`` reads), so a restore that
recomputes them from the restored database must find the same values. They are comparable
between two databases of the same engine only (SQLite and PostgreSQL write values differently).

A restore goes only into an empty database (no tables at all) and an empty ``MEDIA_ROOT``:
verifying the archive first, then loading it, then comparing the recomputed manifest.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = 1  # of the archive and of the checksums: bump it when either changes, so old archives are told apart
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
MEDIA_DIR = "media"
SQLITE_FILE = "db.sqlite3"
PG_FILE = "db.dump"
ARCHIVE_PREFIX = "thidua-"
ARCHIVE_SUFFIX = ".tar.gz"
CHUNK = 1024 * 1024
# libpq connection keywords that may sit in DATABASES[...]["OPTIONS"]; the rest (pool, isolation level…) are Django's.
LIBPQ_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "service",
    "passfile",
    "connect_timeout",
    "application_name",
    "options",
    "target_session_attrs",
    "channel_binding",
    "gssencmode",
}


# Debian keeps every installed version's client programs here; the newest can dump older servers.
PG_LIB_DIR = Path("/usr/lib/postgresql")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class DatabaseSummary:
    """Per table ``{"rows": n, "sha256": hex}`` and the latest applied migration of each app."""

    tables: dict[str, dict[str, Any]]
    migrations: dict[str, str]


@dataclass
class ArchiveCheck:
    """What reading an archive found: its manifest and every way the content disagrees with it."""

    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)


# --- Engines -------------------------------------------------------------------


def database_settings(alias: str = "default") -> dict[str, Any]:
    return connections[alias].settings_dict


def engine_of(settings_dict: dict[str, Any]) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine or "postgis" in engine:
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def database_summary(alias: str = "default") -> DatabaseSummary:
    """The manifest's view of the live database: what a restore of it must reproduce."""
    return summary_of(database_settings(alias))


def summary_of(settings_dict: dict[str, Any]) -> DatabaseSummary:
    """The manifest's view of the database these connection settings name."""
    if engine_of(settings_dict) == "sqlite":
        path = _sqlite_path(settings_dict)
        if not path.exists():  # sqlite3.connect would create it
            raise BackupError(f"The SQLite database {path} does not exist.")
        with _sqlite_open(path) as conn:
            return _sqlite_summary(conn)
    with _pg_connect(settings_dict) as conn, conn.transaction():
        return _pg_summary(conn)


def _digest(rows: Iterator[str]) -> dict[str, Any]:
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        data = row.encode()
        digest.update(len(data).to_bytes(8, "big"))  # length-prefixed: no two row sequences hash alike
        digest.update(data)
        count += 1
    return {"rows": count, "sha256": digest.hexdigest()}


def _latest_migrations(rows: list[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in rows:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


# --- SQLite --------------------------------------------------------------------


def _sqlite_path(settings_dict: dict[str, Any]) -> Path:
    name = str(settings_dict["NAME"] or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("The SQLite database is in memory: there is no file to back up or restore into.")
    return Path(name)


@contextlib.contextmanager
def _sqlite_open(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(str(path), timeout=20)
    try:
        yield conn
    finally:
        conn.close()


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Tables of the application (SQLite's own, such as sqlite_sequence, travel inside the file anyway).
_SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
)


def _sqlite_summary(conn: sqlite3.Connection) -> DatabaseSummary:
    """Rows as Python's ``repr`` of the raw SQLite values (no Django converters), in primary-key order."""
    names = [row[0] for row in conn.execute(_SQLITE_TABLES)]
    tables: dict[str, dict[str, Any]] = {}
    for name in names:
        columns = conn.execute(f"PRAGMA table_info({_sqlite_quote(name)})").fetchall()
        key = [column[1] for column in sorted((c for c in columns if c[5]), key=lambda c: c[5])]
        order = ", ".join(_sqlite_quote(column) for column in key or [c[1] for c in columns])
        # Table and column names come from sqlite_master, quoted; nothing here is user input.
        query = f"SELECT * FROM {_sqlite_quote(name)} ORDER BY {order}"  # noqa: S608
        tables[name] = _digest(repr(row) for row in conn.execute(query))
    migrations: list[tuple[str, str]] = []
    if "django_migrations" in names:
        migrations = conn.execute("SELECT app, name FROM django_migrations").fetchall()
    return DatabaseSummary(tables=tables, migrations=_latest_migrations(migrations))


def _sqlite_tables(path: Path) -> list[str]:
    if not path.exists() or path.stat().st_size == 0:
        return []
    with _sqlite_open(path) as conn:
        return [row[0] for row in conn.execute(_SQLITE_TABLES)]


def _sqlite_backup(settings_dict: dict[str, Any], dest: Path) -> tuple[DatabaseSummary, dict[str, Any]]:
    source_path = _sqlite_path(settings_dict)
    if not source_path.exists():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    with _sqlite_open(source_path) as source, _sqlite_open(dest) as copy:
        # One step (pages=-1) holds a read transaction for the whole copy: in WAL mode writers go
        # on meanwhile, and the copy is the database as of that transaction's start.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        summary = _sqlite_summary(copy)
    return summary, {"sqlite_version": sqlite3.sqlite_version}


def _sqlite_restore(dump: Path, settings_dict: dict[str, Any]) -> None:
    target = _sqlite_path(settings_dict)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    shutil.copyfile(dump, partial)
    with open(partial, "rb") as copied:
        os.fsync(copied.fileno())
    # A -wal left beside the old (empty) file would be replayed into the new one.
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(partial, target)


# --- PostgreSQL ----------------------------------------------------------------


def pg_tool(name: str) -> str:
    """Path of a PostgreSQL client program (pg_dump, pg_restore): on PATH, or Debian's versioned directory."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        PG_LIB_DIR.glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        f"{name} is not installed: install the PostgreSQL client programs of the server's version "
        "or newer (Debian: apt-get install postgresql-client)."
    )


def _pg_params(settings_dict: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {
        key: value for key, value in (settings_dict.get("OPTIONS") or {}).items() if key in LIBPQ_OPTIONS
    }
    for key, setting in (("dbname", "NAME"), ("user", "USER"), ("host", "HOST"), ("port", "PORT")):
        if settings_dict.get(setting):
            params[key] = str(settings_dict[setting])
    return params


def _pg_conninfo(settings_dict: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A connection string without the password, and the environment that carries it (never argv)."""
    from psycopg.conninfo import make_conninfo

    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return make_conninfo(**_pg_params(settings_dict)), env


@contextlib.contextmanager
def _pg_connect(settings_dict: dict[str, Any]) -> Iterator[Any]:
    """A psycopg connection of our own (not Django's), set up so that rows print the same way every time."""
    import psycopg

    conn = psycopg.connect(**_pg_params(settings_dict), password=settings_dict.get("PASSWORD") or None, autocommit=True)
    try:
        for statement in (
            "SET TIME ZONE 'UTC'",
            "SET DateStyle = 'ISO, YMD'",
            "SET IntervalStyle = 'postgres'",
            "SET extra_float_digits = 1",
            "SET bytea_output = 'hex'",
        ):
            conn.execute(statement)
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        yield conn
    finally:
        conn.close()


_PG_TABLES = """
    SELECT c.oid, n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY (current_schemas(false))
    ORDER BY n.nspname, c.relname
"""
_PG_PRIMARY_KEY = """
    SELECT a.attname, a.attcollation <> 0
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey::smallint[]) WITH ORDINALITY AS k(attnum, position)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = %s AND i.indisprimary
    ORDER BY k.position
"""


def _pg_summary(conn: Any) -> DatabaseSummary:
    """Rows as PostgreSQL's own text form of the row (``row::text``), in primary-key order.

    Text keys sort with the "C" collation, so the order does not depend on the database's locale.
    Runs inside the caller's transaction (the backup's snapshot, or a restore's check).
    """
    from psycopg import sql

    tables: dict[str, dict[str, Any]] = {}
    names: set[str] = set()
    for oid, schema, name in conn.execute(_PG_TABLES).fetchall():
        key = name if schema == "public" else f"{schema}.{name}"
        names.add(key)
        order: list[sql.Composable] = [
            sql.SQL('_thidua_row.{} COLLATE "C"' if collatable else "_thidua_row.{}").format(sql.Identifier(column))
            for column, collatable in conn.execute(_PG_PRIMARY_KEY, [oid]).fetchall()
        ] or [sql.SQL('_thidua_row::text COLLATE "C"')]
        query = sql.SQL("SELECT _thidua_row::text FROM {}.{} AS _thidua_row ORDER BY {}").format(
            sql.Identifier(schema), sql.Identifier(name), sql.SQL(", ").join(order)
        )
        with conn.cursor(name="thidua_backup_rows") as cursor:
            cursor.itersize = 5000
            cursor.execute(query)
            tables[key] = _digest(row[0] for row in cursor)
    migrations: list[tuple[str, str]] = []
    if "django_migrations" in names:
        migrations = conn.execute("SELECT app, name FROM django_migrations").fetchall()
    return DatabaseSummary(tables=tables, migrations=_latest_migrations(migrations))


def _pg_tables(settings_dict: dict[str, Any]) -> list[str]:
    """Every relation outside the system schemas: an empty database (createdb, no migrate) has none."""
    import psycopg

    with psycopg.connect(
        **_pg_params(settings_dict), password=settings_dict.get("PASSWORD") or None, autocommit=True
    ) as conn:
        rows = conn.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname !~ '^pg_' "
            "AND n.nspname <> 'information_schema' ORDER BY 1"
        ).fetchall()
    return [row[0] for row in rows]


def _run(command: list[str], env: dict[str, str]) -> None:
    # The program is a PostgreSQL client found by pg_tool; the arguments are built here, no shell.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - see above
    if done.returncode != 0:
        program = Path(command[0]).name
        raise BackupError(f"{program} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")


def _pg_backup(settings_dict: dict[str, Any], dest: Path) -> tuple[DatabaseSummary, dict[str, Any]]:
    pg_dump = pg_tool("pg_dump")
    conninfo, env = _pg_conninfo(settings_dict)
    with _pg_connect(settings_dict) as conn:
        with conn.transaction():
            # pg_dump reads the snapshot this transaction exported, and the manifest is computed in
            # the same transaction: both see exactly the same rows while the application writes on.
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}", f"--dbname={conninfo}"], env)
            summary = _pg_summary(conn)
        server_version = conn.info.server_version
    return summary, {"server_version": server_version}


def _pg_restore(dump: Path, settings_dict: dict[str, Any]) -> None:
    conninfo, env = _pg_conninfo(settings_dict)
    # --no-owner/--no-acl: the tables belong to the role that restores, whatever roles the source had.
    # One transaction: a failure leaves the database empty, ready for another attempt.
    command = [pg_tool("pg_restore"), "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"]
    _run([*command, f"--dbname={conninfo}", str(dump)], env)
    import psycopg

    # pg_restore leaves the planner without statistics until autovacuum comes round: gather them now.
    with psycopg.connect(
        **_pg_params(settings_dict), password=settings_dict.get("PASSWORD") or None, autocommit=True
    ) as conn:
        conn.execute("ANALYZE")


# --- Media ----------------------------------------------------------------------


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(archive-relative POSIX path, file) for every file under ``root``, in a stable order."""
    if not root.is_dir():
        return
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file():
                yield path.relative_to(root).as_posix(), path


def _file_digest(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def media_summary(root: Path | None = None) -> dict[str, dict[str, Any]]:
    root = root or media_root()
    return {name: _file_digest(path) for name, path in _media_files(root)}


class _HashingReader:
    """Hands tarfile the bytes of a file while hashing exactly what was archived."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


# --- Backup ---------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def default_backup_dir() -> Path:
    configured = getattr(settings, "THIDUA_BACKUP_DIR", "")
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")) / "backups"


def archive_path(output: Path | None, now: Any) -> Path:
    """``output`` itself when it names a .tar.gz file, else a dated archive inside that directory."""
    name = f"{ARCHIVE_PREFIX}{timezone.localtime(now):%Y%m%d-%H%M%S}{ARCHIVE_SUFFIX}"
    if output is None:
        return default_backup_dir() / name
    if output.name.endswith((ARCHIVE_SUFFIX, ".tgz")) and not output.is_dir():
        return output
    return output / name


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    return info


def create_backup(*, output: Path | None = None, include_media: bool = True, alias: str = "default") -> BackupResult:
    """Write the archive atomically: built in a hidden temporary directory beside it, then renamed into place."""
    settings_dict = database_settings(alias)
    engine = engine_of(settings_dict)
    now = timezone.now()
    path = archive_path(output, now)
    if path.exists():
        raise BackupError(f"{path} already exists; backups never overwrite one another.")
    path.parent.mkdir(parents=True, exist_ok=True)
    dump_name = SQLITE_FILE if engine == "sqlite" else PG_FILE
    with tempfile.TemporaryDirectory(prefix=".thidua-backup-", dir=path.parent) as work:
        dump = Path(work) / dump_name
        if engine == "sqlite":
            summary, server = _sqlite_backup(settings_dict, dump)
        else:
            summary, server = _pg_backup(settings_dict, dump)
        partial = Path(work) / (path.name + ".partial")
        media: dict[str, dict[str, Any]] = {}
        # Members' personal data is inside: readable by the owner only, from the first byte.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            open(descriptor, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as archive,
        ):
            database_entry = {"file": f"{DATABASE_DIR}/{dump_name}", **_file_digest(dump)}
            archive.add(dump, arcname=database_entry["file"], filter=_private)
            if include_media:
                media = _archive_media(archive, media_root())
            manifest = {
                "format": FORMAT,
                "application": "thidua",
                "created_at": now.isoformat(),
                "engine": engine,
                **server,
                "database": database_entry,
                "migrations": summary.migrations,
                "tables": summary.tables,
                "media_included": include_media,
                "media": media,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            archive.addfile(_tarinfo(MANIFEST, len(data), now.timestamp()), io.BytesIO(data))
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    with contextlib.suppress(OSError):  # make the rename itself durable where the platform allows it
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return BackupResult(path=path, manifest=manifest)


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _archive_media(archive: tarfile.TarFile, root: Path) -> dict[str, dict[str, Any]]:
    media: dict[str, dict[str, Any]] = {}
    for name, path in _media_files(root):
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, after tarfile has read it
        except FileNotFoundError:
            continue  # deleted since the walk: not part of this backup
        with handle:
            stat = os.fstat(handle.fileno())
            reader = _HashingReader(handle)
            try:
                archive.addfile(_tarinfo(f"{MEDIA_DIR}/{name}", stat.st_size, stat.st_mtime), reader)  # type: ignore[arg-type]
            except OSError as exc:
                raise BackupError(
                    f"The media file {name} changed while it was archived; run the backup again."
                ) from exc
        media[name] = {"sha256": reader.digest.hexdigest(), "size": reader.size}
    return media


# --- Reading an archive ---------------------------------------------------------------


def _member_target(name: str) -> tuple[str, str] | None:
    """(kind, relative path) of an acceptable member name, ``None`` for anything else (e.g. ``../``)."""
    if name == MANIFEST:
        return "manifest", name
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")) or "\x00" in name:
        return None
    if len(path.parts) == 2 and path.parts[0] == DATABASE_DIR and path.parts[1] in (SQLITE_FILE, PG_FILE):
        return "database", path.parts[1]
    if len(path.parts) >= 2 and path.parts[0] == MEDIA_DIR:
        return "media", "/".join(path.parts[1:])
    return None


def read_archive(archive_path: Path, *, into: Path | None = None) -> ArchiveCheck:
    """Read the whole archive, hashing every member, and compare with its manifest.

    With ``into``, also extract: the dump to ``into/database/`` and media to ``into/media/``
    (paths built here from validated names, never from the archive as given).
    """
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} is not a file.")
    found: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    manifest_bytes: bytes | None = None
    try:
        with tarfile.open(archive_path, "r|*") as archive:
            for member in archive:
                target = _member_target(member.name)
                if target is None or not member.isfile():
                    problems.append(f"unexpected entry in the archive: {member.name!r}")
                    continue
                if member.name in found or (target[0] == "manifest" and manifest_bytes is not None):
                    problems.append(f"entry twice in the archive: {member.name!r}")
                    continue
                source = archive.extractfile(member)
                if source is None:  # pragma: no cover - isfile() members always have data
                    continue
                if target[0] == "manifest":
                    manifest_bytes = source.read()
                    continue
                destination = (
                    None
                    if into is None
                    else into / (DATABASE_DIR if target[0] == "database" else MEDIA_DIR) / target[1]
                )
                found[member.name] = _copy_hashing(source, destination)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{archive_path} is not a readable backup archive: {exc}") from exc
    if manifest_bytes is None:
        raise BackupError(f"{archive_path} has no {MANIFEST}: not a backup made by manage.py backup, or cut short.")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as exc:
        raise BackupError(f"The manifest of {archive_path} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{archive_path}: unknown manifest format {manifest.get('format') if isinstance(manifest, dict) else None!r}."
        )
    expected = {f"{MEDIA_DIR}/{name}": entry for name, entry in (manifest.get("media") or {}).items()}
    database = manifest.get("database") or {}
    expected[str(database.get("file"))] = {"sha256": database.get("sha256"), "size": database.get("size")}
    for name, entry in sorted(expected.items()):
        actual = found.get(name)
        if actual is None:
            problems.append(f"missing from the archive: {name}")
        elif actual != {"sha256": entry.get("sha256"), "size": entry.get("size")}:
            problems.append(f"checksum differs from the manifest: {name}")
    problems.extend(f"not in the manifest: {name}" for name in sorted(set(found) - set(expected)))
    return ArchiveCheck(manifest=manifest, problems=problems)


def _copy_hashing(source: IO[bytes], destination: Path | None) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    sink: IO[bytes] | None = None
    if destination is not None:
        destination.parent.mkdir(parents=True, exist_ok=True)
        sink = open(destination, "wb")  # noqa: SIM115 - closed in finally
    try:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if sink is not None:
                sink.write(chunk)
    finally:
        if sink is not None:
            sink.close()
    return {"sha256": digest.hexdigest(), "size": size}


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What differs between two manifests (engine, migrations, tables, media); empty when identical."""
    differences: list[str] = []
    if expected.get("engine") != actual.get("engine"):
        differences.append(f"engine: {expected.get('engine')} in the archive, {actual.get('engine')} restored")
    for app in sorted(set(expected["migrations"]) | set(actual["migrations"])):
        if expected["migrations"].get(app) != actual["migrations"].get(app):
            differences.append(
                f"migrations of {app}: {expected['migrations'].get(app)} in the archive, "
                f"{actual['migrations'].get(app)} restored"
            )
    differences.extend(_compare_entries("table", expected["tables"], actual["tables"]))
    if expected.get("media_included", True):
        differences.extend(_compare_entries("media file", expected["media"], actual["media"]))
    return differences


def _compare_entries(kind: str, expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    differences = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            differences.append(f"{kind} {name}: missing after the restore")
        elif name not in expected:
            differences.append(f"{kind} {name}: not in the archive")
        elif expected[name] != actual[name]:
            rows = ""
            if kind == "table" and expected[name]["rows"] != actual[name]["rows"]:
                rows = f" ({expected[name]['rows']} rows in the archive, {actual[name]['rows']} restored)"
            differences.append(f"{kind} {name}: differs{rows}")
    return differences


# --- Restore ------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    differences: list[str]


def existing_tables(settings_dict: dict[str, Any]) -> list[str]:
    """The tables (and on PostgreSQL sequences, views…) the database holds; none when it is empty."""
    if engine_of(settings_dict) == "sqlite":
        return _sqlite_tables(_sqlite_path(settings_dict))
    return _pg_tables(settings_dict)


def _refuse_unless_empty(settings_dict: dict[str, Any], engine: str) -> None:
    tables = existing_tables(settings_dict)
    if engine == "sqlite":
        where = f"the SQLite database {_sqlite_path(settings_dict)}"
        how = "point the settings at a new file (THIDUA_VAR_DIR) or move this one away"
    else:
        where = f"the PostgreSQL database {settings_dict.get('NAME')}"
        how = "create a new database (createdb) and restore into it without running migrate first"
    if tables:
        shown = ", ".join(tables[:3]) + (", …" if len(tables) > 3 else "")
        raise BackupError(
            f"Restore goes only into an empty database, and {where} holds {len(tables)} tables or other objects ({shown}): {how}."
        )


def _refuse_unless_media_empty(root: Path) -> None:
    first = next(_media_files(root), None)
    if first is not None:
        raise BackupError(
            f"Restore goes only into an empty MEDIA_ROOT, and {root} holds files (e.g. {first[0]}): move them away first."
        )


def check_archive(archive_path: Path) -> ArchiveCheck:
    """Verify an archive without touching anything: manifest, dump and media checksums."""
    return read_archive(archive_path)


def restore_backup(archive_path: Path, *, alias: str = "default") -> RestoreResult:
    """Restore into an empty database and MEDIA_ROOT, then recompute the manifest and compare.

    Refuses before changing anything when the target is not empty, the archive is damaged
    (any checksum differs) or it was made on the other engine.
    """
    settings_dict = database_settings(alias)
    engine = engine_of(settings_dict)
    _refuse_unless_empty(settings_dict, engine)
    root = media_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    # Staged next to MEDIA_ROOT so that moving media into place is a rename on the same disk.
    with tempfile.TemporaryDirectory(prefix=".thidua-restore-", dir=root.parent) as work:
        staging = Path(work)
        check = read_archive(archive_path, into=staging)
        manifest = check.manifest
        if check.problems:
            raise BackupError("The archive is damaged; nothing was restored:\n" + "\n".join(check.problems))
        if manifest.get("engine") != engine:
            raise BackupError(
                f"This is a {manifest.get('engine')} backup and the database is {engine}: restore it into the same engine."
            )
        include_media = bool(manifest.get("media_included", True))
        if include_media:
            _refuse_unless_media_empty(root)
        dump = staging / str(manifest["database"]["file"])
        connections[alias].close()
        if engine == "sqlite":
            _sqlite_restore(dump, settings_dict)
        else:
            _pg_restore(dump, settings_dict)
        if include_media:
            for name in manifest["media"]:
                destination = root / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(staging / MEDIA_DIR / name, destination)
    summary = database_summary(alias)
    actual = {
        "engine": engine,
        "migrations": summary.migrations,
        "tables": summary.tables,
        "media": media_summary(root) if include_media else {},
    }
    return RestoreResult(manifest=manifest, differences=compare(manifest, actual))
