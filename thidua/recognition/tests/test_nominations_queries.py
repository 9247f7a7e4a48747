"""Query budgets: the list, a dossier and the board cost the same whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thidua.recognition import dossiers
from thidua.recognition.tests.factories import kind
from thidua.recognition.tests.nomination_factories import MEMBER_KIND, attach_required, dossier
from thidua.testing import make_member

pytestmark = pytest.mark.django_db
BUDGET = 22  # session, user, scope, the page's rows and counts, messages


def _queries(client, url):
    client.get(url)  # warm: content types, the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _dossiers(world, first, n):
    for i in range(first, first + n):
        nomination = dossier(world.G1, title=f"Hồ sơ thử {i:03d}", deadline=dt.date(2020, 1, 1))
        if i % 2:
            attach_required(nomination)


def test_the_list_and_its_export_are_bounded(world, client):
    client.force_login(world.users["district"])
    url = reverse("recognition:nominations")
    _dossiers(world, 0, 3)
    few, _ = _queries(client, url)
    _dossiers(world, 3, 30)
    many, response = _queries(client, url)
    assert few == many <= BUDGET, (few, many)
    assert "Hồ sơ thử 032" in response.content.decode()
    searched, response = _queries(client, url + "?q=ho+so+thu+03&desk=0&status=draft&year=2025")
    assert searched <= BUDGET and "Hồ sơ thử 031" in response.content.decode()
    exported, response = _queries(client, url + "?format=xlsx")
    assert exported <= BUDGET and response["Content-Type"].startswith("application/vnd.openxml")


def test_a_dossier_page_is_bounded(world, client):
    grassroots = world.users["grassroots"]
    client.force_login(grassroots)
    nomination = dossier(world.G1, by=grassroots)
    attach_required(nomination, by=grassroots)
    url = reverse("recognition:nomination", args=[nomination.pk])

    def add(n):
        for _ in range(n):
            dossiers.candidate_add(
                nomination=nomination, kind=kind(MEMBER_KIND), member=make_member(world.G1), by=grassroots
            )

    add(2)
    few, _ = _queries(client, url)
    add(20)
    many, response = _queries(client, url)
    assert few == many <= BUDGET, (few, many)
    assert response.content.decode().count("Đủ điều kiện") >= 22


def test_the_board_is_bounded(world, client):
    client.force_login(world.users["district"])
    url = reverse("recognition:nomination_board")
    _dossiers(world, 0, 3)
    few, _ = _queries(client, url)
    _dossiers(world, 3, 60)
    many, response = _queries(client, url)
    assert few == many <= BUDGET, (few, many)
    board = response.context["board"]
    assert board.total == 63 and board.late_count == 63 and board.incomplete_count == 63
    assert len(board.late) == dossiers.LIST_LIMIT
