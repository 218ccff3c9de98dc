"""Statement explanations and line descriptions in the page's language (the settlement rules' messages).

The settlement rules (``pht.rules.financing.settle``) give each explanation, each quality indicator's
points reason and the description of each line they name themselves (base grant, capitation cells,
copayments) as English text and as a :class:`~pht.rules.explain.Message`; ``store_settlements`` stores both.
The statement page shows them only through :data:`CATALOGUE` (``Statement.explanation_display``,
``StatementLine.get_description_display``, ``StatementLine.details_display``). The msgids are the rules'
English templates word for word (tests/integration/finance/test_finance_reasons.py checks it), so English
pages read as the API and the command line. Lines named by parameter data (tariffs, quality indicators)
show the data's text as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pht.apps.accounts.reasons import ReasonCatalogue

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

TEMPLATES: dict[str, StrPromise] = {
    # Translators: why a fee-model statement adds up as it does.
    "financing.fee_model": _(
        "base grant for %(resident_days)s resident-days + reimbursements of %(claims)s claims + copayments"
    ),
    "financing.capitation_model": _(
        "capitation for %(resident_days)s resident-days in %(cells)s cells + quality grant "
        "for %(indicators)s indicators + copayments"
    ),
    # Translators: a quality indicator's id, numerator/denominator and the points reason, e.g.
    # "diabetes_yearly_check: 1/2; share 0.5000 is between 0.40 and 0.90: 6.00 of 30 points".
    "financing.quality_indicator": _("%(indicator)s: %(numerator)s/%(denominator)s; %(points)s"),
    "financing.points.no_patients": _("no patients in the denominator: no points"),
    "financing.points.below": _("share %(share)s is at or below the lower threshold %(lower)s"),
    "financing.points.above": _("share %(share)s is at or above the upper threshold %(upper)s: all points"),
    "financing.points.between": _(
        "share %(share)s is between %(lower)s and %(upper)s: %(points)s of %(max_points)s points"
    ),
    # Translators: a statement line; the Norwegian scheme term is in brackets in English only.
    "financing.line.base_grant": _("Base grant (basistilskudd): NOK %(rate)s / %(days)s x resident-days"),
    # Translators: a capitation cell, e.g. "Capitation (listeinnbyggertilskudd), women 67-79 years, 2 chronic
    # conditions, municipality 0828".
    "financing.line.capitation": _(
        "Capitation (listeinnbyggertilskudd), %(sex)s %(age_band)s years, %(conditions)s chronic conditions, "
        "municipality %(municipality)s"
    ),
    "financing.line.copayment_patient": _("Copayments (egenandeler) paid by patients"),
    "financing.line.copayment_state": _(
        "Copayments above the copayment ceiling (egenandelstak), paid by the state"
    ),
    "financing.line.copayment_exempt": _("Copayments of exempt patients, paid by the state"),
    "financing.team.fee": _("for the team: NOK %(amount)s in nurse tariffs"),
    "financing.team.capitation": _("for the team: NOK %(amount)s in nurse allowance"),
    "financing.socio_economic": _(
        "socio-economic factor of municipality %(municipality)s: %(factor)s (population-size proxy, an assumption)"
    ),
    "financing.line.nurse_allowance": _(
        "Nurse allowance (sykepleiertilskudd): %(fte)s FTE for %(gp_lists)s GP lists x NOK %(cost)s a year, "
        "for the month's days"
    ),
    # The capitation frame (pht.rules.financing.frame.TEMPLATES): why a pilot practice's capitation
    # statement pays what it pays.
    "financing.frame": _(
        "share of the capitation frame %(year)s: frame NOK %(frame)s = reference-year fee income "
        "NOK %(reference_income)s + nurse allowance NOK %(allowance)s; quality grant %(quality_share)s of the "
        "frame (NOK %(quality_pool)s), the rest capitation. This month: needs-weighted pool NOK %(month_needs)s "
        "shared by the capitation at the budget-neutral rate (here NOK %(needs_weight)s) gives NOK %(needs)s; "
        "quality pool NOK %(month_quality)s shared by the points-based quality grant (here "
        "NOK %(quality_weight)s) gives NOK %(quality)s"
    ),
    "financing.line.frame_capitation": _("Adjustment to this month's share of the capitation frame"),
    "financing.line.frame_quality": _("Adjustment to this month's share of the frame's quality grant"),
}

TERMS: dict[tuple[str, str], StrPromise] = {
    ("sex", "F"): pgettext_lazy("sex", "women"),
    ("sex", "M"): pgettext_lazy("sex", "men"),
}

CATALOGUE = ReasonCatalogue(TEMPLATES, TERMS, localise=True)

# The keys of a line's details (the rules' inputs), as shown on the statement page; another key shows as is.
DETAIL_LABELS: dict[str, StrPromise] = {
    "rate_per_year": _("rate per year"),
    "residents": _("list residents"),
    "fee": _("fee"),
    "copayment": _("copayment"),
    "billed_by": _("billed by"),
    "by_code": _("by code"),
    "exempt_under_age": _("exempt under age"),
    "sex": _("sex"),
    "age_band": _("age band"),
    "morbidity_level": _("chronic conditions"),
    "municipality": _("municipality"),
    "age_sex_weight": _("age and sex weight"),
    "morbidity_factor": _("morbidity factor"),
    "socio_economic_factor": _("socio-economic factor"),
    "raw_weight": _("raw weight"),
    "normalised_weight": _("normalised weight"),
    "numerator": _("numerator"),
    "denominator": _("denominator"),
    "lower": _("lower threshold"),
    "upper": _("upper threshold"),
    "max_points": _("maximum points"),
    "points": _("points"),
    "reason": _("reason"),
    "year": _("year"),
    "frame": _("frame"),
    "claims": _("claims"),
    "exempt_claims": _("exempt claims"),
    "copayment_exempt": _("copayment of exempt patients"),
    "copayment_patient": _("copayment paid by patients"),
    "copayment_state": _("copayment paid by the state"),
    "cost_per_fte": _("cost per FTE"),
    "gp_lists": _("GP lists"),
    "gp_lists_per_fte": _("GP lists per FTE"),
    "nurse_allowance": _("nurse allowance"),
    "copd_yearly_review": _("COPD yearly review"),
    "dementia_follow_up": _("dementia follow-up"),
    "diabetes_yearly_check": _("diabetes yearly check"),
    "heart_failure_follow_up": _("heart failure follow-up"),
    # values of ``billed_by``
    "gp": _("GP"),
    "out_of_hours": _("out-of-hours service"),
}

# Refusals by the permission verdict of storing settlements (pht.apps.finance.actions.TEMPLATES).
REFUSAL_TEMPLATES: dict[str, StrPromise] = {
    "finance.store_settlements.system": _("system job (command line)"),
    "finance.store_settlements.allowed": _("finance officer, case officer or administrator"),
    "finance.store_settlements.refused": _(
        "Only finance officers, case officers and administrators may store settlements."
    ),
    "finance.nation_whatif.allowed": _("the Directorate or an administrator"),
    "finance.nation_whatif.refused": _(
        "Only the Directorate and administrators may run the national what-if."
    ),
}

REFUSALS = ReasonCatalogue(REFUSAL_TEMPLATES)

# The parameters the finance pages list as assumptions (a settlement's, the what-if's, the national
# what-if's), by parameter set and key, as shown beside why each is a default (pht.apps.accounts.assumptions).
# A key without a label here is listed by its text alone.
ASSUMPTION_LABELS: dict[str, StrPromise] = {
    "base_grant.rate_per_year": _("Base grant (basistilskudd) per list resident per year"),
    "fee_schedule.tariffs": _("Fee schedule: reimbursements and copayments"),
    "copayment_ceiling.ceiling": _("Copayment ceiling (egenandelstak 1)"),
    "capitation.age_sex_weights": _("Capitation: weights by age and sex"),
    "capitation.chronic_codes": _("Capitation: chronic conditions counted (ICPC-2)"),
    "capitation.morbidity_factors": _("Capitation: morbidity factors"),
    "capitation.socio_economic_default": _("Capitation: default socio-economic factor"),
    "capitation.socio_economic_factors": _("Capitation: socio-economic factors by municipality"),
    "capitation.budget_neutral": _("Capitation: budget neutrality"),
    "capitation.reference_year": _("Capitation: reference year"),
    "capitation.rate_per_year": _("Capitation: rate per weighted list resident per year"),
    "quality_indicators.value_per_point": _("Quality grant: value per point"),
    "quality_indicators.indicators": _("Quality grant: indicators and thresholds"),
    "socio_economic_index.bands": _("Socio-economic factor: population bands"),
    "socio_economic_index.factor_above": _("Socio-economic factor: the largest municipalities"),
    "nurse_funding.gp_lists_per_fte": _("Nurse norm: GP lists per nurse FTE"),
    "nurse_funding.cost_per_fte": _("Nurse funding: cost per FTE per year"),
    "nurse_funding.claims_per_fte": _("Nurse funding: nurse tariff claims per FTE per year"),
    "nurse_funding.quality_share": _("Quality grant's share of the capitation frame"),
    "nurse_funding.supply_fte": _("Nurse FTE available nationally"),
    "unit_costs.acute_admission": _("Unit cost: acute admission"),
    "unit_costs.out_of_hours_contact": _("Unit cost: out-of-hours contact"),
    "unit_costs.nurse_fte": _("Unit cost: nurse FTE per year"),
    "payers": _("Who pays under the capitation model"),
    "what_if.capitation_rate": _("Capitation rate and normalisation in the what-if"),
}
