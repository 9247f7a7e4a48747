"""The chart of where a model spread: from the approving level down to the adopting units grouped
under their parents, drawn by ECharts from a JSON block (CSP-safe), with the list and table beside."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from thidua.initiatives import selectors, services

from .factories import approved_model_at

pytestmark = pytest.mark.django_db


def _names(node, depth=0):
    yield depth, node["name"], node.get("role"), node["value"]
    for child in node.get("children", []):
        yield from _names(child, depth + 1)


def test_the_tree_starts_at_the_approving_level(world):
    model = approved_model_at(world.G1b)  # approved by D1: in D1's library
    services.adoption_record(model=model, by=None, unit=world.T1, adopted_on=dt.date(2024, 7, 1))
    chart = selectors.spread_chart(model, selectors.spread_tree(model))
    rows = list(_names(chart))
    assert rows[0] == (0, "Liên đoàn Lao động huyện Một", "approver", 1)
    assert (1, "Công đoàn cơ sở Trạm Y tế Một", "origin", 0) in rows
    assert (1, "Công đoàn cơ sở Trường Một", None, 1) in rows  # the adopter's parent groups it
    assert (2, "Công đoàn bộ phận Tổ Toán", "adopter", 1) in rows


def test_adopters_grouped_under_their_parents(world):
    model = approved_model_at(world.G1b)
    for unit, day in ((world.G1, 1), (world.T1, 2), (world.G2, 3)):
        services.adoption_record(model=model, by=None, unit=unit, adopted_on=dt.date(2024, 7, day))
    chart = selectors.spread_chart(model, selectors.spread_tree(model))
    rows = list(_names(chart))
    assert rows[0] == (0, "Liên đoàn Lao động tỉnh Alpha", None, 3)  # the adopters reach beyond D1
    assert (1, "Liên đoàn Lao động huyện Một", "approver", 2) in rows
    assert (1, "Liên đoàn Lao động huyện Hai", None, 1) in rows
    g2 = next(n for n in chart["children"][1]["children"] if n["name"] == "Công đoàn cơ sở Xã Hai")
    assert g2["since"] == "03/07/2024"
    assert selectors.spread_chart(approved_model_at(world.G2, title="Chưa ai áp dụng"), []) is None


def test_the_page_carries_the_chart_data_and_its_text_fallback(world, client):
    model = approved_model_at(world.G1b)
    services.adoption_record(model=model, by=None, unit=world.G1, adopted_on=dt.date(2024, 7, 1))
    client.force_login(world.users["district"])
    body = client.get(f"/initiatives/models/{model.pk}/").content.decode()
    data = re.search(r'<script id="spread-data" type="application/json">(.*?)</script>', body, re.S)
    assert data is not None and json.loads(data.group(1))["name"] == "Liên đoàn Lao động huyện Một"
    assert 'id="spread-chart"' in body and "thidua/spread-tree.js" in body
    assert '<ul class="spread-tree">' in body  # the same tree in words
    assert "<script>" not in body  # CSP: no inline script
    lonely = approved_model_at(world.G1b, title="Mô hình chưa nhân rộng")
    assert 'id="spread-chart"' not in client.get(f"/initiatives/models/{lonely.pk}/").content.decode()
