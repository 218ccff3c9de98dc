"""Monthly settlement of one practice under the fee model and under the capitation model.

Rounding (stated once): every statement line's amount is rounded ROUND_HALF_UP to 0.01 NOK
from its exact value; a component is the sum of its lines' rounded amounts, and ``total`` the
sum of the components, so what a statement shows always adds up. Each line keeps its exact
(unrounded) value for checking.

Fee model (honorarmodell): ``base_grant`` (basistilskudd rate / days_in_year x resident-days)
+ ``fee_reimbursement`` (GP tariffs: claims x reimbursement) + ``nurse_reimbursement`` (the
pilot's nurse tariffs) + ``copayments`` (what patients pay, plus what the state pays for them:
above the yearly copayment ceiling, and the whole copayment of exempt patients — children under
the exemption age — as the lake's claims record it; the latter is an assumption, see docs).

Capitation model (driftstilskuddsmodell): ``capitation`` (sum over capitation cells of
resident-days x normalised weight x rate / days_in_year) + ``quality_grant`` (points of each
indicator x value per point x resident-days / (per_list_residents x days_in_year)) +
``copayments`` as in the fee model. No tariff reimbursement is paid under this model.

Explanations and the descriptions of the lines these rules write are also translatable messages
(``pht.rules.explain.Message``; ids and English templates: ``TEMPLATES``); the English text is rendered
from them. Lines named by parameter data (tariffs, quality indicators) carry the data's own text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from pht.rules.explain import Classification, Message, Term, render
from pht.rules.financing.inputs import CapitationCell, CodeCount, PracticeMonth
from pht.rules.financing.parameters import (
    BaseGrantRate,
    CapitationParameters,
    FeeSchedule,
    NurseFunding,
    QualityIndicator,
    QualityParameters,
)

CENT = Decimal("0.01")
FEE = "fee"
CAPITATION = "capitation"
MODELS = (FEE, CAPITATION)
COMPONENTS = (
    "base_grant",
    "fee_reimbursement",
    "nurse_reimbursement",
    "capitation",
    "quality_grant",
    "copayments",
    "total",
)
RULE_FEE = "financing.fee_model"
RULE_CAPITATION = "financing.capitation_model"
RULE_QUALITY = "financing.quality_indicator"
RULE_TEAM = "financing.team_funding"
RULE_SOCIO = "financing.socio_economic_factor"
# English templates of the explanations' and lines' messages (ids -> ``%(name)s`` templates); the finance
# app translates them (pht.apps.finance.reasons). Norwegian scheme terms stay in brackets in English.
TEMPLATES: Mapping[str, str] = {
    "financing.fee_model": (
        "base grant for %(resident_days)s resident-days + reimbursements of %(claims)s claims + copayments"
    ),
    "financing.capitation_model": (
        "capitation for %(resident_days)s resident-days in %(cells)s cells + quality grant "
        "for %(indicators)s indicators + copayments"
    ),
    "financing.quality_indicator": "%(indicator)s: %(numerator)s/%(denominator)s; %(points)s",
    "financing.points.no_patients": "no patients in the denominator: no points",
    "financing.points.below": "share %(share)s is at or below the lower threshold %(lower)s",
    "financing.points.above": "share %(share)s is at or above the upper threshold %(upper)s: all points",
    "financing.points.between": (
        "share %(share)s is between %(lower)s and %(upper)s: %(points)s of %(max_points)s points"
    ),
    "financing.line.base_grant": "Base grant (basistilskudd): NOK %(rate)s / %(days)s x resident-days",
    "financing.line.capitation": (
        "Capitation (listeinnbyggertilskudd), %(sex)s %(age_band)s years, %(conditions)s chronic conditions, "
        "municipality %(municipality)s"
    ),
    "financing.team.fee": "for the team: NOK %(amount)s in nurse tariffs",
    "financing.team.capitation": "for the team: NOK %(amount)s in nurse allowance",
    "financing.socio_economic": (
        "socio-economic factor of municipality %(municipality)s: %(factor)s (population-size proxy, an assumption)"
    ),
    "financing.line.nurse_allowance": (
        "Nurse allowance (sykepleiertilskudd): %(fte)s FTE for %(gp_lists)s GP lists x NOK %(cost)s a year, "
        "for the month's days"
    ),
    "financing.line.copayment_patient": "Copayments (egenandeler) paid by patients",
    "financing.line.copayment_state": "Copayments above the copayment ceiling (egenandelstak), paid by the state",
    "financing.line.copayment_exempt": "Copayments of exempt patients, paid by the state",
}
SEXES = {"F": Term("sex", "F", "women"), "M": Term("sex", "M", "men")}
PRECISION = 40  # digits for intermediate arithmetic, far beyond the øre
_EXACT = Context(prec=PRECISION)  # the same as localcontext() with that precision, cheaper per call


def money(value: Decimal) -> Decimal:
    """Round to whole øre, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def text(message: Message) -> str:
    """A message of these rules as English text (their ``reason`` or line ``description``)."""
    return render(message, TEMPLATES.__getitem__)


def sex_term(sex: str) -> Term:
    """A capitation cell's sex (``F``/``M``) as a term; another code stands for itself."""
    return SEXES.get(sex) or Term("sex", sex, sex)


def vocabulary() -> frozenset[Term]:
    """Every term these rules' messages can name (what a presentation layer must translate)."""
    return frozenset(SEXES.values())


@dataclass(frozen=True)
class StatementLine:
    """One line of a statement: ``amount`` = rounded ``exact``; ``count`` x ``rate`` where that applies.

    ``message`` is ``description`` as a translatable message, for the lines these rules name themselves
    (``description`` is then its English text); lines named by parameter data have none.
    """

    component: str
    code: str
    description: str
    count: Decimal
    rate: Decimal
    amount: Decimal
    exact: Decimal
    details: Mapping[str, object] = field(default_factory=dict)
    message: Message | None = None

    def as_dict(self) -> dict[str, object]:
        result: dict[str, object] = {
            "component": self.component,
            "code": self.code,
            "description": self.description,
            "count": str(self.count),
            "rate": str(self.rate),
            "amount": str(self.amount),
            "details": dict(self.details),
        }
        if self.message is not None:
            result["message"] = self.message.as_dict()
        return result


@dataclass(frozen=True)
class Settlement:
    practice: str
    period: str
    model: str
    components: Mapping[str, Decimal]
    lines: tuple[StatementLine, ...]
    explanation: tuple[Classification[Decimal], ...]
    provenance: tuple[Mapping[str, object], ...] = ()

    @property
    def total(self) -> Decimal:
        return self.components["total"]

    def assumptions(self) -> dict[str, str | dict[str, str]]:
        """Every parameter used that is a default, by parameter set and key (to label as assumption), with
        why in English and bokmål ({"en": ..., "nb": ...})."""
        return assumptions_of(self.provenance)

    def as_dict(self) -> dict[str, object]:
        return {
            "practice": self.practice,
            "period": self.period,
            "model": self.model,
            "components": {k: str(v) for k, v in self.components.items()},
            "lines": [line.as_dict() for line in self.lines],
            "explanation": [item.as_dict() for item in self.explanation],
            "assumptions": self.assumptions(),
        }


@dataclass(frozen=True)
class ReferenceTotals:
    """What the reference year looked like, for normalisation and budget neutrality."""

    year: int
    resident_days: int
    raw_weighted_days: Decimal  # sum over residents of raw weight x days on a list
    fee_total: Decimal  # base_grant + fee_reimbursement (not the nurse tariffs), all practices


@dataclass(frozen=True)
class CapitationRate:
    """NOK per normalised weight per year, and the divisor that makes the mean weight 1.0."""

    rate_per_year: Decimal
    divisor: Decimal
    budget_neutral: bool
    reference: ReferenceTotals | None = None

    def as_inputs(self) -> dict[str, object]:
        inputs: dict[str, object] = {
            "rate_per_year": str(self.rate_per_year),
            "normalisation_divisor": str(self.divisor),
            "budget_neutral": self.budget_neutral,
        }
        if self.reference is not None:
            inputs.update(
                reference_year=self.reference.year,
                reference_resident_days=self.reference.resident_days,
                reference_fee_total=str(self.reference.fee_total),
            )
        return inputs


def assumptions_of(provenance: Iterable[Mapping[str, object]]) -> dict[str, str | dict[str, str]]:
    """The defaults (assumptions) among the parameter versions of a provenance, by set and key: why, by
    language ({"en": ..., "nb": ...}; a plain text, English, as provenance stored before it was bilingual)."""
    result: dict[str, str | dict[str, str]] = {}
    for item in provenance:
        raw = item.get("assumptions", {})
        if isinstance(raw, Mapping):
            for key, why in raw.items():
                result[f"{item.get('parameters')}.{key}"] = (
                    {str(lang): str(text) for lang, text in why.items()}
                    if isinstance(why, Mapping)
                    else str(why)
                )
    return result


def raw_weighted_days(month: PracticeMonth, params: CapitationParameters) -> Decimal:
    """Sum of raw weight x resident-days over the month's cells (exact)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return sum(
            (
                params.raw_weight(c.sex, c.age_band, c.morbidity_level, c.municipality) * c.resident_days
                for c in month.cells
            ),
            Decimal(0),
        )


def state_funded_fee_total(settlement: Settlement) -> Decimal:
    """What budget neutrality compares against: the fee model's income other than copayments."""
    c = settlement.components
    return c["base_grant"] + c["fee_reimbursement"] + c["nurse_reimbursement"]


def reference_fee_income(settlement: Settlement) -> Decimal:
    """A fee settlement's part of the capitation frame's reference income: base grant and GP
    reimbursements, without the nurse tariffs (nurse work has its own allowance) and copayments."""
    c = settlement.components
    return c["base_grant"] + c["fee_reimbursement"]


def reference_totals(
    year: int,
    months: Iterable[PracticeMonth],
    fee_settlements: Iterable[Settlement],
    params: CapitationParameters,
) -> ReferenceTotals:
    """Reference totals over every practice-month of the reference year (all practices)."""
    resident_days = 0
    weighted = Decimal(0)
    for month in months:
        resident_days += month.resident_days
        weighted += raw_weighted_days(month, params)
    # nurse tariffs are left out: the capitation model funds nurse work by its own allowance, so
    # the reference year's nurse tariffs would otherwise be counted twice
    fee_total = sum((reference_fee_income(s) for s in fee_settlements), Decimal(0))
    return ReferenceTotals(
        year=year, resident_days=resident_days, raw_weighted_days=weighted, fee_total=fee_total
    )


def capitation_rate(params: CapitationParameters, reference: ReferenceTotals | None) -> CapitationRate:
    """Divisor = mean raw weight of the reference population (per resident-day); rate = parameter,
    or, budget-neutral, the reference year's fee total per resident-year."""
    if reference is None or reference.resident_days <= 0:
        if params.budget_neutral:
            raise ValueError("budget-neutral capitation needs a reference year with list residents")
        return CapitationRate(rate_per_year=params.rate_per_year, divisor=Decimal(1), budget_neutral=False)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        divisor = reference.raw_weighted_days / reference.resident_days
        if params.budget_neutral:
            rate = reference.fee_total * params.days_in_year / reference.resident_days
        else:
            rate = params.rate_per_year
    return CapitationRate(
        rate_per_year=rate, divisor=divisor, budget_neutral=params.budget_neutral, reference=reference
    )


def nurse_allowance(
    funding: NurseFunding, gp_lists: int, days: int = 365, days_in_year: int = 365
) -> Decimal:
    """Capitation model's nurse allowance: FTE by the norm x cost per FTE, pro rata for ``days`` of
    a year of ``days_in_year``; rounded to øre."""
    return money(
        _EXACT.divide(
            _EXACT.multiply(_EXACT.multiply(funding.fte(gp_lists), funding.cost_per_fte), days), days_in_year
        )
    )


def components_of(amounts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Every component (0.00 where a model pays none) and ``total``, their sum, from the rounded
    amounts of the components a model pays. Shared by the statements and the engine's bulk path."""
    components = {name: Decimal("0.00") for name in COMPONENTS}
    for name, amount in amounts.items():
        if name not in components or name == "total":
            raise ValueError(f"no settlement component {name!r}")
        components[name] += amount
    components["total"] = sum((components[name] for name in COMPONENTS[:-1]), Decimal("0.00"))
    return components


def _components(lines: Sequence[StatementLine]) -> dict[str, Decimal]:
    amounts: dict[str, Decimal] = {}
    for line in lines:
        amounts[line.component] = amounts.get(line.component, Decimal("0.00")) + line.amount
    return components_of(amounts)


# --- the arithmetic of single lines, shared by the statements below and the engine's bulk path ---


def base_grant_exact(base_grant: BaseGrantRate, resident_days: int) -> Decimal:
    """Basistilskudd for the resident-days, before rounding."""
    return _EXACT.divide(_EXACT.multiply(base_grant.rate_per_year, resident_days), base_grant.days_in_year)


def capitation_cell_rate(
    params: CapitationParameters,
    rate: CapitationRate,
    sex: str,
    age_band: str,
    morbidity_level: int,
    municipality: str,
) -> Decimal:
    """NOK per resident-day in a capitation cell: normalised weight x rate / days in the year."""
    return _cell_constants(params, rate, CapitationCell(sex, age_band, morbidity_level, municipality, 0, 0))[
        0
    ]


def capitation_line_exact(cell_rate: Decimal, resident_days: int) -> Decimal:
    """A capitation cell's amount for its resident-days, before rounding."""
    return _EXACT.multiply(cell_rate, resident_days)


def quality_line_exact(points: Decimal, quality: QualityParameters, resident_days: int) -> Decimal:
    """An indicator's quality grant: points x value per point, per list of ``per_list_residents``
    for a year, pro rata for the resident-days; before rounding."""
    per_year = _EXACT.multiply(_EXACT.multiply(points, quality.value_per_point), resident_days)
    return _EXACT.divide(per_year, quality.per_list_residents * quality.days_in_year)


def exempt_copayments(codes: Iterable[CodeCount], schedule: FeeSchedule) -> Decimal:
    """Copayments of exempt patients, which the state pays (they do not count towards the ceiling)."""
    return sum((schedule.tariff(c.code).copayment * c.exempt_claims for c in codes), Decimal(0))


_COPAYMENT_PATIENT = Message("financing.line.copayment_patient")
_COPAYMENT_STATE = Message("financing.line.copayment_state")
_COPAYMENT_EXEMPT = Message("financing.line.copayment_exempt")
_COPAYMENT_TEXTS = tuple(text(m) for m in (_COPAYMENT_PATIENT, _COPAYMENT_STATE, _COPAYMENT_EXEMPT))


def _copayment_lines(month: PracticeMonth, schedule: FeeSchedule) -> list[StatementLine]:
    with_copayment = sum(c.claims - c.exempt_claims for c in month.codes)
    exempt = sum(c.exempt_claims for c in month.codes)
    exempt_amount = exempt_copayments(month.codes, schedule)
    by_code = {
        c.code: {
            "claims": c.claims,
            "exempt_claims": c.exempt_claims,
            "copayment": str(schedule.tariff(c.code).copayment),
        }
        for c in month.codes
    }
    return [
        StatementLine(
            "copayments",
            "copayment_patient",
            _COPAYMENT_TEXTS[0],
            Decimal(with_copayment),
            Decimal(0),
            money(month.copayment_patient),
            month.copayment_patient,
            {"by_code": by_code},
            _COPAYMENT_PATIENT,
        ),
        StatementLine(
            "copayments",
            "copayment_state",
            _COPAYMENT_TEXTS[1],
            Decimal(with_copayment),
            Decimal(0),
            money(month.copayment_state),
            month.copayment_state,
            message=_COPAYMENT_STATE,
        ),
        StatementLine(
            "copayments",
            "copayment_exempt",
            _COPAYMENT_TEXTS[2],
            Decimal(exempt),
            Decimal(0),
            money(exempt_amount),
            exempt_amount,
            {"exempt_under_age": schedule.copayment_exempt_under_age},
            _COPAYMENT_EXEMPT,
        ),
    ]


def settle_fee_model(
    month: PracticeMonth,
    base_grant: BaseGrantRate,
    schedule: FeeSchedule,
    provenance: Sequence[Mapping[str, object]] = (),
) -> Settlement:
    """Fee model settlement of one practice-month (parameters in force on the month's first day)."""
    lines: list[StatementLine] = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        exact = base_grant_exact(base_grant, month.resident_days)
        base_message = Message(
            "financing.line.base_grant",
            {"rate": str(base_grant.rate_per_year), "days": base_grant.days_in_year},
        )
        lines.append(
            StatementLine(
                "base_grant",
                "basistilskudd",
                text(base_message),
                Decimal(month.resident_days),
                base_grant.rate_per_year / base_grant.days_in_year,
                money(exact),
                exact,
                {"rate_per_year": str(base_grant.rate_per_year), "residents": month.residents},
                base_message,
            )
        )
    for count in month.codes:
        tariff = schedule.tariff(count.code)
        component = "nurse_reimbursement" if tariff.is_nurse else "fee_reimbursement"
        exact = tariff.reimbursement * count.claims
        lines.append(
            StatementLine(
                component,
                tariff.code,
                tariff.description,
                Decimal(count.claims),
                tariff.reimbursement,
                money(exact),
                exact,
                {
                    "fee": str(tariff.fee),
                    "copayment": str(tariff.copayment),
                    "billed_by": list(tariff.billed_by),
                },
            )
        )
    lines.extend(_copayment_lines(month, schedule))
    components = _components(lines)
    message = Message(
        "financing.fee_model",
        {"resident_days": month.resident_days, "claims": sum(c.claims for c in month.codes)},
    )
    explanation = (
        Classification(
            RULE_FEE,
            components["total"],
            text(message),
            {
                "practice": month.practice,
                "period": str(month.period),
                # the income "for the team": the nurse tariffs
                "for_team": str(components["nurse_reimbursement"]),
            },
            message,
        ),
        _team_item(components["nurse_reimbursement"], "financing.team.fee"),
    )
    return Settlement(
        month.practice, str(month.period), FEE, components, tuple(lines), explanation, tuple(provenance)
    )


def _team_item(amount: Decimal, message_id: str) -> Classification[Decimal]:
    """The explanation's line on how much of the income is "for the team"."""
    message = Message(message_id, {"amount": str(amount)})
    return Classification(RULE_TEAM, amount, text(message), {"for_team": str(amount)}, message)


def indicator_points(indicator: QualityIndicator, numerator: int, denominator: int) -> tuple[Decimal, str]:
    """QOF-style points (rounded half up to 0.01 point) and why (English; ``indicator_score`` for the message)."""
    points, message = indicator_score(indicator, numerator, denominator)
    return points, text(message)


_NO_PATIENTS = Message("financing.points.no_patients")


def indicator_score(indicator: QualityIndicator, numerator: int, denominator: int) -> tuple[Decimal, Message]:
    """QOF-style points (rounded half up to 0.01 point) and why, as a message."""
    if denominator <= 0:
        return Decimal("0.00"), _NO_PATIENTS
    with localcontext() as ctx:
        ctx.prec = PRECISION
        share = Decimal(numerator) / Decimal(denominator)
        shown = f"{share:.4f}"
        if share <= indicator.lower:
            return Decimal("0.00"), Message(
                "financing.points.below", {"share": shown, "lower": str(indicator.lower)}
            )
        if share >= indicator.upper:
            return Decimal(indicator.max_points).quantize(CENT), Message(
                "financing.points.above", {"share": shown, "upper": str(indicator.upper)}
            )
        fraction = (share - indicator.lower) / (indicator.upper - indicator.lower)
        points = (fraction * indicator.max_points).quantize(CENT, rounding=ROUND_HALF_UP)
        return points, Message(
            "financing.points.between",
            {
                "share": shown,
                "lower": str(indicator.lower),
                "upper": str(indicator.upper),
                "points": str(points),
                "max_points": indicator.max_points,
            },
        )


# Per-cell constants (weights, texts) depend only on the parameters, the rate and the cell's key;
# computing them once per key instead of once per practice-month makes bulk settlement faster.
# The key holds the ids of the parameters and the rate (hashing the rate's Decimals on every
# lookup was most of the lookup's cost); both objects are kept in the value so their ids cannot be
# reused while cached, and a hit must be for the very same objects.
_CELL_CACHE: dict[
    tuple[object, ...],
    tuple[CapitationParameters, CapitationRate, tuple[Decimal, str, str, dict[str, object], Message]],
] = {}


def _cell_constants(
    params: CapitationParameters, rate: CapitationRate, cell: CapitationCell
) -> tuple[Decimal, str, str, dict[str, object], Message]:
    key = (id(params), id(rate), cell.sex, cell.age_band, cell.morbidity_level, cell.municipality)
    hit = _CELL_CACHE.get(key)
    if hit is not None and hit[0] is params and hit[1] is rate:
        return hit[2]
    with localcontext() as ctx:
        ctx.prec = PRECISION
        age_sex = params.age_sex_weights[(cell.sex, cell.age_band)]
        morbidity = params.morbidity_factors[params.morbidity_level(cell.morbidity_level)]
        socio = params.socio_economic_factor(cell.municipality)
        raw = age_sex * morbidity * socio
        weight = raw / rate.divisor
        # NOK per resident-day for this cell: normalised weight x rate / days in the year
        line_rate = raw * rate.rate_per_year / (rate.divisor * params.days_in_year)
    top = "+" if cell.morbidity_level == len(params.morbidity_factors) - 1 else ""
    message = Message(
        "financing.line.capitation",
        {
            "sex": sex_term(cell.sex),
            "age_band": cell.age_band,
            "conditions": f"{cell.morbidity_level}{top}",
            "municipality": cell.municipality,
        },
    )
    value = (
        line_rate,
        f"{cell.sex}:{cell.age_band}:m{cell.morbidity_level}:{cell.municipality}",
        text(message),
        {
            "sex": cell.sex,
            "age_band": cell.age_band,
            "morbidity_level": cell.morbidity_level,
            "municipality": cell.municipality,
            "age_sex_weight": str(age_sex),
            "morbidity_factor": str(morbidity),
            "socio_economic_factor": str(socio),
            "raw_weight": str(raw),
            "normalised_weight": str(weight.quantize(Decimal("0.000001"))),
        },
        message,
    )
    if len(_CELL_CACHE) > 200_000:
        _CELL_CACHE.clear()
    _CELL_CACHE[key] = (params, rate, value)
    return value


def _whole_or_text(amount: Decimal) -> int | str:
    """A message parameter for an amount: an int when whole (rendered grouped), its text otherwise."""
    return int(amount) if amount == amount.to_integral_value() else str(amount)


def settle_capitation_model(
    month: PracticeMonth,
    params: CapitationParameters,
    rate: CapitationRate,
    quality: QualityParameters,
    schedule: FeeSchedule,
    provenance: Sequence[Mapping[str, object]] = (),
    *,
    nurse: NurseFunding | None = None,
    gp_lists: int = 0,
) -> Settlement:
    """Capitation model settlement of one practice-month.

    With ``nurse`` and ``gp_lists`` (a practice with a team), the nurse allowance by the norm is paid
    as a capitation line for the month's days (``nurse_allowance``): the income "for the team"."""
    lines: list[StatementLine] = []
    explanation: list[Classification[Decimal]] = []
    for_team = Decimal("0.00")
    if nurse is not None and gp_lists > 0:
        for_team = nurse_allowance(nurse, gp_lists, month.period.days, params.days_in_year)
        allowance_message = Message(
            "financing.line.nurse_allowance",
            # a whole cost as a whole number, grouped as the page's language writes it (700 000 kr, not 700000)
            {
                "fte": f"{nurse.fte(gp_lists):.2f}",
                "gp_lists": gp_lists,
                "cost": _whole_or_text(nurse.cost_per_fte),
            },
        )
        lines.append(
            StatementLine(
                "capitation",
                "nurse_allowance",
                text(allowance_message),
                Decimal(month.period.days),
                nurse.fte(gp_lists) * nurse.cost_per_fte / params.days_in_year,
                for_team,
                for_team,
                {
                    "gp_lists": gp_lists,
                    "gp_lists_per_fte": str(nurse.gp_lists_per_fte),
                    "cost_per_fte": str(nurse.cost_per_fte),
                },
                allowance_message,
            )
        )
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for cell in month.cells:
            line_rate, code, description, details, message = _cell_constants(params, rate, cell)
            exact = capitation_line_exact(line_rate, cell.resident_days)
            lines.append(
                StatementLine(
                    "capitation",
                    code,
                    description,
                    Decimal(cell.resident_days),
                    line_rate,
                    money(exact),
                    exact,
                    {**details, "residents": cell.residents},
                    message,
                )
            )
        counts = {i.indicator: i for i in month.indicators}
        for indicator in quality.indicators:
            count = counts.get(indicator.id)
            numerator, denominator = (count.numerator, count.denominator) if count else (0, 0)
            points, why = indicator_score(indicator, numerator, denominator)
            reason = text(why)
            exact = quality_line_exact(points, quality, month.resident_days)
            lines.append(
                StatementLine(
                    "quality_grant",
                    indicator.id,
                    indicator.title,
                    points,
                    quality.value_per_point
                    * month.resident_days
                    / (quality.per_list_residents * quality.days_in_year),
                    money(exact),
                    exact,
                    {
                        "numerator": numerator,
                        "denominator": denominator,
                        "lower": str(indicator.lower),
                        "upper": str(indicator.upper),
                        "max_points": indicator.max_points,
                        "points": str(points),
                        "reason": reason,
                        "reason_message": why.as_dict(),
                    },
                )
            )
            quality_message = Message(
                "financing.quality_indicator",
                {
                    "indicator": indicator.id,
                    "numerator": numerator,
                    "denominator": denominator,
                    "points": why,
                },
            )
            explanation.append(
                Classification(
                    RULE_QUALITY,
                    points,
                    text(quality_message),
                    {"numerator": numerator, "denominator": denominator},
                    quality_message,
                )
            )
    lines.extend(_copayment_lines(month, schedule))
    components = _components(lines)
    message = Message(
        "financing.capitation_model",
        {
            "resident_days": month.resident_days,
            "cells": len(month.cells),
            "indicators": len(quality.indicators),
        },
    )
    explanation.insert(
        0,
        Classification(
            RULE_CAPITATION,
            components["total"],
            text(message),
            {
                "practice": month.practice,
                "period": str(month.period),
                **rate.as_inputs(),
                "for_team": str(for_team),
                "socio_economic_factors": {
                    m: str(params.socio_economic_factor(m))
                    for m in sorted({c.municipality for c in month.cells})
                },
            },
            message,
        ),
    )
    explanation.append(_team_item(for_team, "financing.team.capitation"))
    for municipality in sorted({c.municipality for c in month.cells}):
        factor = params.socio_economic_factor(municipality)
        socio = Message("financing.socio_economic", {"municipality": municipality, "factor": str(factor)})
        explanation.append(
            Classification(RULE_SOCIO, factor, text(socio), {"municipality": municipality}, socio)
        )
    return Settlement(
        month.practice,
        str(month.period),
        CAPITATION,
        components,
        tuple(lines),
        tuple(explanation),
        tuple(provenance),
    )
