"""Shared test set-up: fast hashing, plain static storage, the THIDUA_REQUIRE_ALL switch."""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL = os.environ.get("THIDUA_REQUIRE_ALL") == "1"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")
    from django.core.cache import cache

    cache.clear()  # rows cached by one test (e.g. the portal's categories) are rolled back after it
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A request in English leaves English active in this thread (LocaleMiddleware does not reset it):
    # every test starts in the product's language, whatever ran before it.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


def pytest_configure(config):
    from pathlib import Path

    from django.conf import settings

    # WhiteNoise warns at start-up when STATIC_ROOT is missing; tests serve from the finders.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """With THIDUA_REQUIRE_ALL=1 a skipped test is a failure: CI must run everything.

    Changed where the report is made, so the terminal summary, the exit status and every other
    plugin see a failure (changing it later, in ``pytest_runtest_logreport``, left pytest 9
    counting a skip and exiting 0)."""
    report = yield
    if REQUIRE_ALL and report.skipped and report.when in ("setup", "call"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under THIDUA_REQUIRE_ALL=1: {reason}"
    return report
