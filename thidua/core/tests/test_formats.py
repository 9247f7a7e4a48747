from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import formats, translation


class DateForm(forms.Form):
    day = forms.DateField()
    amount = forms.DecimalField(localize=True)


def test_vietnamese_date_input_is_day_first():
    with translation.override("vi"):
        form = DateForm({"day": "03/04/2025", "amount": "1.234.567,5"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == dt.date(2025, 4, 3)
        assert form.cleaned_data["amount"] == Decimal("1234567.5")


def test_english_ui_keeps_day_first_dates():
    with translation.override("en"):
        form = DateForm({"day": "03/04/2025", "amount": "1,234,567.5"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == dt.date(2025, 4, 3)


def test_vietnamese_number_and_date_output():
    with translation.override("vi"):
        assert formats.localize(1234567.5) == "1.234.567,5"
        assert formats.localize(20000) == "20.000"
        assert formats.date_format(dt.date(2018, 10, 16), "SHORT_DATE_FORMAT") == "16/10/2018"


def test_impossible_date_is_rejected():
    with translation.override("vi"):
        form = DateForm({"day": "31/02/2025", "amount": "1"})
        assert not form.is_valid()
        assert "day" in form.errors


def test_vietnamese_is_the_default_whatever_the_browser_says(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="vi"' in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert 'lang="en"' in response.content.decode()
    assert "Log in" in response.content.decode()


def test_plain_numbers_follow_the_page_language():
    from decimal import Decimal

    from django.utils import translation

    from thidua.core.text import plain_number

    with translation.override("vi"):
        assert [plain_number(v) for v in (Decimal("2.00"), Decimal("2.50"), Decimal("1000"), 85.5, None)] == [
            "2",
            "2,5",
            "1.000",
            "85,5",
            "",
        ]
    with translation.override("en"):
        assert [plain_number(v) for v in (Decimal("2.50"), Decimal("1000"))] == ["2.5", "1,000"]
