"""The deployment examples hold: the Procfile and the systemd units name commands that exist
and that systemd accepts, nginx accepts its example, and the settings a national deployment sets
(a replica, Redis) give the routing and the shared sessions docs/deploy.md describes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, NoReturn

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.management import load_command_class
from django.core.management.base import BaseCommand
from django.urls import reverse
from honcho.environ import parse_procfile

from thidua.testing import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[3]
UNITS = ROOT / "deploy" / "systemd"
WORKER_APPS = {"send_reminders": "thidua.monitoring", "flush_views": "thidua.portal", "deliver_webhooks": "thidua.ops"}
SESSION_REDIS = "redis://127.0.0.1:6379/14"  # the view buffer's tests use 15


def missing(reason: str) -> NoReturn:
    """Skip, or fail under THIDUA_REQUIRE_ALL=1 (CI), where a tool or service is missing."""
    (pytest.fail if os.environ.get("THIDUA_REQUIRE_ALL") == "1" else pytest.skip)(reason)


def procfile() -> dict[str, str]:
    return parse_procfile((ROOT / "Procfile").read_text(encoding="utf-8")).processes


def test_every_procfile_worker_is_a_looping_command_named_as_its_heartbeat():
    processes = procfile()
    assert {"web", "web-prod"} <= processes.keys()
    workers = {name: cmd for name, cmd in processes.items() if not name.startswith("web")}
    assert workers.keys() == WORKER_APPS.keys()
    for name, cmd in workers.items():
        assert cmd == f"exec .venv/bin/python manage.py {name} --loop"
        command = load_command_class(WORKER_APPS[name], name)
        assert isinstance(command, BaseCommand)
        assert command.create_parser("manage.py", name).parse_args(["--loop"]).loop is True


def test_the_makefile_starts_procfile_processes():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    workers = re.search(r"^WORKERS := (.*)$", makefile, re.MULTILINE)
    assert workers is not None
    named = set(re.findall(r"[a-z_]+", workers.group(1).replace("$(if $(THIDUA_VIEW_BUFFER_URL),", " ")))
    assert named == set(WORKER_APPS)
    assert "$(SUPERVISE) web $(WORKERS)" in makefile and "$(SUPERVISE) web-prod $(WORKERS)" in makefile


def test_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        missing("systemd-analyze is not installed (apt-get install systemd): the units were not verified")
    # The units as an operator would install them, pointed at this checkout's virtualenv.
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8").replace("/srv/thidua", str(ROOT))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    template = (tmp_path / "thidua-worker@.service").read_text(encoding="utf-8")
    instances = [f"thidua-worker@{name}.service" for name in WORKER_APPS]
    for instance in instances:
        (tmp_path / instance).write_text(template, encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - our own unit files, a fixed tool
        [analyze, "verify", *(str(tmp_path / n) for n in ("thidua-web.service", "thidua.target", *instances))],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Unknown keys and bad values are only warnings: any line about our units is a mistake.
    assert "thidua" not in output, output


def test_nginx_example_config_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    openssl = shutil.which("openssl")
    if nginx is None or openssl is None:
        missing("nginx or openssl is not installed (apt-get install nginx-light): the example was not checked")
    # The example as an operator would install it, with a throwaway certificate where theirs would be.
    subprocess.run(  # noqa: S603 - a fixed tool on our own temporary files
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=thidua.example.vn"),
            *("-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    live = "/etc/letsencrypt/live/thidua.example.vn/"
    text = (ROOT / "deploy" / "nginx" / "thidua.conf").read_text(encoding="utf-8")
    assert f"{live}fullchain.pem" in text and f"{live}privkey.pem" in text
    text = text.replace(f"{live}fullchain.pem", str(tmp_path / "cert.pem"))
    (tmp_path / "thidua.conf").write_text(text.replace(f"{live}privkey.pem", str(tmp_path / "key.pem")))
    # What Debian's /etc/nginx/nginx.conf provides around a conf.d file: the http block.
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include {tmp_path}/thidua.conf;\n}}\n"
    )
    result = subprocess.run(  # noqa: S603 - a fixed tool on our own temporary files
        [nginx, "-t", "-p", f"{tmp_path}/", "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "test is successful" in output, output
    # nginx 1.25+ warns that `listen … http2` is deprecated; any other warning is a mistake.
    assert all("http2" in line for line in output.splitlines() if "[warn]" in line), output


def _settings_with(**environ: str) -> dict[str, Any]:
    """What config/settings.py makes of this environment, read in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "THIDUA_RE"))}
    env.update(environ)
    script = (
        "import json; from config import settings as s; print(json.dumps({"
        "'databases': {k: {f: v.get(f) for f in ('ENGINE', 'HOST', 'PORT', 'NAME', 'CONN_MAX_AGE', 'TEST', 'OPTIONS')}"
        " for k, v in s.DATABASES.items()}, 'routers': s.DATABASE_ROUTERS, 'middleware': s.MIDDLEWARE,"
        " 'session_engine': getattr(s, 'SESSION_ENGINE', None), 'caches': s.CACHES}, default=str))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=60
    )
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1]}
    return json.loads(result.stdout)


def test_a_replica_url_adds_the_replica_its_router_and_read_your_writes():
    primary = "postgres://thidua@10.0.2.10:5432/thidua"
    plain = _settings_with(DATABASE_URL=primary)
    assert set(plain["databases"]) == {"default"} and plain["routers"] == []
    assert "thidua.ops.routers.ReadYourWritesMiddleware" not in plain["middleware"]

    configured = _settings_with(DATABASE_URL=primary, DATABASE_REPLICA_URL="postgres://thidua@10.0.2.11:5432/thidua")
    replica = configured["databases"]["replica"]
    assert (replica["ENGINE"], replica["HOST"], replica["NAME"]) == (
        "django.db.backends.postgresql",
        "10.0.2.11",
        "thidua",
    )
    assert replica["TEST"] == {"MIRROR": "default"} and replica["CONN_MAX_AGE"] == 300
    assert replica["OPTIONS"] == {"connect_timeout": 2}  # a dead replica is given up on quickly, no pool
    assert configured["routers"] == ["thidua.ops.routers.ReplicaRouter"]
    middleware = configured["middleware"]
    assert middleware[-1] == "axes.middleware.AxesMiddleware"
    assert middleware[-2] == "thidua.ops.routers.ReadYourWritesMiddleware"

    assert "PostgreSQL" in _settings_with(DATABASE_REPLICA_URL="postgres://thidua@10.0.2.11/thidua")["error"]
    stale = _settings_with(
        DATABASE_URL=primary,
        DATABASE_REPLICA_URL="postgres://thidua@10.0.2.11/thidua",
        THIDUA_REPLICA_MAX_LAG_S="10",
        THIDUA_READ_YOUR_WRITES_S="5",
    )
    assert "THIDUA_READ_YOUR_WRITES_S" in stale["error"]  # a user could read a replica without their write


def test_redis_url_makes_redis_the_cache_and_the_session_store():
    assert _settings_with()["session_engine"] is None  # Django's default: sessions in the database
    shared = _settings_with(REDIS_URL="redis://10.0.2.20:6379/0")
    assert shared["session_engine"] == "django.contrib.sessions.backends.cache"
    assert shared["caches"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://10.0.2.20:6379/0",
    }


@pytest.mark.django_db
def test_a_login_session_lives_in_redis_and_is_read_back_from_it(client, settings):
    try:
        redis.Redis.from_url(SESSION_REDIS, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        missing(f"Redis is not reachable at {SESSION_REDIS}: {exc}")
    prefix = f"test-sessions-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": SESSION_REDIS,
            "KEY_PREFIX": prefix,
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    make_user("doc.gia")
    client_redis = redis.Redis.from_url(SESSION_REDIS)
    try:
        response = client.post(reverse("accounts:login"), {"username": "doc.gia", "password": PASSWORD})
        assert response.status_code == 302
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        stored = [k.decode() for k in client_redis.scan_iter(match=f"{prefix}:*")]
        assert any(k.endswith(key) for k in stored), stored  # in Redis, where every node finds it
        assert not Session.objects.exists()  # and not in the database
        assert client.get(reverse("dashboard:home")).status_code == 200  # read back: still signed in
        for k in stored:
            client_redis.delete(k)
        assert client.get(reverse("dashboard:home")).status_code == 302  # gone from Redis: signed out
    finally:
        for k in client_redis.scan_iter(match=f"{prefix}:*"):
            client_redis.delete(k)
