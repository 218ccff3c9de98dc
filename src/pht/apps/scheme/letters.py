"""The grant decision letter (tilsagnsbrev) in Norwegian bokmål, as PDF via WeasyPrint."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import formats, translation

from pht.apps.scheme import models as m
from pht.rules.grants import GrantParameters

NUMBER_WORDS = {1: "én", 2: "to", 3: "tre", 4: "fire", 6: "seks", 12: "tolv"}


def decision_letter_html(decision: m.GrantDecision) -> str:
    """The letter is a bokmål document whatever the language of the page it is fetched from."""
    application = decision.application
    call = application.call
    parameters = GrantParameters.from_mapping(call.grant_parameters)
    month, day = parameters.report_due_month_day
    with translation.override("nb"):
        return render_to_string(
            "scheme/decision_letter.html",
            {
                "decision": decision,
                "application": application,
                "call": call,
                "years": decision.years,
                "instalments": decision.instalments.all(),
                "assumptions": call.assumptions,
                "instalment_plan": _instalment_plan(parameters.instalment_months),
                # Only day and month are shown ("1. mars"); the year is a placeholder.
                "report_due": datetime.date(2000, month, day),
            },
        )


def _instalment_plan(months: tuple[int, ...]) -> str:
    """'to terminer per år (januar og juli)' from the call's instalment months."""
    names = [formats.date_format(datetime.date(2000, month, 1), "F") for month in months]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]
    count = NUMBER_WORDS.get(len(months), str(len(months)))
    return f"{count} {'termin' if len(months) == 1 else 'terminer'} per år ({listed})"


def decision_letter_pdf(decision: m.GrantDecision) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=decision_letter_html(decision)).write_pdf()
    return pdf
