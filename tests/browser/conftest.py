"""Fixtures for playing SCORM packages in headless Debian chromium (see README.md here).

Without /usr/bin/chromium, Playwright or `npm ci`'s node_modules the browser tests SKIP with
the reason -- unless CI is set (CI=1 / CI=true), where they FAIL instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import pytest

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

    def run_axe(self, tags=harness.WCAG_TAGS) -> list[dict]:
        return harness.run_axe(self.page, tags)


@pytest.fixture
def lms(page, lms_server, console_errors) -> Lms:
    return Lms(page, lms_server, console_errors)
