"""Eligibility verdicts, grant computations and selection explanations in the page's language.

The rules (``pht.rules.eligibility`` with ``pht.rules.size_class``, ``pht.rules.grants``,
``pht.rules.selection``) give every reason as an English sentence and as a
:class:`~pht.rules.explain.Message`; the scheme app stores both (``Application.verdicts``,
``GrantDecision.years``, ``SelectionRun.result``) and shows them only through :data:`CATALOGUE` (the shared
``pht.apps.accounts.reasons.ReasonCatalogue``). As everywhere in this app the msgids are bokmål; the ``en``
catalogue gives the rules' English templates and terms word for word (tests/integration/scheme/
test_scheme_reasons.py checks it), so English pages read as the API and the command line.

Refused actions (``pht.apps.accounts.actions.ActionRefused``) that come from a rule (workflow steps, roles,
four eyes: ``pht.rules.workflow``) are shown through :data:`REFUSALS` in the same way
(``show_refusal(request, refused, REFUSALS)``); the scheme's other refusals are gettext texts at their
raise site.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pht.apps.accounts.reasons import ReasonCatalogue

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

TEMPLATES: dict[str, StrPromise] = {
    # Size class (pht.rules.size_class), nested in the size-class verdict.
    "size_class.small": _("innbyggertall %(population)s er under %(small_below)s"),
    "size_class.large": _("innbyggertall %(population)s er over %(large_above)s"),
    "size_class.medium": _(
        "innbyggertall %(population)s er mellom %(small_below)s og %(large_above)s (grensene medregnet)"
    ),
    # Eligibility (pht.rules.eligibility).
    "eligibility.no_practice": _("søknaden nevner ikke noe legekontor"),
    # Translators: problems found, joined by "; " (nothing to translate).
    "eligibility.problems": _("%(problems)s"),
    # Translators: "kind" is the applicant's kind as the application gives it, e.g. "practice".
    "eligibility.applicant.not_municipality": _("søkeren (%(kind)s) er ikke en kommune"),
    "eligibility.applicant.unknown_municipality": _(
        "kommunenummer %(kommunenummer)s er ikke en kommune i utlysningsåret"
    ),
    "eligibility.applicant.municipality": _("%(name)s (%(kommunenummer)s) er en kommune"),
    "eligibility.submitted.not_submitted": _("søknaden er ikke sendt inn"),
    "eligibility.submitted.in_time": _("sendt inn %(submitted)s %(timezone)s, før fristen"),
    "eligibility.submitted.late": _(
        "sendt inn %(submitted)s %(timezone)s, etter fristen (slutten av %(deadline)s)"
    ),
    "eligibility.gps.left_out": _("legekontor %(orgnr)s utelater fastlegene %(gps)s"),
    "eligibility.gps.not_in_registry": _(
        "legekontor %(orgnr)s nevner fastlegene %(gps)s, som ikke er legekontorets fastleger i registeret"
    ),
    "eligibility.gps.all_included": _("alle %(gps)s fastleger ved %(practices)s legekontor er med"),
    "eligibility.outside.some": _("legekontor utenfor %(kommunenummer)s: %(practices)s"),
    "eligibility.outside.practice": _("%(orgnr)s (i %(kommunenummer)s)"),
    "eligibility.outside.none": _("alle legekontorene ligger i %(name)s"),
    "eligibility.team.no_lead": _("legekontor %(orgnr)s: ingen fastlege er oppgitt som teamleder"),
    "eligibility.team.lead_not_included": _(
        "legekontor %(orgnr)s: teamleder %(hpr)s er ikke blant fastlegene som er med"
    ),
    "eligibility.team.no_nurse": _("legekontor %(orgnr)s: ingen sykepleier planlagt"),
    "eligibility.team.no_secretary": _("legekontor %(orgnr)s: ingen helsesekretær planlagt"),
    "eligibility.team.complete": _(
        "hvert team ledes av en fastlege og har sykepleier og helsesekretær planlagt"
    ),
    "eligibility.nurse.short": _(
        "legekontor %(orgnr)s: %(planned)s sykepleierårsverk planlagt for %(lists)s fastlegelister, "
        "trenger %(required)s"
    ),
    "eligibility.nurse.met": _(
        "planlagte sykepleierårsverk oppfyller ett per %(per)s fastlegelister ved hvert legekontor"
    ),
    "eligibility.financing.missing": _("legekontor %(orgnr)s: ingen finansieringsmodell valgt"),
    "eligibility.financing.unknown": _("legekontor %(orgnr)s: ukjent finansieringsmodell %(model)s"),
    "eligibility.financing.all": _("hvert legekontor har en finansieringsmodell (%(models)s)"),
    "eligibility.size.no_population": _("innbyggertallet for %(kommunenummer)s er ikke kjent"),
    # Translators: "reason" is the size class's reason, e.g. "innbyggertall 30 000 er over 20 000".
    "eligibility.size.mismatch": _("oppgitt størrelse %(declared)s, men %(reason)s, altså %(size_class)s"),
    "eligibility.size.matches": _("størrelse %(size_class)s: %(reason)s"),
    # Grants per year (pht.rules.grants).
    "grants.year": _(
        "%(year)s: %(days)s/%(days_in_year)s dager; legekontorene %(gps)s fastleger × %(per_gp)s × "
        "%(days)s/%(days_in_year)s = %(practice)s; kommunen (%(base)s + %(gps)s × %(municipality_per_gp)s) × "
        "%(days)s/%(days_in_year)s = %(municipality)s"
    ),
    # Grants per recipient and year (pht.rules.grants.grant_lines).
    "grants.line.practice": _(
        "%(year)s: %(gps)s fastleger × %(per_gp)s × %(days)s/%(days_in_year)s dager = %(amount)s"
    ),
    "grants.line.municipality": _(
        "%(year)s: %(base)s × %(days)s/%(days_in_year)s dager + %(per_gp)s × %(gp_days)s fastlegedager / "
        "%(days_in_year)s = %(amount)s"
    ),
    # Selection (pht.rules.selection): constraint groups and the explanation of a run.
    "selection.per_size_class": _("nøyaktig %(count)s valgt i størrelsesklassen %(size_class)s"),
    "selection.gps_min": _("minst %(gps)s fastleger i alt"),
    "selection.gps_max": _("høyst %(gps)s fastleger i alt"),
    "selection.min_per_model": _("minst %(count)s valgt som tilbyr %(model)s"),
    "selection.max_per_county": _("høyst %(count)s valgt i %(county)s"),
    "selection.locked_in": _("%(candidate)s låst inn"),
    "selection.locked_out": _("%(candidate)s låst ut"),
    "selection.left_out": _("%(candidate)s utelatt"),
    # Translators: a constraint group's id and its description (nothing to translate).
    "selection.infeasible.repairable": _(
        "ikke mulig: disse betingelsene kan ikke alle holde samtidig: %(clash)s. "
        "Å lempe på én av %(repairs)s alene gjør problemet løsbart."
    ),
    "selection.infeasible.stuck": _(
        "ikke mulig: disse betingelsene kan ikke alle holde samtidig: %(clash)s. "
        "Ingen enkelt betingelse kan lempes alene slik at det blir løsbart."
    ),
    "selection.optimal.binding": _(
        "optimal: %(chosen)s valgt, samlet poengsum %(score)s, %(gps)s fastleger. Bindende: %(binding)s."
    ),
    "selection.binding": _("%(group)s (å lempe på den alene ville gi %(gain)s mer)"),
    "selection.optimal.free": _(
        "optimal: %(chosen)s valgt, samlet poengsum %(score)s, %(gps)s fastleger. "
        "Ingen enkelt betingelse begrenser poengsummen."
    ),
}

TERMS: dict[tuple[str, str], StrPromise] = {
    ("size_class", "small"): pgettext_lazy("size class", "liten"),
    ("size_class", "medium"): pgettext_lazy("size class", "mellomstor"),
    ("size_class", "large"): pgettext_lazy("size class", "stor"),
    ("financing_model", "fee"): pgettext_lazy("financing model", "honorarmodell"),
    ("financing_model", "capitation"): pgettext_lazy("financing model", "driftstilskuddsmodell"),
}

CATALOGUE = ReasonCatalogue(TEMPLATES, TERMS, localise=True)

# Refusals by the workflow rules (pht.rules.workflow): status steps, roles and the four-eyes check.
REFUSAL_TEMPLATES: dict[str, StrPromise] = {
    # Translators: "workflow" is what changes status (søknad, tilsagn, utbetaling ...), "status" a status id.
    "workflow.unknown_status": _("%(workflow)s: ukjent status «%(status)s»"),
    "workflow.no_step": _("%(workflow)s: ingen overgang fra «%(current)s» til «%(target)s»"),
    # Translators: "possible" lists the statuses one may go to, joined by ", ".
    "workflow.no_step.possible": _(
        "%(workflow)s: ingen overgang fra «%(current)s» til «%(target)s»; fra «%(current)s» kan den gå til "
        "%(possible)s"
    ),
    # Translators: "allowed" and "held" list roles, joined by ", ".
    "workflow.needs_role": _(
        "%(workflow)s: «%(current)s» → «%(target)s» krever en av rollene %(allowed)s; du har %(held)s"
    ),
    "workflow.needs_role.none_held": _(
        "%(workflow)s: «%(current)s» → «%(target)s» krever en av rollene %(allowed)s; du har ingen roller"
    ),
    "workflow.allowed": _("%(workflow)s: «%(current)s» → «%(target)s» er tillatt"),
    "workflow.roles.missing": _("dette krever en av rollene %(roles)s"),
    "workflow.roles.held": _("har en av rollene %(roles)s"),
    # Translators: "what" is what is approved, in the definite form (utbetalingen).
    "workflow.four_eyes.not_prepared": _(
        "%(what)s: ingen er registrert som den som forberedte den, så fire øyne kan ikke vises; "
        "forbered den først"
    ),
    "workflow.four_eyes.approver_unknown": _("%(what)s: den som godkjenner, er ikke kjent"),
    # Translators: "others" names who may approve instead (en annen økonomimedarbeider).
    "workflow.four_eyes.same_person": _(
        "du forberedte denne %(what)s; %(others)s må godkjenne den (fire øyne)"
    ),
    "workflow.four_eyes.passed": _("%(what)s: godkjent av en annen enn den som forberedte den"),
}

# The workflows' vocabulary (pht.apps.scheme.workflows): their names, statuses and roles, and what the
# four-eyes check names. Every role is listed: a refusal names the roles the user holds.
REFUSAL_TERMS: dict[tuple[str, str], StrPromise] = {
    ("workflow", "application"): pgettext_lazy("workflow", "søknad"),
    ("workflow", "review"): pgettext_lazy("workflow", "vurdering"),
    ("workflow", "grant decision"): pgettext_lazy("workflow", "tilsagn"),
    ("workflow", "disbursement"): pgettext_lazy("workflow", "utbetaling"),
    ("workflow", "report"): pgettext_lazy("workflow", "rapport"),
    ("workflow", "call"): pgettext_lazy("workflow", "utlysning"),
    ("status", "published"): pgettext_lazy("status", "publisert"),
    ("status", "closed"): pgettext_lazy("status", "lukket"),
    ("status", "draft"): pgettext_lazy("status", "utkast"),
    ("status", "submitted"): pgettext_lazy("status", "sendt inn"),
    ("status", "withdrawn"): pgettext_lazy("status", "trukket"),
    ("status", "granted"): pgettext_lazy("status", "innvilget"),
    ("status", "rejected"): pgettext_lazy("status", "avslått"),
    ("status", "assigned"): pgettext_lazy("status", "tildelt"),
    ("status", "conflict"): pgettext_lazy("status", "inhabil"),
    ("status", "cleared"): pgettext_lazy("status", "ikke inhabil"),
    ("status", "decided"): pgettext_lazy("status", "vedtatt"),
    ("status", "accepted"): pgettext_lazy("status", "akseptert"),
    ("status", "declined"): pgettext_lazy("status", "avslått av kommunen"),
    ("status", "planned"): pgettext_lazy("status", "planlagt"),
    ("status", "prepared"): pgettext_lazy("status", "forberedt"),
    ("status", "approved"): pgettext_lazy("status", "godkjent"),
    ("status", "due"): pgettext_lazy("status", "forfaller"),
    ("role", "case_officer"): pgettext_lazy("role", "saksbehandler"),
    ("role", "reviewer"): pgettext_lazy("role", "fagvurderer"),
    ("role", "finance_officer"): pgettext_lazy("role", "økonomi"),
    ("role", "project_lead"): pgettext_lazy("role", "prosjektleder"),
    ("role", "gp"): pgettext_lazy("role", "fastlege"),
    ("role", "nurse"): pgettext_lazy("role", "sykepleier"),
    ("role", "secretary"): pgettext_lazy("role", "helsesekretær"),
    ("role", "practice_admin"): pgettext_lazy("role", "praksisadministrator"),
    ("role", "evaluator"): pgettext_lazy("role", "evaluator"),
    ("role", "administrator"): pgettext_lazy("role", "administrator"),
    ("approvable", "disbursement"): pgettext_lazy("approvable", "utbetalingen"),
    ("approvers", "another finance officer"): pgettext_lazy("approvers", "en annen økonomimedarbeider"),
    ("approvers", "someone else"): pgettext_lazy("approvers", "noen andre"),
}

REFUSALS = ReasonCatalogue(REFUSAL_TEMPLATES, REFUSAL_TERMS)

# The eligibility rules by id, as the verdict table names them; another rule shows its id.
RULE_LABELS: dict[str, StrPromise] = {
    "eligibility.applicant_is_municipality": _("Søkeren er en kommune"),
    "eligibility.submitted_in_time": _("Sendt inn innen fristen"),
    "eligibility.all_gps_included": _("Alle fastlegene ved legekontorene er med"),
    "eligibility.practices_in_municipality": _("Legekontorene ligger i kommunen"),
    "eligibility.team_composition": _("Team med teamleder, sykepleier og helsesekretær"),
    "eligibility.nurse_norm": _("Sykepleiernorm"),
    "eligibility.financing_model_per_practice": _("Finansieringsmodell for hvert legekontor"),
    "eligibility.size_class": _("Størrelsesklasse"),
}

STATUS_LABELS: dict[str, StrPromise] = {
    "optimal": pgettext_lazy("selection status", "optimal"),
    "infeasible": pgettext_lazy("selection status", "ikke mulig"),
}


def verdicts_display(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored verdicts (``Verdict.as_dict()``) with ``label`` and ``reason`` in the active language."""
    return [
        {
            **verdict,
            "label": str(RULE_LABELS.get(verdict.get("rule", ""), verdict.get("rule", ""))),
            "reason": CATALOGUE.display(verdict.get("message"), str(verdict.get("reason", ""))),
        }
        for verdict in stored
    ]


def years_display(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A decision's stored grant years with ``reason`` in the active language."""
    return [
        {**year, "reason": CATALOGUE.display(year.get("message"), str(year.get("reason", "")))}
        for year in stored
    ]


def selection_display(result: Mapping[str, Any]) -> dict[str, Any]:
    """A run's stored result (``SelectionResult.as_dict(details=True)``) with its status label, explanation
    and the descriptions of its binding and clashing groups in the active language."""
    status = str(result.get("status", ""))

    def described(items: Any) -> list[dict[str, Any]]:
        return [
            {**item, "description": CATALOGUE.display(item.get("message"), str(item.get("description", "")))}
            for item in items or []
        ]

    return {
        **result,
        "status_label": str(STATUS_LABELS.get(status, status)),
        "explanation": CATALOGUE.display(result.get("message"), str(result.get("explanation", ""))),
        "binding": described(result.get("binding")),
        "conflict": described(result.get("conflict")),
    }
