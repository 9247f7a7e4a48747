"""Titles and forms shipped in the catalogue (Law 06/2022; union regulation 999/QĐ-TLĐ).

Award rules (who may award what, prerequisites, quotas) come in a later issue;
this is only the list plans and registrations aim at.
"""

from django.utils.translation import gettext_noop

# name, kind, collective, individual, union-specific. Names are stored in Vietnamese (the legal
# names); gettext_noop puts them in the message catalogue so ``Title.label`` shows them in English too.
DEFAULT_TITLES = [
    (gettext_noop("Lao động tiên tiến"), "title", False, True, False),
    (gettext_noop("Chiến sĩ thi đua cơ sở"), "title", False, True, False),
    (gettext_noop("Chiến sĩ thi đua cấp tỉnh"), "title", False, True, False),
    (gettext_noop("Tập thể lao động tiên tiến"), "title", True, False, False),
    (gettext_noop("Tập thể lao động xuất sắc"), "title", True, False, False),
    (gettext_noop("Đoàn viên công đoàn xuất sắc"), "title", False, True, True),
    (gettext_noop("Công đoàn cơ sở vững mạnh"), "title", True, False, True),
    (gettext_noop("Công đoàn cơ sở hoàn thành tốt nhiệm vụ"), "title", True, False, True),
    (gettext_noop("Giấy khen"), "form", True, True, False),
    (gettext_noop("Bằng khen của Liên đoàn Lao động tỉnh"), "form", True, True, True),
    (gettext_noop("Bằng khen của Tổng Liên đoàn Lao động Việt Nam"), "form", True, True, True),
    (gettext_noop("Bằng Lao động sáng tạo"), "form", False, True, True),
    (gettext_noop("Cờ thi đua của Liên đoàn Lao động tỉnh"), "form", True, False, True),
    (gettext_noop("Cờ thi đua của Tổng Liên đoàn Lao động Việt Nam"), "form", True, False, True),
]
