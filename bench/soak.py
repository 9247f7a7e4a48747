#!/usr/bin/env python
"""Soak: the production stack under a mixed load for N minutes (issue "Production operations").

gunicorn serves the demo on PostgreSQL, with Redis as the cache, the session store and the view
buffer, and the workers of the Procfile running beside it (``send_reminders``, ``flush_views``
and ``deliver_webhooks``, each ``--loop``).
Three wrk processes drive it at once (``bench/wrk_soak.lua``), one connection per thread:

* readers: anonymous portal pages, article pages (each a new visitor, so each must be counted),
  the home page and a search;
* the province officer (``tinh.thidua``): lists, the dashboard, the reporting board and ranking
  of Plan 07, and exports (.xlsx board, .docx review);
* the officer nearest above a report still to send: saves it (a POST, form and CSRF token), reads
  it and the lists.

At the end: no 5xx, no 4xx, no socket error; p50/p95/p99 per kind of page; the resident memory of
every process sampled every 5 s (growth of each process from the first minute to the end within
``SOAK_RSS_GROWTH_MB``, 64 MB); and the portal's views in the database (after one last flush)
equal to the article pages answered. Exit status 1 when any of these fails.

    .venv/bin/python bench/soak.py                  # `make soak`: 2 minutes
    SOAK_MINUTES=30 .venv/bin/python bench/soak.py  # the long run recorded in docs/benchmarks.md

Environment: ``SOAK_MINUTES`` (2), ``SOAK_DATABASE_URL`` (postgres://postgres@127.0.0.1:5432/thidua_soak,
created and loaded with the demo if missing), ``SOAK_REDIS_URL`` (redis://127.0.0.1:6379/13),
``SOAK_WORKERS`` (3 gunicorn workers), ``DATABASE_REPLICA_URL`` (passed on when set).
"""

from __future__ import annotations

import http.cookiejar
import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from portal import GUNICORN, PYTHON, ensure_database, free_port, wait_until_serving  # noqa: E402

MINUTES = float(os.environ.get("SOAK_MINUTES", "2"))
DB_URL = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thidua_soak")
REDIS = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/13")
WORKERS = int(os.environ.get("SOAK_WORKERS", "3"))
GROWTH_MB = float(os.environ.get("SOAK_RSS_GROWTH_MB", "64"))
LUA = ROOT / "bench" / "wrk_soak.lua"
VAR = ROOT / "var" / "soak"
PASSWORD = os.environ.get("THIDUA_DEMO_PASSWORD", "ThiDua@2025")
RUN = secrets.token_hex(4)


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_") and k not in {"DATABASE_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS,
        "THIDUA_VIEW_BUFFER_URL": REDIS,
        "THIDUA_VIEW_BUFFER_PREFIX": "soak:views:",
        "THIDUA_VAR_DIR": str(VAR),
        "THIDUA_PORTAL_IP_DAILY_CAP": "0",  # every reader comes from 127.0.0.1 here
        "THIDUA_AXES_ENABLED": "0",
        "LOG_LEVEL": "WARNING",  # one line a request would bury the report
        "PYTHONPATH": str(ROOT),
    }
    if os.environ.get("DATABASE_REPLICA_URL"):
        env["DATABASE_REPLICA_URL"] = os.environ["DATABASE_REPLICA_URL"]
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], env=env, cwd=ROOT, check=True)


# --- what to request -------------------------------------------------------------------------


def targets(env: dict[str, str]) -> dict[str, Any]:
    """Paths of the demo to request (read in this process, through the ORM)."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "THIDUA_VAR_DIR", "DJANGO_SETTINGS_MODULE")})
    import django

    django.setup()
    from django.urls import reverse

    from thidua.accounts.models import User
    from thidua.campaigns.models import Plan
    from thidua.monitoring.models import Period, Report
    from thidua.portal.models import Article

    articles = [a.get_absolute_url() for a in Article.objects.public()[:40]]
    plan = Plan.objects.filter(number=7, parent__isnull=True).order_by("issued_on").first() or Plan.objects.first()
    period = Period.objects.filter(plan=plan, status=Period.Status.OPEN).order_by("-due_on").first()
    # A report of an open period still to send (the demo leaves some), written by the officer
    # nearest above or at its unit (grassroots unions without an account of their own are
    # entered by their district).
    editable = (Report.Status.DUE, Report.Status.DRAFT, Report.Status.RETURNED)
    grassroots = None
    for report in (
        Report.objects.filter(period__status=Period.Status.OPEN, status__in=editable)
        .select_related("period", "unit")
        .order_by("-unit__depth", "period__due_on", "pk")[:50]
    ):
        paths = [*report.unit.ancestor_paths(), report.unit.path]
        grassroots = (
            User.objects.filter(assignments__unit__path__in=paths, assignments__role="officer", is_active=True)
            .order_by("-assignments__unit__depth")
            .first()
        )
        if grassroots is not None:
            break
    else:
        report = None
    return {
        "articles": articles,
        "board": reverse("monitoring:board", args=[period.pk]) if period else None,
        "ranking": reverse("monitoring:ranking", args=[period.pk]) if period else None,
        "review": reverse("monitoring:review", args=[period.pk]) if period else None,
        "report": reverse("monitoring:report", args=[report.pk]) if report else None,
        "report_fields": report_fields(report) if report else {},
        "grassroots": grassroots.username if grassroots else "coso.babe",
    }


def report_fields(report: Any) -> dict[str, str]:
    from thidua.monitoring.services import criteria_of

    fields = {"narrative": "Kết quả thực hiện trong kỳ (soak)."}
    for c in criteria_of(report):
        fields[f"c{c.pk}"] = "1"  # yes, 1 (a number), 1 point
    return fields


def login(base: str, username: str) -> tuple[str, str]:
    """A session of ``username``: (Cookie header, CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    data = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base + "/"})  # noqa: S310
    opener.open(request, timeout=30).read()
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies, f"{username} could not log in"
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), cookies.get("csrftoken") or ""


def plans(t: dict[str, Any]) -> dict[str, list[str]]:
    readers = [f"article GET {path}" for path in t["articles"]]
    readers += ["portal GET /tin/", "portal GET /tin/tim-kiem/?q=thi+dua", "portal GET /tin/rss.xml"]
    officer = ["list GET /plans/", "list GET /registrations/", "list GET /monitoring/", "list GET /members/"]
    officer += ["dashboard GET /"]
    if t["board"]:
        officer += [f"dashboard GET {t['board']}", f"dashboard GET {t['ranking']}", f"dashboard GET {t['review']}"]
        officer += [f"export GET {t['board']}?format=xlsx", f"export GET {t['review']}?format=docx"]
    grassroots = ["list GET /monitoring/", "list GET /registrations/"]
    if t["report"]:
        body = urllib.parse.urlencode(t["report_fields"])
        grassroots += [f"report_save POST {t['report']} {body}", f"report GET {t['report']}"]
    return {"readers": readers, "officer": officer, "grassroots": grassroots}


# --- processes and memory ---------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Sampler(threading.Thread):
    """Resident memory of the named processes every 5 s (gunicorn's workers found afresh each time)."""

    def __init__(self, named: dict[str, int], gunicorn_pid: int) -> None:
        super().__init__(daemon=True)
        self.named, self.gunicorn_pid = named, gunicorn_pid
        self.samples: dict[str, list[tuple[float, float]]] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.stop.is_set():
            at = time.monotonic() - started
            pids = dict(self.named)
            for i, pid in enumerate(sorted(children(self.gunicorn_pid)), start=1):
                pids[f"gunicorn worker {i}"] = pid
            for name, pid in pids.items():
                self.samples.setdefault(name, []).append((at, rss_mb(pid)))
            self.stop.wait(5)


def run_wrk(name: str, lines: list[str], seconds: float, threads: int, cookie: str, csrf: str, base: str) -> Any:
    plan_file = Path(tempfile.mkstemp(prefix=f"soak-{name}-", suffix=".txt")[1])
    plan_file.write_text("\n".join(lines) + "\n")
    command = [
        shutil.which("wrk") or "wrk",
        "-t",
        str(threads),
        "-c",
        str(threads),
        "-d",
        f"{int(seconds + 120)}s",
        "--timeout",
        "60s",
        "-s",
        str(LUA),
        base + "/",
        "--",
        str(plan_file),
        str(seconds),
        cookie or "none=1",
        csrf or "none",
        f"soak-{RUN}-{name}",  # readers new to the portal on every run (its deduplication lasts 30 min)
    ]
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    done, out = 0, []
    assert wrk.stdout is not None
    for line in wrk.stdout:
        out.append(line)
        if line.startswith("SOAK-THREAD-DONE"):
            done += 1
            if done == threads:
                wrk.send_signal(signal.SIGINT)  # wrk would sleep out its -d
    wrk.wait()
    plan_file.unlink()
    result = next((line for line in out if line.startswith("SOAK-RESULT ")), None)
    if result is None:
        raise SystemExit(f"wrk ({name}) printed no result:\n{''.join(out)[-3000:]}")
    merged: dict[str, Any] = {"counted": 0, "labels": {}}
    merged |= json.loads(result[len("SOAK-RESULT ") :])
    for line in out:
        if line.startswith("SOAK-THREAD "):
            thread = json.loads(line[len("SOAK-THREAD ") :])
            merged["counted"] += thread["counted"]
            for label, s in thread["labels"].items():
                m = merged["labels"].setdefault(
                    label, {"n": 0, "ok": 0, "redirect": 0, "client": 0, "server": 0, "ms": []}
                )
                for key in ("n", "ok", "redirect", "client", "server"):
                    m[key] += s[key]
                m["ms"] += s["ms"]
    for m in merged["labels"].values():
        ms = sorted(m.pop("ms"))
        for p in (50, 95, 99):
            m[f"p{p}"] = ms[max(0, math.ceil(len(ms) * p / 100) - 1)] if ms else 0.0
    return merged


def recorded_views(env: dict[str, str]) -> int:
    manage(env, "flush_views")
    from django.db.models import Sum

    from thidua.portal.models import SiteDay

    return int(SiteDay.objects.aggregate(n=Sum("views"))["n"] or 0)


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("bench/soak.py needs wrk (apt-get install wrk)")
    ensure_database(DB_URL)
    VAR.mkdir(parents=True, exist_ok=True)
    env = server_env()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo", "--if-empty")
    manage(env, "collectstatic", "--noinput", "-v0")
    t = targets(env)
    before = recorded_views(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = VAR / "gunicorn.log"
    seconds = MINUTES * 60
    command = [str(GUNICORN), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    command += ["--error-logfile", str(log), "--log-level", "warning", "--no-control-socket"]
    server = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    workers = {
        name: subprocess.Popen(
            [str(PYTHON), "manage.py", name, "--loop"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=(VAR / f"{name}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for name in ("send_reminders", "flush_views", "deliver_webhooks")
    }
    failures: list[str] = []
    try:
        wait_until_serving(server, base + "/healthz", log)
        sessions = {
            "readers": ("", ""),
            "officer": login(base, "tinh.thidua"),
            "grassroots": login(base, t["grassroots"]),
        }
        sampler = Sampler({"gunicorn master": server.pid} | {n: w.pid for n, w in workers.items()}, server.pid)
        sampler.start()
        results: dict[str, Any] = {}
        load = {"readers": 2, "officer": 1, "grassroots": 1}
        lines = plans(t)
        runners = [
            threading.Thread(
                target=lambda n=name: results.__setitem__(n, run_wrk(n, lines[n], seconds, load[n], *sessions[n], base))
            )
            for name in load
        ]
        print(f"Soak: {MINUTES:g} min against {base} ({WORKERS} gunicorn workers, PostgreSQL, Redis)…", flush=True)
        for runner in runners:
            runner.start()
        for runner in runners:
            runner.join()
        sampler.stop.set()
        sampler.join()
        for name, worker in workers.items():
            if worker.poll() is not None:
                failures.append(f"worker {name} exited with {worker.returncode}")
    finally:
        for process in (server, *workers.values()):
            process.send_signal(signal.SIGTERM)
        for process in (server, *workers.values()):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    views = recorded_views(env) - before
    counted = sum(r["counted"] for r in results.values())
    print(
        f"\n{'page kind':<14}{'requests':>10}{'2xx':>8}{'3xx':>6}{'4xx':>6}{'5xx':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    )
    for name, result in results.items():
        if result["socket_errors"]:
            failures.append(f"{name}: {result['socket_errors']} socket errors")
        for label, s in sorted(result["labels"].items()):
            print(
                f"{name + ':' + label:<14}{s['n']:>10}{s['ok']:>8}{s['redirect']:>6}{s['client']:>6}{s['server']:>6}"
                f"{s['p50']:>9.1f}{s['p95']:>9.1f}{s['p99']:>9.1f}"
            )
            if s["client"] or s["server"]:
                failures.append(f"{name}:{label}: {s['client']} 4xx, {s['server']} 5xx")
    print(f"\n{'process':<20}{'first min MB':>13}{'end MB':>9}{'max MB':>9}")
    for name, samples in sampler.samples.items():
        values = [mb for _at, mb in samples if mb]
        if not values:
            continue
        first = (
            max(mb for at, mb in samples if at <= 60 and mb)
            if any(at <= 60 and mb for at, mb in samples)
            else values[0]
        )
        print(f"{name:<20}{first:>13.1f}{values[-1]:>9.1f}{max(values):>9.1f}")
        if values[-1] - first > GROWTH_MB:
            failures.append(f"{name} grew {values[-1] - first:.1f} MB (bound {GROWTH_MB:g})")
    print(f"\nArticle pages answered 200 (each a new reader): {counted:,}; views recorded: {views:,}")
    if views != counted:
        failures.append(f"views recorded {views} != article pages answered {counted}")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print("\nOK: no errors, memory within bounds, view counts exact.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
