"""Fixtures for playing SCORM packages in headless Debian chromium (see README.md here).

Without /usr/bin/chromium, Playwright or `npm ci`'s node_modules the browser tests SKIP with
the reason -- unless CI is set (CI=1 / CI=true), where they FAIL instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import pytest

from . import course_driver as drv
from . import harness


@pytest.fixture(scope="session")
def pw_browser():
    """One headless chromium for the session (each test gets its own fresh context)."""
    missing = harness.requirements_missing()
    if missing:
        reason = "browser tests need " + "; ".join(missing)
        if harness.in_ci():
            pytest.fail(reason + " -- CI is set, so this fails instead of skipping", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = harness.launch_browser(pw)
    try:
        yield browser
    finally:
        browser.close()
        pw.stop()


@pytest.fixture
def browser_context(pw_browser):
    """A fresh, isolated browser context (own cookies, storage, cache) per test."""
    context = pw_browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def console_errors() -> harness.ConsoleErrors:
    """console.error messages and uncaught exceptions from every frame of `page`."""
    return harness.ConsoleErrors()


@pytest.fixture
def page(browser_context, console_errors):
    page = browser_context.new_page()
    console_errors.attach(page)
    yield page


@pytest.fixture
def lms_server(pw_browser, tmp_path):
    with harness.LmsServer(tmp_path / "www") as server:
        yield server


class Lms:
    """The harness bound to one test's page and server."""

    def __init__(self, page, server: harness.LmsServer, console_errors: harness.ConsoleErrors):
        self.page = page
        self.server = server
        self.console_errors = console_errors
        self.initial_cmi: Mapping[str, Any] | None = None

    def play(self, package: str | Path | None = None, **kwargs):
        """harness.open_lms(page, server, package, **kwargs) -> the content Frame."""
        self.initial_cmi = kwargs.get("cmi")
        return harness.open_lms(self.page, self.server, package, **kwargs)

    @property
    def frame(self):
        return harness.content_frame(self.page)

    def calls(self) -> list[harness.Call]:
        return harness.get_calls(self.page)

    def commits(self) -> list[dict]:
        return harness.commits(self.page)

    def wait_for_finish(self, timeout_ms: float = 5_000) -> None:
        harness.wait_for_finish(self.page, timeout_ms)

    def final_cmi(self, timeout_ms: float = 5_000) -> dict:
        return harness.final_cmi(self.page, timeout_ms)

    def close_content(self) -> None:
        harness.close_content(self.page)

    def check_strict(self) -> list[harness.Violation]:
        return harness.check_strict(self.calls(), initial_cmi=self.initial_cmi)

    def run_axe(self, tags=harness.WCAG_TAGS, *, exclude=(), disable=(), frames="all") -> list[dict]:
        return harness.run_axe(self.page, tags, exclude=exclude, disable=disable, frames=frames)


@pytest.fixture
def lms(page, lms_server, console_errors) -> Lms:
    return Lms(page, lms_server, console_errors)


# --------------------------------------------------------------------------- packages, built once

# Every package a test plays is built once per session and shared across test files: a play
# installs its own copy under the LMS server's /pkg/, so tests cannot change a shared build.

@pytest.fixture(scope="session")
def example_course() -> drv.CourseKey:
    """The example course at the repo root, as the tests read it (answer keys, pages...)."""
    if not (drv.REPO / "course.yaml").exists():
        pytest.skip("no example course at the repo root")
    return drv.CourseKey.load(drv.REPO)


@pytest.fixture(scope="session")
def example_packages(example_course, tmp_path_factory) -> dict[str, Path]:
    """{"standard": zip, "certificate": zip} of the example course, built by `coursepack build`."""
    built = drv.cli_build(drv.REPO, tmp_path_factory.mktemp("example-course"), "--edition", "all")
    assert set(built) == {"standard", "certificate"}
    return built


@pytest.fixture(scope="session")
def example_per_module(example_course, tmp_path_factory) -> Path:
    """The example course's standard edition with one SCO per module."""
    out = tmp_path_factory.mktemp("example-per-module")
    return drv.cli_build(drv.REPO, out, "--edition", "standard", "--sco-per-module")["standard"]


@pytest.fixture(scope="session")
def lrs_packages(example_course, tmp_path_factory) -> dict[str, Path]:
    """{"xapi": zip, "xapi-standard": zip, "cmi5": zip (certificate, AU per module), "cmi5-standard": zip}:
    built once per session for every test that plays against the LRS."""
    out: dict[str, Path] = {}
    for target in ("xapi", "cmi5"):
        built = drv.cli_build(drv.REPO, tmp_path_factory.mktemp(target), "--target", target, "--edition", "all")
        out[target], out[f"{target}-standard"] = built["certificate"], built["standard"]
    return out


@pytest.fixture(scope="session")
def scaffold_packages(tmp_path_factory) -> dict[str, Path]:
    """{"standard": dir, "certificate": dir} of the `coursepack new` scaffold."""
    out = tmp_path_factory.mktemp("scaffold")
    return {e: drv.build_dir(drv.SCAFFOLD, e, out / e) for e in ("standard", "certificate")}


@pytest.fixture(scope="session")
def full_course(tmp_path_factory) -> Path:
    """A course using every block and question type (tests/test_render.py writes it)."""
    from test_render import make_full_course  # tests/ is on sys.path (rootdir conftest)

    return make_full_course(tmp_path_factory.mktemp("full-course"))


@pytest.fixture(scope="session")
def full_packages(full_course, tmp_path_factory) -> dict[str, Path]:
    """{"standard": dir, "certificate": dir} of the full course."""
    out = tmp_path_factory.mktemp("full-packages")
    return {e: drv.build_dir(full_course, e, out / e) for e in ("standard", "certificate")}
