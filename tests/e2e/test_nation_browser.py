"""A finance officer opens the national what-if computed by ``pht nation whatif --out`` in a real browser."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pht.apps.accounts.models import Role


@pytest.fixture(scope="module")
def whatif_file(tmp_path_factory):
    from pht.cli import main
    from pht.synth.lake import run, select_municipalities
    from pht.synth.pilot import default_pilot

    lake = tmp_path_factory.mktemp("nation_e2e_lake")
    run(lake, select_municipalities(["0828"]), seed=2017, first_year=2017, last_year=2018,
        pilot=default_pilot(2017), jobs=1, progress=False)  # fmt: skip
    out = tmp_path_factory.mktemp("nation_e2e_var") / "nation_whatif.json"
    assert main(["nation", "whatif", "--lake", str(lake), "--out", str(out)]) == 0
    return out


def test_finance_officer_reads_the_national_what_if(
    whatif_file, orgs, make_user, page, login, live_server, settings
):  # type: ignore[no-untyped-def]
    import json

    settings.VAR_DIR = whatif_file.parent
    result = json.loads(whatif_file.read_text())
    make_user("okonomi", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"])
    login(page, "okonomi")
    page.goto(f"{live_server.url}/finance/")
    page.get_by_role("link", name="Nasjonal hva-om").click()
    page.wait_for_url(re.compile(r".*/finance/nation/"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Nasjonal hva-om")
    totals = page.get_by_test_id("nation-totals")
    # the capitation model's income, whole kroner with a Norwegian thousands separator
    income = Decimal(result["totals"]["capitation"]["income"]).quantize(Decimal(1))
    shown = f"{income:,}".replace(",", "\xa0")
    assert shown in totals.inner_text().replace(" ", "\xa0")
    assert totals.get_by_role("columnheader").count() == 8
    assert "Telemark" in page.get_by_test_id("nation-counties").inner_text()
    assert page.get_by_test_id("nation-no-evaluation").is_visible()
    page.get_by_label("Språk").select_option("en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.get_by_role("heading", level=1).inner_text().startswith("National what-if")
