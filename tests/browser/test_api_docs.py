"""The API documentation page in a real Chromium: Swagger UI from our own static files runs under
the CSP without a single violation, lists the operations, calls the API with the session and
passes axe; and a token is created on its page, used once and revoked."""

from __future__ import annotations

import pytest

from thidua.testing import build_world

from .conftest import assert_accessible, shoot
from .test_foundation import login

pytestmark = pytest.mark.django_db(transaction=True)

# Collects every CSP violation of the page (reported by the browser as it blocks something).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def test_swagger_ui_runs_under_the_csp_from_our_own_files(page, transactional_db):
    build_world()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(LISTEN)
    login(page, "district")
    page.goto(page.base + "/api/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 25
    assert page.evaluate("window.__csp") == []
    assert all(url.startswith(page.base) for url in requested), [u for u in requested if not u.startswith(page.base)]
    csp = page.evaluate("() => fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp

    page.locator('.opblock-summary-path[data-path="/api/units"]').first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert page.evaluate("window.__csp") == []
    shoot(page, "api-docs")
    assert_accessible(page)
    page.get_by_role("button", name="Authorize").first.click()  # the dialog to paste a token into
    page.locator(".modal-ux").wait_for()
    assert_accessible(page)


def test_a_token_is_created_shown_once_and_used(page, transactional_db):
    build_world()
    login(page, "district")
    page.locator("summary", has_text="district").click()  # the account menu
    page.get_by_role("link", name="Mã truy cập API").click()
    page.get_by_label("Tên gợi nhớ").fill("Văn phòng điện tử")
    page.get_by_label("Quyền").select_option("write")
    page.get_by_role("button", name="Tạo mã").click()
    token = page.get_by_label("Mã truy cập", exact=True).input_value()
    assert token.startswith("thd_")
    assert_accessible(page)
    shoot(page, "api-tokens")
    answer = page.request.get(page.base + "/api/units?limit=1", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200
    page.goto(page.base + "/accounts/api-tokens/")  # the list again: without the token
    assert token not in page.content()
    page.get_by_role("button", name="Thu hồi").click()
    assert "Đã thu hồi" in page.content()
    again = page.request.get(page.base + "/api/units?limit=1", headers={"Authorization": f"Bearer {token}"})
    assert again.status == 401
