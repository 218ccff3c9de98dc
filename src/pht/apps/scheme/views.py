"""Pages of the grant scheme. Views read, and call ``actions`` for every change."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.forms import parse_day
from pht.apps.accounts.numbers import number_text
from pht.apps.accounts.permissions import roles_of
from pht.apps.accounts.todos import filter_context, todo_filter
from pht.apps.accounts.validation import optional_id, parse_id
from pht.apps.registry.models import SIZE_CLASS_CHOICES
from pht.apps.scheme import actions, reasons, todos
from pht.apps.scheme import models as m
from pht.apps.scheme.parameters import LABELS
from pht.apps.scheme.scoping import visible_applications, visible_decisions
from pht.apps.scheme.scoring import criteria_from_values, spread


def _call(code: str | None = None) -> m.Call:
    calls = m.Call.objects.order_by("-deadline_date")
    call = calls.filter(code=code).first() if code else calls.first()
    if call is None:
        raise Http404(_("Ingen utlysning"))
    return call


def _back_to(name: str, call: m.Call) -> HttpResponse:
    """Back to a page of the same call: without ``?call=`` it would show the newest call instead."""
    return redirect(f"{reverse(name)}?{urlencode({'call': call.code})}")


def _roles(request: HttpRequest) -> set[str]:
    return roles_of(request.user)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = _roles(request)
    if actions.ROLE_OFFICER in roles:
        return redirect("scheme:call")
    if actions.ROLE_FINANCE in roles:
        return redirect("scheme:payments")
    if actions.ROLE_REVIEWER in roles:
        return redirect("scheme:reviews")
    return redirect("scheme:applications")


@login_required
def call_overview(request: HttpRequest) -> HttpResponse:
    if actions.ROLE_OFFICER not in _roles(request):
        if _roles(request) & {actions.ROLE_LEAD, actions.ROLE_REVIEWER}:
            return redirect("scheme:calls")  # they read published calls there
        raise Http404
    call = _call(request.GET.get("call"))
    if request.method == "POST":
        try:
            new_end = parse_day(
                request.POST.get("extended_end"), gettext_lazy("Forlenget sluttdato"), required=True
            )
            actions.extend_call(request.user, call, new_end, request.POST.get("extension_note", ""))
            messages.success(request, _("Pilotperioden er forlenget."))
        except ActionRefused as exc:
            show_refusal(request, exc, reasons.REFUSALS)
        return _back_to("scheme:call", call)
    applications = list(call.applications.select_related("municipality"))
    by_status = Counter(a.status for a in applications)
    by_size = Counter(actions.size_class_of(a) for a in applications)
    return render(
        request,
        "scheme/call.html",
        {
            "call": call,
            "applications": applications,
            "by_status": [(label, by_status.get(value, 0)) for value, label in m.Application.Status.choices],
            "by_size": [(label, by_size.get(k, 0)) for k, label in SIZE_CLASS_CHOICES],
            "deadline": actions.deadline_of(call),
            "criteria": criteria_from_values(call.criteria),
        },
    )


# The application list's columns: municipality, call, status, revision and the eligibility flag.
LIST_FIELDS = (
    "id", "call_id", "municipality_id", "status", "revision", "verdicts", "officer_eligible",
    "municipality__name", "call__title",
)  # fmt: skip


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = (
        visible_applications(request.user)
        .select_related("municipality", "call")
        # Only what the rows show: the call's and the application's other JSON (criteria, parameters,
        # assumptions) would be decoded for every row and never read.
        .only(*LIST_FIELDS)
    )
    todo = todo_filter(request, todos.APPLICATIONS)
    if todo is not None:
        applications = applications.filter(pk__in=todo.rows(request.user).values("pk"))
    can_apply = actions.ROLE_LEAD in _roles(request) and actions.municipality_of(request.user) is not None
    call = m.Call.objects.filter(status=m.Call.Status.PUBLISHED).order_by("-deadline_date").first()
    own = applications.filter(call=call).exists() if call else False
    return render(
        request,
        "scheme/application_list.html",
        {
            "applications": applications,
            "can_apply": can_apply and call is not None and not own,
            "call": call,
            "officer": actions.ROLE_OFFICER in _roles(request),
            **filter_context(request, todo),
        },
    )


def _visible(request: HttpRequest, pk: int) -> m.Application:
    application = (
        visible_applications(request.user).filter(pk=pk).select_related("municipality", "call").first()
    )
    if application is None:
        raise Http404(_("Fant ikke søknaden"))
    return application


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    roles = _roles(request)
    officer = actions.ROLE_OFFICER in roles
    criteria = criteria_from_values(application.call.criteria)
    assignments = list(application.assignments.select_related("reviewer"))
    submitted = [a for a in assignments if a.status == m.ReviewAssignment.Status.SUBMITTED]
    shown_spread = spread([a.scores for a in submitted], criteria) if officer else None
    revisions = list(application.revisions.select_related("created_by"))
    diff = None
    if len(revisions) >= 2:
        a = request.GET.get("from")
        b = request.GET.get("to")
        left = next((r for r in revisions if str(r.number) == a), revisions[-2])
        right = next((r for r in revisions if str(r.number) == b), revisions[-1])
        diff = {
            "from": left.number,
            "to": right.number,
            "changes": actions.compare(left.snapshot, right.snapshot),
        }
    from django.contrib.auth import get_user_model

    reviewers = []
    if officer:
        assigned = {a.reviewer_id for a in assignments}
        reviewers = [
            u
            for u in get_user_model().objects.all()
            if actions.ROLE_REVIEWER in roles_of(u) and u.pk not in assigned
        ]
    return render(
        request,
        "scheme/application_detail.html",
        {
            "application": application,
            "practices": application.practices.select_related("practice", "team_lead").prefetch_related(
                "gps"
            ),
            "verdicts": reasons.verdicts_display(application.verdicts),
            "officer": officer,
            "is_lead": actions.ROLE_LEAD in roles,
            "assignments": assignments if officer else [],
            "spread": shown_spread,
            "disagreements": shown_spread.disagreement_titles(criteria) if shown_spread else "",
            "criteria": criteria,
            "revisions": revisions,
            "diff": diff,
            "reviewers": reviewers,
            "attachments": application.attachments.all(),
            "deadline": actions.deadline_of(application.call),
        },
    )


@login_required
@require_POST
def eligibility_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    """The case officer's own eligibility verdict with a reason (the rules' verdicts stay beside it)."""
    application = _visible(request, pk)
    choice = request.POST.get("eligible", "")
    try:
        if choice not in ("yes", "no"):
            raise ActionRefused(_("Vilkårsvurdering: velg oppfylt eller ikke oppfylt."))
        actions.record_eligibility_verdict(
            request.user, application, choice == "yes", request.POST.get("reason", "")
        )
        messages.success(request, _("Vilkårsvurderingen er registrert."))
    except ActionRefused as exc:
        show_refusal(request, exc, reasons.REFUSALS)
    return redirect("scheme:application", pk=pk)


def _decimal(value: str, field: str) -> Decimal:
    # as the page's language writes it: «1 500 000,50» (no-break spaces copied from a page), «1.500»
    try:
        result = Decimal(number_text(value or "0"))
    except InvalidOperation as exc:
        raise ActionRefused(_("%(field)s: ikke et tall") % {"field": field}) from exc
    if not result.is_finite():  # Decimal reads «NaN», «inf» and «-Infinity», but they are no numbers
        raise ActionRefused(_("%(field)s: ikke et tall") % {"field": field})
    if result < 0:
        raise ActionRefused(_("%(field)s: må være null eller mer") % {"field": field})
    return result


def _form_data(request: HttpRequest, practices: list[Any]) -> actions.ApplicationInputData:
    post = request.POST
    chosen = []
    for practice in practices:
        if not post.get(f"include_{practice.pk}"):
            continue
        lead = post.get(f"lead_{practice.pk}") or None
        chosen.append(
            actions.PracticeInput(
                practice_id=practice.pk,
                financing_model=post.get(f"model_{practice.pk}", ""),
                team_lead_id=optional_id(lead),
                nurse_fte=_decimal(
                    post.get(f"nurse_{practice.pk}", "0"), f"{practice.name}: " + _("sykepleierårsverk")
                ),
                secretary_fte=_decimal(
                    post.get(f"secretary_{practice.pk}", "0"),
                    f"{practice.name}: " + _("helsesekretærårsverk"),
                ),
            )
        )
    budget = post.get("budget", "").strip()
    return actions.ApplicationInputData(
        contact_name=post.get("contact_name", "").strip(),
        contact_email=post.get("contact_email", "").strip(),
        contact_phone=post.get("contact_phone", "").strip(),
        leadership_plan=post.get("leadership_plan", ""),
        project_plan=post.get("project_plan", ""),
        budget=_decimal(budget, _("budsjett")) if budget else None,
        practices=chosen,
    )


def _input_number(value: Decimal | None) -> str:
    """A stored number as a form field shows it for typing in the page's language: ``0,50`` on a bokmål page,
    ``0.50`` on an English one (no grouping spaces, so it reads back as typed)."""
    return "" if value is None else formats.localize_input(value)


_TEXT_FIELDS = ("contact_name", "contact_email", "contact_phone", "leadership_plan", "project_plan")


def _application_values(application: Any, typed: Any) -> dict[str, str]:
    """The application form's own fields: as typed when ``typed`` (a refused POST), else as stored."""
    if typed is not None:
        return {name: typed.get(name, "") for name in (*_TEXT_FIELDS, "budget")}
    values = {name: getattr(application, name, "") or "" for name in _TEXT_FIELDS}
    values["budget"] = _input_number(getattr(application, "budget", None))
    return values


def _practice_values(practice_id: int, entry: Any, typed: Any) -> dict[str, Any]:
    """One practice's fields: as typed when ``typed`` (a refused POST), else as stored (``entry``, or none)."""
    if typed is not None:
        return {
            "include": bool(typed.get(f"include_{practice_id}")),
            "model": typed.get(f"model_{practice_id}", ""),
            "lead": typed.get(f"lead_{practice_id}", ""),
            "nurse": typed.get(f"nurse_{practice_id}", ""),
            "secretary": typed.get(f"secretary_{practice_id}", ""),
        }
    if entry is None:
        return {"include": False, "model": "", "lead": "", "nurse": "0", "secretary": "0"}
    return {
        "include": True,
        "model": entry.financing_model,
        "lead": str(entry.team_lead_id or ""),
        "nurse": _input_number(entry.nurse_fte),
        "secretary": _input_number(entry.secretary_fte),
    }


@login_required
def application_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if actions.ROLE_LEAD not in _roles(request):
        raise Http404
    municipality = actions.municipality_of(request.user)
    if municipality is None:
        raise Http404
    application = _visible(request, pk) if pk is not None else None
    if application is not None:
        call = application.call
    else:
        # A new application only to a published call (a draft is the officers' own).
        published = m.Call.objects.filter(status=m.Call.Status.PUBLISHED).order_by("-deadline_date")
        code = request.GET.get("call")
        found = published.filter(code=code).first() if code else published.first()
        if found is None:
            raise Http404(_("Ingen åpen utlysning"))
        call = found
    practices = actions.municipality_practices(municipality)
    typed = None  # after a refusal, the form again as it was typed (not as stored, nor empty)
    current = {}
    if application is not None:
        current = {ap.practice_id: ap for ap in application.practices.all()}
    if request.method == "POST":
        try:
            data = _form_data(request, practices)
            if request.POST.get("action") == "autosave":
                # htmx saves a draft as the lead types; answers with a short status line.
                if application is None or application.status != m.Application.Status.DRAFT:
                    return HttpResponse(_("Lagres når du trykker «Lagre utkast»."))
                actions.save_application(request.user, application, data)
                return HttpResponse(_("Utkastet er lagret automatisk."))
            if application is None:
                application = actions.create_application(request.user, call, data)
            else:
                actions.save_application(request.user, application, data)
            if request.POST.get("action") == "submit":
                actions.submit_application(request.user, application)
                messages.success(request, _("Søknaden er sendt inn."))
            else:
                messages.success(request, _("Utkastet er lagret."))
            return redirect("scheme:application", pk=application.pk)
        except ActionRefused as exc:
            if request.POST.get("action") == "autosave":
                return HttpResponse(exc.display(reasons.REFUSALS), status=422)
            show_refusal(request, exc, reasons.REFUSALS)
            typed = request.POST
    rows = []
    for practice in practices:
        entry = current.get(practice.pk)
        rows.append(
            {
                "practice": practice,
                "gps": actions.registry_gps(practice),
                "entry": entry,
                "values": _practice_values(practice.pk, entry, typed),
            }
        )
    return render(
        request,
        "scheme/application_form.html",
        {
            "values": _application_values(application, typed),
            "application": application,
            "call": call,
            "municipality": municipality,
            "rows": rows,
            "models": m.ApplicationPractice.Model.choices,
            "deadline": actions.deadline_of(call),
        },
    )


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    try:
        actions.submit_application(request.user, application)
        messages.success(request, _("Søknaden er sendt inn."))
    except ActionRefused as exc:
        show_refusal(request, exc, reasons.REFUSALS)
    return redirect("scheme:application", pk=pk)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    try:
        actions.withdraw_application(request.user, application)
        messages.success(request, _("Søknaden er trukket."))
    except ActionRefused as exc:
        show_refusal(request, exc, reasons.REFUSALS)
    return redirect("scheme:application", pk=pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ActionRefused(_("Velg en PDF-fil."))
        actions.add_attachment(request.user, application, request.POST.get("title", ""), upload)
        messages.success(request, _("Vedlegget er lagt til."))
    except ActionRefused as exc:
        show_refusal(request, exc, reasons.REFUSALS)
    return redirect("scheme:application", pk=pk)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """An attachment, for those who may see its application (scoping as the page)."""
    application = _visible(request, pk)
    attachment = get_object_or_404(m.Attachment, pk=attachment_id, application=application)
    return FileResponse(
        attachment.file.open("rb"), content_type="application/pdf", filename=f"{attachment.title}.pdf"
    )


@login_required
@require_POST
def assign_reviewer(request: HttpRequest, pk: int) -> HttpResponse:
    from django.contrib.auth import get_user_model

    application = _visible(request, pk)
    reviewer = get_user_model().objects.filter(pk=optional_id(request.POST.get("reviewer")) or 0).first()
    try:
        if reviewer is None:
            raise ActionRefused(_("Velg en fagvurderer."))
        actions.assign_reviewer(request.user, application, reviewer)
        messages.success(request, _("Fagvurdereren er tildelt."))
    except ActionRefused as exc:
        show_refusal(request, exc, reasons.REFUSALS)
    return redirect("scheme:application", pk=pk)


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    # Newest call first: a reviewer has the open call's applications to do, beside the decided ones.
    assignments = (
        m.ReviewAssignment.objects.filter(reviewer_id=request.user.pk)
        .select_related("application__municipality", "application__call")
        .order_by("-application__call__deadline_date", "application__municipality__name")
    )
    todo = todo_filter(request, todos.REVIEWS)
    if todo is not None:
        assignments = assignments.filter(pk__in=todo.rows(request.user).values("pk"))
    return render(
        request, "scheme/review_list.html", {"assignments": assignments, **filter_context(request, todo)}
    )


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        m.ReviewAssignment.objects.select_related("application__call", "application__municipality"),
        pk=pk,
        reviewer=request.user,
    )
    criteria = criteria_from_values(assignment.application.call.criteria)
    if request.method == "POST":
        try:
            if request.POST.get("step") == "declare":
                # An active answer: a declaration of no conflict is not made by clicking past the question.
                answer = request.POST.get("conflict")
                if answer not in ("yes", "no"):
                    raise ActionRefused(
                        _("%(field)s: velg ja eller nei"), {"field": _("Er du inhabil i denne saken?")}
                    )
                conflict = answer == "yes"
                actions.declare_conflict(request.user, assignment, conflict, request.POST.get("note", ""))
                messages.success(request, _("Erklæringen er registrert."))
            else:
                scores: dict[str, int] = {}
                for c in criteria:
                    raw = request.POST.get(f"score_{c.key}", "")
                    if raw.isascii() and raw.isdigit() and len(raw) <= 2:
                        scores[c.key] = int(raw)
                comments = {c.key: request.POST.get(f"comment_{c.key}", "") for c in criteria}
                actions.submit_review(request.user, assignment, scores, comments)
                messages.success(request, _("Vurderingen er sendt."))
            return redirect("scheme:review", pk=pk)
        except ActionRefused as exc:
            show_refusal(request, exc, reasons.REFUSALS)
    return render(
        request,
        "scheme/review.html",
        {
            "assignment": assignment,
            "application": assignment.application,
            "criteria": criteria,
            "range": range(1, 6),
        },
    )


def _count(post: Any, name: str, label: Any, *, empty: int | None) -> int | None:
    """A count typed in the selection form: empty is ``empty``; anything but a whole number from 0 (spaces
    as thousands separators allowed) is refused naming the field, not run as «no limit» or 0."""
    text = (post.get(name) or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return empty
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise ActionRefused(
            _("%(field)s: skriv et helt tall, 0 eller mer (ikke «%(value)s»)"),
            {"field": label, "value": (post.get(name) or "").strip()[:40]},
        )
    return int(text)


def _selection_constraints(post: Any, call: m.Call) -> dict[str, Any]:
    return {
        "per_size_class": {
            k: _count(post, f"size_{k}", LABELS[f"target_{k}"], empty=0) for k in ("small", "medium", "large")
        },
        "gps_min": _count(post, "gps_min", _("Fastleger minst"), empty=None),
        "gps_max": _count(post, "gps_max", _("Fastleger høyst"), empty=None),
        "min_per_model": {
            k: _count(post, f"model_{k}", LABELS.get(f"min_per_model_{k}", k), empty=0)
            for k in call.financing_models
        },
        "max_per_county": _count(
            post, "max_per_county", _("Høyst per fylke (tomt = ingen grense)"), empty=None
        ),
    }


@login_required
def selection(request: HttpRequest) -> HttpResponse:
    if actions.ROLE_OFFICER not in _roles(request):
        raise Http404
    call = _call(request.GET.get("call"))
    defaults = actions.default_constraints(call)
    if request.method == "POST" and request.POST.get("step") == "run":
        post = request.POST
        try:
            actions.run_selection(
                request.user,
                call,
                _selection_constraints(post, call),
                post.getlist("locked_in"),
                post.getlist("locked_out"),
                post.get("note", ""),
            )
            messages.success(request, _("Utvelgelsen er kjørt."))
        except ActionRefused as exc:
            show_refusal(request, exc, reasons.REFUSALS)
        return _back_to("scheme:selection", call)
    if request.method == "POST" and request.POST.get("step") == "decide":
        run = get_object_or_404(m.SelectionRun, pk=parse_id(request.POST.get("run")), call=call)
        try:
            actions.decide_selection(request.user, run, request.POST.get("rationale", ""))
            messages.success(request, _("Utvelgelsen er vedtatt og tilsagn er laget."))
        except ActionRefused as exc:
            show_refusal(request, exc, reasons.REFUSALS)
        return _back_to("scheme:selection", call)
    runs = list(call.selection_runs.all()[:5])
    results = {run.pk: reasons.selection_display(run.result) for run in runs}
    latest = runs[0] if runs else None
    # After the decision the candidates are granted or rejected, no longer "submitted": list the
    # ones the decision was made on, with its outcome, instead of an empty table.
    decided = actions.decided_candidates(call)
    candidates = [
        {
            **c,
            # The solver's keys ("small", "fee") in the page's language.
            "size_label": reasons.TERMS.get(("size_class", c["size_class"]), c["size_class"]),
            "model_labels": [reasons.TERMS.get(("financing_model", k), k) for k in c.get("models", [])],
        }
        for c in (decided if decided is not None else actions.build_problem(call)["candidates"])
    ]
    # Names from the run's own input: after the decision the candidates are no longer "submitted".
    names = {c["id"]: c.get("name") or c["id"] for run in runs for c in run.problem.get("candidates", [])}
    return render(
        request,
        "scheme/selection.html",
        {
            "call": call,
            "defaults": defaults,
            "candidates": candidates,
            "runs": runs,
            "latest": latest,
            "latest_result": results[latest.pk] if latest else None,
            "run_rows": [(run, results[run.pk]) for run in runs],
            "names": names,
            "decided": decided is not None,
            "decision": call.selection_decisions.first(),
            # Labelled as on the call page, not by the solver's keys ("small", "fee").
            "sizes": [(k, LABELS[f"target_{k}"]) for k in ("small", "medium", "large")],
            "model_targets": [
                (k, v, LABELS.get(f"min_per_model_{k}", k)) for k, v in defaults["min_per_model"].items()
            ],
        },
    )


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = visible_decisions(request.user).filter(pk=pk).first()
    if decision is None:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("step") == "decline":
                actions.decline_decision(request.user, decision, request.POST.get("reason", ""))
                messages.success(request, _("Tilsagnet er avslått."))
            else:
                actions.accept_decision(request.user, decision)
                messages.success(request, _("Tilsagnet er akseptert."))
        except ActionRefused as exc:
            show_refusal(request, exc, reasons.REFUSALS)
        return redirect("scheme:decision", pk=pk)
    return render(
        request,
        "scheme/decision.html",
        {
            "decision": decision,
            "case": actions.case_number(decision.application),
            "years": reasons.years_display(decision.years),
            "application": decision.application,
            "instalments": decision.instalments.select_related("line"),
            "reports": decision.reports.all(),
            "assumptions": decision.application.call.assumptions,
            "is_lead": actions.ROLE_LEAD in _roles(request),
            "lines": [(line, reasons.years_display(line.years)) for line in decision.lines.all()],
            "amendments": decision.amendments.all(),
            "is_officer": actions.ROLE_OFFICER in _roles(request),
        },
    )
