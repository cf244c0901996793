"""Build events for the open preview pages (server-sent events): each page's stream has its own queue."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Mapping

CLOSED = None  # put on every queue when the server stops


class Broadcaster:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: set[queue.Queue[str | None]] = set()

    def subscribe(self) -> queue.Queue[str | None]:
        q: queue.Queue[str | None] = queue.Queue()
        with self._lock:
            self._queues.add(q)
        return q

    def unsubscribe(self, q: queue.Queue[str | None]) -> None:
        with self._lock:
            self._queues.discard(q)

    def publish(self, event: str, data: Mapping[str, object]) -> None:
        message = sse_message(event, data)
        with self._lock:
            for q in self._queues:
                q.put(message)

    def close(self) -> None:
        with self._lock:
            for q in self._queues:
                q.put(CLOSED)


def sse_message(event: str, data: Mapping[str, object]) -> str:
    """One server-sent event; the JSON is on one line, so one `data:` field holds it."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"
