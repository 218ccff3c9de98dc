"""A nurse works the worklist in a real browser; the GP then sees the task she gave him."""

from __future__ import annotations

import datetime
import re

import pytest
from stdnum.no import fodselsnummer
from test_a11y_browser import _axe_source, _run_axe

from page_scan import bokmal_day
from pht.apps.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


def _fnr(birth: datetime.date, individual: int) -> str:
    while True:
        head = f"{birth.day:02d}{birth.month + 80:02d}{birth.year % 100:02d}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(head)
        k2 = fodselsnummer.calc_check_digit2(head + k1) if k1 != "10" else "10"
        if "10" not in (k1, k2):
            return head + k1 + k2
        individual += 1


def _import(practice, user) -> None:  # type: ignore[no-untyped-def]
    from pht.apps.care import actions

    frail = _fnr(datetime.date(1937, 7, 7), 100)
    young = _fnr(datetime.date(1990, 6, 1), 200)
    gp = practice.gps.order_by("hpr").first()
    residents = f"fnr,gp_hpr,practice_orgnr,list_from\n{frail},{gp.hpr},{practice.orgnr},2015-01-01\n"
    residents += f"{young},{gp.hpr},{practice.orgnr},2015-01-01\n"
    contacts = [
        "fnr,contact_date,kind,icpc2",
        f"{young},2019-12-01,gp,R74",
        f"{frail},2019-11-01,home_visit,",
    ]
    for day, code in enumerate(["K86", "T90", "K78", "P70", "L95", "U04", "N17", "H84"], start=1):
        contacts.append(f"{frail},2019-10-{day:02d},gp,{code}")
    actions.import_bytes(user, practice, residents.encode(), "list.csv", "residents")
    actions.import_bytes(user, practice, ("\n".join(contacts) + "\n").encode(), "contacts.csv", "contacts")


def test_nurse_creates_a_care_plan_with_a_task_for_the_gp(
    page, live_server, login, make_user, orgs, settings
):  # type: ignore[no-untyped-def]
    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    practice = orgs["practice_a"].practice
    nurse = make_user("sykepleier_a", roles=[Role.NURSE], organisation=orgs["practice_a"], first_name="Siri")
    make_user("fastlege_a", roles=[Role.GP], organisation=orgs["practice_a"], first_name="Frida")
    _import(practice, nurse)

    login(page, "sykepleier_a")
    page.goto(f"{live_server.url}/care/")
    table = page.get_by_test_id("worklist-table")
    rows = table.locator("tbody tr[data-resident]")
    assert rows.count() == 1  # the young patient is in no target group
    # The groups at a glance; each group's full reason opens from its name (a short row on a phone).
    assert "Skrøpelige eldre" in rows.first.inner_text()
    assert "82 år (>= 65) og skrøpelighet" not in rows.first.inner_text()
    for summary in rows.first.locator("summary").all():
        summary.click()
    why = rows.first.inner_text()
    # Why the patient is on the list, in bokmål like the rest of the page (the browser asks for nb-NO).
    assert "82 år (>= 65) og skrøpelighet" in why and "moderat" in why and "aged" not in why
    rows.first.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/care/patients/\d+/$"))
    assert "82 år (>= 65) og skrøpelighet" in page.get_by_test_id("reasons").inner_text()

    page.locator("#p-title").fill("Oppfølging skrøpelig eldre")
    page.locator("#p-goals").fill("Bo trygt hjemme\nFærre fall")
    page.locator("#p-role").select_option("nurse")
    page.locator("#p-task").fill("Legemiddelgjennomgang")
    page.locator("#p-task-role").select_option("gp")
    # Dates as bokmål writes them, whatever the browser's locale: dd.mm.åååå.
    today = datetime.date.today()
    assert page.locator("#fu-on").input_value() == f"{today:%d.%m.%Y}"
    assert _run_axe(page, _axe_source()) == []  # the date inputs' hints within WCAG 2.1 AA
    page.locator("#p-task-due").fill(f"{today + datetime.timedelta(days=14):%d.%m.%Y}")
    page.get_by_test_id("plan-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/care/patients/\d+/$"))
    plan = page.get_by_test_id("care-plan")
    assert "Oppfølging skrøpelig eldre" in plan.inner_text()
    assert "Legemiddelgjennomgang" in plan.get_by_test_id("plan-tasks").inner_text()
    assert bokmal_day(today + datetime.timedelta(days=14)) in plan.get_by_test_id("plan-tasks").inner_text()

    # The patient has a care plan now: off the worklist.
    page.goto(f"{live_server.url}/care/")
    assert page.get_by_test_id("worklist-table").locator("tbody tr[data-resident]").count() == 0

    page.context.clear_cookies()
    login(page, "fastlege_a")
    page.goto(f"{live_server.url}/care/")
    tasks = page.get_by_test_id("task-table").inner_text()
    assert "Legemiddelgjennomgang" in tasks


def test_a_worklist_row_starts_under_its_header_on_a_phone(
    page, live_server, login, make_user, orgs, settings
):  # type: ignore[no-untyped-def]
    """At 390 px the reasons cell ran thousands of pixels tall and the other cells sat in its middle: the
    nurse saw the table's header and then a blank screen, the patient's name far below."""
    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    practice = orgs["practice_a"].practice
    nurse = make_user("sykepleier_a", roles=[Role.NURSE], organisation=orgs["practice_a"], first_name="Siri")
    _import(practice, nurse)
    login(page, "sykepleier_a")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/care/")
    table = page.get_by_test_id("worklist-table")
    header = table.locator("thead").bounding_box()
    link = table.locator("tbody tr[data-resident]").first.get_by_role("link").bounding_box()
    assert link["y"] - (header["y"] + header["height"]) < 40, (header, link)
    why = table.locator("tbody tr[data-resident] td").last.bounding_box()
    assert why["width"] >= 250  # the reasons keep a readable width, the box scrolls sideways instead


def _boxes_overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_the_language_menu_is_whole_on_a_phone(page, live_server, login, make_user, orgs):  # type: ignore[no-untyped-def]
    """At 390 px the header squeezed the language menu beside the nurse's name and practice until it read
    «N…» and «Logg ut» broke over two lines: the menu shows its whole language name, overlaps nothing
    and stays on the page, in both languages."""
    make_user(
        "sykepleier_a",
        roles=[Role.NURSE],
        organisation=orgs["practice_a"],
        first_name="Siri",
        last_name="Sykepleiersen",
    )
    login(page, "sykepleier_a")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/care/")
    for language in ("nb", "en"):
        if language == "en":
            with page.expect_navigation():
                page.locator("#language").select_option("en")
            assert page.locator("html").get_attribute("lang") == "en"
        menu = page.locator("#language").bounding_box()
        others = [
            page.locator(".pht-user").bounding_box(),
            page.locator(".pht-header__tools button").bounding_box(),
        ]
        assert not any(_boxes_overlap(menu, other) for other in others), (menu, others)
        assert menu["x"] >= 0 and menu["x"] + menu["width"] <= 390, menu
        # The selected language's name fits in the menu's text area (the arrow sits in its padding).
        room, needed = page.evaluate(
            """() => {
                const menu = document.querySelector('#language');
                const style = getComputedStyle(menu);
                const context = document.createElement('canvas').getContext('2d');
                context.font = style.font;
                const room = menu.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                return [room, context.measureText(menu.selectedOptions[0].text).width];
            }"""
        )
        assert needed <= room, (language, needed, room)
        logout = page.locator(".pht-header__tools button")
        assert logout.bounding_box()["height"] < 2 * menu["height"]  # one line
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
