"""The import template: a drop-down of the plan's titles, instructions, a marked example row the
import skips; a filled template reads back."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from thidua.registrations import services
from thidua.registrations.imports import TEMPLATE_HEADER_ROW, TEMPLATE_HEADERS
from thidua.registrations.models import ImportBatch
from thidua.testing import frozen, make_member, title

from .helpers import TODAY, open_plan

pytestmark = pytest.mark.django_db


def download(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("registrations:template"), params)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_the_template_lists_the_plans_titles_and_explains_itself(client, world):
    plan = open_plan(world)
    plan.titles.set([title("Lao động tiên tiến"), title("Chiến sĩ thi đua cơ sở"), title("Công đoàn cơ sở vững mạnh")])
    registration = services.registration_open(plan=plan, unit=world.G1, by=None, today=TODAY)

    workbook = download(client, world.users["grassroots"], registration=registration.pk)

    sheet, guide = workbook.worksheets
    rows = list(sheet.iter_rows(max_row=TEMPLATE_HEADER_ROW + 1, values_only=True))
    assert rows[0][0] == "DANH SÁCH ĐOÀN VIÊN ĐĂNG KÝ THI ĐUA"
    assert registration.unit.name in rows[1][0] and plan.title in rows[1][0]
    assert list(rows[TEMPLATE_HEADER_ROW - 1]) == TEMPLATE_HEADERS
    example = sheet.cell(row=TEMPLATE_HEADER_ROW + 1, column=1)
    assert example.value == "VÍ DỤ" and example.font.i and example.font.color.rgb.endswith("808080")
    assert sheet.freeze_panes == f"A{TEMPLATE_HEADER_ROW + 1}"
    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == "DanhHieu"
    assert str(validation.sqref).startswith(f"F{TEMPLATE_HEADER_ROW + 2}:F")
    [(name, destination)] = list(workbook.defined_names["DanhHieu"].destinations)
    listed = [cell.value for row in workbook[name][destination.replace("$", "")] for cell in row]
    # The plan's individual titles only: a collective title is not a member's to pledge.
    assert listed == ["Lao động tiên tiến", "Chiến sĩ thi đua cơ sở"]
    assert name == guide.title == "Hướng dẫn"
    guide_text = " ".join(str(c) for row in guide.iter_rows(values_only=True) for c in row if c)
    assert "12/05/1985" in guide_text and "VÍ DỤ" in guide_text and "12 chữ số" in guide_text
    assert sheet.column_dimensions["E"].number_format == "@"  # a CCCD keeps its leading zeros
    assert sheet.column_dimensions["B"].width >= 25 and sheet.column_dimensions["G"].width >= 40


def test_without_a_registration_every_active_individual_title_is_offered(client, world):
    workbook = download(client, world.users["grassroots"])
    [(name, destination)] = list(workbook.defined_names["DanhHieu"].destinations)
    listed = [cell.value for row in workbook[name][destination.replace("$", "")] for cell in row]
    assert "Lao động tiên tiến" in listed and "Công đoàn cơ sở vững mạnh" not in listed


def test_another_units_registration_is_not_found(client, world):
    plan = open_plan(world)
    registration = services.registration_open(plan=plan, unit=world.G2, by=None, today=TODAY)
    client.force_login(world.users["grassroots"])
    response = client.get(reverse("registrations:template"), {"registration": registration.pk})
    assert response.status_code == 404


def test_a_filled_template_is_read_back_without_its_example_row(client, world):
    member = make_member(world.G1, "Nguyễn Thị Hoa", gender="F", birth_year=1985, id_number="006185012345")
    registration = services.registration_open(plan=open_plan(world), unit=world.G1, by=None, today=TODAY)
    workbook = download(client, world.users["grassroots"], registration=registration.pk)
    sheet = workbook.worksheets[0]
    row = TEMPLATE_HEADER_ROW + 2
    for column, value in enumerate([1, "Nguyễn Thị Hoa", 1985, "12/05/1985", "006185012345", "Lao động tiên tiến"], 1):
        sheet.cell(row=row, column=column, value=value)
    content = io.BytesIO()
    workbook.save(content)
    with frozen("2025-02-01 09:00"):
        response = client.post(
            reverse("registrations:import", args=[registration.pk]),
            {"file": SimpleUploadedFile("mau.xlsx", content.getvalue())},
        )
    assert response.status_code == 200, response.content.decode()
    assert ImportBatch.objects.get().rows == [
        {"row": row, "member": member.pk, "title": title("Lao động tiên tiến").pk, "commitment": ""}
    ]
    assert "Dòng ví dụ của tệp mẫu (dòng 5) được bỏ qua" in response.content.decode()
