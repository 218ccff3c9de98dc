"""The finance pages as a Norwegian finance officer reads them: months written as months («mai 2018»,
«May 2018» on an English page) wherever a stored period ("2018-05") shows; the settlement-run form asks
for a month by name and a year; every wide table scrolls in its own labelled region (a 390 px phone);
buttons and summaries that would read the same carry the line, month or practice in their names."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from pht.rules.financing import FEE

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NAMED = {"button", "summary", "a", "option", "title", "h1", "caption", "th", "td", "p"}


@dataclasses.dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    text: str = ""


class Page(HTMLParser):
    """The elements of a page with their text (hidden text included, as a screen reader reads it)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Element] = []
        self.elements: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.stack[-1] if self.stack else None)
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            if element.tag in NAMED:
                element.text += data

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if "id" in e.attrs}


def name_of(element: Element) -> str:
    """The accessible name of a button, a summary or a link: its aria-label, else its text."""
    return " ".join((element.attrs.get("aria-label") or element.text).split())


def assert_tables_scroll_in_labelled_regions(html: str) -> int:
    page = Page(html)
    tables = page.all("table")
    for table in tables:
        box = table.parent
        assert box is not None and box.tag == "div", table.attrs
        assert "pht-scroll" in box.attrs.get("class", "").split(), table.attrs
        assert box.attrs.get("tabindex") == "0" and box.attrs.get("role") == "region", box.attrs
        assert box.attrs.get("aria-labelledby") in page.ids() or box.attrs.get("aria-label"), box.attrs
    return len(tables)


# --- the month filter on the pages --------------------------------------------------------------------


@pytest.fixture
def officer_client(statement_page: Callable[..., str], finance_officer: Any) -> Client:
    """The month (May 2018, practice A) stored under both models; the officer who stored it signed in."""
    client = Client()
    client.force_login(finance_officer)
    return client


def test_the_statement_list_writes_the_month_in_words_and_keeps_the_period_as_the_value(
    officer_client: Client,
) -> None:
    html = officer_client.get("/finance/").content.decode()
    page = Page(html)
    (option,) = [o for o in page.all("option") if o.parent and o.parent.attrs.get("id") == "period"]
    assert option.attrs["value"] == "2018-05" and name_of(option) == "mai 2018"
    table = html[html.index('data-testid="statement-table"') :].split("</table>")[0]
    assert '<td class="pht-nowrap">mai 2018</td>' in table and "2018-05</td>" not in table
    assert "Oppgjør for måneden mai 2018</caption>" in table
    assert assert_tables_scroll_in_labelled_regions(html) == 1

    english = officer_client.get("/finance/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">May 2018</option>" in english and ">May 2018</td>" in english
    # a month that is no month is shown as asked for, never a server error
    odd = officer_client.get("/finance/", {"period": "2018-13"})
    assert odd.status_code == 200 and "Oppgjør for måneden 2018-13</caption>" in odd.content.decode()


def test_the_statement_page_names_its_month_and_its_repeated_controls(
    statement_page: Callable[..., str], officer_client: Client
) -> None:
    html = statement_page("fee")
    page = Page(html)
    assert name_of(page.all("h1")[0]).endswith("· mai 2018")
    assert name_of(page.all("title")[0]).startswith(name_of(page.all("h1")[0]))
    # one «Knytt utbetaling» on the page, its name says which month it pays
    (button,) = [b for b in page.all("button") if name_of(b).startswith("Knytt utbetaling")]
    assert name_of(button) == "Knytt utbetaling til mai 2018"
    # every «Detaljer» names its line, and no two read the same
    summaries = [name_of(s) for s in page.all("summary")]
    assert summaries and all(s.startswith("Detaljer – ") and len(s) > len("Detaljer – ") for s in summaries)
    assert len(set(summaries)) == len(summaries), summaries
    assert assert_tables_scroll_in_labelled_regions(html) >= 3

    english = Page(statement_page("fee", "en"))
    assert name_of(english.all("h1")[0]).endswith("· May 2018")
    assert [name_of(b) for b in english.all("button") if name_of(b).startswith("Link payment")] == [
        "Link payment to May 2018"
    ]


# --- the settlement runs page -------------------------------------------------------------------------


@pytest.fixture
def runs_page(finance_officer: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """The runs page as the finance officer sees it, filtered to the months not yet settled (here June
    and July 2018), with a month's job, a year's job and a stored quarter's run."""
    from pht.apps.finance import run_views
    from pht.apps.finance.job_kinds import KIND
    from pht.apps.finance.models import SettlementRun
    from pht.apps.jobs.models import Job

    monkeypatch.setattr(
        run_views,
        "UNSETTLED",
        dataclasses.replace(run_views.UNSETTLED, rows=lambda user: ["2018-06", "2018-07"]),
    )
    Job.objects.create(kind=KIND, params={"period": "2018-05"}, created_by=finance_officer)
    Job.objects.create(kind=KIND, params={"year": 2017}, created_by=finance_officer)
    SettlementRun.objects.create(periods=["2018-01", "2018-02", "2018-03"], source="test")
    client = Client()
    client.force_login(finance_officer)

    def get(language: str | None = None) -> str:
        headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
        response = client.get("/finance/runs/", {"todo": "finance.months.unsettled"}, **headers)  # type: ignore[arg-type]
        assert response.status_code == 200
        return response.content.decode()

    return get


def test_the_runs_page_writes_months_in_words(runs_page: Callable[..., str]) -> None:
    html = runs_page()
    page = Page(html)
    unsettled = html[html.index('data-testid="unsettled-months"') :].split("</table>")[0]
    assert ">juni 2018</th>" in unsettled and ">juli 2018</th>" in unsettled
    buttons = [name_of(b) for b in page.all("button") if name_of(b).startswith("Avregn")]
    assert buttons == ["Avregn juni 2018", "Avregn juli 2018"]  # one per month, each named by it
    # each button posts the month and year the form reads
    june = unsettled[unsettled.index('data-period="2018-06"') :].split("</tr>")[0]
    assert '<input type="hidden" name="month" value="6">' in june
    assert '<input type="hidden" name="year" value="2018">' in june
    jobs = html[html.index('data-testid="run-jobs"') :].split("</table>")[0]
    assert ">mai 2018</td>" in jobs and ">2017</td>" in jobs
    links = [
        name_of(a) for a in page.all("a") if name_of(a).startswith(("Månedens oppgjør", "Årets oppgjør"))
    ]
    assert sorted(links) == ["Månedens oppgjør – mai 2018", "Årets oppgjør – 2017"]
    runs = html[html.index('data-testid="stored-runs"') :].split("</table>")[0]
    assert "<td>januar 2018 – mars 2018</td>" in runs
    assert "2018-0" not in re.sub(r'(value|href|data-period)="[^"]*"', "", html)  # no period left as a code
    assert assert_tables_scroll_in_labelled_regions(html) == 3

    english = runs_page("en")
    assert "<td>January 2018 – March 2018</td>" in english and "Settle June 2018</button>" in english


def test_the_run_form_offers_the_months_by_name(runs_page: Callable[..., str]) -> None:
    page = Page(runs_page())
    months = [name_of(o) for o in page.all("option") if o.parent and o.parent.attrs.get("name") == "month"]
    assert months[0] == "januar" and months[4] == "mai" and months[11] == "desember" and len(months) == 12
    values = [
        o.attrs["value"] for o in page.all("option") if o.parent and o.parent.attrs.get("name") == "month"
    ]
    assert values == [str(n) for n in range(1, 13)]
    (may,) = [
        o
        for o in page.all("option")
        if o.parent and o.parent.attrs.get("name") == "month" and "selected" in o.attrs
    ]
    assert name_of(may) == "mai"
    (year,) = page.all("input", id="id_year")
    assert year.attrs["type"] == "number" and year.attrs["value"] == "2018"
    english = Page(runs_page("en"))
    assert "May" in [name_of(o) for o in english.all("option")]


@pytest.mark.parametrize(
    ("posted", "params"),
    [
        ({"scope": "month", "month": "5", "year": "2018"}, {"period": "2018-05"}),
        ({"scope": "month", "month": "12", "year": "2017"}, {"period": "2017-12"}),
        ({"scope": "year", "month": "5", "year": "2018"}, {"year": 2018}),  # a year's run ignores the month
        ({"scope": "year", "year": "2018"}, {"year": 2018}),
    ],
)
def test_the_job_is_given_the_period_or_the_year_as_before(
    finance_officer: Any,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    posted: dict[str, str],
    params: dict[str, Any],
) -> None:
    from pht.apps.finance import run_views
    from pht.apps.jobs.models import Job

    started: list[dict[str, Any]] = []

    def start_job(user: Any, kind: str, given: dict[str, Any]) -> Job:
        started.append(given)
        return Job.objects.create(kind=kind, params=given, created_by=user)

    monkeypatch.setattr(run_views, "start_job", start_job)
    client.force_login(finance_officer)
    response = client.post("/finance/runs/", posted)
    assert response.status_code == 302
    assert started == [params]


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        (
            {"scope": "month", "month": "", "year": "2018"},
            "month",
            "Måned: Oppgi måneden som skal gjøres opp.",
        ),
        ({"scope": "month", "month": "13", "year": "2018"}, "month", "Måned: Velg en måned fra listen."),
        ({"scope": "month", "month": "5", "year": ""}, "year", "År: Oppgi året som skal gjøres opp."),
        ({"scope": "year", "year": ""}, "year", "År: Oppgi året som skal gjøres opp."),
        ({"scope": "year", "year": "to tusen"}, "year", "År: Skriv året med fire sifre, f.eks. 2018."),
        ({"scope": "year", "year": "1999"}, "year", "År: Oppgi et år fra 2000 til 2100."),
        ({"scope": "decade", "year": "2018"}, "scope", "Gjør opp: Velg én måned eller et helt år."),
    ],
)
def test_a_bad_choice_is_a_400_naming_the_field_at_the_field(
    finance_officer: Any, client: Client, posted: dict[str, str], field: str, message: str
) -> None:
    from pht.apps.jobs.models import Job

    client.force_login(finance_officer)
    response = client.post("/finance/runs/", posted)
    assert response.status_code == 400 and not Job.objects.exists()
    page = Page(response.content.decode())
    (error,) = page.all("p", id=f"id_{field}-error")
    assert name_of(error) == message
    (control,) = [
        e for e in page.elements if e.attrs.get("name") == field and e.attrs.get("id") == f"id_{field}"
    ]
    assert control.attrs.get("aria-describedby") == f"id_{field}-error"


# --- the comparison pages -----------------------------------------------------------------------------


def test_the_comparison_pages_write_months_in_words(
    statement_page: Callable[..., str], officer_client: Client, orgnr: str
) -> None:
    overview = officer_client.get("/finance/comparison/").content.decode()
    months = overview[overview.index('data-testid="month-table"') :].split("</table>")[0]
    assert ">mai 2018</th>" in months
    assert assert_tables_scroll_in_labelled_regions(overview) >= 4
    practice = officer_client.get(f"/finance/comparison/{orgnr}/").content.decode()
    months = practice[practice.index('data-testid="month-table"') :].split("</table>")[0]
    assert ">mai 2018</th>" in months
    assert f'/finance/statements/{orgnr}/2018-05/{FEE}/">mai 2018</a>' in practice
    assert assert_tables_scroll_in_labelled_regions(practice) >= 2
    english = officer_client.get(f"/finance/comparison/{orgnr}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">May 2018</th>" in english
    # the chart's axis writes the month short, in the page's language: «mai 2018», «May 2018» (not «may»)
    assert ">mai 2018</text>" in practice and ">May 2018</text>" in english
