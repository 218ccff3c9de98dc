"""The evaluation report in a real browser, served with the site's Content-Security-Policy: no
violation, charts reachable by their accessible names, data tables open under each chart."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from pht.apps.evaluation.report import CSS, render_html

RESULT = Path(__file__).parent.parent / "integration" / "evaluation_report" / "result.json"
ORIGIN = "http://report.test"


def test_the_report_runs_under_the_csp_and_its_charts_have_names(page) -> None:  # type: ignore[no-untyped-def]
    html = render_html(json.loads(RESULT.read_text(encoding="utf-8")), {"snapshot_hash": "abc"}, "nb")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.route(
        f"{ORIGIN}/report",
        lambda route: route.fulfill(
            body=html,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": settings.PHT_CSP},
        ),
    )
    page.route(
        f"{ORIGIN}/static/evaluation/report.css",
        lambda route: route.fulfill(body=CSS.read_text(encoding="utf-8"), content_type="text/css"),
    )
    page.goto(f"{ORIGIN}/report")
    chart = page.get_by_role("img", name="Hendelsesstudie: Akutte sykehusinnleggelser")
    chart.wait_for()
    assert chart.bounding_box()["width"] > 200  # the stylesheet loaded: charts scale to the column
    assert page.get_by_role("img", name="Balanse i de matchede kontrollene").count() == 1
    table = page.get_by_role("table", name="Hendelsesstudie: Akutte sykehusinnleggelser")
    assert not table.is_visible()
    page.get_by_text("Datatabell: Hendelsesstudie: Akutte sykehusinnleggelser").click()
    assert table.is_visible()
    assert table.get_by_role("columnheader", name="Måneder siden oppstart").count() == 1
    assert violations == []
