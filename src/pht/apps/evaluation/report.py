"""The evaluation report a Directorate could publish: HTML and PDF (WeasyPrint), Norwegian bokmål
by default, from a run's result and metadata (see ``presentation.results_context``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from pht.apps.evaluation.presentation import results_context

CSS = Path(__file__).parent / "static" / "evaluation" / "report.css"


def render_html(
    result: dict[str, Any], meta: dict[str, Any], language: str = "nb", *, standalone: bool = False
) -> str:
    """The report as an HTML page. ``standalone`` puts the stylesheet inside the page (a file to
    save or publish, and the PDF); otherwise the page links the static stylesheet, as the site's
    Content-Security-Policy forbids inline styles."""
    context = results_context(result, meta, language)
    context["css"] = CSS.read_text(encoding="utf-8") if standalone else ""
    with translation.override(context["language"]):
        return render_to_string("evaluation/report/report.html", context)


def render_pdf(result: dict[str, Any], meta: dict[str, Any], language: str = "nb") -> bytes:
    """The report as PDF (A4, print stylesheet)."""
    from weasyprint import HTML

    html = render_html(result, meta, language, standalone=True)
    pdf: bytes = HTML(string=html, base_url=str(CSS.parent)).write_pdf()
    return pdf
