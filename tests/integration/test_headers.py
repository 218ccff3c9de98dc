"""Security headers, error pages and production settings (issue 10, item 7)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

SRC = Path(__file__).resolve().parents[2] / "src" / "pht"
# Rendered to PDF by WeasyPrint, never served to a browser.
PRINT_TEMPLATES = {
    "apps/scheme/templates/scheme/decision_letter.html",
    "apps/scheme/templates/scheme/decision_letter_base.html",  # the letters (PDF, never served as a page)
    # Inline stylesheet only in the standalone file (PDF, saved report); the page links it.
    "apps/evaluation/templates/evaluation/report/report.html",
}
STRONG_KEY = "k3y-" + "x9QpL2vR7mT4wZ8nB5cJ1hF6dS3aG0eY" * 2


def _django(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with PHT's settings under ``env`` (settings read the env once)."""
    # a production environment: no PHT_* of the test run, and not the browser tests' async switch
    full_env = {
        k: v
        for k, v in os.environ.items()
        if (not k.startswith("PHT_") or k == "PHT_VAR_DIR") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    full_env.update(DJANGO_SETTINGS_MODULE="pht.site.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


PRODUCTION = {"PHT_DEBUG": "0", "PHT_SECRET_KEY": STRONG_KEY, "PHT_PSEUDONYM_KEY": "p" * 40}


def test_check_deploy_is_clean_in_production_settings() -> None:
    result = _django(
        "import sys, django; django.setup(); from django.core.management import call_command; "
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_hsts_and_https_in_production() -> None:
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client(HTTP_HOST='localhost').get('/login/', secure=True); print(r.status_code, r.headers.get('Strict-Transport-Security')); "
        "r = Client(HTTP_HOST='localhost').get('/login/'); print(r.status_code, r.headers.get('Location'))"
    )
    result = _django(code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    secure, plain = result.stdout.strip().splitlines()
    assert secure == "200 max-age=31536000; includeSubDomains; preload"
    assert plain == "301 https://localhost/login/"
    # Development: no HSTS (a laptop's localhost must not be pinned to HTTPS).
    result = _django(code, PHT_DEBUG="1")
    assert result.stdout.strip().splitlines()[0] == "200 None"


@pytest.mark.parametrize("key", ["short", "a" * 60, "django-insecure-" + "abcdefghij" * 5])
def test_a_weak_secret_key_is_refused_in_production(key: str) -> None:
    result = _django("import django; django.setup()", PHT_DEBUG="0", PHT_SECRET_KEY=key)
    assert result.returncode != 0
    assert "PHT_SECRET_KEY is too weak" in result.stderr
    assert _django("import django; django.setup()", **PRODUCTION).returncode == 0


@pytest.mark.django_db
def test_every_answer_has_a_csp_and_no_store(orgs: Any, make_user: Any) -> None:
    from pht.apps.accounts.models import ApiToken

    user = make_user("officer", roles=["case_officer"], organisation=orgs["directorate"])
    client = Client()
    client.force_login(user)
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    _, raw = ApiToken.issue(user, "test")
    api = Client().get("/api/municipalities", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in api.headers
    assert Client().get("/login/").headers["Cache-Control"] == "no-store"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\sstyle=\"", re.I), "style attribute"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\son[a-z]+=[\"']", re.I), "inline event handler"),
    (re.compile(r"\shx-on", re.I), "hx-on handler (evaluated as script)"),
]


def test_no_template_needs_inline_script_or_style() -> None:
    """The CSP allows no inline script or style, so no template may use one (the page would break)."""
    problems = []
    for template in SRC.rglob("templates/**/*.html"):
        if str(template.relative_to(SRC)) in PRINT_TEMPLATES:
            continue
        text = template.read_text()
        for pattern, what in INLINE:
            problems += [
                f"{template.relative_to(SRC)}: {what}: {m.group(0)!r}" for m in pattern.finditer(text)
            ]
    assert problems == []


def test_htmx_does_not_inject_its_indicator_style() -> None:
    base = (SRC / "site" / "templates" / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base


@pytest.mark.django_db
def test_friendly_error_pages_in_both_languages(orgs: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("evaluator", roles=["evaluator"], organisation=orgs["evaluation"]))
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404
    body = missing.content.decode()
    assert "Fant ikke siden" in body and "Page not found" in body
    assert "urlpatterns" not in body and "URLconf" not in body
    forbidden = client.get("/care/")  # the worklist is for practice staff
    assert forbidden.status_code in (302, 403)
    from django.views import defaults

    request = RequestFactory().get("/x")
    denied = defaults.permission_denied(request, Exception("secret detail"))
    assert "Ingen tilgang" in denied.content.decode() and "No access" in denied.content.decode()
    assert "secret detail" not in denied.content.decode()
    error = defaults.server_error(request)
    assert error.status_code == 500
    assert "Noe gikk galt" in error.content.decode() and "Something went wrong" in error.content.decode()
    assert "Traceback" not in render_to_string("500.html")


@pytest.mark.django_db
def test_api_docs_load_their_assets_from_the_site(orgs: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("officer", roles=["case_officer"], organisation=orgs["directorate"]))
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets
    assert "cdn" not in html.lower()
    bundle = client.get(next(a for a in assets if a.endswith("swagger-ui-bundle.js")))
    assert bundle.status_code == 200
