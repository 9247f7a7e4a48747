"""Titles and forms shipped in the catalogue (Law 06/2022; union regulation 999/QĐ-TLĐ).

Award rules (who may award what, prerequisites, quotas) come in a later issue;
this is only the list plans and registrations aim at.
"""

# name, kind, collective, individual, union-specific
DEFAULT_TITLES = [
    ("Lao động tiên tiến", "title", False, True, False),
    ("Chiến sĩ thi đua cơ sở", "title", False, True, False),
    ("Chiến sĩ thi đua cấp tỉnh", "title", False, True, False),
    ("Tập thể lao động tiên tiến", "title", True, False, False),
    ("Tập thể lao động xuất sắc", "title", True, False, False),
    ("Đoàn viên công đoàn xuất sắc", "title", False, True, True),
    ("Công đoàn cơ sở vững mạnh", "title", True, False, True),
    ("Công đoàn cơ sở hoàn thành tốt nhiệm vụ", "title", True, False, True),
    ("Giấy khen", "form", True, True, False),
    ("Bằng khen của Liên đoàn Lao động tỉnh", "form", True, True, True),
    ("Bằng khen của Tổng Liên đoàn Lao động Việt Nam", "form", True, True, True),
    ("Bằng Lao động sáng tạo", "form", False, True, True),
    ("Cờ thi đua của Liên đoàn Lao động tỉnh", "form", True, False, True),
    ("Cờ thi đua của Tổng Liên đoàn Lao động Việt Nam", "form", True, False, True),
]
