"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against live_server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (fixtures) are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(
            f"Debian's chromium is needed for browser tests ({CHROMIUM}); run scripts/install-system-deps"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(live_server) -> Callable[[object, str, str], None]:  # type: ignore[no-untyped-def]
    """Log in through the real login form."""

    def do_login(page, username: str, password: str = "test-password-123") -> None:  # type: ignore[no-untyped-def]
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Brukernavn").fill(username)
        page.get_by_label("Passord").fill(password)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{live_server.url}/")

    return do_login


@pytest.fixture
def logged_in(browser, login) -> Callable[[str], tuple[object, object]]:  # type: ignore[no-untyped-def]
    """A fresh browser context per user (several users in one test), logged in through the form."""

    def open_as(username: str) -> tuple[object, object]:
        context = browser.new_context(locale="nb-NO")
        page = context.new_page()
        page.set_default_timeout(15_000)
        login(page, username)
        return context, page

    return open_as
