"""Every demo page, for every demo role, in bokmål and English: no raw parameter key, no unformatted
decimal, no status in the other language (issue 14, item 2). The walk follows the links each role sees
from its start page (tests/page_scan.py), so a new page is scanned as soon as something links to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from page_scan import EN_DECIMAL, NB_DECIMAL, RAW_KEY, foreign_labels, problems_in, scan_site, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> None:
    """The demo of ``pht demo`` on the scheme's applicant municipalities, with the finance lake of
    Seljord only (the full lake of nine municipalities takes minutes to write)."""
    from pht.apps.care import demo as care_demo
    from pht.apps.evaluation import demo as evaluation_demo
    from pht.apps.finance import demo as finance_demo
    from pht.apps.registry.loading import load_demo_registry, load_municipalities
    from pht.apps.scheme import demo as scheme_demo
    from pht.site.demo import create_demo_users
    from pht.synth.demo import DEMO_SEED
    from pht.synth.lake import run, select_municipalities
    from pht.synth.pilot import default_pilot

    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    settings.VAR_DIR = tmp_path
    settings.PHT_FINANCE_LAKE = tmp_path / "lake"
    load_municipalities(2017)
    load_demo_registry(seed=DEMO_SEED, only=tuple(scheme_demo.APPLICANTS))
    create_demo_users()
    # the finance demo settles the pilot practices found in an existing lake of its year
    run(settings.PHT_FINANCE_LAKE, select_municipalities(["0828"]), seed=DEMO_SEED,
        first_year=finance_demo.DEMO_YEAR - 1, last_year=finance_demo.DEMO_YEAR,
        pilot=default_pilot(DEMO_SEED), jobs=1, progress=False)  # fmt: skip
    for module in (scheme_demo, finance_demo, care_demo, evaluation_demo):
        module.build_demo(lambda line: None)


def test_every_demo_page_reads_cleanly_in_both_languages(demo: None) -> None:
    from pht.apps.accounts.models import User
    from pht.site.demo import DEMO_USERS

    problems: list[str] = []
    errors: list[str] = []
    pages: dict[str, set[str]] = {"nb": set(), "en": set()}
    for spec in DEMO_USERS:
        client = Client()
        client.force_login(User.objects.get(username=spec.username))
        scan = scan_site(client)
        errors += [f"{spec.username}: {e}" for e in scan.errors]
        problems += sorted({f"{spec.username}: {p}" for p in scan.problems})
        for language, urls in scan.pages.items():
            pages[language].update(urls)
    assert errors == []
    # the walk reached each app's pages, the finance statements among them
    for prefix in ("/scheme/", "/finance/", "/care/", "/registry/", "/evaluation/"):
        assert any(u.startswith(prefix) for u in pages["nb"]), prefix
    assert any(u.startswith("/finance/statements/") and u.count("/") > 3 for u in pages["en"])
    assert pages["nb"] == pages["en"] and len(pages["nb"]) >= 60, len(pages["nb"])
    assert problems == [], f"{len(problems)} problems on {len(pages['nb'])} pages:\n" + "\n".join(problems)


def test_the_scan_finds_what_it_looks_for() -> None:
    """The patterns catch the issue's examples in the language they are wrong in, so a clean scan means
    something; a code shown beside its label and a Norwegian date are not flagged."""
    texts = visible_text(
        "<p>per_size_class[large]</p><td>678082.19</td><script>a_b = 1.5</script><td>Aktiv</td>"
        "<p>Pris <code>per_size_class</code></p>"
    )
    assert texts == ["per_size_class[large]", "678082.19", "Aktiv", "Pris"]
    assert RAW_KEY.search("locked_in[0828]") and RAW_KEY.search("grant_per_gp_per_year")
    assert not RAW_KEY.search("Siri Sykepleier")
    for wrong_in_bokmal in ("1500000,00", "678082.19", "426 648.25"):
        assert NB_DECIMAL.search(wrong_in_bokmal), wrong_in_bokmal
    for wrong_in_english in ("1500000,00", "1500000.00", "0,50", "1\u00a0500\u00a0000", "1 500 kr"):
        assert EN_DECIMAL.search(wrong_in_english), wrong_in_english
    assert not NB_DECIMAL.search("1\u00a0500\u00a0000,00\u00a0kr") and not EN_DECIMAL.search(
        "NOK 1,500,000.00"
    )
    found = problems_in("<td>05.12.2026</td><td>12,5\u00a0%</td>", "/x/", "nb", set())
    assert found == []
    found = problems_in("<td>05.12.2026</td><td>Aktiv</td>", "/x/", "en", foreign_labels()["en"])
    assert [p.kind for p in found] == ["Norwegian date", "label in the other language"]
    found = problems_in("<li>diabetes (T90, first 2009-06-08)</li>", "/x/", "en", set())
    assert [p.kind for p in found] == ["ISO date"]
