#!/usr/bin/env python
"""`make test`: the suite on SQLite, then on PostgreSQL, browser tests in Chromium.

Prints what it skipped and why. With THIDUA_REQUIRE_ALL=1 (CI) a missing
PostgreSQL or Chromium is a failure, and so is any skipped test.

For the PostgreSQL run it starts a streaming replica of that server (scripts/replica.py: a
temporary copy on another port, removed afterwards) and names it to the replica tests in
THIDUA_TEST_REPLICA_URL; a replica that cannot start is reported like the other skips.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import replica as replicas  # scripts/replica.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REQUIRE_ALL = os.environ.get("THIDUA_REQUIRE_ALL") == "1"
PG_URL = os.environ.get("THIDUA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/thidua")


def postgres_reachable(url: str) -> tuple[bool, str]:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - installed with the project
        return False, f"psycopg missing: {exc}"
    base, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(base + "/postgres", connect_timeout=3, autocommit=True) as conn:
            # Django creates test_<name> itself, but connects to <name> first.
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable", reported below
        return False, str(exc).strip().splitlines()[0]
    return True, ""


def start_replica(skipped: list[str]) -> replicas.Replica | None:
    """A streaming replica of PG_URL's server for the replica tests, or None (said in ``skipped``)."""
    print("\n=== Starting a streaming replica of the PostgreSQL server (scripts/replica.py) ===", flush=True)
    started = time.monotonic()
    try:
        replica = replicas.start(PG_URL)
    except replicas.ReplicaError as exc:
        print(f"No replica: {exc}", flush=True)
        skipped.append(f"replica tests: no streaming replica could be started ({exc})")
        return None
    for note in replica.notes:
        print(f"NOTE: {note}", flush=True)
    print(f"Replica streaming on port {replica.port} ({time.monotonic() - started:.0f}s)", flush=True)
    return replica


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run(label: str, args: list[str], env: dict[str, str]) -> int:
    print(f"\n=== {label} ===", flush=True)
    started = time.monotonic()
    code = subprocess.call([PYTHON, "-m", "pytest", *args], cwd=ROOT, env=env)
    print(f"=== {label}: exit {code} in {time.monotonic() - started:.0f}s ===", flush=True)
    return code


def main() -> int:
    # A CI runner that gives up sends SIGTERM: unwind, so the replica is stopped and removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    extra = sys.argv[1:]
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base_env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    base_env["THIDUA_VAR_DIR"] = str(ROOT / "var" / "test")
    (ROOT / "var" / "test").mkdir(parents=True, exist_ok=True)
    skipped: list[str] = []
    results: dict[str, int] = {}

    print("=== Lint: ruff, mypy, migrations up to date ===", flush=True)
    venv_bin = Path(PYTHON).parent
    lint = [
        [str(venv_bin / "ruff"), "check", "."],
        [str(venv_bin / "ruff"), "format", "--check", "--quiet", "."],
        [str(venv_bin / "mypy"), "--no-error-summary", "thidua", "config"],
        # A model change without its migration fails here, not on a production deploy.
        [PYTHON, "manage.py", "makemigrations", "--check", "--dry-run", "-v0"],
    ]
    results["lint"] = max(subprocess.call(cmd, cwd=ROOT, env=base_env) for cmd in lint)

    browser = chromium_path()
    sqlite_marks = "not postgres_only"
    if not browser:
        skipped.append("browser tests: no Chromium found (apt-get install chromium)")
        sqlite_marks += " and not browser"
    results["SQLite"] = run("SQLite" + (" + Chromium" if browser else ""), ["-m", sqlite_marks, *extra], base_env)

    ok, why = postgres_reachable(PG_URL)
    if ok:
        pg_env = dict(base_env, DATABASE_URL=PG_URL, THIDUA_DB_POOL="0")
        pg_env.pop("THIDUA_TEST_REPLICA_URL", None)
        replica = start_replica(skipped)
        label = "PostgreSQL"
        if replica is not None:
            pg_env["THIDUA_TEST_REPLICA_URL"] = replica.url(PG_URL.rsplit("/", 1)[1])
            label += f" + streaming replica on port {replica.port}"
        try:
            results["PostgreSQL"] = run(label, ["-m", "not browser", *extra], pg_env)
        finally:
            if replica is not None:
                replica.stop()
                print(f"Replica on port {replica.port} stopped; {replica.workdir} removed.", flush=True)
    else:
        skipped.append(f"PostgreSQL run: {PG_URL} not reachable ({why})")

    print("\n=== Summary ===")
    for label, code in results.items():
        print(f"{label}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    for line in skipped:
        print(f"SKIPPED {line}")
    if any(code != 0 for code in results.values()):
        return 1
    if skipped and REQUIRE_ALL:
        print("THIDUA_REQUIRE_ALL=1: skipped parts count as failures.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
