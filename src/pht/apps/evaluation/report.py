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


def report_command(args: Any) -> int:
    """``pht evaluate report``: the report from a result file, without the web app."""
    import json

    from pht.command import CommandError, setup_django

    setup_django()
    from pht.apps.evaluation.presentation import ResultError, estimates_csv

    def load(path: str, what: str) -> dict[str, Any]:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"{what} file {path} does not exist") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{what} file {path} is not JSON: {exc}") from None
        if not isinstance(document, dict):
            raise CommandError(f"{what} file {path} must hold a JSON object")
        return document

    result = load(args.result, "result")
    meta = load(args.meta, "meta") if args.meta else {}
    out = Path(args.out)
    try:
        if args.format == "pdf":
            out.write_bytes(render_pdf(result, meta, args.language))
        elif args.format == "csv":
            out.write_text(estimates_csv(result, meta), encoding="utf-8", newline="")
        else:
            out.write_text(render_html(result, meta, args.language, standalone=True), encoding="utf-8")
    except ResultError as exc:
        raise CommandError(f"result file {args.result}: {exc}") from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        # a document that passed the checks of its top level but is not an engine result inside
        raise CommandError(f"result file {args.result} is not an evaluation result ({exc!r})") from None
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror}") from None
    return 0
