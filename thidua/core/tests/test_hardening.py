"""Hardening found in a probe: no start with a public secret key, a clean deploy check with the
production environment, and no copy of a private page kept by a browser or proxy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import ResolverMatch, reverse

from thidua.accounts.access import public, scoped
from thidua.accounts.middleware import NoStoreMiddleware
from thidua.portal.tests.factories import make_article

ROOT = Path(__file__).resolve().parents[3]
STRONG_KEY = "k7Qe2-vX9pLmZr4T8wYb1NcH6sJd3FgA5uKo0iVjWqEn_RtyU-8hGz"  # 53 random characters

# "The production settings": the environment README's Production section tells an operator
# to export (TLS at a reverse proxy in front of gunicorn), less the database and Redis, which the
# deploy check does not read. `check --deploy` must be clean with it.
PRODUCTION_ENV = {
    "THIDUA_PRODUCTION": "1",
    "DEBUG": "0",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "thidua.example.vn",
    "CSRF_TRUSTED_ORIGINS": "https://thidua.example.vn",
    "THIDUA_HTTPS": "1",
    "THIDUA_BEHIND_PROXY": "1",
    "THIDUA_PROXY_COUNT": "1",
}
SETTINGS_ENV = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "REDIS_URL"}


def run(args: list[str], env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTINGS_ENV and not k.startswith("THIDUA_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "THIDUA_VAR_DIR": str(var_dir), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


# --- the secret key --------------------------------------------------------------------

MAKE_RUN_HOSTS = "127.0.0.1,127.0.0.1,localhost,[::1]"  # what `make run` passes on 127.0.0.1


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({}, id="defaults"),
        pytest.param({"DEBUG": "0", "ALLOWED_HOSTS": MAKE_RUN_HOSTS}, id="make-run"),
        pytest.param({"DEBUG": "1", "ALLOWED_HOSTS": "*"}, id="debug-on-the-lan"),
        pytest.param({"DEBUG": "0", "ALLOWED_HOSTS": "*", "SECRET_KEY": STRONG_KEY}, id="serve-prod-with-a-key"),
    ],
)
def test_settings_start_without_a_key_only_for_this_machine(env, tmp_path):
    result = run(["-c", "import config.settings as s; print(s.SECRET_KEY[:16])"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (env.get("SECRET_KEY") or "django-insecure-")[:16]


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"DEBUG": "0", "ALLOWED_HOSTS": "*"}, id="serve-prod-on-0.0.0.0"),
        pytest.param({"ALLOWED_HOSTS": "127.0.0.1,thidua.example.vn"}, id="one-public-name"),
        pytest.param({"ALLOWED_HOSTS": "*", "SECRET_KEY": ""}, id="empty-key"),
        pytest.param({"ALLOWED_HOSTS": "*", "SECRET_KEY": "django-insecure-" + "x" * 60}, id="development-key"),
        pytest.param({"ALLOWED_HOSTS": "*", "SECRET_KEY": "short-but-random-9Qz"}, id="short-key"),
        pytest.param({"ALLOWED_HOSTS": "*", "SECRET_KEY": "ab" * 40}, id="few-distinct-characters"),
        pytest.param({"THIDUA_PRODUCTION": "1"}, id="declared-production"),
    ],
)
def test_production_refuses_to_start_with_a_key_others_can_know(env, tmp_path):
    result = run(["-c", "import config.settings"], env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set to a long random value" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr  # says how to make one


# --- the deploy check --------------------------------------------------------------------


def test_deploy_check_is_clean_with_the_production_environment(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_names_what_a_half_configured_production_lacks(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in ("THIDUA_HTTPS", "THIDUA_PROXY_COUNT")}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode != 0
    for code in ("security.W008", "security.W012", "security.W016", "accounts.W001"):
        assert code in result.stderr + result.stdout, code


# --- Cache-Control: no-store ---------------------------------------------------------------


def no_store(response) -> bool:
    control = response.get("Cache-Control", "")
    return "no-store" in control and "public" not in control


@pytest.mark.django_db
def test_private_pages_exports_and_the_api_are_never_stored(client, world):
    from thidua.testing import make_member

    make_member(world.G1, "Nguyễn Văn Số", phone="0912345678", id_number="001203004005")
    client.force_login(world.users["district"])
    for url in [
        reverse("units:tree"),
        reverse("members:list"),
        reverse("members:export"),
        reverse("accounts:assignments_export"),
        "/api/members",
        "/api/openapi.json",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), (url, response.get("Cache-Control"))
    assert client.get(reverse("members:export"))["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db
def test_anonymous_answers_of_private_and_unchosen_pages_are_not_stored_either(client, world):
    for url in [reverse("members:list"), reverse("accounts:login"), "/khong-co-trang-nay/", "/api/members"]:
        assert no_store(client.get(url)), url


@pytest.mark.django_db
def test_public_portal_pages_keep_their_own_caching(client, world):
    article = make_article(world.P, "Đại hội Công đoàn tỉnh", public=True)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"] and "public" in response["Cache-Control"]
    # A signed-in reader's copy stays in their own browser only, as the portal chose.
    client.force_login(world.users["editor"])
    response = client.get(article.get_absolute_url())
    assert "no-store" not in response["Cache-Control"] and "private" in response["Cache-Control"]


def _through_middleware(view):
    request = RequestFactory().get("/x/")
    request.user = SimpleNamespace(is_authenticated=True)
    request.resolver_match = ResolverMatch(view, (), {})
    return NoStoreMiddleware(view)(request)


def _cacheable_view():
    def view(request):
        response = HttpResponse("rows")
        response["Cache-Control"] = "public, max-age=600"
        return response

    return view


def test_a_scoped_view_cannot_make_itself_cacheable():
    assert _through_middleware(scoped(_cacheable_view()))["Cache-Control"] == "private, no-store"
    assert _through_middleware(_cacheable_view())["Cache-Control"] == "private, no-store"  # unmarked: the admin
    assert _through_middleware(public(_cacheable_view()))["Cache-Control"] == "public, max-age=600"
