"""Pages of the evaluator's workspace: plans (create, edit, power, lock, new version), runs (start,
progress, estimates). Evaluators may change things; Directorate users read; everyone else gets 403.
No page shows identifiable data: extracts are pseudonymised and results are estimates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.todos import filter_context, todo_filter
from pht.apps.evaluation import actions, presentation, report, results, todos
from pht.apps.evaluation.access import can_read, can_work
from pht.apps.evaluation.forms import ExtractChoiceForm, NewPlanForm, PlanForm, ReasonForm
from pht.apps.evaluation.models import AnalysisPlan, Extract, Run
from pht.engine.evaluation.outcomes import CATALOGUE, DIMENSIONS

View = Callable[..., HttpResponse]


def reader(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read(request.user):
            raise PermissionDenied(_("The evaluation workspace is for evaluators and the Directorate."))
        return view(request, *args, **kwargs)

    return wrapped


def worker(view: View) -> View:
    @login_required
    @require_POST
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_work(request.user):
            raise PermissionDenied(_("Only evaluators may change plans or start runs."))
        return view(request, *args, **kwargs)

    return wrapped


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else _("Plan")
        messages.error(request, f"{label}: {' '.join(str(e) for e in errors)}")


@reader
def index(request: HttpRequest) -> HttpResponse:
    todo = todo_filter(request, (*todos.PLANS, *todos.RUNS))
    plans = AnalysisPlan.objects.all()
    runs = Run.objects.select_related("plan", "extract")
    if todo in todos.PLANS:
        plans = plans.filter(pk__in=todo.rows(request.user).values("pk"))
    if todo in todos.RUNS:
        runs = runs.filter(pk__in=todo.rows(request.user).values("pk"))
    context = {
        "extracts": Extract.objects.all()[:20],
        "plans": plans,
        "runs": runs if todo else runs[:20],
        "can_work": can_work(request.user),
        "new_form": NewPlanForm(),
        # Filtered to a to-do: only the table it is about.
        "show_plans": todo is None or todo in todos.PLANS,
        "show_runs": todo is None or todo in todos.RUNS,
        **filter_context(request, todo),
    }
    return render(request, "evaluation/index.html", context)


@worker
def plan_create(request: HttpRequest) -> HttpResponse:
    form = NewPlanForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("evaluation:index")
    try:
        plan = actions.create_plan(request.user, form.cleaned_data["name"], form.cleaned_data["title"])
    except ActionRefused as exc:
        show_refusal(request, exc)
        return redirect("evaluation:index")
    messages.success(request, _("Plan created from the default template."))
    return redirect("evaluation:plan", pk=plan.pk)


def _outcome_rows(plan: AnalysisPlan) -> list[dict[str, Any]]:
    mde = {(r["outcome"], r["population"]): r["mde"] for r in (plan.mde or {}).get("rows", [])}
    rows = []
    planned = plan.document["outcomes"]
    order = [d for d in DIMENSIONS if d in planned] + [d for d in planned if d not in DIMENSIONS]
    for dimension in order:
        keys = planned[dimension]
        for key in keys:
            rows.append(
                {
                    # in the page's language, as the form and the report name them
                    "dimension": presentation.dimension_title(dimension),
                    "key": key,
                    "title": presentation.outcome_title(key),
                    "scale": presentation.scale_title(CATALOGUE[key].scale) if key in CATALOGUE else "",
                    "mde": [
                        (presentation.population_title(pop), mde.get((key, pop)))
                        for pop in plan.document["design"]["populations"]
                    ],
                }
            )
    return rows


@reader
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(AnalysisPlan.objects.select_related("previous"), pk=pk)
    working = can_work(request.user)
    mde_job = plan.mde_job
    context = {
        "plan": plan,
        "outcomes": _outcome_rows(plan),
        "populations": [presentation.population_title(p) for p in plan.document["design"]["populations"]],
        "period": presentation.period_title(plan.document["design"]["period"]),
        "can_work": working,
        "editable": working and plan.status == "draft",
        "form": PlanForm(document=plan.document) if working and plan.status == "draft" else None,
        "reason_form": ReasonForm(),
        "extract_form": ExtractChoiceForm(),
        "power_form": ExtractChoiceForm(auto_id="id_power_%s"),
        "has_extracts": Extract.objects.exists(),
        "mde_job": mde_job,
        "runs": plan.runs.select_related("extract"),
        "versions": AnalysisPlan.objects.filter(name=plan.name).order_by("version"),
    }
    return render(request, "evaluation/plan.html", context)


@worker
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(AnalysisPlan, pk=pk)
    form = PlanForm(request.POST, document=plan.document)
    if not form.is_valid():
        _form_errors(request, form)
        context = {"plan": plan, "form": form}
        return render(request, "evaluation/plan_edit.html", context, status=400)
    try:
        actions.update_plan(request.user, plan, form.document(), form.cleaned_data["title"])
    except ActionRefused as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Plan saved."))
    return redirect("evaluation:plan", pk=plan.pk)


@worker
def plan_lock(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(AnalysisPlan, pk=pk)
    try:
        plan = actions.lock_plan(request.user, plan)
    except ActionRefused as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Plan locked (pre-registered)."))
    return redirect("evaluation:plan", pk=plan.pk)


@worker
def plan_version(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(AnalysisPlan, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("evaluation:plan", pk=plan.pk)
    try:
        successor = actions.new_version(request.user, plan, form.cleaned_data["reason"])
    except ActionRefused as exc:
        show_refusal(request, exc)
        return redirect("evaluation:plan", pk=plan.pk)
    messages.success(request, _("New version created; its deviation and reason are recorded."))
    return redirect("evaluation:plan", pk=successor.pk)


def _extract(request: HttpRequest) -> Extract | None:
    form = ExtractChoiceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return None
    extract: Extract = form.cleaned_data["extract"]
    return extract


@worker
def plan_power(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(AnalysisPlan, pk=pk)
    extract = _extract(request)
    if extract is not None:
        try:
            actions.start_power(request.user, plan, extract)
        except ActionRefused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("The power calculation has started."))
    return redirect("evaluation:plan", pk=plan.pk)


@worker
def run_start(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(AnalysisPlan, pk=pk)
    extract = _extract(request)
    if extract is None:
        return redirect("evaluation:plan", pk=plan.pk)
    try:
        run = actions.start_run(request.user, plan, extract)
    except ActionRefused as exc:
        show_refusal(request, exc)
        return redirect("evaluation:plan", pk=plan.pk)
    messages.success(request, _("The run has started."))
    return redirect("evaluation:run", pk=run.pk)


@reader
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(Run.objects.select_related("plan", "extract"), pk=pk)
    context: dict[str, Any] = {
        "run": run,
        "job": run.job,
        "meta": results.meta(run),
        "estimates": results.estimates(run),
        "dimensions": DIMENSIONS,
        "titles": {key: outcome.title for key, outcome in CATALOGUE.items()},
    }
    if run.result:
        try:
            # Charts, formatted numbers with their uncertainty, small counts suppressed.
            context.update(presentation.results_context(run.result, context["meta"], _language()))
            context["presented"] = True
        except presentation.ResultError as exc:
            messages.error(request, _("The results cannot be shown as charts: %(error)s") % {"error": exc})
    return render(request, "evaluation/run.html", context)


def _language() -> str:
    return "en" if (get_language() or "nb").startswith("en") else "nb"


def _finished_run(pk: int) -> Run:
    run = get_object_or_404(Run.objects.select_related("plan", "extract"), pk=pk)
    if not run.result:
        raise Http404(_("The run has no results yet."))
    return run


def _download(body: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@reader
def run_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The run's report as an HTML page or a PDF, or its estimates as CSV."""
    run = _finished_run(pk)
    meta = results.meta(run)
    if fmt in ("html", "pdf"):
        from pht.apps.finance.pilot_economics import cost_rows

        # The sixth goal (a socio-economically sustainable model): what the pilot cost, beside its effects.
        meta["pilot_costs"] = [{**row, "amount": str(row["amount"])} for row in cost_rows()]
    try:
        if fmt == "html":
            return HttpResponse(report.render_html(run.result, meta, _language()))
        if fmt == "pdf":
            return _download(
                report.render_pdf(run.result, meta, _language()), "application/pdf", f"pht-run-{run.pk}.pdf"
            )
        if fmt == "csv":
            return _download(
                presentation.estimates_csv(run.result, meta),
                "text/csv; charset=utf-8",
                f"pht-run-{run.pk}-estimates.csv",
            )
    except presentation.ResultError as exc:
        messages.error(request, _("The report cannot be made: %(error)s") % {"error": exc})
        return redirect("evaluation:run", pk=run.pk)
    raise Http404(_("Unknown format."))
