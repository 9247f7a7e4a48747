"""The JSON API fuzzed with schemathesis from its own OpenAPI schema, once per persona (issue 13).

For each persona of the scope matrix (grassroots, district, province, council, editor) every
operation of ``/api/openapi.json`` is called with generated parameters and bodies, authenticated
by the persona's read-write personal access token, and each response must:

* not be a server error (5xx);
* conform to the schema (status code documented, content type, body validates);
* not refuse, in the API's request validation, a request the schema allows (business rules a
  schema cannot state may still refuse it, with their own sentence);
* hold no object outside the persona's scope: every unit of the test tree owns members and a
  draft plan whose names carry an ASCII marker of that unit (``ZQ-<code>-QZ``, digits as letters); no response to a
  persona may contain the marker of a unit outside its subtree (draft plans are not shared down,
  so a parent's marker is as foreign as a sibling's).

The data is built once per module in a transaction rolled back at its end; each generated call
runs in the test's own transaction, a savepoint inside it. ``THIDUA_FUZZ_EXAMPLES`` sets the examples per operation (default 6).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from thidua.accounts.tokens import token_create
from thidua.api import api
from thidua.campaigns.tests.factories import make_plan
from thidua.testing import build_world, make_member
from thidua.units.models import Unit

PERSONAS = ("grassroots", "district", "province", "council", "editor")
EXAMPLES = int(os.environ.get("THIDUA_FUZZ_EXAMPLES", "6"))

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()


def marker(code: str) -> str:
    """An ASCII marker of a unit code with no digits (member names refuse digits)."""
    return f"ZQ-{code.translate(str.maketrans('0123456789', 'OABCDEFGHI'))}-QZ"


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The scope-matrix tree with marked members and draft plans in every unit, and a read-write
    token per persona; built once in a transaction that wraps the module's tests (each test's own
    transaction is a savepoint inside it) and rolled back at the end, so later modules find the
    database as the migrations left it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
            for code, unit in world.units.items():
                make_member(unit, f"Hoi vien {marker(code)}")
                make_plan(unit, title=f"Du thao {marker(code)}")
            tokens: dict[str, str] = {}
            foreign: dict[str, list[str]] = {}
            for persona in PERSONAS:
                user = world.users[persona]
                assert user is not None
                _, secret = token_create(
                    user=user, name="fuzz", access="write", expires_on=timezone.localdate() + dt.timedelta(days=30)
                )
                tokens[persona] = secret
                own = world.targets[persona]["own"]
                foreign[persona] = [
                    marker(u.code) for u in Unit.objects.exclude(path__startswith=own.path) if u.code in world.units
                ]
            yield {"tokens": tokens, "foreign": foreign}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request; the test's transaction
    lives on that connection, so the calls keep it open (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _readable(content: bytes) -> str:
    """The text of a response: JSON or text as it is, an Office file (a zip) by its XML parts."""
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml"))
    return content.decode("utf-8", "replace")


def _no_foreign_rows(persona: str, foreign: list[str]) -> Any:
    def check(ctx: Any, response: Any, case: Any) -> bool:
        text = _readable(response.content)
        leaked = [m for m in foreign if m in text]
        if leaked:
            raise AssertionError(f"{persona}: {case.method} {case.formatted_path} returned {leaked}")
        return True

    return check


# What the API's request validation answers for each field it refuses (install_error_handlers).
SCHEMA_REFUSAL = "Giá trị không hợp lệ."


def _schema_valid_accepted(ctx: Any, response: Any, case: Any) -> bool:
    """A request the schema allows is never refused by the API's own request validation (422 whose
    every error is the validation message): the schema would then promise what the server refuses.
    It replaces schemathesis's ``positive_data_acceptance``, which also counts as failures the
    refusals of business rules a schema cannot state (a date range over 366 days, a plan whose
    deadline falls before its window): those come back as 422 with the service's own sentence."""
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return True
    errors = response.json().get("errors") or []
    if errors and all(e.get("message") == SCHEMA_REFUSAL for e in errors):
        raise AssertionError(f"{case.method} {case.formatted_path}: schema-valid request refused: {errors}")
    return True


def _fuzz(persona: str) -> Any:
    @schema.parametrize()
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
        derandomize=True,
    )
    @pytest.mark.django_db
    def test(case: Any, fuzz_world: dict[str, Any], settings: Any) -> None:
        settings.THIDUA_API_TOKEN_RATE = 1_000_000  # the rate limit has its own tests
        headers = {"Authorization": f"Bearer {fuzz_world['tokens'][persona]}"}
        response = case.call_and_validate(
            headers=headers,
            additional_checks=[_no_foreign_rows(persona, fuzz_world["foreign"][persona]), _schema_valid_accepted],
            excluded_checks=[positive_data_acceptance],
        )
        if response.status_code >= 500:  # call_and_validate already fails on it; say which persona
            pytest.fail(f"{persona}: {response.status_code} {json.dumps(response.text[:300])}")

    test.__name__ = f"test_api_fuzz_{persona}"
    return test


test_api_fuzz_grassroots = _fuzz("grassroots")
test_api_fuzz_district = _fuzz("district")
test_api_fuzz_province = _fuzz("province")
test_api_fuzz_council = _fuzz("council")
test_api_fuzz_editor = _fuzz("editor")
