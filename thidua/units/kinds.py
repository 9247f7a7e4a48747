"""The kinds of union organisation shipped by default (Trade Union Law 2024, art. 9).

Administrators may add, rename or re-level kinds; code never branches on them
except through ``level`` and ``is_grassroots``.
"""

DEFAULT_KINDS = [
    # code, Vietnamese name, English name, level, is_grassroots
    ("confederation", "Tổng Liên đoàn Lao động Việt Nam", "Vietnam General Confederation of Labour", 1, False),
    ("provincial-federation", "Liên đoàn Lao động tỉnh, thành phố", "Provincial federation of labour", 2, False),
    ("central-sector-union", "Công đoàn ngành trung ương", "Central sector union", 2, False),
    (
        "district-federation",
        "Liên đoàn Lao động huyện, thành phố thuộc tỉnh",
        "District federation of labour",
        3,
        False,
    ),
    ("local-sector-union", "Công đoàn ngành địa phương", "Local sector union", 3, False),
    ("industrial-zone-union", "Công đoàn các khu công nghiệp", "Industrial-zone union", 3, False),
    ("commune-union", "Công đoàn xã, phường, đặc khu", "Commune/ward union", 3, False),
    ("corporation-union", "Công đoàn tổng công ty", "Corporation union", 3, False),
    ("grassroots", "Công đoàn cơ sở", "Grassroots union", 4, True),
    ("department-union", "Công đoàn bộ phận", "Department union", 5, False),
    ("union-group", "Tổ công đoàn", "Union group", 6, False),
]
