"""A real browser for end-to-end tests: Debian's Chromium driven by Playwright, against the
application served over HTTP on loopback.

Fixtures:
- `live_server`: the test application served by a threaded WSGI server on 127.0.0.1 and a free
  port, with CSRF protection switched on as in production. Its requests use their own database
  connections, so a test using it must be marked `real_commits` (or `demo`).
- `chromium`: one headless Chromium for the whole run (`/usr/bin/chromium`, never a downloaded
  browser); a missing Chromium skips on a developer's machine and fails in CI.
- `browser_context`: browser_context(viewport=LAPTOP) -> a new context (its own cookies, as a
  separate person), closed at the end of the test.

Helpers: `sign_in_page(page, base_url, username, password)`, `axe_violations(page)` (axe-core,
vendored from the npm registry under tests/vendor, injected into the page).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from conftest import skip_unless_available

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")


class _QuietHandler(WSGIRequestHandler):
    """The application logs each request itself (with its request id); no second line."""

    def log_request(self, code="-", size="-") -> None:
        pass


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture
def live_server(request: pytest.FixtureRequest, app: Flask) -> Iterator[LiveServer]:
    if not (request.node.get_closest_marker("real_commits") or request.node.get_closest_marker("demo")):
        pytest.fail("a test using live_server must be marked real_commits (or demo): the server commits for real")
    saved = {key: app.config.get(key) for key in ("WTF_CSRF_ENABLED", "SERVER_NAME")}
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(10)
        app.config.update(saved)


@pytest.fixture(scope="session")
def chromium():
    skip_unless_available(CHROMIUM.exists(), f"Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_context(chromium):
    contexts = []

    def make(viewport: dict[str, int] = LAPTOP, **options):
        context = chromium.new_context(viewport=viewport, accept_downloads=True, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in_page(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real form and wait for the page it leads to."""
    page.goto(f"{base_url}/login")
    form = page.locator("main form", has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the page as it stands; the violations of the given impacts, each with
    its rule id, help text, the selectors of the offending nodes and why the first ones fail."""
    # Evaluated through the DevTools protocol, not a <script> tag, which the page's
    # Content-Security-Policy (no inline script) rightly refuses. A page still loading its
    # style sheets would be judged on colours it does not have yet.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5],
         "why": [n.get("failureSummary", "") for n in v["nodes"]][:2]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=2)
