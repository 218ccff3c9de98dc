"""Universell utforming as a test: every demo role walks the pages linked from its start page, in bokmål
and again in English (chosen in the header's language menu, as a user does), and axe-core (the npm
package pinned in tests/e2e/axe, installed by ``make test``) finds no WCAG 2.1 A/AA violation on any of
them; at a 390 px wide phone no page scrolls sideways. The same holds for the admin pages an
administrator uses, the API's docs (Swagger UI) and the pages anyone sees signed out."""

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
LANGUAGES = ["nb", "en"]
# Not pages for the roles' walk: leaving the session, files (exports, PDFs, FHIR), the admin and the API's
# docs (those two are audited by lists of their own below).
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


def _choose_language(page, language: str) -> None:  # type: ignore[no-untyped-def]
    """As a user chooses it: the language menu in the page's header, which submits itself (pht.js)."""
    menu = page.locator("select[name=language]")
    if menu.input_value() == language:
        return
    with page.expect_navigation():
        menu.select_option(language)
    assert page.evaluate("() => document.documentElement.lang") == language


def _audit_page(page, url: str, source: str, language: str | None) -> tuple[bool, list[str]]:  # type: ignore[no-untyped-def]
    """Open ``url`` at a phone's width; returns (an HTML page was audited, problems). ``language``: the
    language the page must be in (its ``<html lang>``), None for a page that is not translated."""
    # a phone's width: the narrowest layout, where every wide table must scroll in its own box
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        if "Download is starting" in str(error):  # a file behind an ordinary-looking link
            return False, []
        raise
    if response is None or "text/html" not in (response.headers.get("content-type") or ""):
        return False, []
    if response.status >= 400:
        # a link a role cannot follow is a finding of its own, but not one axe makes
        return False, [f"{url}: HTTP {response.status}"]
    return True, _audit_loaded(page, url, source, language)


def _audit_loaded(page, url: str, source: str, language: str | None) -> list[str]:  # type: ignore[no-untyped-def]
    """The checks on the page as it stands: its language, its width at 390 px and axe."""
    problems = []
    lang = page.evaluate("() => document.documentElement.lang")
    if language is not None and lang != language:
        problems.append(f"{url}: in {lang!r}, not in {language!r}")
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
    return problems


def _audit_role(  # type: ignore[no-untyped-def]
    page, origin: str, source: str, audited: set[str], language: str
) -> tuple[list[str], list[str]]:
    """Breadth-first from the start page; returns (pages audited, problems). A role's start page and
    the pages it links to (menu, to-dos) are audited for every role; a page further in only if no role
    before saw a page of that kind (``audited``), so the sweep stays within minutes."""
    queue = deque([(origin + "/", 0)])
    seen_patterns: set[str] = set()
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < PAGES_PER_ROLE:
        url, depth = queue.popleft()
        pattern = _pattern(url)
        if pattern in seen_patterns or (pattern in audited and depth > 1):
            continue
        seen_patterns.add(pattern)
        audited.add(pattern)
        html, found = _audit_page(page, url, source, language)
        problems.extend(found)
        if not html:
            continue
        visited.append(url)
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


def _admin_paths() -> list[str]:
    """The admin an administrator works in: the index, users (list, search, one user, their password and
    history, a new one), organisations (list, one, a deletion's confirmation), API tokens, the audit log
    and a registry list with its filters, and their own password."""
    from pht.apps.accounts.models import AuditEvent, Organisation, User

    user = User.objects.get(username="saksbehandler").pk
    organisation = Organisation.objects.order_by("pk").first()
    event = AuditEvent.objects.order_by("pk").first()
    assert organisation is not None and event is not None, "the demo has organisations and audit events"
    return [
        "/admin/",
        "/admin/accounts/",
        "/admin/accounts/user/",
        "/admin/accounts/user/?q=sara&is_active__exact=1",
        f"/admin/accounts/user/{user}/change/",
        f"/admin/accounts/user/{user}/password/",
        f"/admin/accounts/user/{user}/history/",
        "/admin/accounts/user/add/",
        "/admin/accounts/organisation/",
        f"/admin/accounts/organisation/{organisation.pk}/change/",
        f"/admin/accounts/organisation/{organisation.pk}/delete/",
        "/admin/accounts/apitoken/",
        "/admin/accounts/apitoken/add/",
        "/admin/accounts/auditevent/",
        f"/admin/accounts/auditevent/{event.pk}/change/",
        "/admin/registry/municipality/",
        "/admin/password_change/",
    ]


def _public_paths() -> list[str]:
    """Signed out: the login page, a published call's public page and the admin's own login page."""
    from django.urls import reverse

    from pht.apps.scheme.models import Call

    call = Call.objects.filter(status=Call.Status.PUBLISHED).order_by("pk").first()
    assert call is not None, "the demo has a published call"
    return ["/login/", reverse("scheme:call_public", args=[call.code]), "/admin/login/"]


def _audit_paths(page, origin: str, paths: list[str], source: str, language: str) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    for path in paths:
        html, found = _audit_page(page, origin + path, source, language)
        assert html or found, f"{path} is not a page"
        problems.extend(found)
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_demo_page_passes_axe_and_fits_a_phone_for_every_role(  # type: ignore[no-untyped-def]
    page, live_server, login, full_demo, language
):
    """Each language is a walk of its own (``audited`` starts empty), so every kind of page is audited in
    bokmål and in English. Then, in the same language (one demo built per language, not one per list):
    the Django admin as the demo administrator, and the pages anyone sees signed out. The admin has no
    language menu of its own; the choice made on PHT's pages (a cookie) holds there too."""
    source = _axe_source()
    origin = live_server.url
    problems: list[str] = []
    audited: set[str] = set()
    for username in _one_user_per_role():
        page.context.clear_cookies()
        login(page, username)
        _choose_language(page, language)
        visited, found = _audit_role(page, origin, source, audited, language)
        assert visited, f"{username} reached no page"
        problems.extend(f"[{username}] {p}" for p in found)
    # the crawl really went through the site (54 kinds of page in each language)
    assert len(audited) >= 30, sorted(audited)

    page.context.clear_cookies()
    login(page, "admin")
    _choose_language(page, language)
    problems.extend(
        f"[admin, Django admin] {p}" for p in _audit_paths(page, origin, _admin_paths(), source, language)
    )

    page.context.clear_cookies()
    page.goto(f"{origin}/login/")
    _choose_language(page, language)
    problems.extend(
        f"[signed out] {p}" for p in _audit_paths(page, origin, _public_paths(), source, language)
    )
    assert not problems, "\n".join(problems)


def test_api_docs_pass_axe_and_fit_a_phone(page, live_server):  # type: ignore[no-untyped-def]
    """/api/docs: Swagger UI from the package's files, untranslated (always English), audited as it
    opens, with an operation unfolded and tried out (parameters, responses, Execute) and with the
    authorization dialog open."""
    source = _axe_source()
    url = f"{live_server.url}/api/docs"
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto(url)
    # audited once Swagger UI has drawn the API from /api/openapi.json, not the empty page it starts as
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-summary")
    problems = _audit_loaded(page, url, source, "en")
    page.locator(".opblock-summary-control").first.click()
    page.locator(".try-out__btn").first.click()
    page.wait_for_selector(".btn.execute")
    problems += [f"(an operation tried out) {p}" for p in _audit_loaded(page, url, source, "en")]
    page.locator(".btn.authorize").first.click()
    page.wait_for_selector(".modal-ux")
    problems += [f"(authorization dialog) {p}" for p in _audit_loaded(page, url, source, "en")]
    assert not problems, "\n".join(problems)
