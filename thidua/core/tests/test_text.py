from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.text import clean_text, fold, vietnamese_sort_key


def test_fold_drops_diacritics_and_maps_d_bar():
    assert fold("Đặng Thị Ánh") == "dang thi anh"
    assert fold("  Nguyễn   Văn  Á ") == "nguyen van a"
    assert fold("ĐẠI HỘI") == "dai hoi"


def test_clean_text_stores_nfc_trimmed():
    nfd = unicodedata.normalize("NFD", "  Nguyễn  Thị   Hồng ")
    assert clean_text(nfd) == "Nguyễn Thị Hồng"
    assert unicodedata.is_normalized("NFC", clean_text(nfd))


def test_vietnamese_order():
    names = ["Đào", "Dung", "Anh", "Ánh", "Ăn", "Bình", "An", "Âu", "Yến", "Ơn", "Ô", "Oanh"]
    ordered = sorted(names, key=vietnamese_sort_key)
    assert ordered == ["An", "Anh", "Ánh", "Ăn", "Âu", "Bình", "Dung", "Đào", "Oanh", "Ô", "Ơn", "Yến"]


def test_sort_key_sorts_by_given_name_then_full_name():
    people = [("Nguyễn Văn Bình", "Bình"), ("Trần Thị An", "An"), ("Lê Văn An", "An")]
    ordered = sorted(people, key=lambda p: vietnamese_sort_key(p[1], p[0]))
    assert [p[0] for p in ordered] == ["Lê Văn An", "Trần Thị An", "Nguyễn Văn Bình"]


@given(st.text())
def test_fold_is_idempotent_and_ascii_for_vietnamese(text):
    once = fold(text)
    assert fold(once) == once


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ ĐÁ"))
def test_fold_of_vietnamese_is_plain_ascii(text):
    assert fold(text).isascii()
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


@given(st.text(), st.text())
def test_sort_key_is_plain_ascii(a, b):
    assert vietnamese_sort_key(a, b).isascii()
