"""Money pages of the grant scheme: payments per recipient, the payments export, reports with the
officer's figures, amendment decisions, and the decision, amendment and rejection letters.

Views read and call ``actions`` for every change; a refusal is shown on the page (never a 500).
"""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.exports import export_row
from pht.apps.accounts.forms import parse_day
from pht.apps.accounts.permissions import roles_of
from pht.apps.accounts.todos import filter_context, todo_filter
from pht.apps.accounts.validation import parse_id
from pht.apps.scheme import actions, reasons, todos
from pht.apps.scheme import models as m
from pht.apps.scheme.scoping import visible_applications, visible_decisions


def _decimal_input(value: str, label: str) -> Any:
    """Form text for an action's amount in kroner: the action reads it as the page's language writes it
    and checks it at the boundary (``bounded_decimal``)."""
    text = (value or "").strip()
    if not text:
        raise ActionRefused(_("%(field)s: mangler") % {"field": label})
    return text


def _date_input(value: str, label: Any) -> datetime.date:
    """A posted date, typed as the page's language writes it or as ISO (``parse_day``)."""
    return parse_day(value, label, required=True)


def _finance(request: HttpRequest) -> set[str]:
    roles = roles_of(request.user)
    if not roles & {actions.ROLE_FINANCE, actions.ROLE_OFFICER}:
        raise Http404
    return roles


@login_required
def payments(request: HttpRequest) -> HttpResponse:
    roles = _finance(request)
    if request.method == "POST":
        instalment = get_object_or_404(m.Instalment, pk=parse_id(request.POST.get("instalment")))
        # Back to the same list: with ``?call=`` kept, the officer stays on the call they work on; once done,
        # at the row they acted on (its new status is there; the list runs to hundreds of instalments). A
        # refusal is shown at the top of the page, so that is where it goes then.
        back = request.get_full_path()
        try:
            if request.POST.get("step") == "prepare":
                actions.prepare_disbursement(request.user, instalment)
                messages.success(request, _("Utbetalingen er forberedt."))
            else:
                actions.approve_disbursement(request.user, instalment)
                messages.success(request, _("Utbetalingen er godkjent."))
        except ActionRefused as exc:
            show_refusal(request, exc, reasons.REFUSALS)
            return redirect(back)
        return redirect(f"{back}#termin-{instalment.pk}")
    instalments = (
        m.Instalment.objects.exclude(status=m.Instalment.Status.REPLACED)
        .select_related(
            "decision__application__municipality",
            "decision__application__call",
            "line",
            "prepared_by",
            "approved_by",
        )
        .order_by("due", "decision_id", "line__kind", "line__name", "number")
    )
    calls = list(
        m.Call.objects.filter(applications__grant__isnull=False).distinct().order_by("-deadline_date")
    )
    call = next((c for c in calls if c.code == request.GET.get("call")), None)
    if call is not None:
        instalments = instalments.filter(decision__application__call=call)
    todo = todo_filter(request, todos.PAYMENTS)
    if todo is not None:
        instalments = instalments.filter(pk__in=todo.rows(request.user).values("pk"))
    return render(
        request,
        "scheme/payments.html",
        {
            "instalments": [(i, actions.case_number(i.decision.application)) for i in instalments],
            "is_finance": actions.ROLE_FINANCE in roles,
            "calls": calls,
            "call": call,
            **filter_context(request, todo),
        },
    )


@login_required
def payments_csv(request: HttpRequest) -> HttpResponse:
    """One row per recipient and approved instalment, cells neutralised against CSV injection."""
    _finance(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="utbetalinger.csv"'
    writer = csv.writer(response)
    writer.writerow(
        export_row(
            [
                "kommunenummer",
                "municipality",
                "recipient",
                "recipient_orgnr",
                "instalment",
                "due",
                "year",
                "amount",
                "case",
                "prepared_by",
                "approved_by",
                "approved_at",
            ]
        )
    )
    cents = Decimal("0.01")
    for i in (
        m.Instalment.objects.filter(status=m.Instalment.Status.APPROVED)
        .select_related("decision__application__municipality", "decision__application__call", "line")
        .select_related("prepared_by", "approved_by")
        .order_by("due", "decision_id", "line__kind", "line__name", "number")
    ):
        application = i.decision.application
        mu = application.municipality
        writer.writerow(
            export_row(
                [
                    mu.kommunenummer,
                    mu.name,
                    i.line.name if i.line else f"{mu.name} kommune",
                    i.line.orgnr if i.line else "",
                    i.number,
                    i.due,
                    i.year,
                    i.amount.quantize(cents),
                    actions.case_number(application),
                    i.prepared_by,
                    i.approved_by,
                    i.approved_at,
                ]
            )
        )
    return response


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    decisions = visible_decisions(request.user)
    items = m.Report.objects.filter(decision__in=decisions).select_related(
        "decision__application__municipality", "decision__application__call", "line"
    )
    if request.method == "POST":
        report = get_object_or_404(items, pk=parse_id(request.POST.get("report")))
        step = request.POST.get("step")
        try:
            if step == "approve":
                actions.approve_report(request.user, report)
                messages.success(request, _("Rapporten er godkjent."))
            elif step == "clawback":
                actions.record_clawback(
                    request.user,
                    report,
                    _decimal_input(request.POST.get("amount", ""), _("beløp")),
                    request.POST.get("reason", ""),
                )
                messages.success(request, _("Tilbakebetalingen er registrert."))
            elif step == "overspend":
                actions.allow_overspending(
                    request.user,
                    report,
                    _decimal_input(request.POST.get("limit", ""), _("forbruk over utbetalt")),
                    request.POST.get("reason", ""),
                )
                messages.success(request, _("Forbruk over utbetalt er tillatt for rapporten."))
            else:
                actions.submit_report(
                    request.user,
                    report,
                    request.POST.get("progress", ""),
                    _decimal_input(request.POST.get("spent", ""), _("brukt")),
                )
                messages.success(request, _("Rapporten er sendt."))
        except ActionRefused as exc:
            show_refusal(request, exc, reasons.REFUSALS)
        return redirect("scheme:reports")
    today = timezone.localdate()
    todo = todo_filter(request, todos.REPORTS)
    if todo is not None:
        items = items.filter(pk__in=todo.rows(request.user).values("pk"))
    listed = list(items.order_by("due_date", "decision_id", "line__kind", "line__name"))
    return render(
        request,
        "scheme/reports.html",
        {
            "reports": [
                {
                    "report": r,
                    "overdue": r.status == "due" and r.due_date < today,
                    "paid": actions.paid_for(r),
                    "unspent": actions.unspent(r),
                    "claimable": actions.claimable(r),
                }
                for r in listed
            ],
            "due_assumed": any(
                r.decision.application.call.is_assumption("report_due_month_day") for r in listed
            ),
            "is_lead": actions.ROLE_LEAD in roles,
            "officer": actions.ROLE_OFFICER in roles,
            **filter_context(request, todo),
        },
    )


@login_required
def amendment_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer's amendment decision: a new end, practices joining, within a stated frame."""
    if actions.ROLE_OFFICER not in roles_of(request.user):
        raise Http404
    decision = get_object_or_404(m.GrantDecision.objects.select_related("application__call"), pk=pk)
    call = decision.application.call
    joined = set(decision.lines.values_list("orgnr", flat=True))
    candidates = [
        p for p in decision.application.municipality.practices.order_by("name") if p.orgnr not in joined
    ]
    if request.method == "POST":
        try:
            joiners = []
            for practice in candidates:
                if request.POST.get(f"join-{practice.pk}"):
                    start = _date_input(request.POST.get(f"start-{practice.pk}", ""), practice.name)
                    joiners.append(actions.Joiner(practice.pk, start))
            amendment = actions.amend_decision(
                request.user,
                decision,
                as_of=_date_input(request.POST.get("as_of", ""), gettext_lazy("Endringsdato")),
                new_end=_date_input(request.POST.get("new_end", ""), gettext_lazy("Ny sluttdato")),
                frame=_decimal_input(request.POST.get("frame", ""), _("budsjettramme")),
                note=request.POST.get("note", ""),
                joiners=joiners,
            )
            messages.success(request, _("Endringsvedtaket er fattet."))
            return redirect("scheme:amendment", pk=amendment.pk)
        except ActionRefused as exc:
            show_refusal(request, exc, reasons.REFUSALS)
    return render(
        request,
        "scheme/decision_amend.html",
        {
            "decision": decision,
            "application": decision.application,
            "candidates": candidates,
            "defaults": {
                "as_of": timezone.localdate(),
                "new_end": call.end_date,
                # a Decimal, so the input shows it as the page's language writes it (5850000,00 in bokmål)
                "frame": decision.total,
            },
            "posted": request.POST if request.method == "POST" else {},
        },
    )


def _visible_amendment(request: HttpRequest, pk: int) -> m.Amendment:
    amendment = m.Amendment.objects.filter(pk=pk, decision__in=visible_decisions(request.user)).first()
    if amendment is None:
        raise Http404
    return amendment


@login_required
def amendment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _visible_amendment(request, pk)
    return render(
        request,
        "scheme/decision_amendment.html",
        {
            "amendment": amendment,
            "decision": amendment.decision,
            "application": amendment.decision.application,
        },
    )


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
def decision_letter(request: HttpRequest, pk: int) -> HttpResponse:
    decision = visible_decisions(request.user).filter(pk=pk).first()
    if decision is None:
        raise Http404
    from pht.apps.scheme.letters import decision_letter_pdf

    return _pdf(decision_letter_pdf(decision), f"tilsagn-{decision.application.municipality.kommunenummer}")


@login_required
def amendment_letter(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _visible_amendment(request, pk)
    from pht.apps.scheme.letters import amendment_letter_pdf

    number = amendment.decision.application.municipality.kommunenummer
    return _pdf(amendment_letter_pdf(amendment), f"endringsvedtak-{number}-{amendment.number}")


@login_required
def rejection_letter(request: HttpRequest, pk: int) -> HttpResponse:
    application = (
        visible_applications(request.user).filter(pk=pk, status=m.Application.Status.REJECTED).first()
    )
    if application is None:
        raise Http404
    from pht.apps.scheme.letters import rejection_letter_pdf

    return _pdf(rejection_letter_pdf(application), f"avslag-{application.municipality.kommunenummer}")


@login_required
def extend_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """After the call's period is extended: an amendment for every accepted decision of the call, each
    within its current total (as the real extension in 2019, within the same budget)."""
    if actions.ROLE_OFFICER not in roles_of(request.user) or request.method != "POST":
        raise Http404
    call = get_object_or_404(m.Call, pk=pk)
    try:
        made = actions.extend_decisions(
            request.user,
            call,
            _date_input(request.POST.get("as_of", ""), gettext_lazy("Endringsdato")),
            request.POST.get("note", ""),
        )
        messages.success(request, _("%(count)s endringsvedtak er fattet.") % {"count": len(made)})
    except ActionRefused as exc:
        show_refusal(request, exc, reasons.REFUSALS)
    back = parse_id(request.POST.get("decision")) if request.POST.get("decision") else None
    return redirect("scheme:decision", pk=back) if back else redirect("scheme:payments")
