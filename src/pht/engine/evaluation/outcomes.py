"""The evaluation's outcomes: one documented definition each, over the lake (docs/evaluation.md).

Every outcome is a set of *event rows* ``(resident_id, day, y, w)`` for the analysis population:

- ``count`` outcomes give ``y = 1`` per event and no ``w``: the panel's weight is the population's
  exposure (person-months present in the lake, alive), and the estimate is a **rate ratio**;
- ``score`` outcomes give the score as ``y`` and ``w = 1`` per answer: the estimate is a
  **difference** in the mean score;
- ``share`` outcomes give a numerator ``y`` and a denominator ``w`` per row (e.g. discharges
  followed up / discharges): the estimate is a **difference** in the share.

``per`` scales a count outcome shown as a difference (nurse contacts per 1,000 person-months).
The SQL reads only the datasets the outcome names, through the views that ``pht.engine.evaluation
.panels`` opens (checked against the lake's declared schemas). Parameters (contact kinds, the
follow-up window) are versioned data: ``refdata/params/evaluation_outcomes.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DIMENSIONS = {
    "health_and_coping": "Health status and coping",
    "satisfaction": "Patient and user satisfaction",
    "coordinated_services": "Coordinated and continuous services",
    "extensive_care": "Need for extensive health and care services",
    "team_use": "Use of the team",
}


@dataclass(frozen=True)
class Outcome:
    key: str
    kind: str  # count / score / share
    scale: str  # ratio / difference
    title: str
    definition: str
    datasets: tuple[str, ...]
    per: float = 1.0  # a count shown as a difference: per this many person-months
    limits: str = ""
    # False where the pre-period cannot show the outcome's variability (no MDE is computed)
    power_from_pre_period: bool = True

    def events_sql(self, p: dict[str, Any]) -> str:
        return _SQL[self.key](p)


def _kinds(kinds: list[str]) -> str:
    return ", ".join("'" + k.replace("'", "''") + "'" for k in kinds)


_SQL = {
    "acute_admissions": lambda p: (
        "SELECT resident_id, admission_date AS day, 1.0 AS y, NULL::DOUBLE AS w FROM hospital_stays WHERE acute"
    ),
    "acs_admissions": lambda p: (
        "SELECT resident_id, admission_date AS day, 1.0 AS y, NULL::DOUBLE AS w "
        "FROM hospital_stays WHERE acute AND ambulatory_care_sensitive"
    ),
    "out_of_hours_contacts": lambda p: (
        "SELECT resident_id, contact_date AS day, 1.0 AS y, NULL::DOUBLE AS w FROM contacts "
        f"WHERE kind IN ({_kinds(p['out_of_hours_kinds'])})"
    ),
    "gp_consultations": lambda p: (
        "SELECT resident_id, contact_date AS day, 1.0 AS y, NULL::DOUBLE AS w FROM contacts "
        f"WHERE kind IN ({_kinds(p['gp_consultation_kinds'])})"
    ),
    "nurse_contacts": lambda p: (
        "SELECT resident_id, contact_date AS day, 1.0 AS y, NULL::DOUBLE AS w FROM contacts "
        f"WHERE kind IN ({_kinds(p['nurse_kinds'])})"
    ),
    "mortality": lambda p: (
        "SELECT resident_id, min(death_date) AS day, 1.0 AS y, NULL::DOUBLE AS w FROM residents "
        "WHERE death_date IS NOT NULL GROUP BY resident_id"
    ),
    "home_care_starts": lambda p: (
        "SELECT resident_id, start_date AS day, 1.0 AS y, NULL::DOUBLE AS w FROM municipal_care "
        "WHERE service = 'home_care'"
    ),
    "nursing_home_long_starts": lambda p: (
        "SELECT resident_id, start_date AS day, 1.0 AS y, NULL::DOUBLE AS w FROM municipal_care "
        "WHERE service = 'nursing_home_long'"
    ),
    "prom_health_vas": lambda p: (
        "SELECT resident_id, survey_date AS day, prom_health_vas::DOUBLE AS y, 1.0 AS w "
        "FROM survey_responses WHERE prom_health_vas IS NOT NULL"
    ),
    "prem_overall": lambda p: (
        "SELECT resident_id, survey_date AS day, prem_overall::DOUBLE AS y, 1.0 AS w "
        "FROM survey_responses WHERE prem_overall IS NOT NULL"
    ),
    "prem_continuity": lambda p: (
        "SELECT resident_id, survey_date AS day, prem_continuity::DOUBLE AS y, 1.0 AS w "
        "FROM survey_responses WHERE prem_continuity IS NOT NULL"
    ),
    "prem_coordination": lambda p: (
        "SELECT resident_id, survey_date AS day, prem_coordination::DOUBLE AS y, 1.0 AS w "
        "FROM survey_responses WHERE prem_coordination IS NOT NULL"
    ),
    # Usual provider of care: of the person's GP consultations and out-of-hours contacts, the share
    # that were with the GP they were listed with that day.
    "continuity_upc": lambda p: (
        "SELECT c.resident_id, c.contact_date AS day, "
        f"CASE WHEN c.kind IN ({_kinds(p['gp_consultation_kinds'])}) AND c.gp_hpr = r.gp_hpr "
        "THEN 1.0 ELSE 0.0 END AS y, 1.0 AS w "
        "FROM contacts c LEFT JOIN residents r ON r.resident_id = c.resident_id "
        "AND c.contact_date >= r.list_from AND (r.list_to IS NULL OR c.contact_date <= r.list_to) "
        f"WHERE c.kind IN ({_kinds(p['gp_consultation_kinds'] + p['out_of_hours_kinds'])})"
    ),
    # Acute discharges followed by a practice contact within the window (discharge day included).
    "followup_14d": lambda p: (
        "SELECT s.resident_id, s.discharge_date AS day, "
        "CASE WHEN EXISTS (SELECT 1 FROM contacts c WHERE c.resident_id = s.resident_id "
        f"AND c.kind IN ({_kinds(p['followup_kinds'])}) "
        f"AND c.contact_date BETWEEN s.discharge_date AND s.discharge_date + {int(p['followup_days'])}) "
        "THEN 1.0 ELSE 0.0 END AS y, 1.0 AS w FROM hospital_stays s WHERE s.acute"
    ),
}

CATALOGUE: dict[str, Outcome] = {
    o.key: o
    for o in (
        Outcome(
            "prom_health_vas",
            "score",
            "difference",
            "Self-rated health (PROM, 0–100)",
            "Mean EQ-VAS-like self-rated health of the survey answers in the period.",
            ("survey_responses",),
            limits="Only surveyed patients (a sample of adults with a GP consultation that year).",
        ),
        Outcome(
            "mortality",
            "count",
            "ratio",
            "Deaths",
            "Deaths per person-month. The population is alive on the baseline date, so pre-period rates are 0.",
            ("residents",),
            limits="No pre-period variation (a survivor cohort): the design rests on the post-period comparison.",
            power_from_pre_period=False,
        ),
        Outcome(
            "prem_overall",
            "score",
            "difference",
            "Overall satisfaction (PREM, 1–5)",
            "Mean overall rating of the GP practice in the period's survey answers.",
            ("survey_responses",),
        ),
        Outcome(
            "prem_continuity",
            "score",
            "difference",
            "Experienced continuity (PREM, 1–5)",
            "Mean rating of continuity in the period's survey answers.",
            ("survey_responses",),
        ),
        Outcome(
            "prem_coordination",
            "score",
            "difference",
            "Experienced coordination (PREM, 1–5)",
            "Mean rating of coordination in the period's survey answers.",
            ("survey_responses",),
        ),
        Outcome(
            "continuity_upc",
            "share",
            "difference",
            "Continuity with the regular GP (UPC)",
            "Share of GP consultations and out-of-hours contacts that were with the GP the patient was "
            "listed with that day (usual provider of care index, pooled per practice and period).",
            ("contacts", "residents"),
            limits="In the synthetic data every practice consultation is with the listed GP, so the index "
            "moves only with out-of-hours use.",
        ),
        Outcome(
            "followup_14d",
            "share",
            "difference",
            "Follow-up within 14 days of an acute discharge",
            "Share of acute hospital discharges followed by a practice contact (GP, nurse, home visit, "
            "simple contact; not out-of-hours) within 14 days, discharge day included.",
            ("hospital_stays", "contacts"),
        ),
        Outcome(
            "acute_admissions",
            "count",
            "ratio",
            "Acute hospital admissions",
            "Acute admissions per person-month (NPR stays with the acute flag).",
            ("hospital_stays",),
        ),
        Outcome(
            "acs_admissions",
            "count",
            "ratio",
            "Ambulatory-care-sensitive admissions",
            "Acute admissions for ambulatory-care-sensitive conditions per person-month.",
            ("hospital_stays",),
        ),
        Outcome(
            "out_of_hours_contacts",
            "count",
            "ratio",
            "Out-of-hours contacts (legevakt)",
            "Out-of-hours contacts per person-month.",
            ("contacts",),
        ),
        Outcome(
            "home_care_starts",
            "count",
            "ratio",
            "Home care starts",
            "New home-care spells per person-month (KPR).",
            ("municipal_care",),
        ),
        Outcome(
            "nursing_home_long_starts",
            "count",
            "ratio",
            "Long-term nursing-home admissions",
            "New long-term nursing-home stays per person-month (KPR).",
            ("municipal_care",),
        ),
        Outcome(
            "nurse_contacts",
            "count",
            "difference",
            "Nurse contacts (per 1,000 person-months)",
            "Practice nurse contacts per 1,000 person-months. Before the pilot, and in control practices, "
            "there are none, so the estimate is a difference, not a ratio.",
            ("contacts",),
            per=1000.0,
        ),
        Outcome(
            "gp_consultations",
            "count",
            "ratio",
            "GP consultations",
            "Consultations with a GP of the practice (day, evening, e-consultation, home visit) per person-month.",
            ("contacts",),
        ),
    )
}

KNOWN_OUTCOMES = frozenset(CATALOGUE)
