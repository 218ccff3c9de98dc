"""Eligibility of an application to the primary health team pilot (RULES.md §1).

One function per rule, each returning a ``Verdict`` with its reason; ``check_all`` runs them
all in a fixed order. The input is a plain ``ApplicationInput`` (built by the scheme app from
its models, or parsed from the JSON export read by ``pht eligibility check``), and an
``EligibilityContext`` that carries what the rules compare against: the deadline, the
registry's GPs per practice, the size-class thresholds and the nurse norm.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from pht.rules.explain import Verdict
from pht.rules.size_class import SizeClassThresholds, classify_size

FINANCING_MODELS = frozenset({"fee", "capitation"})


@dataclass(frozen=True)
class PracticeEntry:
    """One practice named in an application."""

    orgnr: str
    name: str
    kommunenummer: str  # where the practice is, from the registry
    gp_hprs: frozenset[str]  # the GPs the application includes
    financing_model: str | None  # "fee" or "capitation"
    team_lead_hpr: str | None = None  # the GP who leads the practice's team
    nurse_fte: Decimal = Decimal("0")
    secretary_fte: Decimal = Decimal("0")
    gp_lists: int | None = None  # GP lists in the practice; defaults to the number of GPs included


@dataclass(frozen=True)
class ApplicationInput:
    applicant_kind: str  # "municipality" for a valid applicant
    kommunenummer: str
    municipality_name: str
    population: int | None  # on 1 January of the call year
    declared_size_class: str | None
    submitted_at: datetime.datetime | None  # timezone-aware
    practices: tuple[PracticeEntry, ...]


@dataclass(frozen=True)
class EligibilityContext:
    deadline_date: datetime.date  # the deadline is the end of this day
    timezone: str  # e.g. "Europe/Oslo"
    registry_gps: Mapping[str, frozenset[str]]  # practice orgnr -> HPR of all its GPs
    known_municipalities: frozenset[str]  # kommunenummer of municipalities of the call year
    size_thresholds: SizeClassThresholds
    gp_lists_per_nurse_fte: int = 3

    @property
    def deadline(self) -> datetime.datetime:
        """First instant after the deadline: midnight starting the next day, local time."""
        next_day = self.deadline_date + datetime.timedelta(days=1)
        return datetime.datetime.combine(next_day, datetime.time(0), tzinfo=ZoneInfo(self.timezone))


def applicant_is_municipality(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.applicant_is_municipality"
    inputs = {"applicant_kind": app.applicant_kind, "kommunenummer": app.kommunenummer}
    if app.applicant_kind != "municipality":
        return Verdict(rule, False, f"the applicant is a {app.applicant_kind}, not a municipality", inputs)
    if app.kommunenummer not in ctx.known_municipalities:
        return Verdict(
            rule, False, f"kommunenummer {app.kommunenummer} is not a municipality of the call year", inputs
        )
    return Verdict(rule, True, f"{app.municipality_name} ({app.kommunenummer}) is a municipality", inputs)


def submitted_in_time(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.submitted_in_time"
    deadline = ctx.deadline
    inputs: dict[str, object] = {
        "submitted_at": app.submitted_at.isoformat() if app.submitted_at else None,
        "deadline": f"end of {ctx.deadline_date.isoformat()} {ctx.timezone}",
    }
    if app.submitted_at is None:
        return Verdict(rule, False, "the application has not been submitted", inputs)
    if app.submitted_at.tzinfo is None:
        raise ValueError("submitted_at must be timezone-aware")
    local = app.submitted_at.astimezone(ZoneInfo(ctx.timezone))
    stamp = local.strftime("%Y-%m-%d %H:%M:%S")
    if app.submitted_at < deadline:
        return Verdict(rule, True, f"submitted {stamp} {ctx.timezone}, before the deadline", inputs)
    return Verdict(
        rule,
        False,
        f"submitted {stamp} {ctx.timezone}, after the deadline (end of {ctx.deadline_date.isoformat()})",
        inputs,
    )


def all_gps_included(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.all_gps_included"
    missing: dict[str, list[str]] = {}
    unknown: dict[str, list[str]] = {}
    for practice in app.practices:
        registry = ctx.registry_gps.get(practice.orgnr, frozenset())
        if sorted(registry - practice.gp_hprs):
            missing[practice.orgnr] = sorted(registry - practice.gp_hprs)
        if sorted(practice.gp_hprs - registry):
            unknown[practice.orgnr] = sorted(practice.gp_hprs - registry)
    inputs: dict[str, object] = {"missing": missing, "not_in_registry": unknown}
    if not app.practices:
        return Verdict(rule, False, "the application names no practice", inputs)
    if missing or unknown:
        parts = [f"practice {orgnr} leaves out GPs {', '.join(hprs)}" for orgnr, hprs in missing.items()]
        parts += [
            f"practice {orgnr} names GPs {', '.join(hprs)} who are not its GPs in the registry"
            for orgnr, hprs in unknown.items()
        ]
        return Verdict(rule, False, "; ".join(parts), inputs)
    total = sum(len(p.gp_hprs) for p in app.practices)
    return Verdict(rule, True, f"all {total} GPs of {len(app.practices)} practice(s) are included", inputs)


def practices_in_municipality(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.practices_in_municipality"
    outside = {p.orgnr: p.kommunenummer for p in app.practices if p.kommunenummer != app.kommunenummer}
    inputs: dict[str, object] = {"kommunenummer": app.kommunenummer, "outside": outside}
    if not app.practices:
        return Verdict(rule, False, "the application names no practice", inputs)
    if outside:
        listed = ", ".join(f"{orgnr} (in {k})" for orgnr, k in outside.items())
        return Verdict(rule, False, f"practices outside {app.kommunenummer}: {listed}", inputs)
    return Verdict(rule, True, f"all practices are in {app.municipality_name}", inputs)


def team_composition(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.team_composition"
    problems: list[str] = []
    for p in app.practices:
        if p.team_lead_hpr is None:
            problems.append(f"practice {p.orgnr}: no GP named as team lead")
        elif p.team_lead_hpr not in p.gp_hprs:
            problems.append(f"practice {p.orgnr}: team lead {p.team_lead_hpr} is not one of its included GPs")
        if p.nurse_fte <= 0:
            problems.append(f"practice {p.orgnr}: no nurse planned")
        if p.secretary_fte <= 0:
            problems.append(f"practice {p.orgnr}: no health secretary planned")
    inputs: dict[str, object] = {"problems": problems}
    if not app.practices:
        return Verdict(rule, False, "the application names no practice", inputs)
    if problems:
        return Verdict(rule, False, "; ".join(problems), inputs)
    return Verdict(
        rule, True, "every team is led by a GP and has a nurse and a health secretary planned", inputs
    )


def nurse_norm(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    """One nurse FTE per ``gp_lists_per_nurse_fte`` GP lists, per practice.

    The requirement is rounded half up to 0.01 FTE, so 1.33 FTE suffices for four lists.
    """
    rule = "eligibility.nurse_norm"
    per = ctx.gp_lists_per_nurse_fte
    short: list[str] = []
    detail: dict[str, object] = {}
    for p in app.practices:
        lists = p.gp_lists if p.gp_lists is not None else len(p.gp_hprs)
        required = (Decimal(lists) / per).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        detail[p.orgnr] = {"gp_lists": lists, "required_fte": str(required), "planned_fte": str(p.nurse_fte)}
        if p.nurse_fte < required:
            short.append(
                f"practice {p.orgnr}: {p.nurse_fte} nurse FTE planned for {lists} GP lists, needs {required}"
            )
    inputs: dict[str, object] = {"gp_lists_per_nurse_fte": per, "practices": detail}
    if not app.practices:
        return Verdict(rule, False, "the application names no practice", inputs)
    if short:
        return Verdict(rule, False, "; ".join(short), inputs)
    return Verdict(rule, True, f"planned nurse FTE meets one per {per} GP lists in every practice", inputs)


def financing_model_per_practice(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.financing_model_per_practice"
    missing = [p.orgnr for p in app.practices if p.financing_model is None]
    invalid = {
        p.orgnr: p.financing_model
        for p in app.practices
        if p.financing_model is not None and p.financing_model not in FINANCING_MODELS
    }
    models = sorted({p.financing_model for p in app.practices if p.financing_model in FINANCING_MODELS})
    inputs: dict[str, object] = {"missing": missing, "invalid": invalid, "models": models}
    if not app.practices:
        return Verdict(rule, False, "the application names no practice", inputs)
    if missing or invalid:
        parts = [f"practice {o}: no financing model chosen" for o in missing]
        parts += [f"practice {o}: unknown financing model {m!r}" for o, m in invalid.items()]
        return Verdict(rule, False, "; ".join(parts), inputs)
    return Verdict(rule, True, f"every practice has a financing model ({', '.join(models)})", inputs)


def size_class_matches(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.size_class"
    inputs: dict[str, object] = {"population": app.population, "declared": app.declared_size_class}
    if app.population is None:
        return Verdict(rule, False, f"no population known for {app.kommunenummer}", inputs)
    classified = classify_size(app.population, ctx.size_thresholds)
    inputs["size_class"] = classified.value.value
    if app.declared_size_class is not None and app.declared_size_class != classified.value:
        return Verdict(
            rule,
            False,
            f"declared size class {app.declared_size_class} but {classified.reason}, so {classified.value}",
            inputs,
        )
    return Verdict(rule, True, f"size class {classified.value}: {classified.reason}", inputs)


RULES = (
    applicant_is_municipality,
    submitted_in_time,
    all_gps_included,
    practices_in_municipality,
    team_composition,
    nurse_norm,
    financing_model_per_practice,
    size_class_matches,
)


@dataclass(frozen=True)
class EligibilityReport:
    verdicts: tuple[Verdict, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    @property
    def failed(self) -> Sequence[Verdict]:
        return [v for v in self.verdicts if not v.passed]


def check_all(app: ApplicationInput, ctx: EligibilityContext) -> EligibilityReport:
    """Every eligibility rule on ``app``, in a fixed order."""
    return EligibilityReport(tuple(rule(app, ctx) for rule in RULES))


class ApplicationFormatError(ValueError):
    """A malformed application export; the message names the record and field."""


def application_from_mapping(
    document: Mapping[str, object],
) -> tuple[ApplicationInput, dict[str, frozenset[str]]]:
    """Parse the JSON export of an application (docs/scheme.md) into the rule input.

    Returns the application and, per practice, the registry's GPs recorded in the export.
    """
    applicant = document.get("applicant")
    if not isinstance(applicant, Mapping):
        raise ApplicationFormatError("field 'applicant': must be an object")
    kommunenummer = _text(applicant, "kommunenummer", "applicant")
    population = document.get("population")
    if population is not None and (not isinstance(population, int) or isinstance(population, bool)):
        raise ApplicationFormatError("field 'population': must be a whole number or null")
    declared = document.get("size_class")
    if declared is not None and not isinstance(declared, str):
        raise ApplicationFormatError("field 'size_class': must be a string or null")
    raw_submitted = document.get("submitted_at")
    submitted: datetime.datetime | None = None
    if raw_submitted is not None:
        if not isinstance(raw_submitted, str):
            raise ApplicationFormatError("field 'submitted_at': must be an ISO 8601 timestamp or null")
        try:
            submitted = datetime.datetime.fromisoformat(raw_submitted)
        except ValueError as exc:
            raise ApplicationFormatError(
                f"field 'submitted_at': not an ISO 8601 timestamp: {raw_submitted!r}"
            ) from exc
        if submitted.tzinfo is None:
            raise ApplicationFormatError("field 'submitted_at': must carry a UTC offset, e.g. +02:00")
    raw_practices = document.get("practices")
    if not isinstance(raw_practices, list):
        raise ApplicationFormatError("field 'practices': must be a list")
    practices: list[PracticeEntry] = []
    registry: dict[str, frozenset[str]] = {}
    for position, raw in enumerate(raw_practices, start=1):
        if not isinstance(raw, Mapping):
            raise ApplicationFormatError(f"practice {position}: must be an object")
        orgnr = _text(raw, "orgnr", f"practice {position}")
        where = f"practice {orgnr}"
        gps = _text_list(raw, "gps", where)
        registry[orgnr] = frozenset(_text_list(raw, "registry_gps", where))
        model = raw.get("financing_model")
        if model is not None and not isinstance(model, str):
            raise ApplicationFormatError(f"{where}, field 'financing_model': must be a string or null")
        lead = raw.get("team_lead")
        if lead is not None and not isinstance(lead, str):
            raise ApplicationFormatError(f"{where}, field 'team_lead': must be an HPR number or null")
        lists = raw.get("gp_lists")
        if lists is not None and (not isinstance(lists, int) or isinstance(lists, bool) or lists < 0):
            raise ApplicationFormatError(f"{where}, field 'gp_lists': must be a whole number ≥ 0 or null")
        practices.append(
            PracticeEntry(
                orgnr=orgnr,
                name=str(raw.get("name") or orgnr),
                kommunenummer=_text(raw, "kommunenummer", where),
                gp_hprs=frozenset(gps),
                financing_model=model,
                team_lead_hpr=lead,
                nurse_fte=_fte(raw, "nurse_fte", where),
                secretary_fte=_fte(raw, "secretary_fte", where),
                gp_lists=lists,
            )
        )
    kind = applicant.get("kind", "municipality")
    app = ApplicationInput(
        applicant_kind=str(kind),
        kommunenummer=kommunenummer,
        municipality_name=str(applicant.get("name") or kommunenummer),
        population=population,
        declared_size_class=declared,
        submitted_at=submitted,
        practices=tuple(practices),
    )
    return app, registry


def _text(values: Mapping[str, object], key: str, where: str) -> str:
    value = values.get(key)
    if not isinstance(value, str) or not value:
        raise ApplicationFormatError(f"{where}, field {key!r}: must be a non-empty string")
    return value


def _text_list(values: Mapping[str, object], key: str, where: str) -> list[str]:
    value = values.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApplicationFormatError(f"{where}, field {key!r}: must be a list of HPR numbers")
    return list(value)


def _fte(values: Mapping[str, object], key: str, where: str) -> Decimal:
    value = values.get(key, "0")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ApplicationFormatError(f"{where}, field {key!r}: must be a number of FTE")
    try:
        result = Decimal(str(value))
    except ArithmeticError as exc:
        raise ApplicationFormatError(f"{where}, field {key!r}: not a number: {value!r}") from exc
    if not result.is_finite() or result < 0:
        raise ApplicationFormatError(f"{where}, field {key!r}: must be a number ≥ 0")
    return result
