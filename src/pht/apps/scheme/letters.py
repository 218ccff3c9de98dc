"""The scheme's letters in Norwegian bokmål, as PDF via WeasyPrint: the grant decision (tilsagnsbrev),
the amendment decision (endringsvedtak) and the rejection (avslag).

Every letter carries the case number, the date of the decision it records (never the day it is printed),
amounts as ``1 500 000,00 kr``, the legal basis and the right to appeal (``decision_letters`` parameter
set, by the decision's date), and names defaults by their label, never by an internal parameter key.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from pht.apps.scheme import models as m
from pht.apps.scheme.actions.decisions import case_number
from pht.refdata.params import load_parameters
from pht.rules.grants import GrantParameters

NUMBER_WORDS = {1: "én", 2: "to", 3: "tre", 4: "fire", 6: "seks", 12: "tolv"}


def _letter_texts(on: datetime.date) -> dict[str, Any]:
    params = load_parameters("decision_letters", on)
    return {**params.values, "legal_basis_assumed": "legal_basis" in params.assumptions}


def _assumed_labels(call: m.Call) -> list[str]:
    """The labels of the call's parameters that are defaults (assumptions), in bokmål."""
    from pht.apps.scheme.parameters import call_parameters

    return [p.label for p in call_parameters(call) if p.known and p.key in call.assumptions]


def _day(moment: datetime.datetime | None) -> datetime.date:
    return timezone.localtime(moment).date() if moment else timezone.localdate()


def _common(application: m.Application, decided: datetime.date) -> dict[str, Any]:
    call = application.call
    return {
        "application": application,
        "call": call,
        "case_number": case_number(application),
        "decided_on": decided,
        "texts": _letter_texts(decided),
        "assumed": _assumed_labels(call),
    }


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
                **_common(application, _day(decision.decided_at)),
                "decision": decision,
                "years": decision.years,
                "lines": decision.lines.all(),
                "instalments": decision.instalments.select_related("line"),
                "assumptions": call.assumptions,
                "instalment_plan": _instalment_plan(parameters.instalment_months),
                # Only day and month are shown ("1. mars"); the year is a placeholder.
                "report_due": datetime.date(2000, month, day),
            },
        )


def amendment_letter_html(amendment: m.Amendment) -> str:
    decision = amendment.decision
    with translation.override("nb"):
        return render_to_string(
            "scheme/decision_amendment_letter.html",
            {
                **_common(decision.application, _day(amendment.decided_at)),
                "decision": decision,
                "amendment": amendment,
                "instalments": amendment.instalments.filter(status=m.Instalment.Status.PLANNED)
                .exclude(line=None)
                .select_related("line")
                .order_by("due", "line__kind", "line__name"),
            },
        )


def rejection_letter_html(application: m.Application) -> str:
    selection = application.call.selection_decisions.order_by("-decided_at").first()
    decided = _day(selection.decided_at) if selection else _day(None)
    with translation.override("nb"):
        return render_to_string(
            "scheme/decision_rejection_letter.html",
            {**_common(application, decided), "selection": selection},
        )


def _instalment_plan(months: tuple[int, ...]) -> str:
    """'to terminer per år (januar og juli)' from the call's instalment months."""
    names = [formats.date_format(datetime.date(2000, month, 1), "F") for month in months]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]
    count = NUMBER_WORDS.get(len(months), str(len(months)))
    return f"{count} {'termin' if len(months) == 1 else 'terminer'} per år ({listed})"


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def decision_letter_pdf(decision: m.GrantDecision) -> bytes:
    return _pdf(decision_letter_html(decision))


def amendment_letter_pdf(amendment: m.Amendment) -> bytes:
    return _pdf(amendment_letter_html(amendment))


def rejection_letter_pdf(application: m.Application) -> bytes:
    return _pdf(rejection_letter_html(application))
