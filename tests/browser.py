"""A real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for HTML report tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The flags keep Chromium from calling home: on a closed network those calls fail at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-default-apps",
]


def _unavailable(reason: str) -> None:
    """Skips locally; in CI (.ci/run sets up the browser) a missing browser is a failure, not a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser tests", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str:
    path = os.environ.get("LABELLINT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _unavailable("no Chromium on this machine (.ci/run installs Debian's chromium)")
    return path


class Page:
    """One loaded page with everything it asked the network for and every console error."""

    def __init__(self, page, requests: list[str], errors: list[str]) -> None:
        self.page = page
        self.requests = requests
        self.errors = errors


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright import sync_api
    except ImportError:
        _unavailable("playwright is not installed (it is in the test extra)")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def open_page(browser, path: Path, width: int = 1400) -> Page:
    """Loads a local file, recording every request and every console error or uncaught exception."""
    page = browser.new_page(viewport={"width": width, "height": 1000})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    return Page(page, requests, errors)
