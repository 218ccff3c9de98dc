"""Universell utforming as a test: every demo role walks the pages linked from its start page, and
axe-core (the npm package pinned in tests/e2e/axe, installed by ``make test``) finds no WCAG 2.1 A/AA
violation on any of them; at a 390 px wide phone no page scrolls sideways."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE_WIDTH = 390
PAGES_PER_ROLE = 60
# Not pages to audit: leaving the session, files (exports, PDFs, FHIR), the admin and the API's docs.
SKIP_PATH = re.compile(r"/logout|/admin/|/api/|\.(pdf|csv|xlsx|json|zip)$|/(export|download|pdf|csv|xlsx)/?$")
SKIP_QUERY = re.compile(r"(^|&)(format|fmt|download)=")


def _axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed ({AXE}); run: cd tests/e2e/axe && npm ci")
    return AXE.read_text(encoding="utf-8")


def _run_axe(page, source: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """Violations of WCAG 2.1 A/AA on the page as it stands. The site's Content-Security-Policy refuses
    an injected <script>, so the source is evaluated through the DevTools protocol instead."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                                        summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )


def _pattern(url: str) -> str:
    """One page per kind: numbers and identifiers collapse, query values are ignored (their names kept)."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", parts.path)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return path + ("?" + "&".join(keys) if keys else "")


def _links(page, origin: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all(
        "a[href]", "(links) => links.filter((a) => !a.hasAttribute('download')).map((a) => a.href)"
    )
    found = []
    for href in hrefs:
        url = href.split("#")[0]
        parts = urlsplit(url)
        if (
            url.startswith(origin + "/")
            and not SKIP_PATH.search(parts.path)
            and not SKIP_QUERY.search(parts.query)
        ):
            found.append(url)
    return found


def _audit_role(page, origin: str, source: str, audited: set[str]) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Breadth-first from the start page; returns (pages audited, problems). A role's start page and
    the pages it links to (menu, to-dos) are audited for every role; a page further in only if no role
    before saw a page of that kind (``audited``), so the sweep stays within minutes."""
    queue = deque([(origin + "/", 0)])
    seen_patterns: set[str] = set()
    visited: list[str] = []
    problems: list[str] = []
    # a phone's width: the narrowest layout, where every wide table must scroll in its own box
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    while queue and len(visited) < PAGES_PER_ROLE:
        url, depth = queue.popleft()
        pattern = _pattern(url)
        if pattern in seen_patterns or (pattern in audited and depth > 1):
            continue
        seen_patterns.add(pattern)
        audited.add(pattern)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):  # a file behind an ordinary-looking link
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if response.status >= 400:
            # a link a role cannot follow is a finding of its own, but not one axe makes
            problems.append(f"{url}: HTTP {response.status}")
            continue
        visited.append(url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            wide = page.evaluate(
                """(limit) => [...document.querySelectorAll('body *')]
                    .filter((e) => e.getBoundingClientRect().right > limit + 1 && !e.closest('.pht-scroll'))
                    .slice(0, 3).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
                PHONE_WIDTH,
            )
            problems.append(f"{url}: {width} px wide at {PHONE_WIDTH} px ({', '.join(wide)})")
        for violation in _run_axe(page, source):
            nodes = "; ".join(f"{n['target']} {n['html']!r}" for n in violation["nodes"])
            problems.append(f"{url}: {violation['id']} ({violation['help']}): {nodes}")
        queue.extend((link, depth + 1) for link in _links(page, origin))
    return visited, problems


@pytest.fixture
def full_demo(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Every app's demo data on the registry of the municipalities the demos use (not all of Norway)."""
    import importlib

    from pht.apps.accounts.models import User
    from pht.apps.evaluation.demo import DEMO_MUNICIPALITIES
    from pht.apps.registry.loading import load_demo_registry, load_municipalities
    from pht.apps.scheme.demo import APPLICANTS
    from pht.site.demo import APP_DEMOS, create_demo_users
    from pht.synth.demo import DEMO_MUNICIPALITY, DEMO_SEED
    from pht.synth.pilot import default_pilot

    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    settings.VAR_DIR = tmp_path
    settings.PHT_FINANCE_LAKE = tmp_path / "lake"
    municipalities = {DEMO_MUNICIPALITY, *APPLICANTS, *DEMO_MUNICIPALITIES}
    municipalities |= {p.kommunenummer for p in default_pilot(DEMO_SEED).practices}
    load_municipalities(2017)
    load_demo_registry(seed=DEMO_SEED, only=tuple(sorted(municipalities)))
    create_demo_users()
    for module in APP_DEMOS:
        importlib.import_module(module).build_demo(lambda line: None)
    for user in User.objects.all():
        user.set_password("test-password-123")
        user.save()


def _one_user_per_role() -> list[str]:
    from pht.site.demo import DEMO_USERS

    users: dict[tuple[str, ...], str] = {}
    for spec in DEMO_USERS:
        users.setdefault(spec.roles, spec.username)
    return list(users.values())


def test_axe_finds_a_violation_on_a_bad_page(page, live_server):  # type: ignore[no-untyped-def]
    """The audit cannot pass by running nothing: on a page with an unlabelled input and an image
    without text, the injected axe reports both."""
    source = _axe_source()
    page.goto(f"{live_server.url}/login/")
    assert _run_axe(page, source) == []
    page.evaluate(
        """() => { const main = document.querySelector('main');
                   main.insertAdjacentHTML('beforeend', '<input type="text" id="bad"><img src="/x.png">'); }"""
    )
    found = {v["id"] for v in _run_axe(page, source)}
    assert {"label", "image-alt"} <= found


def test_every_demo_page_passes_axe_and_fits_a_phone_for_every_role(  # type: ignore[no-untyped-def]
    page, live_server, login, full_demo
):
    source = _axe_source()
    problems: list[str] = []
    audited: set[str] = set()
    for username in _one_user_per_role():
        page.context.clear_cookies()
        login(page, username)
        visited, found = _audit_role(page, live_server.url, source, audited)
        assert visited, f"{username} reached no page"
        problems.extend(f"[{username}] {p}" for p in found)
    assert len(audited) >= 30, sorted(audited)  # the crawl really went through the site (39 kinds of page)
    assert not problems, "\n".join(problems)
