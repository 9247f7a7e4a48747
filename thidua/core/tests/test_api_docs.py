"""The API documentation page: served to logged-in people, every script from this server's own
static files (no CDN, no inline script), under the CSP. tests/browser/test_api_docs.py runs it."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_docs_page_loads_only_our_own_scripts(client, world):
    client.force_login(world.users["council"])
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _body in scripts if "src=" in attrs]
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in sources
    assert "/static/thidua/api-docs.js" in sources
    for src in sources:
        assert src.startswith("/static/"), src
        assert finders.find(src.removeprefix("/static/")), f"{src} is not among the static files"
    inline = [attrs for attrs, body in scripts if "src=" not in attrs and body.strip()]
    assert inline == [' id="swagger-settings" type="application/json"'], inline  # data, never run
    for href in re.findall(r'<link[^>]+href="([^"]+)"', html):
        assert href.startswith("/static/"), href
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert '"url": "/api/openapi.json"' in html and '"validatorUrl": null' in html


def test_vendored_swagger_ui_keeps_its_licence_and_version():
    directory = finders.find("vendor/swagger-ui-5.35.0/README.md")
    assert directory
    for name in ("LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt", "swagger-ui.css.map"):
        assert finders.find(f"vendor/swagger-ui-5.35.0/{name}"), name
    with open(directory, encoding="utf-8") as readme:
        text = readme.read()
    assert "swagger-ui-dist@5.35.0" in text and "Apache License 2.0" in text


def test_docs_page_needs_a_login(client):
    response = client.get("/api/docs")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
