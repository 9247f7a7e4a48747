"""Vietnamese text helpers: NFC storage, diacritic folding, collation keys."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.utils import formats

_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str:
    """NFC-normalise, trim and collapse inner whitespace (how names are stored)."""
    if not value:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str | None) -> str:
    """Lower-case ASCII form used for searching: "Đặng Thị Ánh" -> "dang thi anh".

    Decomposes, drops combining marks and maps đ/Đ (which has no decomposition)
    to d, so that a query typed without diacritics finds the stored name.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFD", value).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text.lower()).strip()


# Vietnamese alphabet order; tones are a secondary key after the letters.
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "g",
    "h",
    "i",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "x",
    "y",
]
_BASE = {letter: index for index, letter in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def _letters_and_tones(word: str) -> tuple[str, str]:
    primary: list[str] = []
    tones: list[str] = []
    for char in unicodedata.normalize("NFC", word.lower()):
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0]
        marks = decomposed[1:]
        letter = base + "".join(m for m in marks if m in _LETTER_MARKS)
        letter = unicodedata.normalize("NFC", letter)
        tone = next((_TONES[m] for m in marks if m in _TONES), 0)
        if letter in _BASE:
            primary.append(f"{_BASE[letter] + 10:02d}")
        elif letter.isalnum():
            primary.append(f"9{letter}" if letter.isascii() else "99")
        else:
            continue
        tones.append(str(tone))
    return "".join(primary), "".join(tones)


def vietnamese_sort_key(*parts: str) -> str:
    """A key that sorts under plain binary collation in Vietnamese dictionary order.

    Each letter becomes two digits in alphabet order (a < ă < â < b … < đ …),
    parts are separated by "00" so shorter words sort first ("An" < "Anh"),
    and tones come last as a tie-breaker. Only ASCII digits/letters are used,
    so SQLite and PostgreSQL (any collation) order it the same way.
    """
    primaries: list[str] = []
    tone_keys: list[str] = []
    for part in parts:
        for word in clean_text(part).split(" "):
            primary, tones = _letters_and_tones(word)
            primaries.append(primary)
            tone_keys.append(tones)
    return "00".join(primaries) + "000" + "".join(tone_keys)


def plain_number(value: Decimal | int | float | None) -> str:
    """A number as people write it in the page's language, without trailing zeros: 2, 2,5 (vi), 1.000."""
    if value is None:
        return ""
    number = Decimal(str(value))
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    return formats.number_format(number, use_l10n=True, force_grouping=True)
