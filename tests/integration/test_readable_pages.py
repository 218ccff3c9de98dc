"""The demo's care, registry and start pages read cleanly in bokmål and English: no raw parameter key
(``per_size_class[large]``, ``home_visit``), no unformatted decimal (``678082.19``), no status or contact
kind left in the other language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

# one scanner for every page test (tests/page_scan.py)
from page_scan import EN_DECIMAL, NB_DATE, NB_DECIMAL, RAW_KEY, visible_text

pytestmark = pytest.mark.django_db


def _labels(language: str) -> set[str]:
    """Every status, contact kind and role label as ``language`` shows it."""
    from pht.apps.care.models import CONTACT_KIND_LABELS, TeamRole
    from pht.apps.care.workflow import CARE_PLAN, TASK

    with translation.override(language):
        return {
            str(label)
            for label in [
                *CARE_PLAN.labels.values(),
                *TASK.labels.values(),
                *CONTACT_KIND_LABELS.values(),
                *TeamRole.labels,
            ]
        }


@pytest.fixture
def demo(registry: Any, settings: Any) -> dict[str, Any]:
    from pht.apps.care import demo as care_demo
    from pht.apps.care.models import CarePlan, ListResident
    from pht.site.demo import create_demo_users, demo_practice

    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    create_demo_users()
    care_demo.build_demo(lambda line: None)
    practice = demo_practice()
    planned = CarePlan.objects.filter(resident__practice=practice).first()
    assert planned is not None
    contacted = ListResident.objects.filter(practice=practice, contacts__isnull=False).first()
    return {"practice": practice, "patients": [planned.resident_id, contacted.pk]}


def test_demo_pages_show_no_raw_keys_unformatted_decimals_or_untranslated_labels(
    demo: dict[str, Any],
) -> None:
    practice = demo["practice"]
    pages = {
        "sykepleier": [
            "/",
            "/care/",
            *(f"/care/patients/{pk}/" for pk in demo["patients"]),
            "/care/reviews/",
            f"/registry/practices/{practice.orgnr}/",
        ],
        "fastlege": ["/", "/care/", f"/registry/practices/{practice.orgnr}/"],
        "helsesekretaer": ["/", "/care/"],
        "prosjektleder": ["/", "/care/overview/", "/registry/municipalities/0828/"],
        "saksbehandler": [
            "/",
            "/care/overview/",
            "/registry/municipalities/",
            "/registry/municipalities/0828/",
        ],
    }
    english_only = _labels("en") - _labels("nb")
    bokmal_only = _labels("nb") - _labels("en")
    assert {"Active", "Open", "Home visit"} <= english_only and {
        "Aktiv",
        "Åpen",
        "Hjemmebesøk",
    } <= bokmal_only
    from pht.apps.accounts.models import User

    problems: list[str] = []
    checked = 0
    for username, urls in pages.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in urls:
            for language, decimal, foreign in (
                ("nb", NB_DECIMAL, english_only),
                ("en", EN_DECIMAL, bokmal_only),
            ):
                response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
                assert response.status_code == 200, (username, url, response.status_code)
                checked += 1
                for text in visible_text(response.content.decode()):
                    where = f"{username} {url} [{language}]: {text[:120]!r}"
                    if RAW_KEY.search(text):
                        problems.append(f"raw key {RAW_KEY.search(text).group()!r} in {where}")  # type: ignore[union-attr]
                    # a bokmål date (31.03.2023, a date input's hint) is not a decimal, as in page_scan
                    if decimal.search(NB_DATE.sub("", text) if language == "nb" else text):
                        problems.append(f"unformatted decimal in {where}")
                    if text in foreign:
                        problems.append(f"label in the other language in {where}")
    assert checked == 2 * sum(len(urls) for urls in pages.values())
    assert problems == [], "\n".join(problems)


def test_the_scan_finds_what_it_looks_for() -> None:
    """The patterns catch the issue's examples (so a clean scan means something)."""
    texts = visible_text(
        "<p>per_size_class[large]</p><td>678082.19</td><script>a_b = 1.5</script><td>Aktiv</td>"
    )
    assert texts == ["per_size_class[large]", "678082.19", "Aktiv"]
    assert RAW_KEY.search(texts[0]) and NB_DECIMAL.search(texts[1]) and EN_DECIMAL.search(texts[1])
    assert not RAW_KEY.search("Siri Sykepleier") and not NB_DECIMAL.search("5. desember 2026")
    assert not EN_DECIMAL.search("NOK 678,082.19")
