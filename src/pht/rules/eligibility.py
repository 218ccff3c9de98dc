"""Eligibility of an application to the primary health team pilot (RULES.md §1).

One function per rule, each returning a ``Verdict`` with its reason; ``check_all`` runs them
all in a fixed order. The input is a plain ``ApplicationInput`` (built by the scheme app from
its models, or parsed from the JSON export read by ``pht eligibility check``), and an
``EligibilityContext`` that carries what the rules compare against: the deadline, the
registry's GPs per practice, the size-class thresholds and the nurse norm. Every reason is also a
translatable ``Message`` (ids and English templates: ``TEMPLATES``; the English reason is rendered from it).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from pht.rules import size_class as _size_class
from pht.rules.deadline import deadline_instant
from pht.rules.explain import Message, Param, Term, Verdict, render
from pht.rules.size_class import SizeClass, SizeClassThresholds, classify_size

FINANCING_MODELS = frozenset({"fee", "capitation"})

# English templates of the verdicts' messages (ids -> ``%(name)s`` templates), with the size class's (the
# size-class verdict nests its reason). The scheme app translates them (pht.apps.scheme.reasons).
TEMPLATES: Mapping[str, str] = {
    **_size_class.TEMPLATES,
    "eligibility.no_practice": "the application names no practice",
    "eligibility.problems": "%(problems)s",
    "eligibility.applicant.not_municipality": "the applicant is a %(kind)s, not a municipality",
    "eligibility.applicant.unknown_municipality": (
        "kommunenummer %(kommunenummer)s is not a municipality of the call year"
    ),
    "eligibility.applicant.municipality": "%(name)s (%(kommunenummer)s) is a municipality",
    "eligibility.submitted.not_submitted": "the application has not been submitted",
    "eligibility.submitted.in_time": "submitted %(submitted)s %(timezone)s, before the deadline",
    "eligibility.submitted.late": (
        "submitted %(submitted)s %(timezone)s, after the deadline (end of %(deadline)s)"
    ),
    "eligibility.gps.left_out": "practice %(orgnr)s leaves out GPs %(gps)s",
    "eligibility.gps.not_in_registry": (
        "practice %(orgnr)s names GPs %(gps)s who are not its GPs in the registry"
    ),
    "eligibility.gps.all_included": "all %(gps)s GPs of %(practices)s practice(s) are included",
    "eligibility.outside.some": "practices outside %(kommunenummer)s: %(practices)s",
    "eligibility.outside.practice": "%(orgnr)s (in %(kommunenummer)s)",
    "eligibility.outside.none": "all practices are in %(name)s",
    "eligibility.team.no_lead": "practice %(orgnr)s: no GP named as team lead",
    "eligibility.team.lead_not_included": "practice %(orgnr)s: team lead %(hpr)s is not one of its included GPs",
    "eligibility.team.no_nurse": "practice %(orgnr)s: no nurse planned",
    "eligibility.team.no_secretary": "practice %(orgnr)s: no health secretary planned",
    "eligibility.team.complete": "every team is led by a GP and has a nurse and a health secretary planned",
    "eligibility.nurse.short": (
        "practice %(orgnr)s: %(planned)s nurse FTE planned for %(lists)s GP lists, needs %(required)s"
    ),
    "eligibility.nurse.met": "planned nurse FTE meets one per %(per)s GP lists in every practice",
    "eligibility.financing.missing": "practice %(orgnr)s: no financing model chosen",
    "eligibility.financing.unknown": "practice %(orgnr)s: unknown financing model %(model)s",
    "eligibility.financing.all": "every practice has a financing model (%(models)s)",
    "eligibility.size.no_population": "no population known for %(kommunenummer)s",
    "eligibility.size.mismatch": "declared size class %(declared)s but %(reason)s, so %(size_class)s",
    "eligibility.size.matches": "size class %(size_class)s: %(reason)s",
}
_NO_PRACTICE = Message("eligibility.no_practice")


def financing_model_term(model: str) -> Term:
    """A financing model of the call (``fee``, ``capitation``) as a term of the reasons."""
    return Term("financing_model", model, model)


def model_param(value: str) -> Param:
    """A financing model as a term; a value that is no financing model stands for itself."""
    return financing_model_term(value) if value in FINANCING_MODELS else value


def size_class_param(value: str) -> Param:
    """A size class as a term; a value that is no size class stands for itself."""
    return SizeClass(value).term if value in set(SizeClass) else value


def vocabulary() -> frozenset[Term]:
    """Every term an eligibility reason can name (what a presentation layer must translate)."""
    return frozenset({c.term for c in SizeClass} | {financing_model_term(m) for m in FINANCING_MODELS})


def _verdict(rule: str, passed: bool, message: Message, inputs: Mapping[str, object]) -> Verdict:
    """A verdict whose English reason is ``message`` rendered with ``TEMPLATES``."""
    return Verdict(rule, passed, render(message, TEMPLATES.__getitem__), inputs, message)


def _problems(rule: str, problems: list[Message], inputs: Mapping[str, object]) -> Verdict:
    """A failed verdict listing ``problems`` (joined by "; ")."""
    return _verdict(rule, False, Message("eligibility.problems", {"problems": tuple(problems)}), inputs)


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
        """First instant after the deadline (``pht.rules.deadline``, the one deadline rule)."""
        return deadline_instant(self.deadline_date, self.timezone)


def applicant_is_municipality(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.applicant_is_municipality"
    inputs = {"applicant_kind": app.applicant_kind, "kommunenummer": app.kommunenummer}
    if app.applicant_kind != "municipality":
        message = Message("eligibility.applicant.not_municipality", {"kind": app.applicant_kind})
        return _verdict(rule, False, message, inputs)
    if app.kommunenummer not in ctx.known_municipalities:
        message = Message("eligibility.applicant.unknown_municipality", {"kommunenummer": app.kommunenummer})
        return _verdict(rule, False, message, inputs)
    message = Message(
        "eligibility.applicant.municipality",
        {"name": app.municipality_name, "kommunenummer": app.kommunenummer},
    )
    return _verdict(rule, True, message, inputs)


def submitted_in_time(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.submitted_in_time"
    deadline = ctx.deadline
    inputs: dict[str, object] = {
        "submitted_at": app.submitted_at.isoformat() if app.submitted_at else None,
        "deadline": f"end of {ctx.deadline_date.isoformat()} {ctx.timezone}",
    }
    if app.submitted_at is None:
        return _verdict(rule, False, Message("eligibility.submitted.not_submitted"), inputs)
    if app.submitted_at.tzinfo is None:
        raise ValueError("submitted_at must be timezone-aware")
    local = app.submitted_at.astimezone(ZoneInfo(ctx.timezone))
    when: dict[str, Param] = {"submitted": local.strftime("%Y-%m-%d %H:%M:%S"), "timezone": ctx.timezone}
    if app.submitted_at < deadline:
        return _verdict(rule, True, Message("eligibility.submitted.in_time", when), inputs)
    message = Message("eligibility.submitted.late", {**when, "deadline": ctx.deadline_date.isoformat()})
    return _verdict(rule, False, message, inputs)


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
        return _verdict(rule, False, _NO_PRACTICE, inputs)
    if missing or unknown:
        parts = [
            Message("eligibility.gps.left_out", {"orgnr": orgnr, "gps": tuple(hprs)})
            for orgnr, hprs in missing.items()
        ]
        parts += [
            Message("eligibility.gps.not_in_registry", {"orgnr": orgnr, "gps": tuple(hprs)})
            for orgnr, hprs in unknown.items()
        ]
        return _problems(rule, parts, inputs)
    total = sum(len(p.gp_hprs) for p in app.practices)
    message = Message("eligibility.gps.all_included", {"gps": total, "practices": len(app.practices)})
    return _verdict(rule, True, message, inputs)


def practices_in_municipality(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.practices_in_municipality"
    outside = {p.orgnr: p.kommunenummer for p in app.practices if p.kommunenummer != app.kommunenummer}
    inputs: dict[str, object] = {"kommunenummer": app.kommunenummer, "outside": outside}
    if not app.practices:
        return _verdict(rule, False, _NO_PRACTICE, inputs)
    if outside:
        listed = tuple(
            Message("eligibility.outside.practice", {"orgnr": orgnr, "kommunenummer": k})
            for orgnr, k in outside.items()
        )
        message = Message(
            "eligibility.outside.some", {"kommunenummer": app.kommunenummer, "practices": listed}
        )
        return _verdict(rule, False, message, inputs)
    return _verdict(rule, True, Message("eligibility.outside.none", {"name": app.municipality_name}), inputs)


def team_composition(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.team_composition"
    problems: list[Message] = []
    for p in app.practices:
        if p.team_lead_hpr is None:
            problems.append(Message("eligibility.team.no_lead", {"orgnr": p.orgnr}))
        elif p.team_lead_hpr not in p.gp_hprs:
            problems.append(
                Message("eligibility.team.lead_not_included", {"orgnr": p.orgnr, "hpr": p.team_lead_hpr})
            )
        if p.nurse_fte <= 0:
            problems.append(Message("eligibility.team.no_nurse", {"orgnr": p.orgnr}))
        if p.secretary_fte <= 0:
            problems.append(Message("eligibility.team.no_secretary", {"orgnr": p.orgnr}))
    inputs: dict[str, object] = {"problems": [render(m, TEMPLATES.__getitem__) for m in problems]}
    if not app.practices:
        return _verdict(rule, False, _NO_PRACTICE, inputs)
    if problems:
        return _problems(rule, problems, inputs)
    return _verdict(rule, True, Message("eligibility.team.complete"), inputs)


def required_nurse_fte(gp_lists: int, gp_lists_per_nurse_fte: int) -> Decimal:
    """Nurse FTE the norm asks for ``gp_lists`` GP lists: one per ``gp_lists_per_nurse_fte`` lists,
    rounded half up to 0.01 FTE (1.33 FTE suffices for four lists). The one place the norm is computed:
    the application's eligibility and the practice page's roster check both call it."""
    if gp_lists_per_nurse_fte < 1:
        raise ValueError(f"gp_lists_per_nurse_fte must be at least 1, got {gp_lists_per_nurse_fte}")
    if gp_lists < 0:
        raise ValueError(f"gp_lists must not be negative, got {gp_lists}")
    return (Decimal(gp_lists) / gp_lists_per_nurse_fte).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def nurse_norm(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    """One nurse FTE per ``gp_lists_per_nurse_fte`` GP lists, per practice.

    The requirement is rounded half up to 0.01 FTE, so 1.33 FTE suffices for four lists.
    """
    rule = "eligibility.nurse_norm"
    per = ctx.gp_lists_per_nurse_fte
    short: list[Message] = []
    detail: dict[str, object] = {}
    for p in app.practices:
        lists = p.gp_lists if p.gp_lists is not None else len(p.gp_hprs)
        required = required_nurse_fte(lists, per)
        detail[p.orgnr] = {"gp_lists": lists, "required_fte": str(required), "planned_fte": str(p.nurse_fte)}
        if p.nurse_fte < required:
            short.append(
                Message(
                    "eligibility.nurse.short",
                    {
                        "orgnr": p.orgnr,
                        "planned": str(p.nurse_fte),
                        "lists": lists,
                        "required": str(required),
                    },
                )
            )
    inputs: dict[str, object] = {"gp_lists_per_nurse_fte": per, "practices": detail}
    if not app.practices:
        return _verdict(rule, False, _NO_PRACTICE, inputs)
    if short:
        return _problems(rule, short, inputs)
    return _verdict(rule, True, Message("eligibility.nurse.met", {"per": per}), inputs)


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
        return _verdict(rule, False, _NO_PRACTICE, inputs)
    if missing or invalid:
        parts = [Message("eligibility.financing.missing", {"orgnr": o}) for o in missing]
        parts += [
            Message("eligibility.financing.unknown", {"orgnr": o, "model": repr(m)})
            for o, m in invalid.items()
        ]
        return _problems(rule, parts, inputs)
    terms = tuple(financing_model_term(str(m)) for m in models)
    return _verdict(rule, True, Message("eligibility.financing.all", {"models": terms}), inputs)


def size_class_matches(app: ApplicationInput, ctx: EligibilityContext) -> Verdict:
    rule = "eligibility.size_class"
    inputs: dict[str, object] = {"population": app.population, "declared": app.declared_size_class}
    if app.population is None:
        message = Message("eligibility.size.no_population", {"kommunenummer": app.kommunenummer})
        return _verdict(rule, False, message, inputs)
    classified = classify_size(app.population, ctx.size_thresholds)
    inputs["size_class"] = classified.value.value
    assert classified.message is not None
    found: dict[str, Param] = {"size_class": classified.value.term, "reason": classified.message}
    if app.declared_size_class is not None and app.declared_size_class != classified.value:
        message = Message(
            "eligibility.size.mismatch", {"declared": size_class_param(app.declared_size_class), **found}
        )
        return _verdict(rule, False, message, inputs)
    return _verdict(rule, True, Message("eligibility.size.matches", found), inputs)


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
