"""Registry pages: municipalities (search, filters, counts per size class), a municipality, a practice."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.permissions import can_edit_roster, visible_practices
from pht.apps.accounts.todos import filter_context, todo_filter
from pht.apps.registry import actions, roster
from pht.apps.registry.forms import MunicipalityFilterForm, TeamForm, TeamMemberForm
from pht.apps.registry.models import Municipality, MunicipalityPopulation, Practice, TeamMember
from pht.apps.registry.reasons import REFUSALS
from pht.rules.size_class import SizeClass


def _years() -> list[int]:
    return sorted(set(MunicipalityPopulation.objects.values_list("year", flat=True)), reverse=True) or [2017]


@login_required
def municipality_list(request: HttpRequest) -> HttpResponse:
    years = _years()
    counties = sorted(set(Municipality.objects.values_list("county", flat=True)))
    form = MunicipalityFilterForm(request.GET or None, counties=counties, years=years)
    year = years[0]
    rows = MunicipalityPopulation.objects.select_related("municipality")
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        q = form.cleaned_data["q"].strip()
        if q:
            rows = rows.filter(
                Q(municipality__name__icontains=q) | Q(municipality__kommunenummer__startswith=q)
            )
        if form.cleaned_data["county"]:
            rows = rows.filter(municipality__county=form.cleaned_data["county"])
    rows = rows.filter(year=year)
    # Counts per size class follow search and county, not the size-class filter itself.
    counts = {c.value: 0 for c in SizeClass}
    counts.update(dict(rows.values_list("size_class").annotate(n=Count("id")).values_list("size_class", "n")))
    if form.is_valid() and form.cleaned_data["size_class"]:
        rows = rows.filter(size_class=form.cleaned_data["size_class"])
    rows = rows.order_by("municipality__kommunenummer")
    context = {"form": form, "rows": rows, "year": year, "counts": counts, "total": rows.count()}
    template = (
        "registry/_municipality_table.html"
        if request.headers.get("HX-Request")
        else "registry/municipality_list.html"
    )
    return render(request, template, context)


@login_required
def municipality_detail(request: HttpRequest, kommunenummer: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality, kommunenummer=kommunenummer)
    practices = (
        visible_practices(request.user)  # type: ignore[arg-type]
        .filter(municipality=municipality)
        .annotate(gp_count=Count("gps"))
        .order_by("name")
    )
    todo = todo_filter(request, (roster.BELOW_NORM,))
    if todo is not None:
        practices = practices.filter(pk__in=todo.rows(request.user).values("pk"))
    populations = municipality.populations.order_by("-year")
    return render(
        request,
        "registry/municipality_detail.html",
        {
            "municipality": municipality,
            "practices": practices,
            "populations": populations,
            **filter_context(request, todo),
        },
    )


def _visible_practice(request: HttpRequest, orgnr: str) -> Practice:
    return get_object_or_404(visible_practices(request.user), orgnr=orgnr)  # type: ignore[arg-type]


@login_required
def practice_detail(request: HttpRequest, orgnr: str) -> HttpResponse:
    return _practice_page(request, _visible_practice(request, orgnr))


MEMBER_IDS = "member_%s"  # the member form's ids apart from the team form's (both have "name")


def _practice_page(
    request: HttpRequest,
    practice: Practice,
    *,
    form: TeamMemberForm | None = None,
    team_form: TeamForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The practice page; after a refused roster change with the refused form as it was typed (``form`` or
    ``team_form``, bound, with its errors beside its fields), answered with ``status`` 400."""
    from pht.apps.care.lists import list_size

    today = timezone.localdate()
    size = list_size(practice.pk, today)
    gps = list(practice.gps.all())
    for gp in gps:
        gp.listed = size.by_gp.get(gp.pk, 0)  # type: ignore[attr-defined]
    for shown in (form, team_form):
        if shown is not None and shown.errors:
            # each refused input names its error for screen readers; the first takes the focus, so the
            # page opens at the form (far below the top on a phone), not at its heading
            refused = [name for name in shown.fields if name in shown.errors]
            for name in refused:
                shown.fields[name].widget.attrs["aria-describedby"] = f"{shown[name].auto_id}_error"
            first = refused[0] if refused else next(iter(shown.fields))
            shown.fields[first].widget.attrs["autofocus"] = True
    context = {
        "practice": practice,
        "gps": gps,
        "list_size": size,
        "nurse_norm": roster.nurse_norm(practice, today),
        "members": practice.team_members.all(),
        "teams": practice.teams.select_related("lead_gp").prefetch_related("members"),
        "can_edit": can_edit_roster(request.user, practice).passed,  # type: ignore[arg-type]
        "form": form if form is not None else TeamMemberForm(auto_id=MEMBER_IDS),
        "team_form": team_form if team_form is not None else TeamForm(practice=practice),
    }
    return render(request, "registry/practice_detail.html", context, status=status)


def _add_model_errors(form: TeamMemberForm | TeamForm, error: ValidationError) -> None:
    """A model's own refusal (``full_clean`` in the action) beside the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
@require_POST
def team_member_save(request: HttpRequest, orgnr: str) -> HttpResponse:
    practice = _visible_practice(request, orgnr)
    form = TeamMemberForm(request.POST, auto_id=MEMBER_IDS)
    if form.is_valid():
        try:
            actions.save_team_member(request.user, practice, form.cleaned_data)  # type: ignore[arg-type]
        except ActionRefused as exc:
            show_refusal(request, exc, REFUSALS)
        except ValidationError as exc:
            _add_model_errors(form, exc)
        else:
            messages.success(request, _("Team member saved."))
            return redirect("registry:practice", orgnr=orgnr)
    # refused: the page again with what was typed, not an empty form
    return _practice_page(request, practice, form=form, status=400)


@login_required
@require_POST
def team_member_remove(request: HttpRequest, orgnr: str, member_id: int) -> HttpResponse:
    practice = _visible_practice(request, orgnr)
    member = get_object_or_404(TeamMember, pk=member_id, practice=practice)
    try:
        actions.remove_team_member(request.user, member)  # type: ignore[arg-type]
    except ActionRefused as exc:
        show_refusal(request, exc, REFUSALS)
    else:
        messages.success(request, _("Team member removed."))
    return redirect("registry:practice", orgnr=orgnr)


@login_required
@require_POST
def team_save(request: HttpRequest, orgnr: str) -> HttpResponse:
    practice = _visible_practice(request, orgnr)
    form = TeamForm(request.POST, practice=practice)
    if form.is_valid():
        try:
            actions.save_team(
                request.user,  # type: ignore[arg-type]
                practice,
                form.cleaned_data["name"],
                form.cleaned_data["lead_gp"],
                list(form.cleaned_data["members"]),
            )
        except ActionRefused as exc:
            show_refusal(request, exc, REFUSALS)
        except ValidationError as exc:
            _add_model_errors(form, exc)
        else:
            messages.success(request, _("Team saved."))
            return redirect("registry:practice", orgnr=orgnr)
    # refused: the page again with the team as it was typed, its form open
    return _practice_page(request, practice, team_form=form, status=400)
