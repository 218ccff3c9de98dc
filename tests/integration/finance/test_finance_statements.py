"""Statements in the finance app: the CLI's totals equal the lines shown on the page; scoping; exports."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
from decimal import Decimal

import pytest

from pht.apps.accounts.models import Role
from pht.rules.financing import COMPONENTS, Period

PERIOD = "2018-05"


@pytest.fixture(scope="module")
def lake_dir(pilot_lake):  # type: ignore[no-untyped-def]
    # seed 2017 is the seed of the demo registry the tests load, so the practices are the same
    return pilot_lake("0828")


def _settle_cli(lake_dir, practice: str, capsys, output: str = "json") -> dict[str, dict]:
    from pht.apps.finance import commands

    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        [
            "finance",
            "settle",
            "--lake",
            str(lake_dir),
            "--period",
            PERIOD,
            "--practices",
            practice,
            "--format",
            output,
        ]
    )
    capsys.readouterr()
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    rows = json.loads(out) if output == "json" else list(csv.DictReader(io.StringIO(out)))
    return {row["model"]: row for row in rows}


@pytest.fixture
def stored(lake_dir, orgs, make_user):
    from pht.apps.finance.actions import store_settlements
    from pht.engine.finance import FinanceLake

    practice = orgs["practice_a"].practice
    lake = FinanceLake(lake_dir)
    settled = lake.settle([Period.parse(PERIOD)], lake.practice_ids([practice.orgnr]))
    officer = make_user("finance", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"])
    statements = store_settlements(officer, settled, source="test lake")
    return practice, statements


def _amounts(html: str, attribute: str) -> list[Decimal]:
    return [Decimal(v) for v in re.findall(rf'{attribute}="(-?[0-9.]+)"', html)]


def test_cli_totals_equal_the_sum_of_the_lines_shown_on_the_page(
    lake_dir, stored, orgs, make_user, client, capsys
):
    practice, _ = stored
    cli = _settle_cli(lake_dir, practice.orgnr, capsys)
    # the CSV comes from the bulk path (components without lines): the same figures
    bulk = _settle_cli(lake_dir, practice.orgnr, capsys, output="csv")
    for model in ("fee", "capitation"):
        assert {k: Decimal(v) for k, v in bulk[model].items() if k in COMPONENTS} == {
            k: Decimal(cli[model][k]) for k in COMPONENTS
        }
    client.force_login(make_user("gp_a", roles=[Role.GP], organisation=orgs["practice_a"]))
    for model in ("fee", "capitation"):
        response = client.get(f"/finance/statements/{practice.orgnr}/{PERIOD}/{model}/")
        assert response.status_code == 200
        html = response.content.decode()
        lines = _amounts(html, "data-amount")
        assert len(lines) >= 3
        assert sum(lines) == Decimal(cli[model]["total"]), model
        for component in ("base_grant", "fee_reimbursement", "nurse_reimbursement", "capitation", "quality_grant",
                          "copayments"):  # fmt: skip
            shown = re.search(rf'data-component="{component}" data-value="(-?[0-9.]+)"', html).group(1)
            assert Decimal(shown) == Decimal(cli[model][component]), (model, component)
        assert "Assumption" in html or "Antakelse" in html  # defaults are labelled as assumptions


def test_a_practice_sees_only_its_own_statements(stored, orgs, make_user, client):
    practice, _ = stored
    client.force_login(make_user("gp_b", roles=[Role.GP], organisation=orgs["practice_b"]))
    assert client.get(f"/finance/statements/{practice.orgnr}/{PERIOD}/fee/").status_code == 404
    assert practice.orgnr not in client.get("/finance/").content.decode()
    assert client.get("/api/finance/statements").json() == []
    assert practice.orgnr not in client.get("/finance/export.csv").content.decode()


def test_municipality_lead_and_api_see_the_statement_with_lines(stored, orgs, make_user, client):
    practice, statements = stored
    client.force_login(make_user("lead", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"]))
    listing = client.get("/api/finance/statements", {"period": PERIOD}).json()
    assert {(s["practice_orgnr"], s["model"]) for s in listing} == {
        (practice.orgnr, "fee"),
        (practice.orgnr, "capitation"),
    }
    detail = client.get(f"/api/finance/statements/{practice.orgnr}/{PERIOD}/capitation").json()
    assert sum(Decimal(line["amount"]) for line in detail["lines"]) == Decimal(detail["components"]["total"])


def test_exports_csv_and_excel(stored, orgs, make_user, client):
    from openpyxl import load_workbook

    practice, statements = stored
    client.force_login(make_user("gp_a", roles=[Role.GP], organisation=orgs["practice_a"]))
    csv_text = client.get("/finance/export.csv", {"period": PERIOD}).content.decode()
    rows = [line.split(",") for line in csv_text.strip().splitlines()]
    assert rows[0][-1] == "total" and len(rows) == 3
    totals = {s.model: s.total for s in statements}
    assert {r[3]: Decimal(r[-1]) for r in rows[1:]} == totals
    book = load_workbook(io.BytesIO(client.get("/finance/export.xlsx", {"period": PERIOD}).content))
    sheet = book["statements"]
    assert sheet.max_row == 3 and sheet.cell(1, sheet.max_column).value == "total"


def test_storing_is_refused_for_practice_staff_and_audited_for_officers(lake_dir, stored, orgs, make_user):
    from pht.apps.accounts.actions import ActionRefused
    from pht.apps.accounts.models import AuditEvent
    from pht.apps.finance.actions import store_settlements

    assert AuditEvent.objects.filter(verb="finance.store_settlements").count() == 1
    with pytest.raises(ActionRefused):
        store_settlements(make_user("gp_x", roles=[Role.GP], organisation=orgs["practice_a"]), [], "x")


def test_comparison_and_what_if_pages(stored, orgs, make_user, client):
    from pht.apps.finance.views import WhatIfForm

    practice, statements = stored
    client.force_login(make_user("officer", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"]))
    html = client.get("/finance/comparison/", {"year": "2018"}).content.decode()
    assert practice.name in html
    own = next(s for s in statements if s.own_model)
    shadow = next(s for s in statements if not s.own_model)
    assert Decimal(re.search(r'data-own-total="(-?[0-9.]+)"', html).group(1)) == own.total
    assert Decimal(re.search(r'data-shadow-total="(-?[0-9.]+)"', html).group(1)) == shadow.total
    form = WhatIfForm()
    params = {name: field.initial for name, field in form.fields.items()}
    response = client.get("/finance/what-if/", params)
    assert response.status_code == 200
    page = response.content.decode()
    fee_total = Decimal(re.search(r'data-fee="total" data-value="(-?[0-9.]+)"', page).group(1))
    cap_total = Decimal(re.search(r'data-capitation="total" data-value="(-?[0-9.]+)"', page).group(1))
    assert fee_total > 0 and cap_total > 0
    # the difference is an amount as bokmål writes it (1 234,56 kr), its value kept for machines
    difference = re.search(r'data-testid="what-if-difference" data-value="(-?[0-9.]+)">([^<]*)</p>', page)
    assert Decimal(difference.group(1)) == cap_total - fee_total
    assert difference.group(2).endswith("\u00a0kr") and "NOK" not in difference.group(2)
    bad = dict(params, morbidity_1="0.9", morbidity_2="0.9")
    refused = client.get("/finance/what-if/", bad).content.decode()
    assert "mer enn 1" in refused or "more than 1" in refused  # bokmål by default
    assert 'data-fee="total"' not in refused


def test_demo_statements_are_built_once(registry, db):
    from pht.apps.finance.demo import DEMO_PERIODS, build_demo
    from pht.apps.finance.models import Statement

    messages: list[str] = []
    build_demo(messages.append)
    count = Statement.objects.count()
    assert count >= 2 * len(DEMO_PERIODS)  # both models, every demo month
    assert all(s.lines.exists() for s in Statement.objects.all())
    build_demo(messages.append)
    assert Statement.objects.count() == count and "already" in messages[-1]


def test_what_if_can_start_from_a_practice_list_and_activity(stored, orgs, make_user, client):
    practice, statements = stored
    client.force_login(make_user("gp_a2", roles=[Role.GP], organisation=orgs["practice_a"]))
    page = client.get("/finance/what-if/", {"from_practice": practice.orgnr}).content.decode()
    fee = next(s for s in statements if s.model == "fee")
    # the list is the stored month's; the activity is that month's claims x 12
    two_ad = next(line for line in fee.lines.all() if line.code == "2ad")
    assert f'name="act_2ad" value="{int(two_ad.count) * 12}"' in page
    assert 'data-fee="total"' in page
    client.force_login(make_user("gp_b2", roles=[Role.GP], organisation=orgs["practice_b"]))
    assert client.get("/finance/what-if/", {"from_practice": practice.orgnr}).status_code == 404


def test_what_if_shares_take_a_decimal_comma_and_show_one_on_a_bokmal_page(stored, orgs, make_user, client):
    """A share typed «0,1» is a tenth, not 1: a number input dropped the comma (Chromium sends «01»), and the
    server refused «0,25» outright; the fields are text inputs that read a comma and show «0,20» in bokmål."""
    from pht.apps.finance.views import WhatIfForm

    client.force_login(make_user("officer_c", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"]))
    blank = client.get("/finance/what-if/").content.decode()
    assert re.search(r'<input type="text" name="morbidity_1" value="0,20"[^>]*inputmode="decimal"', blank)
    params = {name: str(field.initial) for name, field in WhatIfForm().fields.items()}

    def totals(**shares: str) -> tuple[str, str]:
        page = client.get("/finance/what-if/", dict(params, **shares)).content.decode()
        fee = re.search(r'data-fee="total" data-value="(-?[0-9.]+)"', page)
        cap = re.search(r'data-capitation="total" data-value="(-?[0-9.]+)"', page)
        assert fee and cap, page[page.find("ds-validation-message") - 300 :][:600]
        return fee.group(1), cap.group(1)

    point = totals(morbidity_1="0.25", state_copayment_share="0.1")
    assert totals(morbidity_1="0,25", state_copayment_share="0,1") == point
    assert totals(morbidity_1=" 0,25 ", state_copayment_share="0,10") == point
    shown = client.get("/finance/what-if/", dict(params, morbidity_1="0,25")).content.decode()
    assert 'name="morbidity_1" value="0,25"' in shown
