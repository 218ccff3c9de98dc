"""Settlement runs from the finance pages: start a month's or a year's run (a ``finance.settle`` job) and
follow its progress; the runs stored so far."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.models import User
from pht.apps.accounts.todos import filter_context, todo_filter
from pht.apps.finance.actions import can_store_settlements
from pht.apps.finance.job_kinds import KIND
from pht.apps.finance.models import SettlementRun
from pht.apps.finance.reasons import REFUSALS
from pht.apps.finance.todos import UNSETTLED
from pht.apps.jobs.access import visible_jobs
from pht.apps.jobs.actions import start_job
from pht.rules.financing import Period

MONTH_CHOICES = [(number, name) for number, name in MONTHS.items()]  # «januar» … «desember» in bokmål


class RunForm(forms.Form):
    """A month (chosen from the month names, with its year) or a whole year. The job is given the
    same parameters as before: ``{"period": "YYYY-MM"}`` or ``{"year": N}``."""

    SCOPES = (("month", _("One month")), ("year", _("A whole year")))
    scope = forms.ChoiceField(
        label=_("Settle"),
        choices=SCOPES,
        initial="month",
        error_messages={"invalid_choice": _("Choose one month or a whole year.")},
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        initial=5,
        error_messages={"invalid_choice": _("Choose a month from the list.")},
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        initial=2018,
        error_messages={
            "invalid": _("Write the year with four digits, e.g. 2018."),
            "min_value": _("Give a year from 2000 to 2100."),
            "max_value": _("Give a year from 2000 to 2100."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope = data.get("scope")
        if scope == "month" and not data.get("month") and "month" not in self.errors:
            self.add_error("month", _("Give the month to settle."))
        if scope in ("month", "year") and not data.get("year") and "year" not in self.errors:
            self.add_error("year", _("Give the year to settle."))
        return data

    def params(self) -> dict[str, object]:
        data = self.cleaned_data
        if data["scope"] == "month":
            return {"period": f"{data['year']:04d}-{data['month']:02d}"}
        return {"year": data["year"]}


def _officer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not can_store_settlements(user).passed:
        raise PermissionDenied("Only finance officers, case officers and administrators run settlements.")
    return user


@login_required
def settlement_runs(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    form = RunForm(request.POST or None)
    refused = False
    if request.method == "POST" and form.is_valid():
        try:
            job = start_job(user, KIND, form.params())
        except ActionRefused as refusal:
            show_refusal(request, refusal, REFUSALS)
            refused = True
        else:
            return redirect(f"{request.path}?job={job.pk}")
    for name in form.errors:  # each message is read out with the input it concerns
        if name in form.fields:
            form.fields[name].widget.attrs["aria-describedby"] = f"{form[name].auto_id}-error"
    jobs = list(visible_jobs(user).filter(kind=KIND).select_related("created_by")[:20])
    runs = list(SettlementRun.objects.select_related("started_by", "job")[:20])
    todo = todo_filter(request, (UNSETTLED,))
    context = {"form": form, "jobs": jobs, "runs": runs, "highlight": request.GET.get("job", "")}
    if todo is not None:
        # each month a Period: its button posts the month and year the form asks for
        context |= {"unsettled": [Period.parse(p) for p in todo.rows(user)], **filter_context(request, todo)}
    return render(
        request,
        "finance/settlement_runs.html",
        context,
        status=400 if request.method == "POST" and (form.errors or refused) else 200,
    )
