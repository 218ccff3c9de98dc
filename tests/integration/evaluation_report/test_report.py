"""The evaluation's results partial, report (HTML, PDF) and CSV from a real engine result
(result.json, see README.md): counts suppressed, no 11-digit number, accessible charts, numbers in
the language of the report, a PDF that renders."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from pht.apps.evaluation.presentation import (
    ResultError,
    estimates_csv,
    results_context,
)
from pht.apps.evaluation.report import render_html, render_pdf
from pht.cli import main
from pht.engine.evaluation.outcomes import CATALOGUE, DIMENSIONS

RESULT = Path(__file__).parent / "result.json"
META = {
    "plan_hash": None,  # the result's own
    "plan_version": "2026-12-04",
    "locked_at": "2026-12-05T08:35:54+00:00",
    "snapshot_hash": "5e7a1c0ffee5e7a1c0ffee5e7a1c0ffee5e7a1c0ffee5e7a1c0ffee5e7a1c0ff",
    "pht_version": "0.1.0",
    "seed": 20180401,
    "run_id": "run-7",
    "started_at": "2026-12-05T08:30:00+00:00",
    "finished_at": "2026-12-05T08:31:00+00:00",
}
# a fødselsnummer (or any 11-digit identifier) standing on its own
ELEVEN_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{11}(?![0-9A-Za-z])")


def load() -> dict:
    return json.loads(RESULT.read_text(encoding="utf-8"))


def small_counts(result: dict) -> dict:
    """The result with every count small and distinctive: populations 3 and 1, balance counts 2,
    4 and 1 (the fixture's own practice counts are already 2 and 4)."""
    result = copy.deepcopy(result)
    result["design"]["populations"] = {"all": 3, "target": 1}
    result["design"]["balance"].update(treated_practices=2, pool_practices=4, matched_control_practices=1)
    return result


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    out.write_bytes(render_pdf(small_counts(load()), META, "nb"))
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True, text=True)
    return out, " ".join(text.stdout.split())  # words as read, whatever the line breaks


def test_the_pdf_renders_a_page_that_is_not_blank(pdf_text: tuple[Path, str], tmp_path: Path) -> None:
    pdf, text = pdf_text
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True
    )
    (image_path,) = tmp_path.glob("page*.png")
    image = Image.open(image_path).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark / (image.width * image.height) > 0.005  # text and rules, not an empty page
    assert "Evaluering av piloten med primærhelseteam" in text
    assert "Trender før oppstart" in text and "Begrensninger" in text and "Frø (seed) 20180401" in text
    assert load()["plan_hash"] in text.replace(" ", "")  # long hashes break across lines
    assert META["snapshot_hash"] in text.replace(" ", "")


def test_no_output_shows_a_small_count_or_an_eleven_digit_number(pdf_text: tuple[Path, str]) -> None:
    result = small_counts(load())
    html = render_html(result, META, "nb", standalone=True)
    csv_text = estimates_csv(result, META)
    _pdf, text = pdf_text
    for output in (html, csv_text, text):
        assert not ELEVEN_DIGITS.search(output)
    # the counts' own places: each a «<5», never the count
    for label in (
        "Pilotkontorer",
        "Legekontorer utenfor piloten (utvalgsgrunnlag)",
        "Matchede kontrollkontorer",
    ):
        assert re.search(rf"<th scope=\"row\">{re.escape(label)}</th><td class=\"num\">&lt;5</td>", html), (
            label
        )
    for population in ("Alle listepasienter", "Målgrupper"):
        assert f'<th scope="row">Personer: {population}</th><td>&lt;5</td>' in html
        assert re.search(rf"Personer: {population}\s+<5", text)
    assert "sammenligne <5 pilotkontorer med <5 matchede kontrollkontorer" in text
    assert "sammenligne &lt;5 pilotkontorer med &lt;5 matchede kontrollkontorer" in html
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert rows and all(r["treated_practices"] == "<5" and r["control_practices"] == "<5" for r in rows)
    # every estimate row of the report: the last two cells (treated, controls) suppressed
    context = results_context(result, META, "nb")
    assert all(row["cells"][-2:] == ["<5", "<5"] for row in context["estimates"])


def test_counts_of_five_or_more_are_shown() -> None:
    result = load()
    for estimate in result["estimates"]:
        estimate["treated_practices"], estimate["control_practices"] = 12, 1234
    rows = list(csv.DictReader(io.StringIO(estimates_csv(result, META))))
    assert {(r["treated_practices"], r["control_practices"]) for r in rows} == {("12", "1234")}
    context = results_context(result, META, "nb")
    assert context["estimates"][0]["cells"][-2:] == ["12", "1\u00a0234"]
    assert results_context(result, META, "en")["estimates"][0]["cells"][-2:] == ["12", "1,234"]


def test_every_chart_has_a_title_a_description_and_its_data_table() -> None:
    html = render_html(load(), META, "nb")
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    outcomes = {e["outcome"] for e in load()["estimates"]}
    assert len(svgs) >= 2 * len(outcomes) + 2  # event study and trend per outcome, balance, forests
    for svg in svgs:
        root = ET.fromstring(svg)
        ns = "{http://www.w3.org/2000/svg}"
        title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
        assert root.get("role") == "img"
        assert title is not None and title.text and root.get("aria-labelledby") == title.get("id")
        assert (
            desc is not None and len(desc.text or "") > 40 and root.get("aria-describedby") == desc.get("id")
        )
    ids = re.findall(r'<title id="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # aria references are unambiguous on the page
    assert html.count("<figure") == len(svgs) == html.count("<figcaption>")
    assert html.count('<details class="pht-chart__data">') == len(svgs)


def test_numbers_are_written_in_the_language_of_the_report() -> None:
    nb = render_html(load(), META, "nb")
    en = render_html(load(), META, "en")
    assert "Personer: Alle listepasienter</th><td>21\u00a0887</td>" in nb
    assert "Persons: All listed patients</th><td>21,887</td>" in en
    acute = next(
        e for e in load()["estimates"] if e["outcome"] == "acute_admissions" and e["population"] == "all"
    )
    assert acute["estimate"] == 1.153748
    assert "1,15 (95 % KI 1,04 til 1,28)" in nb
    assert "1.15 (95% CI 1.04 to 1.28)" in en
    assert '<html lang="nb">' in nb and '<html lang="en">' in en
    assert ">Summary</h2>" in en and ">Summary</h2>" not in nb


def test_the_costs_of_the_pilot_stand_beside_its_key_effects() -> None:
    costs = [
        {"item": "grants_paid", "label": "Tilskudd utbetalt", "amount": "9681506.86"},
        {"item": "total_cost", "label": "Samlet kostnad", "amount": "16388902.49"},
    ]
    nb = render_html(load(), {**META, "pilot_costs": costs}, "nb")
    section = nb[nb.index('<section id="costs"') : nb.index('<section id="pretrends"')]
    assert 'href="#costs"' in nb
    assert 'data-item="grants_paid">9\u00a0681\u00a0506,86</td>' in section
    assert 'data-item="total_cost">16\u00a0388\u00a0902,49</td>' in section
    # the effects the costs are weighed against, for all listed patients, as the results tables say
    assert "Akutte sykehusinnleggelser (alle listepasienter)" in section
    assert "1,15 (95 % KI 1,04 til 1,28)" in section
    en = render_html(load(), {**META, "pilot_costs": costs}, "en")
    assert 'data-item="grants_paid">9,681,506.86</td>' in en
    # a report without costs (the command line without them in its meta) has no such section
    assert '<section id="costs"' not in render_html(load(), META, "nb")


def test_the_results_partial_is_csp_safe_and_complete() -> None:
    html = render_to_string("evaluation/results/_results.html", results_context(load(), META, "nb"))
    assert "<script" not in html and " style=" not in html and "<style" not in html
    assert load()["plan_hash"] in html and META["snapshot_hash"] in html
    for dimension in {e["dimension"] for e in load()["estimates"]}:
        assert f'id="dimension-{dimension}"' in html
    # the served report links its stylesheet, the standalone one carries it
    assert "<style" not in render_html(load(), META, "nb")
    assert "<style" in render_html(load(), META, "nb", standalone=True)


def test_the_csv_carries_hashes_and_is_safe_in_a_spreadsheet() -> None:
    result = load()
    result["estimates"][0]["estimator"] = '=HYPERLINK("http://x")'
    rows = list(csv.DictReader(io.StringIO(estimates_csv(result, META))))
    assert len(rows) == len(result["estimates"])
    assert {r["plan_hash"] for r in rows} == {result["plan_hash"]}
    assert {r["snapshot_hash"] for r in rows} == {META["snapshot_hash"]}
    assert rows[0]["estimator"].startswith("'=")
    assert float(rows[0]["estimate"]) == result["estimates"][0]["estimate"]
    assert rows[0]["estimate"].startswith("-")  # numbers stay numbers: a negative estimate is not neutralised


def test_every_dimension_and_outcome_has_a_norwegian_title() -> None:
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("nb"):
        for title in [*DIMENSIONS.values(), *(o.title for o in CATALOGUE.values())]:
            assert gettext(title) != title, title


def test_a_broken_result_is_refused_with_the_field() -> None:
    result = load()
    del result["estimates"][3]["ci_low"]
    with pytest.raises(ResultError, match=r"estimates\[3\] has no field 'ci_low'"):
        results_context(result, META, "nb")
    with pytest.raises(ResultError, match="scale"):
        results_context({**load(), "estimates": [{**load()["estimates"][0], "scale": "odds"}]}, META, "nb")


def test_the_reproducibility_block_holds_the_run_and_refuses_a_foreign_plan_hash() -> None:
    context = results_context(load(), META, "en")
    block = dict(context["reproducibility"])
    assert block["Plan hash"] == load()["plan_hash"]  # the meta's None does not hide the result's own
    assert block["Data snapshot hash"] == META["snapshot_hash"] and block["Seed"] == "20180401"
    assert block["Run"] == "run-7"
    assert dict(results_context(load(), {}, "en")["reproducibility"])["Data snapshot hash"] == "not recorded"
    with pytest.raises(ResultError, match="is not the hash of the plan in the result"):
        results_context(load(), {**META, "plan_hash": "f" * 64}, "nb")


def test_a_result_without_estimates_renders_with_no_data() -> None:
    html = render_html({**load(), "estimates": []}, META, "en")
    assert "Balance of the matched controls" in html


def test_the_command_line_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "estimates.csv"
    assert main(["evaluate", "report", "--result", str(RESULT), "--format", "csv", "--out", str(out)]) == 0
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == len(load()["estimates"])
    html = tmp_path / "report.html"
    assert main(["evaluate", "report", "--result", str(RESULT), "--out", str(html), "--language", "en"]) == 0
    assert "Evaluation of the primary health team pilot" in html.read_text(encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"plan_hash": "x", "plan": {}, "design": {}, "estimates": [{"outcome": "a"}]}')
    assert main(["evaluate", "report", "--result", str(broken), "--out", str(tmp_path / "x.html")]) == 2
    assert "estimates[0] has no field 'dimension'" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_every_text_of_the_presentation_and_report_templates_is_translated() -> None:
    import gettext

    import pht.apps.evaluation.presentation as presentation
    from message_checks import check_gettext_literals_translated

    app = Path(presentation.__file__).parent
    catalogue = app / "locale" / "nb" / "LC_MESSAGES" / "django.mo"
    assert len(check_gettext_literals_translated(Path(presentation.__file__), catalogue)) > 50
    with catalogue.open("rb") as file:
        translated = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    for template in (app / "templates" / "evaluation").rglob("*.html"):
        for msgid in re.findall(r'{% translate "([^"]+)" %}', template.read_text(encoding="utf-8")):
            # the tag looks a text up with its % doubled, as makemessages writes it
            assert translated.get(msgid.replace("%", "%%")), (template.name, msgid)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=6, max_size=6))
def test_whatever_the_counts_none_below_five_shows(counts: list[int]) -> None:
    treated, controls, pool, matched, everyone, target = counts
    result = load()
    result["estimates"] = result["estimates"][:2]
    for estimate in result["estimates"]:
        estimate["treated_practices"], estimate["control_practices"] = treated, controls
    result["design"]["populations"] = {"all": everyone, "target": target}
    result["design"]["balance"].update(
        treated_practices=treated, pool_practices=pool, matched_control_practices=matched
    )
    context = results_context(result, META, "en")

    def shown(n: int) -> str:
        return "<5" if n < 5 else f"{n:,}"

    assert [row["cells"][-2:] for row in context["estimates"]] == [[shown(treated), shown(controls)]] * 2
    assert [value for _label, value in context["balance_counts"][:3]] == [
        shown(treated),
        shown(pool),
        shown(matched),
    ]
    design = dict(context["design"])
    assert design["Persons: All listed patients"] == shown(everyone)
    assert design["Persons: Target groups"] == shown(target)
    rows = list(csv.DictReader(io.StringIO(estimates_csv(result, META))))
    assert {(r["treated_practices"], r["control_practices"]) for r in rows} == {
        (shown(treated).replace(",", ""), shown(controls).replace(",", ""))
    }
