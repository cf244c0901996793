"""The preview's HTTP server: 127.0.0.1 only, the LMS page, its state and build events, and the built
packages from memory.

Routes (GET and HEAD unless said; anything else is refused):
  /                          the LMS page (static/preview.html)
  /_preview/static/<file>    the page's script, style and the vendored LMS runtime (a fixed list)
  /_preview/state            JSON: the target, the last build's report, each edition's launch (every
                             edition built first)
  /_preview/events           server-sent events: "build" with the same JSON after every rebuild (an
                             edition not built yet is {"pending": true});
                             xAPI/cmi5: "statements" as the LRS stores them, "lrs-refused" when it refuses
  /course/<edition>/<file>   a file of that edition's last good package, looked up by exact name, with
                             an ETag: the page's next load of the course gets 304 for what is unchanged
xAPI and cmi5 only:
  /xAPI/<resource>           the in-process LRS (mini_lrs.py): GET, POST, PUT, DELETE
  /_preview/lms/launch       POST JSON {edition, registration?, au?}: what the LMS does before opening the
                             course (lrs_lms.py); answers the launch URL and the registration
  /_preview/lms/statements   GET ?registration=: the statements stored, as the panel lists them
  /_preview/lms/reset        POST: the LRS forgets everything ("Reset learner")
  /_preview/cmi5/fetch/<key> POST: the one-time fetch URL of a cmi5 launch
The page's own POSTs must be application/json: a page on another site cannot send that without a
preflight this server never answers.
"""

from __future__ import annotations

import errno
import http.server
import json
import mimetypes
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from coursepack.preview.events import CLOSED, Broadcaster, sse_message
from coursepack.preview.live_build import BuildReport, LiveBuild, Package
from coursepack.preview.lms_runtimes import LMS_RUNTIMES, saved_state_limit
from coursepack.preview.lrs_lms import FETCH_PATH, RETURN_PATH, PreviewLms, summary
from coursepack.preview.mini_lrs import LrsAnswer, MiniLrs
from coursepack.preview.request_paths import split_request
from coursepack.preview.watcher import CourseWatcher

HOST = "127.0.0.1"  # never another interface: the preview has no authentication
KEEPALIVE_SECONDS = 1.0  # how often an idle event stream checks that the server still runs
MAX_BODY = 8 * 1024 * 1024  # bytes of a request body: far above any statement batch or state document
# The editions the page does not show are built this long after a rebuild, and once no request came
# for QUIET_SECONDS (at most COMPLETE_WITHIN_SECONDS after it): by then the page has reloaded the
# course, and building them does not slow that down. A switch of edition builds at once.
COMPLETE_AFTER_SECONDS = 0.5
QUIET_SECONDS = 0.25
COMPLETE_WITHIN_SECONDS = 3.0

_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".map": "application/json", ".svg": "image/svg+xml", ".xml": "application/xml",
    ".vtt": "text/vtt; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".md": "text/plain; charset=utf-8",
    ".webp": "image/webp", ".woff2": "font/woff2", ".mp4": "video/mp4", ".mp3": "audio/mpeg",
}


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _static_files() -> dict[str, Traversable]:
    """Every file under static/, by its path there (read once, on first request)."""
    found: dict[str, Traversable] = {}

    def walk(folder: Traversable, prefix: str) -> None:
        for child in folder.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif not child.name.startswith("."):
                found[prefix + child.name] = child

    walk(resources.files("coursepack.preview").joinpath("static"), "")
    return found


class PortInUse(OSError):
    pass


class PreviewServer:
    """The preview of one course for one target. start() builds, then serves and watches in threads;
    close() stops both. Usable as a context manager."""

    def __init__(self, course_dir: Path, *, target: str = "scorm12", edition: str = "standard", port: int = 0,
                 poll_interval: float | None = None, complete_after: float = COMPLETE_AFTER_SECONDS,
                 log: Callable[[str], None] = print):
        self.course_dir = course_dir
        self.runtime = LMS_RUNTIMES[target]
        self.default_edition = edition
        self.shown_edition = edition  # the edition the page last asked for: a rebuild builds it first
        self.log = log
        self.build = LiveBuild(course_dir, self.runtime, log)
        self.events = Broadcaster()
        self.lrs = MiniLrs(on_stored=self._on_statements)
        self.lms = PreviewLms(self.lrs)
        self.stopping = threading.Event()
        self._static = _static_files()
        self._static_bytes: dict[str, bytes] = {}
        self._complete_after = complete_after
        self._completion: threading.Timer | None = None
        self.last_request = 0.0  # time.monotonic() of the last request: the page is still loading
        try:
            self._httpd = _HttpServer((HOST, port), _Handler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(error.errno, f"port {port} on {HOST} is in use") from error
            raise
        self._watcher = CourseWatcher(course_dir, self._on_change, poll_interval)  # after the port: it holds an inotify instance
        self._httpd.preview = self
        self.port: int = self._httpd.server_address[1]
        # close() waits for serve_forever()'s next poll: 0.1 s rather than the default 0.5 s after Ctrl+C
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="coursepack-preview-http", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def watch_mode(self) -> str:
        """How the course folder is watched: "inotify" or "polling"."""
        return self._watcher.mode

    def start(self) -> BuildReport:
        report = self.build.rebuild(first=self.shown_edition)
        self._log_report(report, ())
        self._thread.start()
        self._watcher.start()
        self._complete_later()
        return report

    def close(self) -> None:
        self.stopping.set()
        if self._completion is not None:
            self._completion.cancel()
        self._watcher.stop()
        self.events.close()
        if self._thread.is_alive():  # shutdown() waits for serve_forever(): only when it runs
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> "PreviewServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ building

    def _on_change(self, changed: set[str]) -> None:
        report = self.build.rebuild(changed=changed, first=self.shown_edition)
        self.events.publish("build", self.state())  # first: the page reloads while the terminal is written
        self._log_report(report, changed)
        self._complete_later()

    def _complete_later(self, delay: float | None = None, until: float | None = None) -> None:
        """Build the editions left pending once the page has reloaded: after complete_after seconds,
        when the server has had no request for QUIET_SECONDS (or COMPLETE_WITHIN_SECONDS have passed)."""
        if self._completion is not None:
            self._completion.cancel()
        if not self.build.pending or self.stopping.is_set():
            return
        until = until if until is not None else time.monotonic() + COMPLETE_WITHIN_SECONDS

        def when_quiet() -> None:
            busy = time.monotonic() - self.last_request < QUIET_SECONDS
            if busy and time.monotonic() < until:
                self._complete_later(QUIET_SECONDS, until)
            else:
                self.complete()

        self._completion = threading.Timer(self._complete_after if delay is None else delay, when_quiet)
        self._completion.daemon = True
        self._completion.start()

    def complete(self, edition: str | None = None) -> None:
        """Build the pending editions (or one); when one fails, say so as a failed rebuild does."""
        if self.build.complete(edition):
            self._log_report(self.build.report, ())
            self.events.publish("build", self.state())

    def package(self, edition: str) -> Package | None:
        """The edition's last good package (built now if pending), and the edition a rebuild builds first."""
        if edition in self.build.pending:
            self.complete(edition)
        package = self.build.package(edition)
        if package is not None:
            self.shown_edition = edition
        return package

    def _log_report(self, report: BuildReport, changed: set[str]) -> None:
        what = f" ({', '.join(sorted(changed)[:3])}{', ...' if len(changed) > 3 else ''})" if changed else ""
        when = time.strftime("%H:%M:%S")
        if report.ok:
            for warning in report.warnings:
                self.log(warning)
            self.log(f"[{when}] built in {report.took_ms:.0f} ms{what}")
            return
        for problem in report.problems:
            self.log(str(problem["text"]))
        count = len(report.problems)
        kept = "the last good build stays served" if report.good_generation else "nothing to serve until the course builds"
        self.log(f"[{when}] {count} problem{'s' if count != 1 else ''} found{what}; {kept}")

    def state(self) -> dict[str, object]:
        """What the LMS page needs: the target's LMS side, the build report, each edition's launch
        ({"pending": true} for an edition not built yet: the page asks /_preview/state before its launch)."""
        report = self.build.report
        pending = self.build.pending
        editions: dict[str, object] = {}
        for edition in report.editions:
            if edition in pending:
                editions[edition] = {"pending": True}
                continue
            package = self.build.package(edition)
            if package is not None:
                editions[edition] = {"launch": f"/course/{edition}/{quote(package.launch.path)}", "preload": package.launch.preload}
        return {
            "target": self.runtime.target,
            "label": self.runtime.label,
            "side": self.runtime.side,
            "stateLimit": saved_state_limit(self.runtime.target),
            "defaultEdition": self.default_edition,
            "build": report.as_json(),
            "editions": editions,
        }

    # ------------------------------------------------------------------ xAPI and cmi5: the LMS side

    def _on_statements(self, stored: list[dict[str, Any]]) -> None:
        self.events.publish("statements", {"statements": [summary(s) for s in stored]})

    def lrs_request(self, method: str, resource: str, query: dict[str, str], headers: dict[str, str], body: bytes) -> LrsAnswer:
        answer = self.lrs.handle(method, resource, query, headers, body)
        absent = answer.status == 404 and method == "GET" and resource != "statements"  # "no document yet": normal
        if answer.status >= 400 and not absent:  # the panel shows what the LRS refused, as scorm-again's refusals
            self.events.publish("lrs-refused", {"status": answer.status, "method": method, "resource": resource,
                                                "message": answer.body.decode("utf-8", "replace")[:2000]})
        return answer

    def launch(self, origin: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """What the LMS does before opening the course for the page (POST /_preview/lms/launch)."""
        if not self.runtime.uses_lrs:
            return 404, {"error": f"{self.runtime.label} has no LRS launch"}
        package = self.package(str(request.get("edition", "")))
        if package is None:
            return 404, {"error": "no such edition in the last good build"}
        registration = str(request.get("registration") or "")
        try:
            registration = str(uuid.UUID(registration)) if registration else str(uuid.uuid4())
        except ValueError:
            return 400, {"error": "registration is not a UUID"}
        course_path = f"/course/{quote(package.edition)}/"
        if self.runtime.side == "xapi":
            return 200, self.lms.xapi_launch(origin, course_path + quote(package.launch.path), package.launch.preload["activityId"], registration)
        aus = package.launch.preload["aus"]
        wanted = request.get("au") or aus[0]["id"]
        au = next((a for a in aus if a["id"] == wanted), None)
        if au is None:
            return 404, {"error": f"no AU {wanted!r} in cmi5.xml"}
        return 200, self.lms.cmi5_launch(origin, course_path, package.launch.preload["courseId"], au, registration, origin + RETURN_PATH)

    # ------------------------------------------------------------------ files

    def lms_page(self) -> bytes:
        """static/preview.html with the target's LMS runtime scripts in its placeholder."""
        page = (self.static_file("preview.html") or b"").decode("utf-8")
        tags = "\n".join(f'<script src="/_preview/static/{quote(name)}"></script>' for name in self.runtime.scripts)
        return re.sub(r"<!-- coursepack:lms-runtime .*?-->", lambda _: tags, page, count=1).encode("utf-8")

    def static_file(self, name: str) -> bytes | None:
        if name not in self._static:
            return None
        if name not in self._static_bytes:
            self._static_bytes[name] = self._static[name].read_bytes()
        return self._static_bytes[name]

    def package_file(self, edition: str, name: str) -> tuple[bytes, str] | None:
        """A file of the edition's last good package, with its entity tag."""
        package = self.package(edition)
        if package is None or name not in package.files:
            return None
        return package.files[name], package.etags[name]


class _HttpServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep the process alive
    preview: PreviewServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a page closed mid-response: nothing to report


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _HttpServer
    server_version = "coursepack-preview"
    # Keep-alive: a reload fetches a dozen files, and the browser's six connections to the host are one
    # fewer while the event stream holds one. The event stream itself closes its connection when it ends.
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds an idle kept-alive connection holds its thread

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the terminal shows builds, not requests
        pass

    def do_GET(self) -> None:
        self._route(head=False)

    def do_HEAD(self) -> None:
        self._route(head=True)

    def do_POST(self) -> None:
        self._route(head=False)

    def do_PUT(self) -> None:
        self._route(head=False)

    def do_DELETE(self) -> None:
        self._route(head=False)

    def _route(self, head: bool) -> None:
        preview = self.server.preview
        preview.last_request = time.monotonic()
        if not self._host_allowed(preview.port):
            self._drain()
            self._send(403, b"coursepack preview answers only to 127.0.0.1 and localhost\n", "text/plain; charset=utf-8", head)
            return
        parts = split_request(self.path)
        if parts is not None and parts[:1] == ("xAPI",) and len(parts) > 1 and preview.runtime.uses_lrs:
            self._lrs(preview, "/".join(parts[1:]), head)
        elif self.command not in ("GET", "HEAD"):
            self._post(preview, parts)
        elif parts is None:
            self._not_found(head)
        elif parts == ():
            self._send(200, preview.lms_page(), content_type("preview.html"), head)
        elif parts == ("_preview", "state"):
            preview.complete()
            self._send(200, json.dumps(preview.state()).encode(), "application/json", head)
        elif parts == ("_preview", "events"):
            self._events(preview, head)
        elif parts[0] == "_preview" and len(parts) > 2 and parts[1] == "static":
            self._file(preview.static_file("/".join(parts[2:])), parts[-1], head)
        elif parts[0] == "course" and len(parts) > 2:
            self._course_file(preview.package_file(parts[1], "/".join(parts[2:])), parts[-1], head)
        elif parts == ("_preview", "lms", "statements"):
            registration = self._query().get("registration")
            listed = [summary(s) for s in preview.lrs.statements(registration)]
            self._send(200, json.dumps({"statements": listed}).encode(), "application/json", head)
        elif "/" + "/".join(parts[:-1]) + "/" == FETCH_PATH:
            self._send(405, b'{"error-code":"2","error-text":"the fetch URL takes POST only"}', "application/json", head)
        else:
            self._not_found(head)

    # ------------------------------------------------------------------ xAPI and cmi5

    def _query(self) -> dict[str, str]:
        raw = self.path.split("#", 1)[0]
        return dict(parse_qsl(raw.split("?", 1)[1], keep_blank_values=True)) if "?" in raw else {}

    def _body(self) -> bytes | None:
        """The request body, or None when it is too large (answered 413 here)."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True  # the unread body must not be taken for the next request
            self._send(413, b"request body too large\n", "text/plain; charset=utf-8", False)
            return None
        return self.rfile.read(length) if length else b""

    def _drain(self) -> None:
        if self.command in ("POST", "PUT", "DELETE"):
            self.close_connection = True

    def _lrs(self, preview: PreviewServer, resource: str, head: bool) -> None:
        body = self._body()
        if body is None:
            return
        method = "GET" if self.command == "HEAD" else self.command
        answer = preview.lrs_request(method, resource, self._query(), dict(self.headers.items()), body)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self._common_headers()
        self.end_headers()
        if not head:
            self.wfile.write(answer.body)

    def _post(self, preview: PreviewServer, parts: tuple[str, ...] | None) -> None:
        body = self._body()
        if body is None:
            return
        if self.command != "POST" or parts is None or not preview.runtime.uses_lrs:
            self._send(405, b"method not allowed\n", "text/plain; charset=utf-8", False)
            return
        if "/" + "/".join(parts[:-1]) + "/" == FETCH_PATH:  # the AU's fetch (cmi5 8.2): 200 for its errors too
            self._send(200, json.dumps(preview.lms.fetch(parts[-1])).encode(), "application/json", False)
            return
        if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
            self._send(415, b"the preview's own requests are application/json\n", "text/plain; charset=utf-8", False)
            return
        if parts == ("_preview", "lms", "reset"):
            preview.lrs.reset()
            self._send(200, b"{}", "application/json", False)
        elif parts == ("_preview", "lms", "launch"):
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                request = None
            if not isinstance(request, dict):
                self._send(400, b'{"error":"a JSON object is expected"}', "application/json", False)
                return
            status, answer = preview.launch(f"http://{self.headers.get('Host') or f'{HOST}:{preview.port}'}", request)
            self._send(status, json.dumps(answer).encode(), "application/json", False)
        else:
            self._not_found(False)

    def _host_allowed(self, port: int) -> bool:
        """A page on another site cannot read the preview through a DNS name pointed at 127.0.0.1
        (DNS rebinding): its requests carry that name as Host."""
        host = self.headers.get("Host")
        return host is None or host.lower() in {f"127.0.0.1:{port}", f"localhost:{port}"}

    def _file(self, data: bytes | None, name: str, head: bool) -> None:
        if data is None:
            self._not_found(head)
        else:
            self._send(200, data, content_type(name), head)

    def _course_file(self, found: tuple[bytes, str] | None, name: str, head: bool) -> None:
        """A package file, revalidated by the browser on every use (no-cache): unchanged since the
        page's last load, it answers 304 and the browser reuses its copy (and its compiled scripts)."""
        if found is None:
            self._not_found(head)
            return
        data, tag = found
        if tag in (self.headers.get("If-None-Match") or ""):
            self.send_response(304)
            self.send_header("ETag", tag)
            self._common_headers(cache="no-cache")
            self.end_headers()
            return
        self._send(200, data, content_type(name), head, etag=tag)

    def _not_found(self, head: bool) -> None:
        self._send(404, b"not found\n", "text/plain; charset=utf-8", head)

    def _send(self, status: int, body: bytes, ctype: str, head: bool, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if etag is not None:
            self.send_header("ETag", etag)
        self._common_headers(cache="no-store" if etag is None else "no-cache")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _common_headers(self, cache: str = "no-store") -> None:
        # no-store: never kept; no-cache (with an ETag): kept, but asked about on every use.
        # Either way a rebuild never meets a stale file.
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")

    def _events(self, preview: PreviewServer, head: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Connection", "close")  # no length: the stream ends when the connection does
        self.close_connection = True
        self._common_headers()
        self.end_headers()
        if head:
            return
        stream = preview.events.subscribe()
        try:
            # the current state first: a page that (re)connects learns what it missed
            self._write("retry: 500\n\n" + sse_message("build", preview.state()))
            while not preview.stopping.is_set():
                try:
                    message = stream.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    self._write(": keep-alive\n\n")
                    continue
                if message is CLOSED:
                    break
                self._write(message)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away
        finally:
            preview.events.unsubscribe(stream)

    def _write(self, text: str) -> None:
        self.wfile.write(text.encode("utf-8"))
        self.wfile.flush()
