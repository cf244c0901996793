"""Browser test harness: play a SCORM 1.2 package the way an LMS does.

The LMS side is scorm-again's ``Scorm12API`` in a host page (``lms/lms.html`` + ``lms/lms.js``)
served on 127.0.0.1; the package runs in ``<iframe title="Course content" src="/pkg/...">``.
Every LMS* call the package makes is recorded; :func:`check_strict` then applies the rules
that Moodle (SCORM 1.2 "standards mode") enforces but scorm-again does not.

scorm-again 3.4.3 facts this harness relies on (read in node_modules/scorm-again/dist/scorm12.js):

* ``dist/scorm12.js`` is a classic script whose first line is ``this.Scorm12API = (function ...``:
  it defines ``window.Scorm12API`` (``dist/scorm-again.js`` defines it too, with Scorm2004API).
* ``new Scorm12API(settings)``: when ``settings`` is given and has no ``mastery_override`` key,
  the constructor sets ``mastery_override = true``; ``new Scorm12API()`` keeps the library
  default ``false``.  At LMSFinish, with mastery_override on, ``cmi.core.lesson_mode == "normal"``,
  ``cmi.core.credit == "credit"``, a non-empty ``cmi.student_data.mastery_score`` and a
  non-empty ``cmi.core.score.raw``, scorm-again REPLACES the SCO's lesson_status with
  ``passed``/``failed`` (raw >= mastery), whatever the SCO set -- ``incomplete`` included.
  Its CMICore default credit is ``""``, so the override only happens when the LMS passes
  ``credit = "credit"``: :data:`DEFAULT_CMI` does, as Moodle does.
* Preloading: ``API.loadFromJSON({core: {...}, suspend_data: ..., ...})`` before LMSInitialize
  (after it, scorm-again refuses with a console error). It sets values through the setters,
  which accept read-only elements (entry, student_name, credit, mastery_score, ...) only
  while the API is not initialized. Falsy values are skipped, so ``lesson_status`` stays
  ``"not attempted"`` unless given.
* ``cmi.comments``: scorm-again OVERWRITES on every LMSSetValue; Moodle APPENDS
  (``cmi.comments = cmi.comments + value`` in mod/scorm/datamodels/scorm_12.js).
* Rendering: ``API.renderCMIToJSONObject()`` returns ``{"cmi": {...}}`` (``renderCMIToJSONString()``
  the same as text; ``getFlattenedCMI()`` a ``{"cmi.core.lesson_status": ...}`` dict). It
  includes write-only ``core.exit`` and ``core.session_time`` but NOT ``core.total_time``.
* scorm-again accepts ``cmi.suspend_data`` up to 64,000 characters, CMITimespan with any
  number of hour digits, CMIDecimal with 10 integer digits: passing it is not enough.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from . import moodle_grading

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
LMS_DIR = HERE / "lms"
FIXTURES = HERE / "fixtures"
NODE_MODULES = REPO_ROOT / "node_modules"
SCORM_AGAIN_DIR = NODE_MODULES / "scorm-again"
SCORM12_JS = SCORM_AGAIN_DIR / "dist" / "scorm12.js"
AXE_DIR = NODE_MODULES / "axe-core"
AXE_JS = AXE_DIR / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-sync"]

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
CONTENT_FRAME_TITLE = "Course content"

# What an LMS hands a learner on a first launch (Moodle: get_scorm_default()).
DEFAULT_CMI: dict[str, Any] = {
    "core": {
        "student_id": "learner-001",
        "student_name": "Learner, Test",
        "credit": "credit",
        "lesson_mode": "normal",
        "entry": "ab-initio",
    },
}

FROM_MANIFEST = object()  # sentinel: take mastery_score / launch_data from imsmanifest.xml


# --------------------------------------------------------------------------- requirements

def in_ci() -> bool:
    """True when the CI environment variable is set to a true-ish value (1, true, yes)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def requirements_missing() -> list[str]:
    """What the browser tests need and this machine lacks (empty list: all there)."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not SCORM12_JS.exists():
        missing.append(f"{SCORM12_JS.relative_to(REPO_ROOT)} (run `npm ci` at the repo root)")
    if not AXE_JS.exists():
        missing.append(f"{AXE_JS.relative_to(REPO_ROOT)} (run `npm ci` at the repo root)")
    return missing


def launch_browser(playwright):
    """Headless Debian chromium, as the notes prescribe; Playwright gives it a fresh
    temporary user-data-dir. Use one new context per test for isolation."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
    )


# --------------------------------------------------------------------------- HTTP server

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".webp": "image/webp",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".vtt": "text/vtt",
        ".xml": "application/xml",
        ".xsd": "application/xml",
        ".mp4": "video/mp4",
        ".mp3": "audio/mpeg",
    }

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # broken pipes etc.: quiet
        pass


class LmsServer:
    """Static HTTP server on 127.0.0.1 (free port) over a temp dir laid out as::

        /lms.html, /lms.js                       the host page (tests/browser/lms/)
        /node_modules/scorm-again/, /axe-core/   symlinks to the repo's node_modules
        /pkg/                                    the unzipped package (install_package)
        /lms-config/N.json                       one config per open_lms() call
    """

    def __init__(self, root: Path | None = None):
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="coursepack-lms-")) if root is None else Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        for name in ("lms.html", "lms.js"):
            shutil.copyfile(LMS_DIR / name, self.root / name)
        nm = self.root / "node_modules"
        nm.mkdir(exist_ok=True)
        for src in (SCORM_AGAIN_DIR, AXE_DIR):
            link = nm / src.name
            if not link.exists() and src.exists():
                try:
                    link.symlink_to(src, target_is_directory=True)
                except OSError:
                    shutil.copytree(src, link)
        (self.root / "lms-config").mkdir(exist_ok=True)
        self._configs = 0
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self.port = self._httpd.server_address[1]
        # a short poll: shutdown() waits for serve_forever()'s next poll (0.5 s by default, at every test's end)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def install_package(self, src: str | Path, name: str = "pkg") -> Path:
        """Unzip a package (.zip) or copy a package directory to /<name>/; returns that dir.
        Replaces what was there. Like an LMS, insists on imsmanifest.xml at the root."""
        src = Path(src)
        dest = self.root / name
        if dest.exists():
            shutil.rmtree(dest)
        if src.is_dir():
            shutil.copytree(src, dest)
        elif zipfile.is_zipfile(src):
            with zipfile.ZipFile(src) as zf:
                zf.extractall(dest)
        else:
            raise ValueError(f"{src} is neither a directory nor a zip file")
        if not (dest / "imsmanifest.xml").is_file():
            raise AssertionError(f"{src}: no imsmanifest.xml at the package root")
        return dest

    def write_config(self, config: Mapping[str, Any]) -> str:
        self._configs += 1
        path = self.root / "lms-config" / f"{self._configs}.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        return f"/lms-config/{self._configs}.json"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "LmsServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------- manifest

ADLCP_NS = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el, name):
    return [c for c in el if _local(c.tag) == name]


def _attr(el, name):
    """Attribute by local name, any namespace, case-insensitive (scormtype / scormType)."""
    for k, v in el.attrib.items():
        if _local(k).lower() == name.lower():
            return v
    return None


@dataclass(frozen=True)
class Manifest:
    identifier: str | None
    title: str | None
    launch: str            # resource href (+ xml:base, + item parameters), relative to the package root
    sco_identifier: str | None
    mastery_score: str | None
    launch_data: str | None   # adlcp:datafromlms
    scos: tuple[str, ...] = ()


def read_manifest(pkg_dir: str | Path) -> Manifest:
    """Read the launch file and the per-item data an LMS passes to the SCO."""
    root = ET.parse(Path(pkg_dir) / "imsmanifest.xml").getroot()
    orgs = next(iter(_children(root, "organizations")), None)
    resources_el = next(iter(_children(root, "resources")), None)
    resources = {}
    if resources_el is not None:
        for r in _children(resources_el, "resource"):
            base = (root.get(XML_BASE) or "") + (resources_el.get(XML_BASE) or "") + (r.get(XML_BASE) or "")
            resources[r.get("identifier")] = (r, base)
    org = None
    if orgs is not None:
        all_orgs = _children(orgs, "organization")
        default = orgs.get("default")
        org = next((o for o in all_orgs if o.get("identifier") == default), all_orgs[0] if all_orgs else None)
    items = [] if org is None else [i for i in org.iter() if _local(i.tag) == "item"]
    scos = []
    first = None
    for item in items:
        ref = item.get("identifierref")
        if not ref or ref not in resources:
            continue
        res, base = resources[ref]
        if (_attr(res, "scormtype") or "").lower() != "sco":
            continue
        scos.append(item.get("identifier"))
        if first is None:
            first = (item, res, base)
    title_el = None if org is None else next(iter(_children(org, "title")), None)
    if first is None:
        return Manifest(root.get("identifier"), title_el.text if title_el is not None else None,
                        "index.html", None, None, None, ())
    item, res, base = first
    launch = base + (res.get("href") or "")
    params = item.get("parameters")
    if params:
        params = params.lstrip("?&")
        launch += ("&" if "?" in launch else "?") + params if not params.startswith("#") else params

    def text(name):
        for c in item:
            if _local(c.tag) == name and c.text is not None:
                return c.text.strip()
        return None

    return Manifest(
        identifier=root.get("identifier"),
        title=title_el.text.strip() if title_el is not None and title_el.text else None,
        launch=launch,
        sco_identifier=item.get("identifier"),
        mastery_score=text("masteryscore"),
        launch_data=text("datafromlms"),
        scos=tuple(scos),
    )


# --------------------------------------------------------------------------- cmi helpers

def _deep_merge(base: dict, extra: Mapping) -> dict:
    out = json.loads(json.dumps(base))
    for k, v in extra.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = json.loads(json.dumps(v))
    return out


def unflatten_cmi(cmi: Mapping[str, Any]) -> dict:
    """Accept {"cmi.core.entry": "resume"} style keys as well as nested dicts; returns the
    nested form loadFromJSON wants, without the leading "cmi" level."""
    out: dict = {}
    for key, value in cmi.items():
        if key == "cmi" and isinstance(value, Mapping):
            out = _deep_merge(out, unflatten_cmi(value))
            continue
        if "." not in key:
            out = _deep_merge(out, {key: value})
            continue
        parts = key.split(".")
        if parts[0] == "cmi":
            parts = parts[1:]
        nested: Any = value
        for p in reversed(parts):
            nested = {p: nested}
        out = _deep_merge(out, nested)
    return _lists_from_index_dicts(out)


def _lists_from_index_dicts(obj):
    if isinstance(obj, dict):
        obj = {k: _lists_from_index_dicts(v) for k, v in obj.items()}
        if obj and all(k.isdigit() for k in obj):
            return [obj[k] for k in sorted(obj, key=int)]
    return obj


def add_time(a: str, b: str) -> str:
    """CMITimespan addition, as Moodle's AddTime() (total_time += session_time)."""
    def cs(t):
        h, m, s = (t or "00:00:00").split(":")
        sec, _, frac = s.partition(".")
        return ((int(h) * 60 + int(m)) * 60 + int(sec)) * 100 + (int(frac.ljust(2, "0")[:2]) if frac else 0)
    total = cs(a) + cs(b)
    cents = total % 100
    secs = total // 100
    out = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
    return out + (f".{cents:02d}" if cents else "")


def _as_list(value) -> list:
    """scorm-again renders CMI arrays as {"0": {...}, "1": {...}}; loadFromJSON takes either."""
    if isinstance(value, dict):
        value = value.get("childArray", value)
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=int)] if all(k.isdigit() for k in value) else []
    return list(value or [])


def next_session_cmi(final: Mapping[str, Any], previous_total_time: str = "00:00:00",
                     keep_interactions: bool = True) -> dict:
    """The cmi an LMS (Moodle) hands the SCO on its next launch, from :func:`final_cmi` of
    the previous session, ready for ``open_lms(..., cmi=...)``: learner data carried over
    (location, status, score, suspend_data, comments, objectives, and -- as Moodle
    reconstitutes them -- interactions), ``entry`` = ``"resume"`` only if the last ``exit``
    was ``"suspend"`` (else ``""``), ``core.total_time`` = previous total + session_time."""
    core = final.get("core", {})
    score = core.get("score", {}) or {}
    out: dict[str, Any] = {
        "core": {
            "student_id": core.get("student_id", ""),
            "student_name": core.get("student_name", ""),
            "credit": core.get("credit", "credit"),
            "lesson_mode": core.get("lesson_mode", "normal"),
            "lesson_location": core.get("lesson_location", ""),
            "lesson_status": core.get("lesson_status", ""),
            "entry": "resume" if core.get("exit") == "suspend" else "",
            "total_time": add_time(previous_total_time, core.get("session_time") or "00:00:00"),
            "score": {k: score.get(k, "") for k in ("raw", "min", "max")},
        },
        "suspend_data": final.get("suspend_data", ""),
        "launch_data": final.get("launch_data", ""),
        "comments": final.get("comments", ""),
        "comments_from_lms": final.get("comments_from_lms", ""),
        "student_data": dict(final.get("student_data", {})),
        "student_preference": dict(final.get("student_preference", {})),
    }
    objectives = _as_list(final.get("objectives"))
    if objectives:
        out["objectives"] = objectives
    if keep_interactions:
        interactions = _as_list(final.get("interactions"))
        for it in interactions:
            for sub in ("objectives", "correct_responses"):
                if sub in it:
                    it[sub] = _as_list(it[sub])
        if interactions:
            out["interactions"] = interactions
    return out


# --------------------------------------------------------------------------- playing

def open_lms(page, server: LmsServer, package: str | Path | None = None, *,
             settings: Mapping[str, Any] | None = None,
             cmi: Mapping[str, Any] | None = None,
             launch: str | None = None,
             mastery_score: Any = FROM_MANIFEST,
             launch_data: Any = FROM_MANIFEST,
             commit_blocks_ms: float = 0,
             timeout_ms: float = 20_000):
    """Open the LMS host page in ``page`` and launch the package in its iframe; returns the
    content Frame once its ``load`` event has fired.

    package   -- a .zip or directory (installed to /pkg/); None: what is already in /pkg/.
    settings  -- None: ``new Scorm12API()`` (mastery_override OFF); a dict (even ``{}``):
                 ``new Scorm12API(settings)``, mastery_override ON unless the dict says False.
    cmi       -- prior-session data merged over :data:`DEFAULT_CMI`; nested
                 (``{"core": {"entry": "resume"}, "suspend_data": "..."}``) or flattened
                 (``{"cmi.core.entry": "resume"}``) keys. See :func:`next_session_cmi`.
    launch    -- path under /pkg/ (query allowed); default: the manifest's first SCO.
    mastery_score, launch_data -- default from the SCO's item (adlcp:masteryscore,
                 adlcp:datafromlms), as an LMS passes them; None to pass nothing.
    commit_blocks_ms -- LMSCommit and LMSFinish hold the page's thread this long, as Moodle's
                 synchronous commit request does (lms.js).
    """
    pkg_dir = server.install_package(package) if package is not None else server.root / "pkg"
    manifest = read_manifest(pkg_dir)
    preload = json.loads(json.dumps(DEFAULT_CMI))
    ms = manifest.mastery_score if mastery_score is FROM_MANIFEST else mastery_score
    if ms not in (None, ""):
        preload = _deep_merge(preload, {"student_data": {"mastery_score": str(ms)}})
    ld = manifest.launch_data if launch_data is FROM_MANIFEST else launch_data
    if ld not in (None, ""):
        preload["launch_data"] = ld
    if cmi:
        preload = _deep_merge(preload, unflatten_cmi(cmi))
    target = launch if launch is not None else manifest.launch
    config = {
        "settings": None if settings is None else dict(settings),
        "cmi": preload,
        "launch": "/pkg/" + target.lstrip("/"),
        "frameTitle": CONTENT_FRAME_TITLE,
        "commitBlocksMs": commit_blocks_ms,
    }
    config_url = server.write_config(config)
    page.goto(server.url(f"/lms.html?config={config_url}"), wait_until="load")
    page.wait_for_function("() => window.__lms && (window.__lms.ready || window.__lms.error)",
                           timeout=timeout_ms)
    err = page.evaluate("() => window.__lms.error")
    if err:
        raise RuntimeError(f"LMS host page failed: {err}")
    # the iframe starts as about:blank: wait for the SCO's own document to finish loading
    page.wait_for_function("""() => { const f = document.getElementById('content');
        return !!(f && f.contentWindow && f.contentWindow.location.href !== 'about:blank'
                  && f.contentDocument && f.contentDocument.readyState === 'complete'); }""",
                           timeout=timeout_ms)
    frame = content_frame(page, timeout_ms=timeout_ms)
    frame.wait_for_load_state("load", timeout=timeout_ms)
    return frame


def content_frame(page, timeout_ms: float = 20_000):
    """The package's Frame (the iframe titled "Course content")."""
    handle = page.wait_for_selector(f'iframe[title="{CONTENT_FRAME_TITLE}"]', state="attached",
                                    timeout=timeout_ms)
    frame = handle.content_frame()
    if frame is None:
        raise RuntimeError("the content iframe has no frame")
    return frame


def close_content(page, timeout_ms: float = 5_000) -> None:
    """Unload the SCO like an LMS closing the activity (iframe -> about:blank), so that
    pagehide/unload/beforeunload handlers (a player's LMSFinish) run."""
    page.evaluate("""() => { const f = document.getElementById('content');
                            if (f) { f.src = 'about:blank'; } }""")
    page.wait_for_function("""() => { const f = document.getElementById('content');
                                      return !f || (f.contentWindow && f.contentWindow.location.href === 'about:blank'
                                                    && f.contentDocument.readyState === 'complete'); }""",
                           timeout=timeout_ms)


@dataclass(frozen=True)
class Call:
    """One recorded LMS* call. ``error`` is LMSGetLastError() right after it (None for the
    three error functions themselves)."""
    index: int
    name: str
    args: tuple[str | None, ...]
    ret: str | None
    error: str | None
    t_ms: float = 0.0
    arg_types: tuple[str, ...] = ()
    exception: str | None = None

    @property
    def element(self) -> str | None:
        return self.args[0] if self.name in ("LMSGetValue", "LMSSetValue") and self.args else None

    @property
    def value(self) -> str | None:
        return self.args[1] if self.name == "LMSSetValue" and len(self.args) > 1 else None

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Call":
        if isinstance(d, Call):
            return d
        return cls(index=d.get("i", d.get("index", 0)), name=d["name"],
                   args=tuple(d.get("args", ())), ret=d.get("ret"), error=d.get("error"),
                   t_ms=d.get("t", d.get("t_ms", 0.0)) or 0.0,
                   arg_types=tuple(d.get("argTypes", d.get("arg_types", ()))),
                   exception=d.get("exception"))

    def __str__(self) -> str:
        def short(a):
            if a is None:
                return "undefined"
            return repr(a if len(a) <= 60 else a[:57] + "...") + (f"<{len(a)} chars>" if len(a) > 60 else "")
        args = ", ".join(short(a) for a in self.args)
        err = "" if self.error in (None, "0") else f" [error {self.error}]"
        return f"#{self.index} {self.name}({args}) -> {self.ret!r}{err}"


def get_calls(page) -> list[Call]:
    """Every LMS* call so far, in order."""
    return [Call.from_json(c) for c in page.evaluate("() => window.__lms.calls")]


def commits(page) -> list[dict]:
    """[{i, name: 'LMSCommit'|'LMSFinish', ret, cmi}] -- cmi as stored right after each."""
    return page.evaluate("() => window.__lms.commits")


def wait_for_finish(page, timeout_ms: float = 5_000) -> None:
    page.wait_for_function("() => window.__lms && window.__lms.finishCount > 0", timeout=timeout_ms)


def wait_until(page, condition: Callable[[], bool], timeout_ms: float = 5_000, step_ms: float = 10) -> None:
    """Wait for a condition on the Python side (e.g. what a console listener collected): Playwright
    delivers page events while it waits, so this polls in short waits instead of one fixed sleep."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout_ms} ms")
        page.wait_for_timeout(step_ms)


def final_cmi(page, timeout_ms: float = 5_000) -> dict:
    """scorm-again's cmi (``API.renderCMIToJSONObject().cmi``) once LMSFinish has been called,
    i.e. after scorm-again's own LMSFinish processing (mastery override, status defaults)."""
    wait_for_finish(page, timeout_ms)
    return page.evaluate("() => window.API.renderCMIToJSONObject().cmi")


# --------------------------------------------------------------------------- strict checker

ERROR_FUNCTIONS = {"LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"}


def utf16_len(s: str) -> int:
    """Length as JavaScript (and Moodle's [\\u0000-\\uFFFF]{0,n} regexes) counts it."""
    return len(s.encode("utf-16-le")) // 2


def _rx(pattern: str):
    compiled = re.compile(pattern)
    return lambda v: compiled.fullmatch(v) is not None


def _maxlen(n: int):
    return lambda v: utf16_len(v) <= n


def _enum(*values: str):
    allowed = set(values)
    return lambda v: v in allowed


# Moodle mod/scorm/datamodels/scorm_12.js, SCORM 1.2 standards mode (scorm12standard on:
# CMIString256 = [\u0000-\uFFFF]{0,255}, CMIString4096 = {0,4096}). Moodle writes its regexes
# as JS string literals, where '\.' loses its backslash ("(\.[0-9]*)" becomes "(.[0-9]*)");
# we use the intended, escaped form, which is also what the SCORM 1.2 spec says.
CMIString256 = _maxlen(255)
CMIString4096 = _maxlen(4096)
CMITime = _rx(r"([0-2][0-9]):([0-5][0-9]):([0-5][0-9])(\.[0-9]{1,2})?")
CMITimespan = _rx(r"([0-9]{2,4}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,2})?")
CMISInteger = _rx(r"-?([0-9]+)")
CMIDecimal = _rx(r"-?([0-9]{0,3})(\.[0-9]*)?")
CMIIdentifier = _rx(r"[\u0021-\u007E]{0,255}")
CMIFeedback = CMIString256
CMIStatus = _enum("passed", "completed", "failed", "incomplete", "browsed")
CMIStatus2 = _enum("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
CMIExit = _enum("time-out", "suspend", "logout", "")
CMIType = _enum("true-false", "choice", "fill-in", "matching", "performance", "sequencing",
                "likert", "numeric")
_result_decimal = _rx(r"([0-9]{0,3})?(\.[0-9]*)?")
CMIResult = lambda v: v in {"correct", "wrong", "unanticipated", "neutral"} or _result_decimal(v)  # noqa: E731
NAVEvent = _enum("previous", "continue")

_FORMAT_NAMES = {
    id(CMIString256): "CMIString256 (at most 255 characters)",
    id(CMIString4096): "CMIString4096 (at most 4096 characters)",
    id(CMITime): "CMITime HH:MM:SS(.SS)",
    id(CMITimespan): "CMITimespan HHHH:MM:SS(.SS) (2-4 hour digits, at most 2 decimals)",
    id(CMISInteger): "CMISInteger",
    id(CMIDecimal): "CMIDecimal",
    id(CMIIdentifier): "CMIIdentifier (printable ASCII, no spaces, at most 255)",
    id(CMIStatus): "passed|completed|failed|incomplete|browsed",
    id(CMIStatus2): "passed|completed|failed|incomplete|browsed|not attempted",
    id(CMIExit): "time-out|suspend|logout|''",
    id(CMIType): "true-false|choice|fill-in|matching|performance|sequencing|likert|numeric",
    id(CMIResult): "correct|wrong|unanticipated|neutral|<decimal>",
    id(NAVEvent): "previous|continue",
}

# element -> (mode, format, (min, max) or None). mode: r, w, rw.
DATAMODEL: dict[str, tuple[str, Any, tuple[float, float] | None]] = {
    "cmi._children": ("r", None, None),
    "cmi._version": ("r", None, None),
    "cmi.core._children": ("r", None, None),
    "cmi.core.student_id": ("r", None, None),
    "cmi.core.student_name": ("r", None, None),
    "cmi.core.lesson_location": ("rw", CMIString256, None),
    "cmi.core.credit": ("r", None, None),
    "cmi.core.lesson_status": ("rw", CMIStatus, None),
    "cmi.core.entry": ("r", None, None),
    "cmi.core.score._children": ("r", None, None),
    "cmi.core.score.raw": ("rw", CMIDecimal, (0, 100)),
    "cmi.core.score.max": ("rw", CMIDecimal, (0, 100)),
    "cmi.core.score.min": ("rw", CMIDecimal, (0, 100)),
    "cmi.core.total_time": ("r", None, None),
    "cmi.core.lesson_mode": ("r", None, None),
    "cmi.core.exit": ("w", CMIExit, None),
    "cmi.core.session_time": ("w", CMITimespan, None),
    "cmi.suspend_data": ("rw", CMIString4096, None),
    "cmi.launch_data": ("r", None, None),
    "cmi.comments": ("rw", CMIString4096, None),
    "cmi.evaluation.comments._count": ("r", None, None),
    "cmi.evaluation.comments._children": ("r", None, None),
    "cmi.evaluation.comments.n.content": ("rw", CMIString256, None),
    "cmi.evaluation.comments.n.location": ("rw", CMIString256, None),
    "cmi.evaluation.comments.n.time": ("rw", CMITime, None),
    "cmi.comments_from_lms": ("r", None, None),
    "cmi.objectives._children": ("r", None, None),
    "cmi.objectives._count": ("r", None, None),
    "cmi.objectives.n.id": ("rw", CMIIdentifier, None),
    "cmi.objectives.n.score._children": ("r", None, None),
    "cmi.objectives.n.score.raw": ("rw", CMIDecimal, (0, 100)),
    "cmi.objectives.n.score.min": ("rw", CMIDecimal, (0, 100)),
    "cmi.objectives.n.score.max": ("rw", CMIDecimal, (0, 100)),
    "cmi.objectives.n.status": ("rw", CMIStatus2, None),
    "cmi.student_data._children": ("r", None, None),
    "cmi.student_data.mastery_score": ("r", None, None),
    "cmi.student_data.max_time_allowed": ("r", None, None),
    "cmi.student_data.time_limit_action": ("r", None, None),
    "cmi.student_preference._children": ("r", None, None),
    "cmi.student_preference.audio": ("rw", CMISInteger, (-1, 100)),
    "cmi.student_preference.language": ("rw", CMIString256, None),
    "cmi.student_preference.speed": ("rw", CMISInteger, (-100, 100)),
    "cmi.student_preference.text": ("rw", CMISInteger, (-1, 1)),
    "cmi.interactions._children": ("r", None, None),
    "cmi.interactions._count": ("r", None, None),
    "cmi.interactions.n.id": ("w", CMIIdentifier, None),
    "cmi.interactions.n.objectives._count": ("r", None, None),
    "cmi.interactions.n.objectives.n.id": ("w", CMIIdentifier, None),
    "cmi.interactions.n.time": ("w", CMITime, None),
    "cmi.interactions.n.type": ("w", CMIType, None),
    "cmi.interactions.n.correct_responses._count": ("r", None, None),
    "cmi.interactions.n.correct_responses.n.pattern": ("w", CMIFeedback, None),
    "cmi.interactions.n.weighting": ("w", CMIDecimal, (-100, 100)),
    "cmi.interactions.n.student_response": ("w", CMIFeedback, None),
    "cmi.interactions.n.result": ("w", CMIResult, None),
    "cmi.interactions.n.latency": ("w", CMITimespan, None),
    "nav.event": ("w", NAVEvent, None),
}

# SCORM 1.2 RTE 3.4.2 (CMIFeedback per interaction type); applied to student_response and
# correct_responses.n.pattern once the interaction's type is known (from any call).
_CH = "[0-9a-z]"
RESPONSE_FORMATS: dict[str, tuple[Any, str]] = {
    "true-false": (_enum("0", "1", "t", "f", "true", "false"), "0|1|t|f"),
    "choice": (_rx(rf"\{{?{_CH}(,{_CH})*\}}?"), "single characters [0-9a-z] joined by ','"),
    "sequencing": (_rx(rf"{_CH}(,{_CH})*"), "single characters [0-9a-z] joined by ','"),
    "matching": (_rx(rf"\{{?{_CH}\.{_CH}(,{_CH}\.{_CH})*\}}?"), "x.y pairs of single characters [0-9a-z] joined by ','"),
    "likert": (_rx(rf"{_CH}?"), "one character [0-9a-z] or empty"),
    "numeric": (_rx(r"-?[0-9]{0,3}(\.[0-9]*)?") , "CMIDecimal"),
    "fill-in": (CMIString256, "at most 255 characters"),
    "performance": (CMIString256, "at most 255 characters"),
}

_INDEX_RE = re.compile(r"[._](\d+).")  # Moodle's CMIIndex
SUSPEND_DATA_LIMIT = 4096


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    call: Call | None = None

    def __str__(self) -> str:
        where = f" at {self.call}" if self.call is not None else ""
        return f"[{self.rule}] {self.message}{where}"


def _model_name(element: str) -> str:
    return _INDEX_RE.sub(".n.", element)


def _initial_counts(initial_cmi: Mapping[str, Any] | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    if not initial_cmi:
        return counts
    cmi = unflatten_cmi(initial_cmi)
    for arr in ("objectives", "interactions"):
        items = _as_list(cmi.get(arr))
        if items:
            counts[f"cmi.{arr}"] = len(items)
            if arr == "interactions":
                for n, it in enumerate(items):
                    for sub in ("objectives", "correct_responses"):
                        counts[f"cmi.interactions.{n}.{sub}"] = len(_as_list((it or {}).get(sub)))
    return counts


def check_strict(calls: Iterable[Call | Mapping[str, Any]], *,
                 initial_cmi: Mapping[str, Any] | None = None) -> list[Violation]:
    """Violations of what Moodle (SCORM 1.2 standards mode) and the SCORM 1.2 RTE enforce,
    in call order. ``initial_cmi``: what the LMS preloaded (for array counts, the
    starting lesson_status and comments); default: a first launch.

    Rules (Violation.rule):
      initialize-first, initialize-once, finish-once, call-after-finish, error-code,
      unknown-element, read-only, write-only, value-format, value-range, index-gap,
      suspend_data-length, comments-repeated, comments-length, response-format,
      score-while-incomplete, moodle-regrade (moodle_grading.py), status-never-set.
    """
    calls = [Call.from_json(c) for c in calls]
    out: list[Violation] = []
    initial = unflatten_cmi(initial_cmi or {})
    counts = _initial_counts(initial_cmi)
    comments_total = (initial.get("comments") or "")
    comment_sets: list[Call] = []
    status_set = False
    api_calls = [c for c in calls if c.name not in ERROR_FUNCTIONS]

    # --- session shape
    inits = [c for c in api_calls if c.name == "LMSInitialize"]
    finishes = [c for c in api_calls if c.name == "LMSFinish"]
    if api_calls and api_calls[0].name != "LMSInitialize":
        out.append(Violation("initialize-first", "first call is not LMSInitialize", api_calls[0]))
    if not inits:
        out.append(Violation("initialize-once", "LMSInitialize was never called"))
    for c in inits[1:]:
        out.append(Violation("initialize-once", "LMSInitialize called again", c))
    if not finishes:
        out.append(Violation("finish-once", "LMSFinish was never called"))
    for c in finishes[1:]:
        out.append(Violation("finish-once", "LMSFinish called again", c))
    finished_at = finishes[0].index if finishes else None

    # interaction types, known from any call (type may be set after the responses)
    types: dict[str, str] = {}
    for c in api_calls:
        if c.name == "LMSSetValue" and c.element:
            m = re.fullmatch(r"cmi\.interactions\.(\d+)\.type", c.element)
            if m and c.value is not None:
                types[m.group(1)] = c.value

    for c in calls:
        if c.exception:
            out.append(Violation("error-code", f"the API threw {c.exception}", c))
        if c.name in ERROR_FUNCTIONS:
            continue
        if finished_at is not None and c.index > finished_at:
            out.append(Violation("call-after-finish", "call after LMSFinish", c))
        if c.error not in (None, "0"):
            out.append(Violation("error-code", f"LMSGetLastError() is {c.error} after the call", c))
        if c.name in ("LMSCommit", "LMSFinish", "LMSInitialize"):
            continue
        element = c.element
        if element is None:
            continue
        model = _model_name(element)
        spec = DATAMODEL.get(model)
        if spec is None:
            out.append(Violation("unknown-element", f"{element} is not in Moodle's SCORM 1.2 data model", c))
            continue
        mode, fmt, rng = spec
        if c.name == "LMSGetValue":
            if mode == "w":
                out.append(Violation("write-only", f"{element} is write-only (Moodle error 404)", c))
            continue
        # LMSSetValue
        value = c.value if c.value is not None else ""
        if mode == "r":
            out.append(Violation("read-only", f"{element} is read-only (Moodle error 403)", c))
            continue
        # array index gaps: Moodle error 201 when n > _count
        parts = element.split(".")
        for k in range(1, len(parts) - 1):
            if parts[k + 1].isdigit():
                array = ".".join(parts[: k + 1])
                n = int(parts[k + 1])
                have = counts.get(array, 0)
                if n == have:
                    counts[array] = have + 1
                elif n > have:
                    out.append(Violation("index-gap", f"{element}: index {n} but {array}._count is {have}", c))
        if element == "cmi.suspend_data":
            units, nbytes = utf16_len(value), len(value.encode("utf-8"))
            if units > SUSPEND_DATA_LIMIT:
                out.append(Violation("suspend_data-length",
                                     f"cmi.suspend_data is {units} characters (limit {SUSPEND_DATA_LIMIT})", c))
            elif nbytes > SUSPEND_DATA_LIMIT:
                out.append(Violation("suspend_data-length",
                                     f"cmi.suspend_data is {nbytes} UTF-8 bytes (limit {SUSPEND_DATA_LIMIT})", c))
        elif fmt is not None and not fmt(value):
            out.append(Violation("value-format",
                                 f"{element} = {value[:80]!r} does not match {_FORMAT_NAMES.get(id(fmt), 'its format')}", c))
        elif rng is not None:
            try:
                num = float(value) if value != "" else 0.0
            except ValueError:
                num = None
            if num is None or not (rng[0] <= num <= rng[1]):
                out.append(Violation("value-range", f"{element} = {value!r} is outside {rng[0]}..{rng[1]}", c))
        if element == "cmi.comments":
            comment_sets.append(c)
            comments_total += value
            if len(comment_sets) == 2:
                out.append(Violation("comments-repeated",
                                     "cmi.comments set more than once in a session: Moodle appends each "
                                     "value, scorm-again keeps only the last", c))
            if utf16_len(comments_total) > 4096 and utf16_len(comments_total) - utf16_len(value) <= 4096:
                out.append(Violation("comments-length",
                                     f"cmi.comments as Moodle stores it (appended) is {utf16_len(comments_total)} "
                                     "characters (limit 4096)", c))
        m = re.fullmatch(r"cmi\.interactions\.(\d+)\.(student_response|correct_responses\.\d+\.pattern)", element)
        if m and m.group(1) in types and types[m.group(1)] in RESPONSE_FORMATS:
            check, desc = RESPONSE_FORMATS[types[m.group(1)]]
            if not check(value):
                out.append(Violation("response-format",
                                     f"{element} = {value[:80]!r}: a {types[m.group(1)]} response must be {desc}", c))
        if element == "cmi.core.lesson_status" and CMIStatus(value):
            status_set = True

    # Moodle's server re-grades only when a score.raw is posted (moodle_grading.py)
    by_index = {c.index: c for c in calls}
    for rule, message, index in moodle_grading.problems(moodle_grading.replay(calls, initial_cmi)):
        out.append(Violation(rule, message, by_index.get(index)))

    initial_status = (initial.get("core") or {}).get("lesson_status") or "not attempted"
    if finishes and not status_set and initial_status == "not attempted":
        out.append(Violation("status-never-set",
                             "cmi.core.lesson_status never set (successfully): at LMSFinish Moodle stores "
                             "'completed', scorm-again keeps 'not attempted' -- LMSs disagree", finishes[0]))
    return out


# --------------------------------------------------------------------------- console errors

class ConsoleErrors(list):
    """console.error messages and uncaught errors from every frame of a page, as strings."""

    def attach(self, page) -> "ConsoleErrors":
        page.on("console", self._on_console)
        page.on("pageerror", self._on_pageerror)
        return self

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            url = loc.get("url") or ""
            self.append(f"console.error {url}:{loc.get('lineNumber', '')}: {msg.text}")

    def _on_pageerror(self, err) -> None:
        self.append(f"pageerror: {getattr(err, 'message', err)}")


# --------------------------------------------------------------------------- axe-core

_AXE_RUN = """async ([tags, exclude, disable]) => {
  // exclude: CSS selectors left out of this run; html stays the root, so page-level rules
  // (document-title, html-has-lang) still run
  const context = exclude.length ? { include: [['html']], exclude: exclude.map(s => [s]) } : document;
  const r = await window.axe.run(context, {
    runOnly: { type: 'tag', values: tags },
    rules: Object.fromEntries(disable.map(id => [id, { enabled: false }])),
    resultTypes: ['violations'],
    iframes: false,
  });
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
    nodes: v.nodes.map(n => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
  }));
}"""


def _inject_axe(frame, source: str) -> None:
    """Evaluate axe.min.js in the frame through Playwright (not a <script> tag: a package's
    Content-Security-Policy would block an inline script and log a console error)."""
    if frame.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        return
    frame.evaluate("() => {" + source + "\n}")
    if not frame.evaluate("() => typeof window.axe === 'object'"):
        raise RuntimeError(f"could not inject axe-core into frame {frame.url}")


@functools.lru_cache(maxsize=1)
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page, tags: Iterable[str] = WCAG_TAGS, *, exclude: Iterable[str] = (), disable: Iterable[str] = (),
            frames: str = "all") -> list[dict]:
    """axe-core violations of every document in the page: the host page AND the package's
    iframe (and any frame nested in it).

    axe.min.js is injected into EVERY frame and run there as its own document: with axe in
    the top frame only, a package in an iframe reports no violations whatever it contains,
    and even with axe in every frame, a run started in the top frame skips the page-level
    rules (document-title, html-has-lang: "is-initiator" rules) for iframe documents -- yet
    LMSs also launch packages in a new window, where those documents are the page.
    ``exclude``: CSS selectors of elements left out in every frame (e.g. a player's hidden views,
    when a sweep checks each view while it is shown and the whole document once).
    ``disable``: rule ids not run (only where the run itself would make them fail, e.g.
    landmark-unique when a sweep shows every view at once). ``frames``: "all", or "frames" to
    leave out the host page (its document does not change between a sweep's views).
    Returns [{id, impact, help, helpUrl, tags, frame: <frame url>,
              nodes: [{target, html, failureSummary}]}] (targets are selectors in that frame)."""
    source = _axe_source()
    tags, exclude, disable = list(tags), list(exclude), list(disable)
    violations: list[dict] = []
    for frame in page.frames:
        if frame.is_detached() or frame.url in ("", "about:blank") or (frames == "frames" and frame is page.main_frame):
            continue
        _inject_axe(frame, source)
        for v in frame.evaluate(_AXE_RUN, [tags, exclude, disable]):
            v["frame"] = frame.url
            violations.append(v)
    return violations


def format_axe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{v.get('frame', '')}]")
        for n in v["nodes"][:5]:
            lines.append(f"    {n['target']}: {n['html'][:120]}")
    return "\n".join(lines)
