"""A static xAPI statements resource on 127.0.0.1, for bench/report_scale.py: pre-written pages
served from files, so the server costs next to nothing and the figures are the sync client's.

What `report sync --lrs` relies on is there: GET <endpoint>statements?activity=…&related_activities=true
&limit=N[&since=…], Basic auth and the X-Experience-API-Version header checked on every request
(401 / 400 otherwise), StatementResult pages of `limit` statements with a server-absolute `more`
link, and `since` (the first page whose statements reach it; the client drops what it already has).
Not an LRS: no other resource, no writes, `limit` must be the one the pages were written with.

Run as a program (`python3 report_scale_lrs.py FOLDER PORT USER PASSWORD`) it serves FOLDER until
killed and prints "ready" once listening.
"""

from __future__ import annotations

import base64
import bisect
import json
import sys
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ENDPOINT_PATH = "/xAPI/"
INDEX = "index.json"
DONE = "complete"  # written last: a folder without it is an interrupted write


def page_file(folder: Path, number: int) -> Path:
    return folder / f"page-{number:06d}.json"


def write_pages(statements: Iterable[dict[str, Any]], limit: int, folder: Path) -> dict[str, Any]:
    """StatementResult bodies of `limit` statements each, in the order given; returns the index."""
    folder.mkdir(parents=True, exist_ok=True)
    firsts: list[str] = []  # per page: the `stored` time of its last statement (pages are in stored order)
    count, size, page = 0, 0, []

    def flush(last: bool) -> None:
        nonlocal size
        number = len(firsts)
        more = "" if last else f"{ENDPOINT_PATH}statements?page={number + 1}"
        body = json.dumps({"statements": page, "more": more}, ensure_ascii=False, separators=(",", ":")).encode()
        page_file(folder, number).write_bytes(body)
        size += len(body)
        firsts.append(page[-1]["stored"] if page else "")

    for statement in statements:
        page.append(statement)
        count += 1
        if len(page) == limit:
            flush(False)
            page = []
    flush(True)
    index = {"statements": count, "limit": limit, "pages": len(firsts), "bytes": size, "last_stored": firsts}
    (folder / INDEX).write_text(json.dumps(index))
    (folder / DONE).write_text("")
    return index


def read_index(folder: Path) -> dict[str, Any] | None:
    if not (folder / DONE).exists():
        return None
    return json.loads((folder / INDEX).read_text())


class StaticLrs(HTTPServer):
    def __init__(self, port: int, folder: Path, user: str, password: str) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.folder = folder
        self.index = read_index(folder) or {}
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client reuses its connection, as with a real LRS
    server: StaticLrs

    def log_message(self, *_: Any) -> None:  # quiet: the bench prints its own figures
        pass

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Experience-API-Version", "1.0.3")
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._answer(status, json.dumps({"message": message}).encode())

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        if self.headers.get("Authorization") != self.server.auth:
            return self._error(401, "bad credentials")
        if not (self.headers.get("X-Experience-API-Version") or "").startswith("1.0."):
            return self._error(400, "X-Experience-API-Version missing")
        url = urlsplit(self.path)
        if url.path != f"{ENDPOINT_PATH}statements":
            return self._error(404, "not found")
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        index = self.server.index
        if "page" in query:
            number = int(query["page"])
        else:
            if "activity" not in query or query.get("related_activities") != "true":
                return self._error(400, "this static LRS answers the course query only")
            if int(query.get("limit", 0)) != index["limit"]:
                return self._error(400, f"this static LRS serves pages of {index['limit']}")
            since = query.get("since")
            # the first page whose last statement is stored after `since` (the bench's stamps and the
            # client's are both ISO UTC with Z, so text order is time order)
            number = 0 if since is None else min(bisect.bisect_right(index["last_stored"], since), index["pages"] - 1)
        if not 0 <= number < index["pages"]:
            return self._error(404, "no such page")
        self._answer(200, page_file(self.server.folder, number).read_bytes())


def main(argv: list[str]) -> None:
    folder, port, user, password = Path(argv[0]), int(argv[1]), argv[2], argv[3]
    server = StaticLrs(port, folder, user, password)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
