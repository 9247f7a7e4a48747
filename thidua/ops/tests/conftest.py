"""A webhook receiver for the tests: a real HTTP server on 127.0.0.1 (never the network)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest


@pytest.fixture
def receiver(settings):
    """An HTTP server on 127.0.0.1 that records each POST and answers the statuses queued in
    ``statuses``, after ``delay`` seconds."""
    settings.THIDUA_WEBHOOK_ALLOW_PRIVATE = True
    received: list[SimpleNamespace] = []
    statuses: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(state.delay)
            received.append(SimpleNamespace(path=self.path, headers=dict(self.headers), body=body))
            status = statuses.pop(0) if statuses else 200
            self.send_response(status)
            if status in (301, 302):
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state = SimpleNamespace(
        url=f"http://127.0.0.1:{server.server_port}/hooks/thidua?from=test",
        port=server.server_port,
        received=received,
        statuses=statuses,
        delay=0.0,
    )
    yield state
    server.shutdown()
    server.server_close()
