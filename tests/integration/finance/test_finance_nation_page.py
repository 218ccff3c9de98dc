"""The finance page nation/: the stored national what-if (read-only) and the pilot's summary."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from pht.apps.accounts.models import Role
from pht.rules.financing.nation import PilotCosts, pilot_summary

URL = "/finance/nation/"


def _result() -> dict:
    model = {"income": "1234567.00", "change": "-2500.50", "for_team": "700000.00", "state": "1000000.00",
             "municipality": "234567.00", "gainers": 1, "losers": 2}  # fmt: skip
    group = {"practices": 3, "fee": {"change": "1.00", "gainers": 1, "losers": 0},
             "capitation": {"change": "-7.00", "gainers": 0, "losers": 3}, "best": {"change": "1.00", "gainers": 1, "losers": 0}}  # fmt: skip
    return {
        "year": 2018,
        "practices": [{}, {}, {}],
        "totals": {"practices": 3, "today": "1000000.00", "fee": model, "capitation": model, "best": model},
        "nurse_fte": {"needed": "1593.3", "supply": "1000", "gap": "593.3", "supply_is_assumption": True},
        "frame": {"explanation": "frame 12 = 10 + 2"},
        "by_county": [{"county": "Telemark", **group}],
        "by_size_class": [{"size_class": "small", **group}],
        "evaluation": {"given": False, "note": "none"},
        # a text stored before the texts were bilingual (English), and one in both languages
        "assumptions": {
            "nurse_funding.supply_fte": "Default: assumed supply",
            "payers": {"en": "Default: who pays.", "nb": "Standardverdi: hvem betaler."},
        },
    }


@pytest.fixture
def officer(orgs, make_user):  # type: ignore[no-untyped-def]
    return make_user("fin", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"])


def test_without_a_result_the_page_says_how_to_make_one(officer, client, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    client.force_login(officer)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="nation-none"' in html and "pht nation whatif" in html


def test_the_stored_result_is_shown_in_tables_with_assumptions_labelled(
    officer, client, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    (tmp_path / "nation_whatif.json").write_text(json.dumps(_result()))
    client.force_login(officer)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nasjonal hva-om" in html  # Norwegian by default
    assert "1\xa0234\xa0567" in html  # Norwegian thousands separator
    assert "Telemark" in html and 'data-testid="nation-size-classes"' in html
    assert (
        "1\u00a0593,30" in html
        and "Antakelse" in html
        and 'data-assumption="nurse_funding.supply_fte"' in html
    )
    assert (
        "Sykepleierårsverk tilgjengelig på landsbasis — Default: assumed supply" in html
    )  # stored English as is
    assert "Hvem som betaler i driftstilskuddsmodellen — Standardverdi: hvem betaler." in html
    assumptions = html.split('data-testid="nation-assumptions"', 1)[1].split("</ul>", 1)[0]
    assert "Default: who pays." not in html and "<code>" not in assumptions  # keys only in attributes
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Who pays under the capitation model — Default: who pays." in english
    assert "Standardverdi" not in english
    assert 'data-testid="nation-no-evaluation"' in html
    # charts: accessible SVG (role img, title) beside the tables, in Norwegian number format
    assert html.count('role="img"') >= 2 and "Endring i inntekt per fylke" in html
    assert 'data-testid="nation-chart-size"' in html


def test_the_frame_size_classes_and_counts_read_in_the_pages_language(
    officer, client, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    result = _result()
    result["frame"] = {"frame": "1200000.00", "reference_income": "1000000.00", "nurse_allowance": "200000.00",
                       "quality_pool": "30000.00", "needs_pool": "1170000.00", "explanation": "frame 1200000.00 = ..."}  # fmt: skip
    result["totals"]["fee"]["gainers"] = 1515
    result["by_size_class"][0]["practices"] = 1234
    (tmp_path / "nation_whatif.json").write_text(json.dumps(result))
    client.force_login(officer)
    html = client.get(URL).content.decode()
    frame = html.split('data-testid="nation-frame"', 1)[1].split("</p>", 1)[0]
    assert (
        "ramme 1\xa0200\xa0000\xa0kr = referanseårets inntekt i honorarmodellen 1\xa0000\xa0000\xa0kr"
        in frame
    )
    assert "1200000.00" not in frame
    sizes = html.split('data-testid="nation-size-classes"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">liten</th><td class="pht-num">1\xa0234</td>' in sizes
    assert '<td class="pht-num">1\xa0515</td>' in html.split('data-testid="nation-totals"', 1)[1]
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "frame NOK\xa01,200,000 = the reference year" in english and '<th scope="row">small</th>' in english
    )


def test_a_broken_result_file_is_an_error_message_not_a_500(officer, client, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    (tmp_path / "nation_whatif.json").write_text('{"totals": {"fee": 1}')
    client.force_login(officer)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    (tmp_path / "nation_whatif.json").write_text('{"totals": {"fee": 1}}')
    assert 'role="alert"' in client.get(URL).content.decode()


def test_practice_staff_may_not_see_the_national_page(orgs, make_user, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("gp", roles=[Role.GP], organisation=orgs["practice_a"]))
    assert client.get(URL).status_code == 403


def test_pilot_summary_from_the_stored_statements(officer, orgs, client, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pht.apps.finance.models import Statement, StatementLine

    settings.VAR_DIR = tmp_path
    a, b = orgs["practice_a"].practice, orgs["practice_b"].practice
    Statement.objects.create(practice=a, period="2018-05", model="fee", own_model=True, nurse_reimbursement=Decimal("150.00"), total=Decimal("900.00"))  # fmt: skip
    own = Statement.objects.create(practice=b, period="2018-05", model="capitation", own_model=True, capitation=Decimal("1500.00"), total=Decimal("1500.00"))  # fmt: skip
    StatementLine.objects.create(statement=own, position=0, component="capitation", code="nurse_allowance", description="x", count=Decimal(31), rate=Decimal(1), amount=Decimal("400.00"))  # fmt: skip
    Statement.objects.create(practice=b, period="2018-05", model="fee", own_model=False, total=Decimal("1200.00"))  # fmt: skip
    client.force_login(officer)
    html = client.get(URL).content.decode()
    values = {item: value for item, value in re.findall(r'data-item="([a-z_:]+)" data-value="([^"]*)"', html)}
    assert Decimal(values["nurse_funding_fee"]) == Decimal(150)
    assert Decimal(values["nurse_funding_capitation"]) == Decimal(400)
    assert Decimal(values["capitation_extra"]) == Decimal(300)  # 1,500 own capitation - 1,200 shadow fee
    assert Decimal(values["total_cost"]) == Decimal(450)  # no grants approved + 150 + 300


def test_pilot_summary_rows_by_hand() -> None:
    costs = PilotCosts(Decimal(1000), Decimal(150), Decimal(400), Decimal(150), Decimal(300))
    rows = {r["item"]: r for r in pilot_summary(costs, None)}
    assert rows["total_cost"]["amount"] == Decimal(1450)
    assert rows["effects"]["note"] == "no evaluation result given"
    rows = {r["item"]: r for r in pilot_summary(costs, {"acute_admissions_rate_ratio": "0.9 (0.8-1.0)"})}
    assert rows["effect:acute_admissions_rate_ratio"]["note"] == "0.9 (0.8-1.0)"
