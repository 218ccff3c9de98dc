"""The grant decision letter (tilsagnsbrev) in Norwegian bokmål, as PDF via WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string

from pht.apps.scheme import models as m


def decision_letter_html(decision: m.GrantDecision) -> str:
    application = decision.application
    call = application.call
    return render_to_string(
        "scheme/decision_letter.html",
        {
            "decision": decision,
            "application": application,
            "call": call,
            "years": decision.years,
            "instalments": decision.instalments.all(),
            "assumptions": call.assumptions,
        },
    )


def decision_letter_pdf(decision: m.GrantDecision) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=decision_letter_html(decision)).write_pdf()
    return pdf
