"""Logs carry the request id and who asked, by number only: no names, e-mails, query strings,
form values or local variables, in the JSON lines as in the error e-mails."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from thidua.accounts.roles import Role
from thidua.core.middleware import RequestIdFilter
from thidua.ops.logs import ErrorReport, JsonFormatter
from thidua.testing import make_unit, make_user

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def json_lines():
    """What the ``thidua.request`` and ``django.request`` loggers write, as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("thidua.request", "django.request")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


@pytest.mark.django_db
def test_a_request_makes_one_json_line_with_ids_and_nothing_personal(client, json_lines):
    root = make_unit(None, "Tổng Liên đoàn", "confederation", "R")
    province = make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")
    officer = make_user("nguyen.van.an", (province, Role.OFFICER))
    officer.email = "an.nguyen@example.org"
    officer.save()
    client.force_login(officer)
    response = client.get("/members/", {"q": "Nguyễn Thị Bình 0912345678"})
    assert response.status_code == 200
    lines = json_lines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert line["logger"] == "thidua.request" and line["level"] == "INFO"
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/members/", 200)
    assert line["duration_ms"] > 0
    assert line["user_id"] == officer.pk and line["unit_ids"] == [province.pk]
    assert line["msg"].startswith("GET /members/ 200 ")
    text = json.dumps(line, ensure_ascii=False)
    for personal in ("nguyen.van.an", "an.nguyen@example.org", "Nguyễn", "Bình", "0912345678", "q="):
        assert personal not in text


@pytest.mark.django_db
def test_an_anonymous_request_is_logged_without_loading_a_user(client, json_lines, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get("/robots.txt")
    (line,) = json_lines()
    assert line["path"] == "/robots.txt" and line["user_id"] is None and line["unit_ids"] is None


@pytest.mark.django_db
def test_healthz_polls_are_debug_while_healthy_and_404s_keep_django_line_clean(client, settings, json_lines):
    settings.THIDUA_HEALTH_WORKERS = []
    client.get("/healthz")
    client.get("/khong-co/", {"ten": "Đặng Văn Cường"})
    healthz, not_found, not_found_django = json_lines()  # Django logs the 404 after the response
    assert (healthz["path"], healthz["level"]) == ("/healthz", "DEBUG")
    assert not_found_django["logger"] == "django.request" and not_found_django["status_code"] == 404
    assert "request" not in not_found_django  # the request object's repr carries the query string
    assert (not_found["path"], not_found["status"], not_found["level"]) == ("/khong-co/", 404, "INFO")
    assert "Cường" not in str(json_lines()) and "ten=" not in str(json_lines())


def test_an_exception_is_one_line_with_its_traceback():
    record = logging.LogRecord("thidua.x", logging.ERROR, __file__, 1, "failed %s", ("once",), None)
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["msg"] == "failed once" and entry["request_id"] == "-"
    assert entry["exc"].startswith("Traceback") and "ValueError: boom" in entry["exc"]


def _settings_process(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    return subprocess.run(  # noqa: S603 - our interpreter running the test's own snippet
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=environ | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_log_format_is_chosen_by_the_environment():
    code = "import logging; logging.getLogger('thidua.x').warning('xin chào %s', 1, extra={'unit_ids': [3]})"
    result = _settings_process(code, THIDUA_LOG_FORMAT="json")
    entry = json.loads(result.stderr)
    assert entry["msg"] == "xin chào 1" and entry["level"] == "WARNING" and entry["unit_ids"] == [3]
    plain = _settings_process(code)
    assert plain.stderr.rstrip().endswith("WARNING [-] thidua.x: xin chào 1")
    wrong = _settings_process("", THIDUA_LOG_FORMAT="xml")
    assert wrong.returncode != 0 and "THIDUA_LOG_FORMAT must be plain or json" in wrong.stderr


def _crash(request):
    phone = "0912345678"  # a local variable of the failing frame
    raise RuntimeError(f"cannot save member {len(phone)}")


@pytest.mark.django_db
@pytest.mark.urls("thidua.core.tests.urls_boom")
def test_error_emails_leave_out_variables_forms_query_strings_and_names(settings):
    settings.DEBUG = False
    settings.ADMINS = [("Admin", "admin@example.org")]
    user = make_user("tran.thi.hoa")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies["dien_thoai"] = "0987654321"
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.get("/boom/", {"ten": "Trần Thị Hoa"})
    assert response.status_code == 500
    (email,) = mail.outbox
    assert "RuntimeError" in email.body and "secret internals" in email.body and "/boom/" in email.body
    assert f"id {user.pk}" in email.body
    for personal in ("tran.thi.hoa", "Trần", "ten=", "0987654321", session_key, "admin@example.org"):
        assert personal not in email.body, personal

    # The frames' local variables, and form values, are gone too.
    request = RequestFactory().post("/members/1/", {"phone": "0912345678"})
    request.user = user
    try:
        _crash(request)
    except RuntimeError:
        text = ErrorReport(request, *sys.exc_info(), is_email=True).get_traceback_text()
    assert "cannot save member 10" in text and "_crash" in text
    assert "0912345678" not in text
