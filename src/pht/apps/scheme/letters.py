"""The grant decision letter (tilsagnsbrev) in Norwegian bokmål, as PDF via WeasyPrint."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string

from pht.apps.scheme import models as m
from pht.rules.grants import GrantParameters


def decision_letter_html(decision: m.GrantDecision) -> str:
    application = decision.application
    call = application.call
    month, day = GrantParameters.from_mapping(call.grant_parameters).report_due_month_day
    return render_to_string(
        "scheme/decision_letter.html",
        {
            "decision": decision,
            "application": application,
            "call": call,
            "years": decision.years,
            "instalments": decision.instalments.all(),
            "assumptions": call.assumptions,
            # Only day and month are shown ("1. mars"); the year is a placeholder.
            "report_due": datetime.date(2000, month, day),
        },
    )


def decision_letter_pdf(decision: m.GrantDecision) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=decision_letter_html(decision)).write_pdf()
    return pdf
