"""Backup and restore: a round trip on the engine under test proves the restored system identical.

The suite runs once on SQLite and once on PostgreSQL, so each test here runs on both: the
backup reads the test database, the restore goes into a fresh empty database of the same
engine (a new file; a database created for the test and dropped after), in a separate
``manage.py`` process whose settings point at it, as an operator would run it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from thidua.core import backup
from thidua.members.models import Member
from thidua.testing import build_world, make_member
from thidua.units.models import Unit

ROOT = Path(__file__).resolve().parents[3]
MEDIA = {
    "evidence/2025/bao-cao-quy-1.pdf": b"%PDF-1.4 bao cao quy 1\n" + bytes(range(256)),
    "tin/ảnh bìa đại hội.jpg": b"\xff\xd8\xff\xe0" + b"anh" * 1000,
}
LOGIN_PASSWORD = "Khôi-phục-2025!"
# Logs in through the login page (django-axes and all) and opens a unit's page, in the restored system.
LOGIN_AND_PAGE = """
import os
from django.test import Client
from django.urls import reverse
client = Client()
response = client.post(reverse("accounts:login"), {"username": os.environ["T_USER"], "password": os.environ["T_PASSWORD"]})
assert response.status_code == 302, ("login", response.status_code)
response = client.get(reverse("units:detail", args=[int(os.environ["T_UNIT"])]))
assert response.status_code == 200, ("page", response.status_code)
assert os.environ["T_UNIT_NAME"] in response.content.decode(), "unit name missing from its page"
print("login and page: ok")
"""


@dataclass
class Target:
    """An empty database of the engine under test, and the environment of a process that uses it."""

    settings_dict: dict[str, Any]
    env: dict[str, str]
    media_root: Path


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    for name, data in MEDIA.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


@pytest.fixture
def empty_target(tmp_path) -> Iterator[Target]:
    var = tmp_path / "restored"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        THIDUA_VAR_DIR=str(var),
        THIDUA_DB_POOL="0",
        THIDUA_MANIFEST_STATIC="0",  # no collectstatic in the fresh var directory
        DEBUG="0",
    )
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield Target({"ENGINE": source["ENGINE"], "NAME": str(var / "thidua.sqlite3")}, env, var / "media")
        return
    import psycopg

    name = f"thidua_restore_{secrets.token_hex(4)}"
    server = {"host": source["HOST"], "port": source["PORT"] or 5432, "user": source["USER"], "dbname": "postgres"}
    with psycopg.connect(**server, password=source["PASSWORD"] or None, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(source["USER"]) + (":" + quote(source["PASSWORD"]) if source["PASSWORD"] else "")
    env["DATABASE_URL"] = f"postgres://{credentials}@{source['HOST']}:{server['port']}/{name}"
    try:
        yield Target(dict(source, NAME=name), env, var / "media")
    finally:
        with psycopg.connect(**server, password=source["PASSWORD"] or None, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our interpreter running our manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def backup_now(tmp_path: Path, *options: str) -> Path:
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), *options, stdout=out)
    archives = sorted((tmp_path / "backups").iterdir())
    assert len(archives) == 1, archives  # nothing left behind but the archive
    assert str(archives[0]) in out.getvalue()
    return archives[0]


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.load(member)


def rewritten(archive: Path, name: str, change: Any) -> Path:
    """A copy of the archive with one member's bytes changed, everything else as it was."""
    copy = archive.with_name("tampered.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(copy, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == name:
                data = change(data)
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return copy


def flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0x01])


@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_an_identical_system(media, empty_target, tmp_path, settings):
    world = build_world()
    for name in ("Nguyễn Thị Ánh", "Đặng Văn Bình", "Lò Thị Cúc"):
        make_member(world.G1, name)
    user = world.users["district"]
    assert user is not None
    # The restored system hashes passwords with the production hashers, not the tests' fast MD5.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user.set_password(LOGIN_PASSWORD)
    user.save()

    archive = backup_now(tmp_path)
    assert archive.name.startswith("thidua-") and archive.name.endswith(".tar.gz")
    assert archive.stat().st_mode & 0o077 == 0  # members' personal data: owner only
    manifest = manifest_of(archive)
    live = backup.database_summary()
    assert manifest["engine"] == ("sqlite" if connection.vendor == "sqlite" else "postgresql")
    assert (manifest["tables"], manifest["migrations"]) == (live.tables, live.migrations)
    assert manifest["tables"][Unit._meta.db_table]["rows"] == Unit.objects.count() == 12
    assert manifest["tables"][Member._meta.db_table]["rows"] == 3
    assert "units" in manifest["migrations"]
    assert manifest["media"] == {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} for name, data in MEDIA.items()
    }

    restored = manage(empty_target.env, "restore", str(archive))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "identical" in restored.stdout.splitlines()
    # Not only the command's word for it: recompute from the restored database and files here.
    again = backup.summary_of(empty_target.settings_dict)
    assert (again.tables, again.migrations) == (manifest["tables"], manifest["migrations"])
    for name, data in MEDIA.items():
        assert (empty_target.media_root / name).read_bytes() == data

    unit = world.G1
    env = dict(
        empty_target.env, T_USER=user.username, T_PASSWORD=LOGIN_PASSWORD, T_UNIT=str(unit.pk), T_UNIT_NAME=unit.name
    )
    page = manage(env, "shell", "-c", LOGIN_AND_PAGE)
    assert page.returncode == 0, page.stdout + page.stderr
    assert "login and page: ok" in page.stdout


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(media, tmp_path):
    build_world()
    archive = backup_now(tmp_path)
    before = backup.database_summary()
    with pytest.raises(CommandError, match="Restore goes only into an empty database"):
        call_command("restore", str(archive))
    assert backup.database_summary() == before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_media_files_already_in_place(media, empty_target, tmp_path):
    build_world()
    archive = backup_now(tmp_path)
    stray = empty_target.media_root / "old" / "file.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left over")
    done = manage(empty_target.env, "restore", str(archive))
    assert done.returncode == 1
    assert "Restore goes only into an empty MEDIA_ROOT" in done.stderr
    assert backup.existing_tables(empty_target.settings_dict) == []  # refused before loading anything


@pytest.mark.django_db(transaction=True)
def test_a_changed_byte_is_found_and_nothing_restored(media, empty_target, tmp_path):
    build_world()
    archive = backup_now(tmp_path)
    call_command("restore", "--check", str(archive), stdout=io.StringIO())  # intact as written
    media_entry = "media/tin/ảnh bìa đại hội.jpg"
    for name in (media_entry, manifest_of(archive)["database"]["file"]):
        tampered = rewritten(archive, name, flip_last_byte)
        with pytest.raises(CommandError, match=f"checksum differs from the manifest: {name}"):
            call_command("restore", "--check", str(tampered))

    tampered = rewritten(archive, media_entry, flip_last_byte)
    done = manage(empty_target.env, "restore", str(tampered))
    assert done.returncode == 1
    assert "nothing was restored" in done.stderr and media_entry in done.stderr
    assert backup.existing_tables(empty_target.settings_dict) == []
    assert not empty_target.media_root.exists() or not any(empty_target.media_root.rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_checksums_change_with_one_value_and_only_for_its_table():
    world = build_world()
    member = make_member(world.G1, "Hoàng Văn Dũng")
    before = backup.database_summary()
    assert backup.database_summary() == before  # the same data gives the same checksums
    Member.objects.filter(pk=member.pk).update(full_name="Hoàng Văn Dung")
    after = backup.database_summary()
    changed = {name for name in before.tables if before.tables[name] != after.tables[name]}
    assert changed == {Member._meta.db_table}
    assert after.tables[Member._meta.db_table]["rows"] == before.tables[Member._meta.db_table]["rows"]


def test_compare_names_every_difference():
    archived = {
        "engine": "sqlite",
        "migrations": {"units": "0003_x"},
        "tables": {"a": {"rows": 1, "sha256": "1"}, "b": {"rows": 2, "sha256": "2"}},
        "media_included": True,
        "media": {"x.pdf": {"sha256": "x", "size": 1}},
    }
    assert backup.compare(archived, archived) == []
    restored = {
        "engine": "sqlite",
        "migrations": {"units": "0002_y"},
        "tables": {"a": {"rows": 1, "sha256": "9"}, "c": {"rows": 0, "sha256": "0"}},
        "media": {"x.pdf": {"sha256": "z", "size": 1}, "y.pdf": {"sha256": "y", "size": 1}},
    }
    assert backup.compare(archived, restored) == [
        "migrations of units: 0003_x in the archive, 0002_y restored",
        "table a: differs",
        "table b: missing after the restore",
        "table c: not in the archive",
        "media file x.pdf: differs",
        "media file y.pdf: not in the archive",
    ]


@pytest.mark.django_db(transaction=True)
def test_no_media_leaves_the_files_out(media, tmp_path):
    build_world()
    archive = backup_now(tmp_path, "--no-media")
    manifest = manifest_of(archive)
    assert (manifest["media_included"], manifest["media"]) == (False, {})
    with tarfile.open(archive) as tar:
        assert not [name for name in tar.getnames() if name.startswith("media/")]


def test_an_archive_that_reaches_outside_is_refused_and_writes_nothing_there(tmp_path):
    manifest = json.dumps({"format": 1, "database": {}, "media": {}, "tables": {}}).encode()
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (("media/../../escaped.txt", b"x"), ("/etc/absolute.txt", b"y"), ("manifest.json", manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    staging = tmp_path / "a" / "b"
    check = backup.read_archive(archive, into=staging)
    assert "unexpected entry in the archive: 'media/../../escaped.txt'" in check.problems
    assert "unexpected entry in the archive: '/etc/absolute.txt'" in check.problems
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "a" / "escaped.txt").exists()
    with pytest.raises(CommandError, match="is damaged"):
        call_command("restore", "--check", str(archive))


def test_a_missing_postgresql_client_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup, "PG_LIB_DIR", tmp_path)
    with pytest.raises(backup.BackupError, match="pg_dump is not installed"):
        backup.pg_tool("pg_dump")
    for version in ("9", "15", "13"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "pg_dump").touch()
    assert backup.pg_tool("pg_dump") == str(tmp_path / "15" / "bin" / "pg_dump")  # the newest
