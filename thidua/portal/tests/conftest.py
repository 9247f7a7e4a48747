"""Portal test set-up: every test counts as a fresh process would, and the Redis buffer on demand."""

from __future__ import annotations

import uuid

import pytest
import redis

from thidua.portal import counting

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def _fresh_counting():
    """No counter, salt or Redis back-off carried over from another test (their rows are gone)."""
    counting.reset()
    yield
    counting.reset()


@pytest.fixture
def buffered(settings):
    """The Redis counter, on a key prefix of its own (skipped when Redis is not running)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    settings.THIDUA_VIEW_BUFFER_URL = REDIS_URL  # changing these settings makes the counter chosen again
    settings.THIDUA_VIEW_BUFFER_PREFIX = f"test:{uuid.uuid4().hex}:"
    buffer = counting.redis_buffer()
    assert buffer is not None
    yield buffer
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=settings.THIDUA_VIEW_BUFFER_PREFIX + "*"):
        client.delete(key)
