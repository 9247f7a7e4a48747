"""Logs without personal data: one JSON object a line (``THIDUA_LOG_FORMAT=json``), and error
e-mails that leave out what a person typed or stored.

The request line itself is written by ``thidua.ops.middleware.RequestLogMiddleware``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.views.debug import ExceptionReporter

# The attributes every LogRecord has; anything else on a record came as ``extra=``.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "taskName"}
# Extras Django passes that must not be written: the request (its repr has the query string)
# and the development server's socket.
_DROPPED = frozenset({"request", "server_time"})
_PLAIN = (str, int, float, bool, type(None))


def _plain(value: object) -> bool:
    if isinstance(value, list | tuple):
        return all(isinstance(item, _PLAIN) for item in value)
    return isinstance(value, _PLAIN)


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", "request_id", ...extras, "exc"}``, one line each.

    Only plain values among the extras are kept (strings, numbers, booleans, None, and lists
    of them), so an object passed by a library cannot slip its repr, and whatever it holds,
    into the log.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in _DROPPED and _plain(value):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class ErrorReport(ExceptionReporter):
    """The error e-mail to ``THIDUA_ADMINS`` without personal data: the traceback's code lines
    but not its local variables (members, phone numbers…), no form, query string, file or cookie
    values, the user by id only, of the request's headers only its method and path, and no
    settings (ADMINS holds addresses; the rest is in the repository and the environment)."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        for frame in data.get("frames", []):
            frame["vars"] = []
        data["filtered_POST_items"] = []
        data["request_COOKIES_items"] = []
        data["settings"] = {}
        if self.request is not None:
            data["request_GET_items"] = []
            data["request_FILES_items"] = []
            data["request_insecure_uri"] = self.request.path
            data["request_meta"] = {
                key: self.request.META[key] for key in ("REQUEST_METHOD", "PATH_INFO") if key in self.request.META
            }
            data["user_str"] = _user_id(self.request)
        return data


def _user_id(request: Any) -> str:
    try:
        user = request.user
        return f"id {user.pk}" if user.is_authenticated else "anonymous"
    except Exception:  # noqa: BLE001 - the database may be why we are here
        return "[unknown]"
