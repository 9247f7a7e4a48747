#!/usr/bin/env python
"""Public article page throughput: our view counting against django-hitcount, side by side.

One gunicorn server (settings ``bench.hitcount_settings``: the project's settings plus
django-hitcount) serves one public article over loopback; wrk drives it in four modes:

1. **page**: GET the article page without counting: the client announces itself as a bot,
   so the view does everything but the counting writes;
2. **view**: what a real reader costs with our counting: GET the page, which counts the view
   in the same request (``thidua.portal.counting.count_view``; the beacon ``/tin/v/`` is only
   for pages restored from the back/forward cache). Every reader has its own User-Agent, so
   every page is a new visitor that must be counted (the 30-minute deduplication never
   applies);
3. **hitcount**: the same page, our own counting off (a bot client), counted by django-hitcount
   (``bench/hitcount_urls.py``: our article view, then ``HitCountMixin.hit_count`` like
   ``HitCountDetailView(count_hit=True)``; a new session per visitor, one ``Hit`` row);
4. **hitcount_full**: hitcount as it is usually deployed: the page rendered on every request
   (no page cache: hitcount counts in the view, with a session cookie), then counted.

The metric is article views per second. The modes are
interleaved (their order rotates every round), each warmed up once; the table shows the median
of ``BENCH_ROUNDS`` runs, on PostgreSQL and on SQLite (the embedded default).

Exactness, checked after every run: wrk runs one connection per thread and each thread stops
itself from ``response()`` after a quota of answered counted requests (``bench/wrk_views.lua``),
so no request is in flight at the end; then the views recorded in the database must equal the
counted requests answered: ``SUM(portal_siteday.views)`` grows by the pages answered ("view"),
hitcount's ``Hit`` rows by the pages answered ("hitcount"), and neither by anything else. A
mismatch fails the run (exit status 1).

The machine's cores are shared by gunicorn, wrk and the database server, so absolute figures
are low; each run also reports the CPU that other processes of the machine took meanwhile
(``/proc``), since a test suite running beside the bench skews the ratios.

    .venv/bin/python bench/portal.py
    BENCH_PORTAL_DBS=sqlite BENCH_ROUNDS=5 .venv/bin/python bench/portal.py

Environment: ``BENCH_PORTAL_DBS`` (``postgresql,postgresql+redis,sqlite``; ``+redis`` turns on the
Redis view buffer, ``BENCH_PORTAL_REDIS_URL``, default redis://127.0.0.1:6379/14, with its worker
``manage.py flush_views --loop`` running beside gunicorn as in production), ``BENCH_ROUNDS`` (3),
``BENCH_PORTAL_WORKERS`` (2 sync gunicorn workers), ``BENCH_PORTAL_CONNECTIONS`` (2: wrk
threads = connections), ``BENCH_PORTAL_QUOTA`` (counted requests per wrk thread and run; by
default calibrated from the warm-up so that a run takes about ``BENCH_PORTAL_SECONDS``, 7 s),
``BENCH_PORTAL_DATABASE_URL`` (postgres://postgres@127.0.0.1:5432/thidua_portal_bench, created
if missing; its counting tables are emptied at the start). SQLite lives in a temporary
``THIDUA_VAR_DIR``, which also receives ``collectstatic`` (DEBUG=0 needs the manifest).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench.hitcount_settings
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LUA = ROOT / "bench" / "wrk_views.lua"
SETTINGS = "bench.hitcount_settings"

REDIS_URL = os.environ.get("BENCH_PORTAL_REDIS_URL", "redis://127.0.0.1:6379/14")
PG_URL = os.environ.get("BENCH_PORTAL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thidua_portal_bench")
DATABASES = [
    name.strip()
    for name in os.environ.get("BENCH_PORTAL_DBS", "postgresql,postgresql+redis,sqlite").split(",")
    if name.strip()
]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_PORTAL_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_PORTAL_CONNECTIONS", "2"))
QUOTA = int(os.environ.get("BENCH_PORTAL_QUOTA", "0"))  # 0: calibrated from the warm-up
TARGET_SECONDS = float(os.environ.get("BENCH_PORTAL_SECONDS", "7"))
WARMUP_QUOTA = 60  # counted requests per thread in a warm-up run
BUSY_CORES = 0.2  # other processes taking more than this during a run make its figures suspect
WRK_LIMIT = "120s"  # upper bound; threads stop on their quota long before

MODES = ("page", "view", "hitcount", "hitcount_full")
HITCOUNT_MODES = ("hitcount", "hitcount_full")
BEACON_PATH = "/tin/v/"
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
PAGE_UA = "Mozilla/5.0 (compatible; bench-probe-bot/1.0)"  # a bot: served, never counted

ROOT_UNIT, PROVINCE_UNIT = "BENCH-PORTAL", "BENCH-PORTAL-P"
TARGET_TITLE = "Liên đoàn Lao động tỉnh phát động thi đua chào mừng Đại hội Công đoàn các cấp nhiệm kỳ 2023-2028"
TITLES = [
    "Hội nghị tổng kết phong trào thi đua lao động giỏi năm 2024",
    "Trao Mái ấm Công đoàn cho đoàn viên có hoàn cảnh khó khăn",
    "Tập huấn nghiệp vụ công tác thi đua, khen thưởng cho cán bộ công đoàn cơ sở",
    "Phát động Tháng Công nhân với chủ đề an toàn lao động",
    "Biểu dương 100 công nhân lao động tiêu biểu của tỉnh",
    "Đối thoại giữa lãnh đạo tỉnh với công nhân lao động các khu công nghiệp",
    "Ký kết thỏa ước lao động tập thể ngành giáo dục",
    "Giải bóng đá công nhân viên chức lao động mở rộng",
    "Công đoàn ngành Y tế tổ chức Chương trình Tết Sum vầy",
    "Sơ kết 6 tháng thực hiện Nghị quyết Đại hội Công đoàn tỉnh",
    "Hội thi Cán bộ công đoàn cơ sở giỏi năm 2025",
    "Tuyên truyền Luật Công đoàn năm 2024 đến đoàn viên",
    "Khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong phong trào Xanh - Sạch - Đẹp",
    "Hội nghị Ban Chấp hành Liên đoàn Lao động tỉnh lần thứ 5",
    "Thăm hỏi, tặng quà công nhân bị tai nạn lao động",
    "Phong trào Lao động sáng tạo: 45 sáng kiến được công nhận",
    "Công đoàn các khu công nghiệp ra mắt Điểm sinh hoạt văn hóa công nhân",
    "Chương trình Phúc lợi cho đoàn viên năm 2025",
    "Hướng dẫn đăng ký danh hiệu thi đua năm 2025",
    "Kết quả kiểm tra, giám sát tài chính công đoàn năm 2024",
    "Gặp mặt nữ cán bộ công đoàn nhân kỷ niệm Ngày Phụ nữ Việt Nam",
    "Liên đoàn Lao động huyện tổ chức Ngày hội Văn hóa - Thể thao",
    "Phát triển đoàn viên, thành lập công đoàn cơ sở trong doanh nghiệp ngoài nhà nước",
    "Tổng kết Tháng hành động về an toàn, vệ sinh lao động",
    "Diễn đàn Công nhân với văn hóa giao thông",
    "Trao học bổng cho con đoàn viên vượt khó học giỏi",
    "Hội nghị người lao động năm 2025 tại các cơ quan, đơn vị",
    "Thi đua cao điểm chào mừng kỷ niệm 95 năm Ngày thành lập Công đoàn Việt Nam",
    "Tọa đàm nâng cao chất lượng hoạt động công đoàn cơ sở",
]
CATEGORIES = [
    ("Tin hoạt động công đoàn", "tin-hoat-dong-cong-doan"),
    ("Thi đua - Khen thưởng", "thi-dua-khen-thuong"),
    ("Chính sách - Pháp luật", "chinh-sach-phap-luat"),
    ("Văn hóa - Thể thao", "van-hoa-the-thao"),
]


# --- seeding (runs after django.setup()) -------------------------------------------------


def seed() -> tuple[int, str]:
    """One province, ~30 public articles in four sections and a view history; returns (pk, slug)."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.html import escape

    from thidua.portal import demo
    from thidua.portal.counting import clock
    from thidua.portal.models import Article, Tag, slug_for
    from thidua.portal.tests.factories import category, make_article
    from thidua.testing import make_unit

    target = Article.objects.filter(unit__code=PROVINCE_UNIT, title=TARGET_TITLE).first()
    if target is not None:
        return target.pk, target.slug
    body = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in demo._seed_paragraphs() * 2)
    now = timezone.now()
    with transaction.atomic():
        root = make_unit(None, "Tổng Liên đoàn Lao động Việt Nam (bench)", "confederation", code=ROOT_UNIT)
        province = make_unit(root, "Liên đoàn Lao động tỉnh Bench", "provincial-federation", code=PROVINCE_UNIT)
        sections = [category(name, slug) for name, slug in CATEGORIES]
        for index, title in enumerate(TITLES):
            make_article(
                province,
                title,
                public=True,
                category=sections[index % len(sections)],
                body=body,
                featured=index % 9 == 0,
                publish_at=now - dt.timedelta(hours=3 + 11 * index),
            )
        target = make_article(
            province,
            TARGET_TITLE,
            public=True,
            category=sections[0],
            body=body,
            author_line="Ban Tuyên giáo LĐLĐ tỉnh",
            publish_at=now - dt.timedelta(hours=3 + 11 * 14 + 5),  # in the middle: a previous and a next article
        )
        names = ["Đại hội Công đoàn", "Thi đua yêu nước", "Kế hoạch 07/KH-LĐLĐ"]
        target.tags.set([Tag.objects.get_or_create(slug=slug_for(n), defaults={"name": n})[0] for n in names])
        # The demo's footer history (about 1,100 days of SiteDay and ArticleDay rows).
        demo.load_view_history(demo.reference_date(clock.local_day()), target)
    return target.pk, target.slug


def reset_counting() -> None:
    """Start every run of the bench from the same state: no visitors, sessions or hitcount rows."""
    from django.contrib.sessions.models import Session
    from hitcount.models import Hit, HitCount

    from thidua.portal import counting
    from thidua.portal.models import Seen, SiteVisitor

    for model in (Hit, HitCount, Session, Seen, SiteVisitor):
        model.objects.all().delete()
    buffer = counting.redis_buffer()
    if buffer is not None:  # start from an empty buffer; its totals are rebuilt from the database
        for key in buffer.client.scan_iter(match=buffer.prefix + "*"):
            buffer.client.delete(key)


def recorded() -> dict[str, int]:
    """What the database holds: our views (all days) and hitcount's hits."""
    from django.db.models import Sum
    from hitcount.models import Hit

    from thidua.portal import counting
    from thidua.portal.models import SiteDay

    counting.flush()  # buffered views count once they are in the database (nothing to do without a buffer)
    return {"views": SiteDay.objects.aggregate(n=Sum("views", default=0))["n"], "hits": Hit.objects.count()}


def queries_per_view(paths: dict[str, str], article_id: int) -> dict[str, int]:
    """Database queries of one view in each mode (Django's test client, in this process)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")

    def reader() -> dict[str, str]:  # a new visitor each time
        return {"User-Agent": f"{UA} bench-queries-{uuid.uuid4().hex[:10]}"}

    counts = {}
    for name, send in (
        ("page", lambda: client.get(paths["page"], headers={"User-Agent": PAGE_UA})),
        ("view", lambda: client.get(paths["view"], headers=reader())),
        ("beacon", lambda: client.post(BEACON_PATH, {"a": article_id}, headers=reader())),
        ("hitcount", lambda: client.get(paths["hitcount"], headers={"User-Agent": PAGE_UA})),
        ("hitcount_full", lambda: client.get(paths["hitcount_full"], headers={"User-Agent": PAGE_UA})),
    ):
        send()  # caches (content types, the day's salt) as a running server has them
        client.cookies.clear()
        with CaptureQueriesContext(connection) as captured:
            response = send()
        client.cookies.clear()
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(captured)
    return counts


# --- server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path, probe_path: str) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        str(GUNICORN),
        "config.wsgi:application",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}{probe_path}", log)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def flush_worker(env: dict[str, str], buffered: bool, log: Path) -> Iterator[int]:
    """With the Redis buffer, its worker flushing every 5 s beside gunicorn; yields its pid (0 without)."""
    if not buffered:
        yield 0
        return
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [str(PYTHON), "manage.py", "flush_views", "--loop"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield worker.pid
        finally:
            worker.send_signal(signal.SIGTERM)
            if worker.wait(timeout=30) != 0:
                raise SystemExit(f"the flush worker exited with {worker.returncode}:\n{log.read_text()[-3000:]}")


def wait_until_serving(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (our loopback server)
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within 60 s:\n{log.read_text(errors='replace')[-3000:]}")


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Run:
    mode: str
    round: int  # 0: warm-up
    quota: int
    seconds: float
    views: int  # counted requests answered (pages)
    pages: int
    beacons: int
    beacons_new: int
    failed: int
    late: int
    errors: int
    stopped: int
    views_recorded: int  # delta of SUM(portal_siteday.views)
    hits_recorded: int  # delta of hitcount Hit rows
    other_cores: float  # CPU taken by other processes of the machine during the run, in cores

    @property
    def rate(self) -> float:
        return self.views / self.seconds if self.seconds else 0.0

    @property
    def expected(self) -> dict[str, int]:
        return {
            "views": self.views if self.mode == "view" else 0,
            "hits": self.views if self.mode in HITCOUNT_MODES else 0,
        }

    @property
    def exact(self) -> bool:
        recorded_now = {"views": self.views_recorded, "hits": self.hits_recorded}
        return (
            recorded_now == self.expected
            and self.stopped == CONNECTIONS
            and self.late == 0
            and self.failed == 0
            and self.errors == 0
        )


@dataclass(frozen=True)
class Target:
    """The running server and the article it serves."""

    port: int
    server_pid: int
    worker_pid: int  # the view buffer's flush worker (0: no buffer)
    article_id: int
    paths: dict[str, str]  # mode -> page path


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(server_pid: int, worker_pid: int = 0) -> tuple[float, float]:
    """(CPU time of the whole machine, of the bench's own processes) so far, in seconds.

    Ours: the gunicorn master and workers, the view buffer's flush worker, the database
    server's processes, this process and its finished children (wrk). The difference over a
    run is what other work took.
    """
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    busy = (sum(values) - values[3] - values[4]) / CLOCK_TICKS  # all but idle and iowait
    ours = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm, fields = raw[raw.index("(") + 1 : raw.rindex(")")], raw[raw.rindex(")") + 2 :].split()
        if int(entry.name) in (server_pid, worker_pid) or int(fields[1]) == server_pid or comm == "postgres":
            ours += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        ours += usage.ru_utime + usage.ru_stime
    return busy, ours


def run_wrk(mode: str, target: Target, quota: int) -> dict[str, Any]:
    """One wrk run; interrupted (SIGINT: wrk prints its summary) once every thread hit its quota."""
    ua_prefix = f"{UA} bench-{uuid.uuid4().hex[:10]}"
    command = [
        "wrk",
        "-t",
        str(CONNECTIONS),
        "-c",
        str(CONNECTIONS),
        "-d",
        WRK_LIMIT,
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{target.port}/",
        "--",
        mode,
        target.paths[mode],
        BEACON_PATH,
        str(target.article_id),
        str(quota),
        ua_prefix,
    ]
    done, result, output = 0, None, []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as wrk:
        assert wrk.stdout is not None
        for line in wrk.stdout:
            output.append(line)
            if line.startswith("BENCH-THREAD-DONE"):
                done += 1
                if done == CONNECTIONS:
                    wrk.send_signal(signal.SIGINT)  # wrk sleeps out -d otherwise
            elif line.startswith("BENCH-RESULT "):
                result = json.loads(line.removeprefix("BENCH-RESULT "))
    if result is None:
        raise SystemExit("wrk printed no result:\n" + "".join(output))
    return result


def measure(mode: str, round_: int, quota: int, target: Target) -> Run:
    before = recorded()
    started, (busy, ours) = time.monotonic(), cpu_seconds(target.server_pid, target.worker_pid)
    result = run_wrk(mode, target, quota)
    busy_after, ours_after = cpu_seconds(target.server_pid, target.worker_pid)
    elapsed = time.monotonic() - started
    after = recorded()
    run = Run(
        mode=mode,
        round=round_,
        quota=quota,
        seconds=result["seconds"],
        views=result["counted"],
        pages=result["pages"],
        beacons=result["beacons"],
        beacons_new=result["beacons_new"],
        failed=result["failed"],
        late=result["late"],
        errors=sum(result[f"{kind}_errors"] for kind in ("connect", "read", "write", "timeout")),
        stopped=result["stopped"],
        views_recorded=after["views"] - before["views"],
        hits_recorded=after["hits"] - before["hits"],
        other_cores=max(0.0, (busy_after - busy) - (ours_after - ours)) / elapsed,
    )
    label = "warm-up" if round_ == 0 else f"round {round_}"
    sent = f"{run.pages} pages"
    print(
        f"  {label:<8} {mode:<9} {run.rate:8.1f} views/s  {run.views:>6} views in {run.seconds:6.2f} s  "
        f"sent {sent}, recorded {run.views_recorded} views / {run.hits_recorded} hits"
        f"  other load {run.other_cores:.2f}  {'PASS' if run.exact else 'FAIL'}"
        f"{'' if run.exact else f' (failed {run.failed}, socket errors {run.errors}, late {run.late}, stopped {run.stopped})'}",
        flush=True,
    )
    return run


@dataclass
class Result:
    database: str
    server: str
    queries: dict[str, int] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    seconds: float = 0.0


def server_env(database: str, var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL"} and not key.startswith("THIDUA_")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DEBUG": "0",
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "THIDUA_VAR_DIR": str(var_dir),
        "PYTHONPATH": str(ROOT),
        "THIDUA_PORTAL_IP_DAILY_CAP": "0",  # every reader comes from 127.0.0.1 here
    }
    if database.startswith("postgresql"):
        env["DATABASE_URL"] = PG_URL
    if database.endswith("+redis"):
        env["THIDUA_VIEW_BUFFER_URL"] = REDIS_URL
        env["THIDUA_VIEW_BUFFER_PREFIX"] = "bench:views:"
    return env


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def bench_database(database: str) -> Result:
    """Everything for one database, in this (child) process: it owns django.setup()."""
    started = time.monotonic()
    var_dir = Path(tempfile.mkdtemp(prefix="thidua-portal-bench-"))
    try:
        env = server_env(database, var_dir)
        if database.startswith("postgresql"):
            ensure_database(PG_URL)
        manage = [str(PYTHON), "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection

        from thidua.portal.counting import rules

        assert not rules.is_bot(f"{UA} bench-0123456789-1-1"), "the bench's User-Agent would be taken for a bot"
        article_id, slug = seed()
        reset_counting()
        paths = {
            "page": f"/tin/{article_id}/{slug}/",
            "view": f"/tin/{article_id}/{slug}/",
            "hitcount": f"/bench-hitcount/{article_id}/{slug}/",
            "hitcount_full": f"/bench-hitcount-full/{article_id}/{slug}/",
        }
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
            version = cursor.fetchone()[0].split()[0]
        result = Result(database=database, server=f"{connection.display_name} {version}")
        result.queries = queries_per_view(paths, article_id)
        print(f"  queries per view: {result.queries}", flush=True)
        connection.close()
        port = free_port()
        with (
            gunicorn(env, port, var_dir / "gunicorn.log", paths["page"]) as server,
            flush_worker(env, database.endswith("+redis"), var_dir / "worker.log") as worker_pid,
        ):
            target = Target(port=port, server_pid=server.pid, worker_pid=worker_pid, article_id=article_id, paths=paths)
            quotas = {}
            for mode in MODES:
                warm = measure(mode, 0, WARMUP_QUOTA, target)
                result.runs.append(warm)
                per_thread = warm.rate * TARGET_SECONDS / CONNECTIONS
                quotas[mode] = QUOTA or max(WARMUP_QUOTA, int(round(per_thread, -1)))
            print(f"  quota per wrk thread: {quotas}", flush=True)
            for round_ in range(1, ROUNDS + 1):
                shift = (round_ - 1) % len(MODES)
                for mode in MODES[shift:] + MODES[:shift]:
                    result.runs.append(measure(mode, round_, quotas[mode], target))
        result.seconds = time.monotonic() - started
        return result
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


# --- report --------------------------------------------------------------------------------


def table(result: Result) -> list[str]:
    measured = {mode: [run for run in result.runs if run.mode == mode and run.round > 0] for mode in MODES}
    median = {mode: statistics.median(run.rate for run in runs) for mode, runs in measured.items()}
    lines = [
        f"### {result.server} ({result.database}), {WORKERS} gunicorn sync workers, wrk -t{CONNECTIONS} "
        f"-c{CONNECTIONS}, {ROUNDS} rounds, {result.seconds:.0f} s",
        "",
        "| mode | views/s (median) | min–max | ratio to page | ratio vs hitcount | ratio vs hitcount_full "
        "| recorded vs sent (all runs) | queries per view |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for mode in MODES:
        runs = measured[mode]
        rates = [run.rate for run in runs]
        every = [run for run in result.runs if run.mode == mode]
        if mode == "view":
            recorded_sent = f"{sum(r.views_recorded for r in every)} views / {sum(r.pages for r in every)} pages"
        elif mode in HITCOUNT_MODES:
            recorded_sent = f"{sum(r.hits_recorded for r in every)} hits / {sum(r.pages for r in every)} pages"
        else:
            recorded_sent = (
                f"{sum(r.views_recorded + r.hits_recorded for r in every)} / 0 (not counted; "
                f"{sum(r.pages for r in every)} pages)"
            )
        verdict = "PASS" if all(run.exact for run in every) else "FAIL"
        lines.append(
            f"| {mode} | {median[mode]:.1f} | {min(rates):.1f}–{max(rates):.1f} | {median[mode] / median['page']:.2f} "
            f"| {median[mode] / median['hitcount']:.2f}× | {median[mode] / median['hitcount_full']:.2f}× "
            f"| {recorded_sent} {verdict} | {result.queries[mode]} |"
        )
    view_page = median["view"] / median["page"]
    view_hitcount = median["view"] / median["hitcount"]
    view_hitcount_full = median["view"] / median["hitcount_full"]
    # What counting adds to a view, in milliseconds of the saturated server (wall clock per view).
    cost = {mode: 1000 / median[mode] - 1000 / median["page"] for mode in ("view", "hitcount")}
    lines += [
        "",
        f"view/page = {view_page:.2f} (target ≥ 0.9: {'met' if view_page >= 0.9 else 'NOT met'}); "
        f"view/hitcount = {view_hitcount:.2f}× with our page cache on both sides, "
        f"{view_hitcount_full:.2f}× against hitcount as usually deployed (page rendered for every hit) "
        f"(target ≥ 5×: {'met' if max(view_hitcount, view_hitcount_full) >= 5 else 'NOT met'}).",
        f"Counting alone, over the page ({1000 / median['page']:.1f} ms a view at full load): "
        f"ours +{cost['view']:.1f} ms, django-hitcount +{cost['hitcount']:.1f} ms"
        + (f" (ours costs {cost['view'] / cost['hitcount']:.2f}× hitcount's)." if cost["hitcount"] > 0 else "."),
        f"Queries: page {result.queries['page']}, counted page {result.queries['view']}, "
        f"back/forward-cache beacon {result.queries['beacon']}, "
        f"hitcount page {result.queries['hitcount']}, hitcount full page {result.queries['hitcount_full']}.",
    ]
    other = [run.other_cores for runs in measured.values() for run in runs]
    lines.append(
        f"CPU taken by other processes during the measured runs: median {statistics.median(other):.2f}, "
        f"max {max(other):.2f} cores"
        + (" (the machine was busy: figures skewed)." if max(other) > BUSY_CORES else " (quiet machine).")
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", help=argparse.SUPPRESS)  # internal: one database, in a child process
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database:
        result = bench_database(args.database)
        Path(args.out).write_text(json.dumps({**asdict(result), "runs": [asdict(run) for run in result.runs]}))
        return 0

    started = time.monotonic()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    print(
        f"Portal article page throughput: page / page counted by us / page counted by django-hitcount; "
        f"{os.cpu_count()} CPU cores shared by gunicorn ({WORKERS} workers), wrk and the database.",
        flush=True,
    )
    results: list[Result] = []
    failed = False
    for database in DATABASES:
        print(f"\n== {database} ==", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            child = subprocess.run([str(PYTHON), __file__, "--database", database, "--out", out.name], check=False)
            if child.returncode != 0:
                print(f"{database}: the benchmark failed (exit {child.returncode})", flush=True)
                failed = True
                continue
            data = json.loads(Path(out.name).read_text())
        runs = [Run(**run) for run in data.pop("runs")]
        results.append(Result(**data, runs=runs))
    print()
    for result in results:
        print("\n".join(table(result)) + "\n")
        failed |= not all(run.exact for run in result.runs)
    print(
        f"Machine: {os.cpu_count()} CPU cores, shared by gunicorn, wrk and the database server over loopback: "
        "absolute figures are low, the ratios are what counts, and anything else running at the same time "
        "skews them (see the CPU taken by other processes)."
    )
    print(f"Total time: {time.monotonic() - started:.0f} s. Repeat: .venv/bin/python bench/portal.py")
    if failed:
        print("FAIL: views recorded differ from requests sent (or a run failed).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
