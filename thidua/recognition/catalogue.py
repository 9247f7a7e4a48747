"""The catalogue and rule sets shipped by default, from docs/RULES.md, and their idempotent loader.

Each value carries its source and confidence as RULES.md gives it: "checked" (read in the legal
text or a body restating it) ships as ``CHECKED``; everything else ("secondary", "unconfirmed",
"local example", the union's values pending 999/QĐ-TLĐ, the amended Law of 2026) ships as
``UNCONFIRMED``, shown as "mặc định — cần xác nhận" for an administrator to confirm or edit.

``load()`` creates what is missing and never overwrites a row that exists, so an administrator's
edits survive a re-run (``manage.py load_award_rules``, also run by ``load_demo``).
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from thidua.campaigns.models import Title
from thidua.recognition.models import AwardingPower, AwardKind, BaseSalary, Confidence, Rule, RuleSet
from thidua.recognition.params import validate
from thidua.units.models import Unit, UnitKind

C, U = Confidence.CHECKED, Confidence.UNCONFIRMED
LAW = "Luật Thi đua, khen thưởng 06/2022/QH15"
D152 = "Nghị định 152/2025/NĐ-CP"
UNION_2019 = "Quy định 1689/QĐ-TLĐ 2019 (chưa đối chiếu 999/QĐ-TLĐ 2024)"
LOCAL = "Hướng dẫn của một công đoàn cơ sở (2021), ví dụ địa phương"
AMENDED = "Luật sửa đổi, bổ sung Luật Thi đua, khen thưởng (hiệu lực 01/10/2026), theo tóm tắt Nghị quyết 31/2026/QH16"

# code, name, category, system, subject, cadence, rank, registration title, multiplier, confidence, source
KINDS: list[tuple[Any, ...]] = [
    (
        "ldtt",
        "Lao động tiên tiến",
        "title",
        "state",
        "individual",
        "annual",
        10,
        "Lao động tiên tiến",
        "0.3",
        C,
        f"{LAW} điều 24; hệ số tiền thưởng: {D152} điều 50",
    ),
    (
        "cstd-co-so",
        "Chiến sĩ thi đua cơ sở",
        "title",
        "state",
        "individual",
        "annual",
        20,
        "Chiến sĩ thi đua cơ sở",
        "1.0",
        C,
        f"{LAW} điều 23; {D152} điều 50",
    ),
    (
        "cstd-tinh",
        "Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh",
        "title",
        "state",
        "individual",
        "annual",
        30,
        "Chiến sĩ thi đua cấp tỉnh",
        "3.0",
        C,
        f"{LAW} điều 22; {D152} điều 50",
    ),
    (
        "cstd-toan-quoc",
        "Chiến sĩ thi đua toàn quốc",
        "title",
        "state",
        "individual",
        "annual",
        40,
        None,
        "4.5",
        C,
        f"{LAW} điều 21; {D152} điều 50",
    ),
    (
        "tt-ldtt",
        "Tập thể lao động tiên tiến",
        "title",
        "state",
        "collective",
        "annual",
        10,
        "Tập thể lao động tiên tiến",
        "0.8",
        C,
        f"{LAW}; {D152} điều 50",
    ),
    (
        "tt-ldxs",
        "Tập thể lao động xuất sắc",
        "title",
        "state",
        "collective",
        "annual",
        20,
        "Tập thể lao động xuất sắc",
        "1.5",
        C,
        f"{LAW}; {D152} điều 50",
    ),
    (
        "co-thi-dua-tinh",
        "Cờ thi đua của bộ, ban, ngành, tỉnh",
        "title",
        "state",
        "collective",
        "annual",
        30,
        None,
        "8.0",
        C,
        f"{LAW}; {D152} điều 50",
    ),
    (
        "co-thi-dua-chinh-phu",
        "Cờ thi đua của Chính phủ",
        "title",
        "state",
        "collective",
        "annual",
        40,
        None,
        "12.0",
        C,
        f"{LAW}; {D152} điều 50",
    ),
    (
        "giay-khen-ca-nhan",
        "Giấy khen (cá nhân)",
        "form",
        "state",
        "individual",
        "annual",
        10,
        "Giấy khen",
        None,
        C,
        f"{LAW} điều 80",
    ),
    (
        "giay-khen-tap-the",
        "Giấy khen (tập thể)",
        "form",
        "state",
        "collective",
        "annual",
        10,
        "Giấy khen",
        None,
        C,
        f"{LAW} điều 80",
    ),
    (
        "bang-khen-tinh-ca-nhan",
        "Bằng khen của bộ, ban, ngành, tỉnh (cá nhân)",
        "form",
        "state",
        "individual",
        "annual",
        30,
        None,
        None,
        C,
        f"{D152}, theo một quy định cấp tỉnh năm 2025",
    ),
    (
        "bang-khen-tinh-tap-the",
        "Bằng khen của bộ, ban, ngành, tỉnh (tập thể)",
        "form",
        "state",
        "collective",
        "annual",
        30,
        None,
        None,
        C,
        f"{D152}, theo một quy định cấp tỉnh năm 2025",
    ),
    # The union's own titles and forms: reconstructed from 1689/2019, pending 999/QĐ-TLĐ (not found).
    (
        "doan-vien-xuat-sac",
        "Đoàn viên công đoàn xuất sắc",
        "title",
        "union",
        "individual",
        "annual",
        15,
        "Đoàn viên công đoàn xuất sắc",
        None,
        U,
        UNION_2019,
    ),
    (
        "cdcs-vung-manh",
        "Công đoàn cơ sở vững mạnh",
        "title",
        "union",
        "collective",
        "annual",
        15,
        "Công đoàn cơ sở vững mạnh",
        None,
        U,
        UNION_2019,
    ),
    (
        "cstd-tld",
        "Chiến sĩ thi đua Tổng Liên đoàn",
        "title",
        "union",
        "individual",
        "annual",
        35,
        None,
        None,
        U,
        UNION_2019,
    ),
    (
        "giay-khen-cong-doan-ca-nhan",
        "Giấy khen của công đoàn (cá nhân)",
        "form",
        "union",
        "individual",
        "annual",
        10,
        "Giấy khen",
        None,
        U,
        UNION_2019,
    ),
    (
        "giay-khen-cong-doan-tap-the",
        "Giấy khen của công đoàn (tập thể)",
        "form",
        "union",
        "collective",
        "annual",
        10,
        "Giấy khen",
        None,
        U,
        UNION_2019,
    ),
    (
        "bang-khen-ldld-ca-nhan",
        "Bằng khen của Liên đoàn Lao động tỉnh (cá nhân)",
        "form",
        "union",
        "individual",
        "annual",
        25,
        "Bằng khen của Liên đoàn Lao động tỉnh",
        None,
        U,
        UNION_2019,
    ),
    (
        "bang-khen-ldld-tap-the",
        "Bằng khen của Liên đoàn Lao động tỉnh (tập thể)",
        "form",
        "union",
        "collective",
        "annual",
        25,
        "Bằng khen của Liên đoàn Lao động tỉnh",
        None,
        U,
        UNION_2019,
    ),
    (
        "bang-khen-tld-ca-nhan",
        "Bằng khen của Tổng Liên đoàn Lao động Việt Nam (cá nhân)",
        "form",
        "union",
        "individual",
        "annual",
        35,
        "Bằng khen của Tổng Liên đoàn Lao động Việt Nam",
        None,
        U,
        UNION_2019,
    ),
    (
        "bang-khen-tld-chuyen-de",
        "Bằng khen chuyên đề của Tổng Liên đoàn",
        "form",
        "union",
        "individual",
        "thematic",
        35,
        None,
        None,
        U,
        UNION_2019,
    ),
    (
        "bang-lao-dong-sang-tao",
        "Bằng Lao động sáng tạo",
        "form",
        "union",
        "individual",
        "sudden",
        35,
        "Bằng Lao động sáng tạo",
        None,
        U,
        "Quyết định 1564/2014 và một hướng dẫn năm 2022; chưa đối chiếu 999/QĐ-TLĐ",
    ),
    (
        "co-thi-dua-ldld",
        "Cờ thi đua của Liên đoàn Lao động tỉnh",
        "form",
        "union",
        "collective",
        "annual",
        30,
        "Cờ thi đua của Liên đoàn Lao động tỉnh",
        None,
        U,
        UNION_2019,
    ),
    (
        "co-thi-dua-tld",
        "Cờ thi đua của Tổng Liên đoàn Lao động Việt Nam",
        "form",
        "union",
        "collective",
        "annual",
        40,
        "Cờ thi đua của Tổng Liên đoàn Lao động Việt Nam",
        None,
        U,
        UNION_2019,
    ),
    (
        "ky-niem-chuong-cong-doan",
        "Kỷ niệm chương “Vì sự nghiệp xây dựng tổ chức Công đoàn”",
        "form",
        "union",
        "individual",
        "long_service",
        20,
        None,
        None,
        U,
        UNION_2019,
    ),
    (
        "giai-nguyen-van-linh",
        "Giải thưởng Nguyễn Văn Linh",
        "form",
        "union",
        "individual",
        "campaign",
        45,
        None,
        None,
        C,
        "Tổng Liên đoàn Lao động Việt Nam (tin báo chí: 10 giải năm 2024)",
    ),
    (
        "giai-ton-duc-thang",
        "Giải thưởng Tôn Đức Thắng (cấp tỉnh)",
        "form",
        "union",
        "individual",
        "campaign",
        40,
        None,
        None,
        C,
        "Liên đoàn Lao động tỉnh (tin báo chí: không quá 10 giải mỗi đợt, mỗi người một lần)",
    ),
]
# code: (quota per round, once in a lifetime, owner unit kind: the first such unit owns it in a demo)
PRIZES = {
    "giai-nguyen-van-linh": (10, False, "confederation"),
    "giai-ton-duc-thang": (10, True, None),
}

# Who awards, by unit kind: (codes, unit kind codes, valid_from, valid_to, confidence, source).
UNIT_LEVEL = ["ldtt", "cstd-co-so", "tt-ldtt", "giay-khen-ca-nhan", "giay-khen-tap-the"]
UNION_GIAY_KHEN = ["giay-khen-cong-doan-ca-nhan", "giay-khen-cong-doan-tap-the", "doan-vien-xuat-sac"]
COMMUNE = dt.date(2025, 7, 1)
POWERS: list[tuple[list[str], list[str], dt.date | None, dt.date | None, str, str]] = [
    (
        UNIT_LEVEL + UNION_GIAY_KHEN,
        ["grassroots"],
        None,
        None,
        U,
        f"{LAW} điều 80 (thủ trưởng đơn vị); áp cho công đoàn cơ sở: mặc định",
    ),
    (
        UNIT_LEVEL + UNION_GIAY_KHEN + ["cdcs-vung-manh"],
        ["local-sector-union", "industrial-zone-union", "corporation-union"],
        None,
        None,
        U,
        UNION_2019,
    ),
    (
        UNIT_LEVEL + UNION_GIAY_KHEN + ["cdcs-vung-manh"],
        ["district-federation"],
        None,
        COMMUNE - dt.timedelta(days=1),
        U,
        "Cấp huyện chấm dứt từ 01/07/2025 (Công văn 4282/TLĐ-ToC; Nghị định 129/2025 điều 59)",
    ),
    (
        UNIT_LEVEL + UNION_GIAY_KHEN + ["cdcs-vung-manh"],
        ["commune-union"],
        COMMUNE,
        None,
        U,
        "Công đoàn xã, phường, đặc khu nhận thẩm quyền cấp huyện từ 01/07/2025 (Nghị định 129/2025 điều 59; "
        "Công văn 4282/TLĐ-ToC)",
    ),
    (
        [
            "cstd-tinh",
            "bang-khen-tinh-ca-nhan",
            "bang-khen-tinh-tap-the",
            "co-thi-dua-tinh",
            "bang-khen-ldld-ca-nhan",
            "bang-khen-ldld-tap-the",
            "co-thi-dua-ldld",
            "giai-ton-duc-thang",
        ],
        ["provincial-federation", "central-sector-union"],
        None,
        None,
        U,
        UNION_2019,
    ),
    (
        [
            "bang-khen-tld-ca-nhan",
            "bang-khen-tld-chuyen-de",
            "bang-lao-dong-sang-tao",
            "co-thi-dua-tld",
            "cstd-tld",
            "ky-niem-chuong-cong-doan",
            "giai-nguyen-van-linh",
        ],
        ["confederation"],
        None,
        None,
        U,
        UNION_2019,
    ),
]

BASE_SALARIES = [
    (dt.date(2018, 7, 1), 1_390_000, "Nghị định 72/2018/NĐ-CP"),
    (dt.date(2019, 7, 1), 1_490_000, "Nghị định 38/2019/NĐ-CP"),
    (dt.date(2023, 7, 1), 1_800_000, "Nghị định 24/2023/NĐ-CP"),
    (dt.date(2024, 7, 1), 2_340_000, "Nghị định 73/2024/NĐ-CP"),
]

INDIVIDUAL, COLLECTIVE = "individual", "collective"


def _rule(
    key: str,
    kind: str,
    params: dict[str, Any],
    explanation: str,
    source: str,
    confidence: str,
    *,
    award: str | None = None,
    subject: str = "",
    active: bool = True,
) -> dict[str, Any]:
    return {
        "key": key,
        "kind": kind,
        "params": validate(kind, params),
        "explanation": explanation,
        "source": source,
        "confidence": confidence,
        "award": award,
        "subject": subject,
        "active": active,
    }


def _common() -> list[dict[str, Any]]:
    """Principles and exclusions that apply to every kind of a subject."""
    return [
        _rule(
            "khong-ky-luat",
            "exclusion",
            {"check": "discipline", "at_least": "reprimand"},
            "Không xét khen thưởng cá nhân đang chịu kỷ luật",
            f"{D152} điều 4",
            C,
            subject=INDIVIDUAL,
        ),
        _rule(
            "khong-dang-xem-xet",
            "exclusion",
            {"check": "under_investigation"},
            "Không xét khen thưởng khi đang bị xem xét kỷ luật hoặc điều tra",
            f"{D152} điều 4",
            C,
        ),
        _rule(
            "ky-luat-tap-the",
            "exclusion",
            {"check": "discipline", "at_least": "warning"},
            "Tập thể có người bị kỷ luật từ cảnh cáo trở lên không được xét",
            f"{LAW} (một quy định cấp tỉnh năm 2025 nhắc lại)",
            C,
            subject=COLLECTIVE,
        ),
        _rule(
            "dang-ky",
            "exclusion",
            {"check": "not_registered"},
            "Không xét cá nhân, tập thể không đăng ký thi đua",
            LOCAL,
            U,
        ),
        _rule(
            "thoi-gian-cong-tac",
            "exclusion",
            {"check": "min_service_months", "months": 10},
            "Không xét cá nhân có thời gian công tác dưới 10 tháng trong năm",
            LOCAL,
            U,
            subject=INDIVIDUAL,
        ),
        _rule(
            "ngay-nghi",
            "exclusion",
            {"check": "max_days_off", "days": 40},
            "Không xét cá nhân nghỉ từ 40 ngày làm việc trở lên (trừ nghỉ thai sản)",
            f"{LOCAL}; nghỉ thai sản tính là thời gian công tác: {D152} điều 4",
            U,
            subject=INDIVIDUAL,
        ),
        _rule(
            "mot-thanh-tich-danh-hieu",
            "one_achievement",
            {"match": "same_kind"},
            "Một thành tích chỉ được khen một lần",
            f"{D152} điều 4",
            C,
        ),
        _rule(
            "sang-kien-mot-lan",
            "initiative_once",
            {},
            "Sáng kiến đã dùng để xét danh hiệu thi đua không dùng lại để xét hình thức khen thưởng và ngược lại",
            "Công văn 5007/BNV-TĐKT năm 2023 của Bộ Nội vụ",
            C,
        ),
    ]


def _rules_2022() -> list[dict[str, Any]]:
    rules = _common()
    rules += [
        _rule(
            "mot-thanh-tich-hinh-thuc",
            "one_achievement",
            {"match": "same_category"},
            "Một thành tích chỉ được tặng một hình thức khen thưởng cùng loại",
            f"{D152} điều 4 (cách hiểu mặc định)",
            U,
            award="bang-khen-tinh-ca-nhan",
        ),
        _rule(
            "ldtt",
            "prerequisite",
            {"all": [{"rating": "good"}]},
            "Lao động tiên tiến: hoàn thành tốt nhiệm vụ trở lên",
            f"{LAW} điều 24",
            C,
            award="ldtt",
        ),
        _rule(
            "cstd-co-so",
            "prerequisite",
            {"all": [{"award": "ldtt"}], "any": [{"rating": "excellent"}, {"initiatives": 1, "scope": "unit"}]},
            "Chiến sĩ thi đua cơ sở: đạt Lao động tiên tiến và hoàn thành xuất sắc nhiệm vụ hoặc có sáng kiến "
            "(đề tài) được công nhận",
            f"{LAW} điều 23",
            C,
            award="cstd-co-so",
        ),
        _rule(
            "cstd-co-so-ty-le",
            "quota",
            {"percent": 15, "base": "candidates"},
            "Tỷ lệ Chiến sĩ thi đua cơ sở do đơn vị tự đặt (không còn tỷ lệ chung từ 01/01/2024; tắt mặc định)",
            "Nghị định 91/2017 (đã hết hiệu lực); tùy chọn của đơn vị",
            C,
            award="cstd-co-so",
            active=False,
        ),
        _rule(
            "cstd-tinh",
            "streak",
            {"all": [{"award": "cstd-co-so", "years": 3}]},
            "Chiến sĩ thi đua cấp tỉnh: 3 lần liên tục đạt Chiến sĩ thi đua cơ sở",
            LAW,
            C,
            award="cstd-tinh",
        ),
        _rule(
            "cstd-tinh-sang-kien",
            "prerequisite",
            {"all": [{"initiatives": 1, "scope": "province", "years": 3}]},
            "Chiến sĩ thi đua cấp tỉnh: có sáng kiến (đề tài) có hiệu quả phạm vi tỉnh, ngành",
            LAW,
            C,
            award="cstd-tinh",
        ),
        _rule(
            "cstd-toan-quoc",
            "streak",
            {"all": [{"award": "cstd-tinh", "years": 2}]},
            "Chiến sĩ thi đua toàn quốc: 2 lần liên tục đạt Chiến sĩ thi đua cấp tỉnh",
            f"{LAW} điều 21",
            C,
            award="cstd-toan-quoc",
        ),
        _rule(
            "cstd-toan-quoc-sang-kien",
            "prerequisite",
            {"all": [{"initiatives": 1, "scope": "national", "years": 2}]},
            "Chiến sĩ thi đua toàn quốc: có sáng kiến (đề tài) có hiệu quả phạm vi toàn quốc",
            f"{LAW} điều 21",
            C,
            award="cstd-toan-quoc",
        ),
        _rule(
            "tt-ldtt",
            "prerequisite",
            {"all": [{"rating": "good"}, {"members_award": "ldtt", "min_percent": 70}]},
            "Tập thể lao động tiên tiến: hoàn thành tốt nhiệm vụ, từ 70% thành viên đạt Lao động tiên tiến",
            f"{LAW} (một quy định cấp tỉnh năm 2025 nhắc lại)",
            C,
            award="tt-ldtt",
        ),
        _rule(
            "tt-ldxs",
            "prerequisite",
            {
                "all": [
                    {"rating": "excellent"},
                    {"members_award": "ldtt", "min_percent": 70},
                    {"members_award": "cstd-co-so", "min_count": 1},
                ]
            },
            "Tập thể lao động xuất sắc: hoàn thành xuất sắc nhiệm vụ, từ 70% thành viên đạt Lao động tiên tiến, "
            "có ít nhất một Chiến sĩ thi đua cơ sở",
            f"{LAW} (một quy định cấp tỉnh năm 2025 nhắc lại)",
            C,
            award="tt-ldxs",
        ),
        _rule(
            "bang-khen-tinh-ca-nhan",
            "streak",
            {"any": [{"award": "cstd-co-so", "years": 2}, {"rating": "excellent", "years": 2, "min_initiatives": 2}]},
            "Bằng khen cấp tỉnh (cá nhân): 2 lần liên tục Chiến sĩ thi đua cơ sở, hoặc 2 năm liên tục hoàn thành "
            "xuất sắc nhiệm vụ với 2 sáng kiến được áp dụng",
            f"{D152}, theo một quy định cấp tỉnh năm 2025",
            C,
            award="bang-khen-tinh-ca-nhan",
        ),
        _rule(
            "bang-khen-tinh-tap-the",
            "streak",
            {"any": [{"rating": "excellent", "years": 2}, {"award": "tt-ldxs"}]},
            "Bằng khen cấp tỉnh (tập thể): 2 năm liên tục hoàn thành xuất sắc nhiệm vụ, hoặc đạt Tập thể lao động "
            "xuất sắc",
            f"{D152}, theo một quy định cấp tỉnh năm 2025",
            C,
            award="bang-khen-tinh-tap-the",
        ),
        _rule(
            "bang-khen-tinh-ca-nhan-chi-tieu",
            "quota",
            {"percent": 5, "base": "registered"},
            "Chỉ tiêu Bằng khen theo phong trào: không quá 5% cá nhân tham gia; đồng hạng thì bỏ phiếu",
            "Kế hoạch thi đua của một tỉnh (11/2025), ví dụ",
            U,
            award="bang-khen-tinh-ca-nhan",
        ),
        _rule(
            "bang-khen-tinh-tap-the-chi-tieu",
            "quota",
            {"percent": 10, "base": "registered"},
            "Chỉ tiêu Bằng khen theo phong trào: không quá 10% tập thể tham gia; đồng hạng thì bỏ phiếu",
            "Kế hoạch thi đua của một tỉnh (11/2025), ví dụ",
            U,
            award="bang-khen-tinh-tap-the",
        ),
        _rule(
            "giay-khen-ca-nhan",
            "prerequisite",
            {"all": [{"rating": "good"}]},
            "Giấy khen: hoàn thành tốt nhiệm vụ trở lên",
            "Mặc định",
            U,
            award="giay-khen-ca-nhan",
        ),
        _rule(
            "doan-vien-xuat-sac",
            "prerequisite",
            {"all": [{"rating": "good"}]},
            "Đoàn viên công đoàn xuất sắc: hoàn thành tốt nhiệm vụ trở lên",
            UNION_2019,
            U,
            award="doan-vien-xuat-sac",
        ),
        _rule(
            "bang-khen-tld-ca-nhan",
            "streak",
            {
                "all": [
                    {"rating": "excellent", "years": 2, "min_initiatives": 2},
                    {"award": "bang-khen-ldld-ca-nhan", "years": 1, "offset": 1},
                ]
            },
            "Bằng khen Tổng Liên đoàn (cá nhân): 2 năm liên tục hoàn thành xuất sắc nhiệm vụ với 2 sáng kiến được "
            "áp dụng, và Bằng khen của Liên đoàn Lao động tỉnh năm trước",
            UNION_2019,
            U,
            award="bang-khen-tld-ca-nhan",
        ),
        _rule(
            "bang-khen-tld-chuyen-de",
            "quota",
            {"max": 300, "count_existing": True},
            "Bằng khen chuyên đề của Tổng Liên đoàn: không quá 300 mỗi chuyên đề mỗi năm trên toàn quốc",
            UNION_2019,
            U,
            award="bang-khen-tld-chuyen-de",
        ),
        _rule(
            "cstd-tld",
            "streak",
            {"all": [{"award": "cstd-co-so", "years": 3}]},
            "Chiến sĩ thi đua Tổng Liên đoàn: 3 lần liên tục Chiến sĩ thi đua cơ sở (mặc định)",
            UNION_2019,
            U,
            award="cstd-tld",
        ),
    ]
    return rules


def _rules_2026() -> list[dict[str, Any]]:
    """The amended Law (01/10/2026) as far as the secondary sources tell: the 2022 rules, except that
    an initiative or research becomes mandatory again for CSTĐ cơ sở. All labelled unconfirmed."""
    rules = []
    for rule in _rules_2022():
        rule = copy.deepcopy(rule)
        rule["confidence"] = U
        rule["source"] = f"{rule['source']}; giữ nguyên theo {AMENDED} (cần xác nhận)"
        if rule["key"] == "cstd-co-so":
            rule["params"] = validate("prerequisite", {"all": [{"award": "ldtt"}, {"initiatives": 1, "scope": "unit"}]})
            rule["explanation"] = (
                "Chiến sĩ thi đua cơ sở: đạt Lao động tiên tiến và bắt buộc có sáng kiến (đề tài) được công nhận"
            )
            rule["source"] = AMENDED
        rules.append(rule)
    return rules


LAW_2013 = "Luật Thi đua, khen thưởng 2003 (sửa đổi 2005, 2013); Nghị định 91/2017/NĐ-CP"


def _rules_2013() -> list[dict[str, Any]]:
    """Achievements ending before the Law of 2022 took effect (01/01/2024), such as Plan 07's campaign
    of 2018 – 2019: the 2022 rules as defaults (not yet compared with Decree 91/2017, so all labelled
    unconfirmed), except that CSTĐ cơ sở needs an initiative, as article 23 of the Law of 2003 said."""
    rules = []
    for rule in _rules_2022():
        rule = copy.deepcopy(rule)
        rule["confidence"] = U
        rule["source"] = f"{rule['source']}; áp dụng tạm cho {LAW_2013} (cần đối chiếu)"
        if rule["key"] == "cstd-co-so":
            rule["params"] = validate("prerequisite", {"all": [{"award": "ldtt"}, {"initiatives": 1, "scope": "unit"}]})
            rule["explanation"] = "Chiến sĩ thi đua cơ sở: đạt Lao động tiên tiến và có sáng kiến được công nhận"
            rule["source"] = "Luật Thi đua, khen thưởng 2003 điều 23"
        rules.append(rule)
    return rules


RULE_SETS: list[tuple[str, str, str, dt.date | None, dt.date | None, str, Any]] = [
    (
        "luat-2013",
        "Luật TĐKT 2003, sửa đổi 2013 (Nghị định 91/2017)",
        LAW_2013,
        dt.date(2014, 6, 1),
        dt.date(2023, 12, 31),
        U,
        _rules_2013,
    ),
    (
        "luat-2022",
        "Luật TĐKT 2022 (Nghị định 152/2025)",
        f"{LAW}; {D152}; Nghị định 98/2023/NĐ-CP; quy định của Tổng Liên đoàn (999/QĐ-TLĐ, chưa tìm được văn bản)",
        dt.date(2024, 1, 1),
        dt.date(2026, 9, 30),
        C,
        _rules_2022,
    ),
    ("luat-2026", "Luật sửa đổi 2026", AMENDED, dt.date(2026, 10, 1), None, U, _rules_2026),
]


@transaction.atomic
def load() -> dict[str, int]:
    """Create the shipped catalogue and rule sets where missing; never overwrite. Returns counts created."""
    created = {"kinds": 0, "powers": 0, "salaries": 0, "rule_sets": 0, "rules": 0}
    titles = {t.name: t for t in Title.objects.all()}
    kinds: dict[str, AwardKind] = {}
    for code, name, category, system, subject, cadence, rank, title, mult, confidence, source in KINDS:
        quota, once, owner_kind = PRIZES.get(code, (None, False, None))
        owner = Unit.objects.filter(kind__code=owner_kind, depth=1).first() if owner_kind else None
        kinds[code], made = AwardKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "system": system,
                "subject": subject,
                "cadence": cadence,
                "rank": rank,
                "title": titles.get(title) if title else None,
                "owner": owner,
                "quota_per_round": quota,
                "once_in_lifetime": once,
                "salary_multiplier": Decimal(mult) if mult else None,
                "confidence": confidence,
                "source": source,
            },
        )
        created["kinds"] += made
    unit_kinds = {k.code: k for k in UnitKind.objects.all()}
    for codes, kind_codes, valid_from, valid_to, confidence, source in POWERS:
        for code in codes:
            for kind_code in kind_codes:
                if kind_code not in unit_kinds:
                    continue
                _power, made = AwardingPower.objects.get_or_create(
                    award_kind=kinds[code],
                    unit_kind=unit_kinds[kind_code],
                    valid_from=valid_from,
                    defaults={"valid_to": valid_to, "confidence": confidence, "source": source},
                )
                created["powers"] += made
    for valid_from, amount, source in BASE_SALARIES:
        _salary, made = BaseSalary.objects.get_or_create(
            valid_from=valid_from, defaults={"amount": amount, "source": source}
        )
        created["salaries"] += made
    for code, name, basis, valid_from, valid_to, confidence, rules in RULE_SETS:
        rule_set, made = RuleSet.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "legal_basis": basis,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "confidence": confidence,
            },
        )
        created["rule_sets"] += made
        existing = set(rule_set.rules.values_list("key", flat=True))
        for position, rule in enumerate(rules(), start=1):
            if rule["key"] in existing:
                continue
            Rule.objects.create(
                rule_set=rule_set,
                key=rule["key"],
                kind=rule["kind"],
                params=rule["params"],
                award_kind=kinds[rule["award"]] if rule["award"] else None,
                subject=rule["subject"],
                explanation=rule["explanation"],
                source=rule["source"][:300],
                confidence=rule["confidence"],
                position=position,
                active=rule["active"],
            )
            created["rules"] += 1
    return created
