"""Browser fixtures: the staff pages served by waitress on 127.0.0.1 (a free port, a background thread)
over a register filled by the real pipeline from the sample mailbox, driven by Debian's chromium through
Playwright at an office PC's 1366×768. Every scenario saves a full-page screenshot under
tests/artifacts/screenshots/ for a person to look at.

Without /usr/bin/chromium the tests skip locally and fail in CI (MAILBOT_REQUIRE_SERVERS=1);
scripts/test.sh installs it when run as root."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _unavailable, new_database
from tests.web.conftest import PASSWORDS, Staff, make_staff

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


@dataclass
class Live:
    """The running site: its base URL and the data behind it.

    `favicon_requests` counts chromium's own /favicon.ico requests (they once spoiled the sign-in form's
    CSRF cookie; test_the_browsers_favicon_request_does_not_spoil_the_sign_in_form keeps it fixed)."""

    url: str
    staff: Staff
    favicon_requests: int = 0


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The staff pages over HTTP on 127.0.0.1 (SQLite register; the in-process tests cover PostgreSQL)."""
    from waitress.server import create_server

    from mailbot.web.app import create_web_app

    workdir = tmp_path_factory.mktemp("browser")
    with new_database("sqlite", workdir) as url:
        staff = make_staff(url, workdir)
        web = create_web_app(staff.mailbot)  # not in testing mode: errors become the site's own 500 page
        holder: list[Live] = []

        def site(environ: dict[str, Any], start_response: Any) -> Any:
            live = holder[0]
            if environ.get("PATH_INFO") == "/favicon.ico":
                live.favicon_requests += 1
            return web.wsgi_app(environ, start_response)

        server = create_server(site, host="127.0.0.1", port=0, threads=4, ident="mailbot")
        holder.append(Live(f"http://127.0.0.1:{server.effective_port}", staff))
        thread = threading.Thread(target=server.run, name="waitress", daemon=True)
        thread.start()
        try:
            yield holder[0]
        finally:
            server.close()
            thread.join(timeout=10)
            staff.mailbot.db.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-dejavu-core; scripts/test.sh does it as root)")
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as p:
        try:
            launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        except Error as exc:
            _unavailable(f"chromium would not start: {exc}")
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live: Live) -> Iterator[Any]:
    """A fresh browser profile (no cookies) at 1366×768, downloads accepted."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, base_url=live.url, locale="vi-VN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Any, username: str) -> None:
    """Through the sign-in form, as a person does."""
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORDS[username])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


@pytest.fixture
def admin(page: Any) -> Any:
    sign_in(page, "admin")
    return page


def shot(page: Any, name: str) -> Path:
    """A full-page screenshot in tests/artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def fits_width(page: Any) -> tuple[int, int]:
    """(scrollWidth, innerWidth): no horizontal scrollbar when the first is at most the second."""
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))  # type: ignore[return-value]
