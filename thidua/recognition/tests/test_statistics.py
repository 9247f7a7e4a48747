"""Statistics of recognition: proposed vs decided by kind, level, year, sex and leading post, scoped,
filtered, exported in the clerk layout, and read in a fixed number of queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from thidua.campaigns.tests.factories import issued_plan
from thidua.core.excel import read_table
from thidua.recognition import statistics
from thidua.recognition.models import Nomination
from thidua.recognition.tests.factories import give
from thidua.recognition.tests.public_data import decide, decision, nomination, propose, revoke_decision
from thidua.testing import make_member

pytestmark = pytest.mark.django_db

Y2024 = dt.date(2024, 12, 31)


@dataclasses.dataclass
class Scene:
    plan: object
    chair: object
    worker: object


def scene(world) -> Scene:
    """Proposed in P's scope: chair (F, leader), worker (M), the union G1 (proposed by D1), and in
    2024 Hà (M, G2). Decided: chair, G1 and Hà; worker's award was revoked with its decision."""
    plan = issued_plan(world.P, title="Phong trào thi đua năm 2025")
    chair = make_member(world.G1, "Trần Thị Chủ Tịch", gender="F", position="Chủ tịch CĐCS")
    worker = make_member(world.G1, "Lê Văn Thợ", gender="M")
    ha = make_member(world.G2, "Phạm Văn Hà", gender="M")
    g1 = nomination(world.G1, campaign=plan)
    c_chair = propose(g1, chair, "cstd-co-so")
    c_worker = propose(g1, worker, "ldtt")
    d1 = nomination(world.D1, status=Nomination.Status.DECIDED, campaign=plan)
    c_union = propose(d1, world.G1, "tt-ldtt")
    propose(nomination(world.G1, status=Nomination.Status.DRAFT), make_member(world.G1, gender="F"), "ldtt")
    propose(nomination(world.G3), make_member(world.G3, "Ngoài Phạm Vi"), "ldtt")  # another branch
    propose(nomination(world.G2, end=Y2024, status=Nomination.Status.RETURNED), ha, "ldtt")

    issued = decision(world.P, campaign=plan)
    decide(issued, chair, "cstd-co-so", candidate=c_chair)
    decide(issued, world.G1, "tt-ldtt", candidate=c_union)
    withdrawn = decision(world.P, campaign=plan)
    decide(withdrawn, worker, "ldtt", candidate=c_worker)
    revoke_decision(withdrawn)
    decide(decision(world.D2, end=Y2024, issued_on=dt.date(2025, 1, 10)), ha, "ldtt")  # no dossier
    decide(decision(world.P2), make_member(world.G3, "Ngoài Phạm Vi Hai"), "ldtt")  # another branch
    give(make_member(world.G1, "Khen Trên Giấy"), "ldtt")  # paper history: no decision, not counted
    return Scene(plan=plan, chair=chair, worker=worker)


def figures(table):
    return {r.label: (r.proposed, r.decided) for r in table.rows}


def test_counts_by_every_dimension_within_the_province(world):
    scene(world)
    stats = statistics.build(world.users["province"])
    assert (stats.total.proposed, stats.total.decided) == (4, 3)
    assert figures(stats.table("kind")) == {
        "Chiến sĩ thi đua cơ sở": (1, 1),
        "Lao động tiên tiến": (2, 1),
        "Tập thể lao động tiên tiến": (1, 1),
    }
    # The union was proposed by the district: counted at the district's level on both sides.
    assert figures(stats.table("level")) == {"Cấp trên trực tiếp cơ sở": (1, 1), "Công đoàn cơ sở": (3, 2)}
    assert figures(stats.table("year")) == {"2024": (1, 1), "2025": (3, 2)}
    assert figures(stats.table("sex")) == {"Nữ": (1, 1), "Nam": (2, 1), "Tập thể": (1, 1)}
    assert figures(stats.table("leader")) == {
        "Cá nhân giữ chức vụ lãnh đạo": (1, 1),
        "Cá nhân không giữ chức vụ": (2, 1),
        "Tập thể": (1, 1),
    }


def test_scope_and_filters(world):
    sc = scene(world)
    district = statistics.build(world.users["district"])
    assert (district.total.proposed, district.total.decided) == (3, 2)  # not G2's Hà
    other = statistics.build(world.users["council"])  # P, view only: same rows as the province
    assert (other.total.proposed, other.total.decided) == (4, 3)
    province = world.users["province"]
    only_2024 = statistics.build(province, statistics.Filters(year=2024))
    assert (only_2024.total.proposed, only_2024.total.decided) == (1, 1)
    cstd = statistics.build(province, statistics.Filters(kind_id=sc.chair.nominations.get().kind_id))
    assert (cstd.total.proposed, cstd.total.decided) == (1, 1)
    campaign = statistics.build(province, statistics.Filters(campaign_id=sc.plan.pk))
    assert (campaign.total.proposed, campaign.total.decided) == (3, 2)


def test_the_page_charts_tables_and_definition(world, client):
    scene(world)
    assert client.get("/recognition/statistics/").status_code == 302
    client.force_login(world.users["province"])
    response = client.get("/recognition/statistics/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="recognition-chart-kind"' in body and "recognition-stats-data" in body
    assert "vendor/echarts-6.1.0.min.js" in body and "<script>" not in body  # CSP: no inline script
    assert "ô “Chức vụ” không để trống" in body  # the leader definition is said on the page
    row = '<th scope="row" data-label="Khen thưởng">Chiến sĩ thi đua cơ sở</th>'
    assert row in body
    filtered = client.get("/recognition/statistics/?year=2024").content.decode()
    assert row not in filtered and '<th scope="row" data-label="Khen thưởng">Lao động tiên tiến</th>' in filtered


@pytest.mark.parametrize(
    "query", ["year=abc", "year=99999999999999999999", "year=1200", "campaign=999999", "campaign=x", "kind=0"]
)
def test_bad_filters_are_refused_with_a_message(world, client, query):
    scene(world)
    client.force_login(world.users["district"])
    response = client.get(f"/recognition/statistics/?{query}")
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_a_campaign_outside_scope_is_not_a_choice(world, client):
    foreign = issued_plan(world.P2, title="Phong trào tỉnh Beta")
    client.force_login(world.users["district"])
    response = client.get(f"/recognition/statistics/?campaign={foreign.pk}")
    assert response.status_code == 400 and "Phong trào tỉnh Beta" not in response.content.decode()


def test_export_in_the_clerk_layout(world, client):
    sc = scene(world)
    client.force_login(world.users["province"])
    response = client.get(f"/recognition/statistics/?campaign={sc.plan.pk}&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Khen thưởng", "Cấp", "Năm", "Giới tính", "Đối tượng"]
    sheet = book["Giới tính"]
    assert sheet["A1"].value.startswith("Thống kê khen thưởng")
    assert sheet["A2"].value == "Phạm vi: Liên đoàn Lao động tỉnh Alpha"
    assert "Phong trào:" in sheet["A3"].value
    lines = [sheet.cell(row=n, column=1).value or "" for n in range(1, 7)]
    assert any(line.startswith("Ngày xuất: ") for line in lines)
    header, rows = read_table(sheet)
    assert header[:3] == ["Giới tính", "Đề nghị", "Được khen thưởng"]
    assert {r[0]: (r[1], r[2]) for r in rows} == {"Nữ": (1, 1), "Nam": (1, 0), "Tập thể": (1, 1), "Tổng cộng": (3, 2)}


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/recognition/statistics/").status_code == 200
    return len(ctx.captured_queries)


def test_query_budget_does_not_grow_with_rows(world, client, django_assert_max_num_queries):
    scene(world)
    client.force_login(world.users["province"])
    few = _queries(client)
    more = nomination(world.G1b)
    dec = decision(world.D1)
    for n in range(12):
        member = make_member(world.G1b, gender="F" if n % 2 else "M", position="Tổ trưởng" if n % 3 else "")
        candidate = propose(more, member, "ldtt" if n % 2 else "cstd-co-so")
        decide(dec, member, candidate.kind.code, candidate=candidate)
    assert _queries(client) == few
    with django_assert_max_num_queries(14):
        client.get("/recognition/statistics/")
