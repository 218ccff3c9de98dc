"""Pages of calls: officers create, copy, edit a draft, publish, extend and close calls; project leads and
reviewers read published calls; anyone reads a published call's public page (no internal fields).

Views read and call ``actions`` for every change. Who sees which call:

- case officers and administrators: every call, with its internal note and the officer's forms;
- project leads and reviewers (the roles that apply or review): published and closed calls;
- everyone else logged in: 404; anonymous: the public page only.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst  # lazy-safe: the labels stay in the page's language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.forms import DayField
from pht.apps.accounts.models import Role
from pht.apps.accounts.permissions import roles_of
from pht.apps.accounts.todos import filter_context, todo_filter
from pht.apps.accounts.validation import bounded_decimal
from pht.apps.scheme import actions, reasons, todos
from pht.apps.scheme import models as m
from pht.apps.scheme.actions.calls import GRANT_AMOUNTS, GRANT_LABELS, date_order_refusal
from pht.apps.scheme.scoring import criteria_from_values
from pht.refdata.loaders import available_years

MANAGERS = {actions.ROLE_OFFICER}
# Read every call, drafts too (the Directorate's other roles); read published and closed calls.
DIRECTORATE = {Role.ADMINISTRATOR.value, actions.ROLE_FINANCE}
READERS = {actions.ROLE_LEAD, actions.ROLE_REVIEWER}
PUBLIC_STATUSES = (m.Call.Status.PUBLISHED, m.Call.Status.CLOSED)


class AmountField(forms.CharField):
    """An amount in NOK, bounded as the model field ``model.name`` stores it (finite, its digits);
    accepts ``1 500 000,00`` as Norwegians write it."""

    def __init__(self, model: type[Any], name: str, **kwargs: Any) -> None:
        self.model, self.name = model, name
        kwargs.setdefault("required", False)
        super().__init__(max_length=40, **kwargs)

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return bounded_decimal(text, self.model, self.name, label=self.label)
        except ActionRefused as exc:
            # the form shows each error after its field's label already: not «Budsjettramme: Budsjettramme: …»
            raise ValidationError(exc.display(with_field=False)) from None


class CallForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Kode (i adressen)"), max_length=50)
    title = forms.CharField(label=gettext_lazy("Tittel"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Beskrivelse (offentlig)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    internal_note = forms.CharField(
        label=gettext_lazy("Internt notat (vises ikke offentlig)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    announcement_date = DayField(label=gettext_lazy("Kunngjort"))
    deadline_date = DayField(label=gettext_lazy("Søknadsfrist (utgangen av dagen)"))
    pilot_start = DayField(label=gettext_lazy("Pilotens start"))
    pilot_end = DayField(label=gettext_lazy("Pilotens slutt"))
    population_year = forms.IntegerField(
        label=gettext_lazy("Befolkningsår (størrelsesklasse)"), required=False, min_value=1900, max_value=2100
    )
    budget = AmountField(m.Call, "budget", label=gettext_lazy("Budsjettramme (kr)"))
    grant_per_gp_per_year = AmountField(
        m.GrantDecision, "total", label=capfirst(GRANT_LABELS["grant_per_gp_per_year"])
    )
    municipality_base_per_year = AmountField(
        m.GrantDecision, "total", label=capfirst(GRANT_LABELS["municipality_base_per_year"])
    )
    municipality_per_gp_per_year = AmountField(
        m.GrantDecision, "total", label=capfirst(GRANT_LABELS["municipality_per_gp_per_year"])
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        refused = date_order_refusal(data, {name: field.label for name, field in self.fields.items()})
        if refused is not None:
            self.add_error(refused[0], refused[1].display(with_field=False))  # the form shows the label
        return data

    def to_input(self) -> actions.CallInput:
        d = self.cleaned_data
        return actions.CallInput(
            code=d["code"],
            title=d["title"],
            description=d.get("description", ""),
            internal_note=d.get("internal_note", ""),
            announcement_date=d["announcement_date"],
            deadline_date=d["deadline_date"],
            pilot_start=d["pilot_start"],
            pilot_end=d["pilot_end"],
            population_year=d.get("population_year"),
            budget=d.get("budget"),
            grant_amounts={k: d.get(k) for k in GRANT_AMOUNTS},
        )

    @classmethod
    def initial_of(cls, call: m.Call) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(call, name)
            for name in (
                "code", "title", "description", "internal_note", "announcement_date", "deadline_date",
                "pilot_start", "pilot_end", "population_year", "budget",
            )
        }  # fmt: skip
        for key in GRANT_AMOUNTS:
            initial[key] = call.grant_parameters.get(key, "")
        return initial


class CopyForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Kode for kopien"), max_length=50)
    title = forms.CharField(label=gettext_lazy("Tittel på kopien"), max_length=200)


class DeadlineForm(forms.Form):
    deadline_date = DayField(label=gettext_lazy("Ny søknadsfrist"))
    note = forms.CharField(label=gettext_lazy("Begrunnelse"), max_length=2000)


def _roles(request: HttpRequest) -> set[str]:
    return roles_of(request.user)


def _manager(request: HttpRequest) -> bool:
    return bool(_roles(request) & MANAGERS)


def readable_calls(user: Any) -> QuerySet[m.Call]:
    """The calls ``user`` may read: officers every call, leads and reviewers published and closed ones."""
    roles = roles_of(user) if user.is_authenticated else set()
    if roles & (MANAGERS | DIRECTORATE):
        return m.Call.objects.all()
    if roles & READERS:
        return m.Call.objects.filter(status__in=PUBLISHED_OR_CLOSED)
    return m.Call.objects.none()


PUBLISHED_OR_CLOSED = [s.value for s in PUBLIC_STATUSES]


def _readable(request: HttpRequest, code: str) -> m.Call:
    call = readable_calls(request.user).select_related("scheme").filter(code=code).first()
    if call is None:
        raise Http404(_("Fant ikke utlysningen"))
    return call


def _managed(request: HttpRequest, code: str) -> m.Call:
    if not _manager(request):
        raise Http404
    return _readable(request, code)


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    if not _roles(request) & (MANAGERS | DIRECTORATE | READERS):
        raise Http404
    calls = readable_calls(request.user)
    todo = todo_filter(request, todos.CALLS)
    if todo is not None:
        calls = calls.filter(pk__in=todo.rows(request.user).values("pk"))
    return render(
        request,
        "scheme/call_list.html",
        {
            "calls": calls.order_by("-deadline_date", "code"),
            "manager": _manager(request),
            **filter_context(request, todo),
        },
    )


def _common_context(call: m.Call) -> dict[str, Any]:
    return {
        "call": call,
        "deadline": actions.deadline_of(call),
        "criteria": criteria_from_values(call.criteria),
        "open_now": call.is_open and timezone.now() < actions.deadline_of(call),
    }


@login_required
def call_detail(request: HttpRequest, code: str) -> HttpResponse:
    call = _readable(request, code)
    manager = _manager(request)
    municipality = actions.municipality_of(request.user)
    own = None
    if actions.ROLE_LEAD in _roles(request) and municipality is not None:
        own = call.applications.filter(municipality=municipality).first()
    context = _common_context(call)
    context.update(
        {
            "manager": manager,
            "can_apply": context["open_now"] and own is None and municipality is not None
            and actions.ROLE_LEAD in _roles(request),
            "own": own,
            "copy_form": CopyForm(prefix="copy") if manager else None,
            "deadline_form": DeadlineForm(prefix="deadline") if manager else None,
            "applications": call.applications.count() if manager else None,
        }
    )  # fmt: skip
    return render(request, "scheme/call_detail.html", context)


def call_public(request: HttpRequest, code: str) -> HttpResponse:
    """A published or closed call for anyone, without internal fields (no login)."""
    call = m.Call.objects.filter(code=code, status__in=PUBLISHED_OR_CLOSED).select_related("scheme").first()
    if call is None:
        raise Http404(_("Fant ikke utlysningen"))
    return render(request, "scheme/call_public.html", _common_context(call))


def _form_page(request: HttpRequest, form: CallForm, call: m.Call | None) -> HttpResponse:
    status = 422 if form.is_bound and (form.errors or form.non_field_errors()) else 200
    for name in form.errors:
        if name in form.fields:
            # The field's error (rendered with this id in call_form.html) describes the input.
            form.fields[name].widget.attrs["aria-describedby"] = f"{form[name].auto_id}-error"
    return render(request, "scheme/call_form.html", {"form": form, "call": call}, status=status)


def _latest_population_year() -> int | None:
    """The latest year whose population the registry holds (its municipalities are that year's)."""
    from django.db.models import Max

    from pht.apps.registry.models import MunicipalityPopulation

    loaded = MunicipalityPopulation.objects.aggregate(year=Max("year"))["year"]
    return int(loaded) if loaded is not None else max(available_years(), default=None)


@login_required
def call_new(request: HttpRequest) -> HttpResponse:
    if not _manager(request):
        raise Http404
    scheme = m.Scheme.objects.order_by("pk").first()
    if request.method == "POST":
        form = CallForm(request.POST)
        if form.is_valid():
            if scheme is None:
                form.add_error(None, _("Ingen ordning finnes ennå; last inn 2017-utlysningen først."))
            else:
                try:
                    call = actions.create_call(request.user, scheme, form.to_input())
                    messages.success(request, _("Utlysningen er opprettet som utkast."))
                    return redirect("scheme:call_detail", code=call.code)
                except ActionRefused as exc:
                    form.add_error(None, exc.display(reasons.REFUSALS))
        return _form_page(request, form, None)
    today = timezone.localdate()
    initial = {
        "announcement_date": today,
        "deadline_date": today + datetime.timedelta(days=30),
        "population_year": _latest_population_year(),
    }
    return _form_page(request, CallForm(initial=initial), None)


@login_required
def call_edit(request: HttpRequest, code: str) -> HttpResponse:
    call = _managed(request, code)
    if request.method == "POST":
        form = CallForm(request.POST)
        if form.is_valid():
            try:
                call = actions.update_call(request.user, call, form.to_input())
                messages.success(request, _("Utlysningen er lagret."))
                return redirect("scheme:call_detail", code=call.code)
            except ActionRefused as exc:
                form.add_error(None, exc.display(reasons.REFUSALS))
        return _form_page(request, form, call)
    return _form_page(request, CallForm(initial=CallForm.initial_of(call)), call)


@login_required
@require_POST
def call_copy(request: HttpRequest, code: str) -> HttpResponse:
    call = _managed(request, code)
    form = CopyForm(request.POST, prefix="copy")
    try:
        if not form.is_valid():
            raise ActionRefused(_form_errors(form))
        copy = actions.copy_call(request.user, call, form.cleaned_data["code"], form.cleaned_data["title"])
        messages.success(request, _("Utlysningen er kopiert som utkast."))
        return redirect("scheme:call_detail", code=copy.code)
    except ActionRefused as exc:
        show_refusal(request, exc, reasons.REFUSALS)
    return redirect("scheme:call_detail", code=call.code)


def _form_errors(form: forms.Form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)


@login_required
@require_POST
def call_publish(request: HttpRequest, code: str) -> HttpResponse:
    call = _managed(request, code)
    try:
        actions.publish_call(request.user, call)
        messages.success(request, _("Utlysningen er publisert."))
    except ActionRefused as exc:
        show_refusal(request, exc, reasons.REFUSALS)
    return redirect("scheme:call_detail", code=call.code)


@login_required
@require_POST
def call_extend(request: HttpRequest, code: str) -> HttpResponse:
    call = _managed(request, code)
    form = DeadlineForm(request.POST, prefix="deadline")
    try:
        if not form.is_valid():
            raise ActionRefused(_form_errors(form))
        actions.extend_deadline(
            request.user, call, form.cleaned_data["deadline_date"], form.cleaned_data["note"]
        )
        messages.success(request, _("Søknadsfristen er forlenget."))
    except ActionRefused as exc:
        show_refusal(request, exc, reasons.REFUSALS)
    return redirect("scheme:call_detail", code=call.code)


@login_required
@require_POST
def call_close(request: HttpRequest, code: str) -> HttpResponse:
    call = _managed(request, code)
    try:
        actions.close_call(request.user, call)
        messages.success(request, _("Utlysningen er lukket."))
    except ActionRefused as exc:
        show_refusal(request, exc, reasons.REFUSALS)
    return redirect("scheme:call_detail", code=call.code)
