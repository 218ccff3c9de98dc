"""Care pages: the worklist, a patient's page (logged), care plans and tasks, the access log, aggregates."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.forms import parse_day
from pht.apps.accounts.todos import filter_context, todo_filter
from pht.apps.care import access, actions
from pht.apps.care import todos as care_todos
from pht.apps.care.export import fhir_bundle
from pht.apps.care.lists import list_size
from pht.apps.care.models import (
    GROUP_CHOICES,
    GROUP_LABELS,
    CarePlan,
    CareTask,
    ListResident,
    TargetGroupMembership,
    TeamRole,
)
from pht.apps.care.reasons import REFUSALS
from pht.apps.care.workflow import CARE_PLAN, OPEN_PLAN_STATUSES
from pht.rules.target_groups import TargetGroup

DEFAULT_PURPOSE = "Oppfølging i primærhelseteam"


def _practice_id(request: HttpRequest) -> int:
    own = access.own_practice_id(request.user)
    if own is None or not access.can_see_patients(request.user, own).passed:
        raise PermissionDenied(_("Only practice staff may see the worklist."))
    return own


WORKLIST_PAGE_SIZE = 25
# Tasks come in pages too, most urgent first: a page of rows renders in bounded time under load.
TASKS_PAGE_SIZE = 25


def worklist_rows(practice_id: int, group: str = "", gp: str = "", q: str = "") -> Any:
    """Target-group residents of the practice without an open care plan, ranked by need.

    ``q`` narrows to a patient number or an 11-digit fødselsnummer. The query set is lazy and its
    relations are fetched in bulk (GPs joined, memberships prefetched in one query), so a page of rows
    costs the same few queries however many patients the practice lists.
    """
    open_plan = CarePlan.objects.filter(resident=OuterRef("pk"), status__in=OPEN_PLAN_STATUSES)
    # EXISTS, not a join on the memberships: a join needs DISTINCT over every selected column, which
    # made the page's count and its rows each a sort of the whole list (10 ms per query on the demo).
    in_group = TargetGroupMembership.objects.filter(resident=OuterRef("pk"))
    if group:
        in_group = in_group.filter(group=group)
    rows = (
        ListResident.objects.filter(practice_id=practice_id)
        .filter(Exists(in_group), ~Exists(open_plan))
        .prefetch_related(
            Prefetch(
                "memberships",
                # The row shows group and reason; the rule's inputs and provenance are for the patient page.
                queryset=TargetGroupMembership.objects.defer("inputs", "provenance").order_by("group"),
            )
        )
        .select_related("gp")
        .defer("frailty_message", "frailty_reason")
        .order_by("-need_score", "id")
    )
    if gp:
        rows = rows.filter(gp_hpr=gp)
    q = q.strip()
    if q:
        if not (q.isascii() and q.isdigit()) or len(q) > 18:
            return rows.none()
        rows = rows.filter(fnr=q) if len(q) == 11 else rows.filter(pk=int(q))
    return rows


def open_tasks(practice_id: int, role: str = "") -> Any:
    tasks = (
        CareTask.objects.filter(plan__resident__practice_id=practice_id, status__in=("open", "in_progress"))
        # The table links to the patient by the plan's resident id: no resident row is needed.
        .select_related("plan")
        .only("id", "description", "role", "due", "status", "plan__id", "plan__resident_id")
        .order_by("due", "id")
    )
    return tasks.filter(role=role) if role else tasks


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    own = access.own_practice_id(request.user)
    if own is None:
        return redirect("care:overview")
    practice_id = _practice_id(request)
    from pht.apps.registry.models import GP

    gps = GP.objects.filter(practice_id=practice_id).order_by("last_name")
    # A filter value the menus do not offer (an edited or old address) is ignored, as if not given: the
    # page shows the list unfiltered by it, with the menu on "All", rather than an empty list.
    group = request.GET.get("group", "")
    if group not in {g.value for g in TargetGroup}:
        group = ""
    gp = request.GET.get("gp", "")
    if gp and gp not in {g.hpr for g in gps}:
        gp = ""
    user_roles = [r for r in TeamRole.values if r in request.user.roles]  # type: ignore[union-attr]
    role = request.GET.get("role", user_roles[0] if user_roles else "")
    if role not in TeamRole.values:
        role = ""
    q = request.GET.get("q", "")[:32]
    rows = worklist_rows(practice_id, group, gp, q)
    tasks = open_tasks(practice_id, role)
    todo = todo_filter(request, care_todos.WORKLIST)
    if todo is not None and todo.key.startswith("care.tasks."):
        role = todo.key.removeprefix("care.tasks.")
        tasks = open_tasks(practice_id, role).filter(pk__in=todo.rows(request.user).values("pk"))
    elif todo is not None:
        rows = rows.filter(pk__in=todo.rows(request.user).values("pk"))
    # A page number that is no number, or past the end, gives the first or the last page (Paginator).
    page = Paginator(rows, WORKLIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "rows": page.object_list,
        "page": page,
        "q": q,
        "groups": GROUP_CHOICES,
        "group": group,
        "gps": gps,
        "gp": gp,
        "roles": TeamRole.choices,
        "role": role,
        "tasks": Paginator(tasks, TASKS_PAGE_SIZE).get_page(request.GET.get("tasks_page")),
        "listed": list_size(practice_id, timezone.localdate()).residents,
        **filter_context(request, todo),
    }
    return render(request, "care/worklist.html", context)


def _resident_for_work(request: HttpRequest, resident_id: int) -> ListResident:
    resident = ListResident.objects.filter(pk=resident_id).first()
    if resident is None or not access.can_see_patients(request.user, resident.practice_id).passed:
        raise Http404(_("No such patient on your practice's list."))
    return resident


@login_required
def patient(request: HttpRequest, resident_id: int) -> HttpResponse:
    return _patient_page(request, resident_id)


def _patient_page(
    request: HttpRequest, resident_id: int, refused_form: str = "", posted: Any = None
) -> HttpResponse:
    """The patient page; after a refused form (``refused_form``: "plan", "follow_up" or "task-<plan id>") the
    page again with that form holding what was typed (``posted``), beside the refusal."""
    purpose = request.GET.get("purpose", "").strip() or DEFAULT_PURPOSE
    try:
        resident = access.read_resident(request.user, resident_id, purpose, "page")  # type: ignore[arg-type]
    except ActionRefused:
        raise Http404(_("No such patient on your practice's list.")) from None
    plans = resident.care_plans.prefetch_related("tasks").order_by("-created_at")
    roles = set(request.user.roles)  # type: ignore[union-attr]
    context = {
        "resident": resident,
        "age": _age(resident.birth_date),
        "memberships": [(GROUP_LABELS[TargetGroup(m.group)], m) for m in resident.memberships.all()],
        "contacts": resident.contacts.all()[:15],
        "diagnoses": resident.diagnoses.all()[:30],
        "plans": [
            (
                plan,
                CARE_PLAN.labels[plan.status],
                [(t, CARE_PLAN.labels[t]) for t in CARE_PLAN.targets(plan.status, roles)],
            )
            for plan in plans
        ],
        "plan_labels": CARE_PLAN.labels,
        "has_open_plan": any(plan.status in OPEN_PLAN_STATUSES for plan in plans),
        "roles": TeamRole.choices,
        "can_work": access.can_work_with_patients(request.user, resident.practice_id).passed,
        "can_see_log": access.can_view_access_log(request.user, resident.practice_id).passed,
        "today": datetime.date.today(),
        "refused_form": refused_form,
        "typed": posted or {},
    }
    return render(request, "care/patient.html", context)


def _age(birth: datetime.date) -> int:
    today = datetime.date.today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _date(value: str | None, label: Any) -> datetime.date | None:
    """A posted date (the page's format or ISO), None when empty; a bad one is refused naming the field."""
    return parse_day(value, label)


def _act(request: HttpRequest, resident: ListResident, work: Any, done: str, form: str = "") -> HttpResponse:
    """Do ``work``; done, back to the patient page; refused, the page again with ``form`` as it was typed (a
    redirect had emptied it, so a refused date cost the plan's title, goals and activities)."""
    try:
        work()
    except actions.OpenPlanExists:
        raise  # not a mistake in the form: plan_create shows the plan that exists
    except ActionRefused as refused:
        show_refusal(request, refused, REFUSALS)
        if form:
            return _patient_page(request, resident.pk, form, request.POST)
    else:
        messages.success(request, done)
    return redirect("care:patient", resident_id=resident.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = _resident_for_work(request, resident_id)
    # the address a refused form was shown at, asked for again (e.g. after a language change)
    if request.method != "POST":
        return redirect("care:patient", resident_id=resident.pk)
    post = request.POST

    def work() -> None:
        # Both dates are read before anything is written: a bad task date leaves no plan without its task.
        next_review = _date(post.get("next_review"), gettext_lazy("Next review"))
        task_due = _date(post.get("task_due"), gettext_lazy("Task due"))
        plan = actions.create_care_plan(
            request.user,
            resident,
            title=post.get("title", ""),
            goals=post.get("goals", ""),
            activities=post.get("activities", ""),
            responsible_role=post.get("responsible_role", ""),
            next_review=next_review,
            status=post.get("status", "active"),
        )
        if post.get("task_description", "").strip():
            actions.add_task(
                request.user,
                plan,
                description=post["task_description"],
                role=post.get("task_role", ""),
                due=task_due,
            )

    try:
        return _act(request, resident, work, _("Care plan created."), form="plan")
    except actions.OpenPlanExists as exists:
        # The same form sent twice (a double click, a reload): the first made the plan, which the patient
        # page shows; the form is gone from it, as it is for every patient with an open plan.
        messages.info(request, exists.display())
        url = reverse("care:patient", kwargs={"resident_id": resident.pk})
        return redirect(f"{url}#plan-{exists.plan.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(CarePlan.objects.select_related("resident"), pk=plan_id)
    resident = _resident_for_work(request, plan.resident_id)
    if request.method != "POST":
        return redirect("care:patient", resident_id=resident.pk)
    post = request.POST
    return _act(
        request,
        resident,
        lambda: actions.add_task(
            request.user,
            plan,
            description=post.get("description", ""),
            role=post.get("role", ""),
            due=_date(post.get("due"), gettext_lazy("Due")),
        ),
        _("Task added."),
        form=f"task-{plan.pk}",
    )


@login_required
@require_POST
def plan_status(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(CarePlan.objects.select_related("resident"), pk=plan_id)
    resident = _resident_for_work(request, plan.resident_id)
    target = request.POST.get("status", "")
    return _act(
        request,
        resident,
        lambda: actions.change_plan_status(request.user, plan, target),
        _("Status changed."),
    )


@login_required
@require_POST
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(CareTask.objects.select_related("plan__resident"), pk=task_id)
    resident = _resident_for_work(request, task.plan.resident_id)
    target = request.POST.get("status", "")
    next_url = request.POST.get("next", "")
    response = _act(
        request, resident, lambda: actions.change_task_status(request.user, task, target), _("Task updated.")
    )
    return redirect("care:worklist") if next_url == "worklist" else response


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = _resident_for_work(request, resident_id)
    if request.method != "POST":
        return redirect("care:patient", resident_id=resident.pk)
    post = request.POST

    def work() -> None:
        on = _date(post.get("on"), gettext_lazy("Date"))
        if on is None:
            raise ActionRefused(_("A follow-up needs a date."))
        actions.record_follow_up(
            request.user, resident, on=on, kind=post.get("kind", "nurse"), note=post.get("note", "")
        )

    return _act(request, resident, work, _("Follow-up recorded."), form="follow_up")


@login_required
def access_log(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = _resident_for_work(request, resident_id)
    verdict = access.can_view_access_log(request.user, resident.practice_id)
    if not verdict.passed:
        raise PermissionDenied(verdict.reason)
    entries = resident.access_log.select_related("user").order_by("-at", "-id")
    return render(request, "care/access_log.html", {"resident": resident, "entries": entries})


@login_required
def fhir_export(request: HttpRequest, resident_id: int) -> HttpResponse:
    try:
        resident = access.read_resident(request.user, resident_id, "FHIR-eksport", "fhir")  # type: ignore[arg-type]
    except ActionRefused:
        raise Http404(_("No such patient on your practice's list.")) from None
    return JsonResponse(
        fhir_bundle(resident), content_type="application/fhir+json", json_dumps_params={"indent": 2}
    )


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Aggregates only: counts per practice and target group, no identifiable data."""
    from pht.apps.accounts.permissions import visible_practices

    practice_ids = list(visible_practices(request.user).values_list("pk", flat=True))  # type: ignore[arg-type]
    rows = access.aggregates(practice_ids)
    return render(
        request,
        "care/overview.html",
        {"rows": rows, "groups": GROUP_CHOICES},
    )


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    """Open care plans of the user's practice due for review today or earlier (a start-page to-do)."""
    practice_id = _practice_id(request)
    plans = (
        care_todos.plans_due_for_review(practice_id, timezone.localdate())
        .select_related("resident")
        .order_by("next_review", "id")
    )
    todo = todo_filter(request, (care_todos.REVIEWS,))
    return render(request, "care/reviews.html", {"plans": plans, **filter_context(request, todo)})
