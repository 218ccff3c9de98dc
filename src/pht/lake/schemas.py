"""The declared schema of every dataset in the lake: the contract that the synthetic generator and
real register extracts (KUHR claims, KPR municipal care, NPR hospital stays, GP lists) must meet.

Amounts are whole øre in ``int64`` columns named ``*_ore`` (NOK 152.00 = 15200): exact, fast to sum,
and free of float rounding; divide by 100 for NOK. Dates are ``date32``. Repeated short codes
(orgnr, HPR, ICPC-2, tariff code, kind) are dictionary-encoded strings. Datasets partitioned by
year live under ``<dataset>/year=YYYY/`` and also carry a ``year`` column, so the files can be read
with or without hive partitioning.
"""

from __future__ import annotations

import pyarrow as pa

CODE = pa.dictionary(pa.int32(), pa.string())

SCHEMAS: dict[str, pa.Schema] = {
    "practices": pa.schema(
        [
            ("practice_orgnr", pa.string()),
            ("name", pa.string()),
            ("kommunenummer", pa.string()),
            ("address", pa.string()),
            ("gp_count", pa.int16()),
            ("pilot", pa.bool_()),
            ("pilot_start", pa.date32()),
            ("financing_model", pa.string()),  # "fee" / "capitation" for pilot practices, else null
        ]
    ),
    "gps": pa.schema(
        [
            ("gp_hpr", pa.string()),
            ("practice_orgnr", pa.string()),
            ("kommunenummer", pa.string()),
            ("first_name", pa.string()),
            ("last_name", pa.string()),
            ("list_size_2017", pa.int32()),  # list size on 1 January 2017 (registry)
            ("list_cap", pa.int32()),
        ]
    ),
    # One row per list period: a resident has one row per GP they were listed with.
    "residents": pa.schema(
        [
            ("resident_id", pa.int64()),
            ("fnr", pa.string()),
            ("sex", CODE),  # "M" / "F"
            ("birth_date", pa.date32()),
            ("kommunenummer", CODE),
            ("gp_hpr", CODE),
            ("practice_orgnr", CODE),
            ("list_from", pa.date32()),
            ("list_to", pa.date32()),  # last day on the list, inclusive; null = still listed at the end
            ("end_reason", CODE),  # list_change / moved_out / died; null if still listed
            ("death_date", pa.date32()),
        ]
    ),
    "conditions": pa.schema(
        [
            ("resident_id", pa.int64()),
            ("condition", CODE),  # key in synth_morbidity.toml
            ("condition_group", CODE),  # chronic / frailty_deficit
            ("icpc2", CODE),
            ("onset_date", pa.date32()),
        ]
    ),
    "contacts": pa.schema(
        [
            ("contact_id", pa.int64()),
            ("resident_id", pa.int64()),
            ("contact_date", pa.date32()),
            ("year", pa.int16()),
            ("month", pa.int8()),
            # gp_day, gp_evening, e_consultation, simple_contact, home_visit, nurse, out_of_hours
            ("kind", CODE),
            ("icpc2", CODE),
            ("kommunenummer", CODE),
            ("practice_orgnr", CODE),  # the practice the resident was listed with that day
            ("gp_hpr", CODE),  # null for nurse and out-of-hours contacts
        ]
    ),
    # One claim line per contact (claim_id = contact_id); fee = copayment + reimbursement,
    # copayment = patient_paid + state_copayment (children under 16 and the yearly ceiling).
    "claims": pa.schema(
        [
            ("claim_id", pa.int64()),
            ("resident_id", pa.int64()),
            ("contact_date", pa.date32()),
            ("year", pa.int16()),
            ("month", pa.int8()),
            ("tariff_code", CODE),
            ("billed_by", CODE),  # gp / nurse / out_of_hours
            ("kommunenummer", CODE),
            ("practice_orgnr", CODE),
            ("gp_hpr", CODE),
            ("icpc2", CODE),
            ("fee_ore", pa.int64()),
            ("copayment_ore", pa.int64()),
            ("reimbursement_ore", pa.int64()),
            ("copayment_exempt", pa.bool_()),
            ("patient_paid_ore", pa.int64()),
            ("state_copayment_ore", pa.int64()),
        ]
    ),
    "hospital_stays": pa.schema(
        [
            ("stay_id", pa.int64()),
            ("resident_id", pa.int64()),
            ("kommunenummer", CODE),
            ("admission_date", pa.date32()),
            ("discharge_date", pa.date32()),
            ("year", pa.int16()),
            ("acute", pa.bool_()),
            ("ambulatory_care_sensitive", pa.bool_()),
            ("icpc2", CODE),  # the condition behind the stay, where one is known
        ]
    ),
    "municipal_care": pa.schema(
        [
            ("resident_id", pa.int64()),
            ("kommunenummer", CODE),
            ("service", CODE),  # home_care / nursing_home_short / nursing_home_long
            ("start_date", pa.date32()),
            ("end_date", pa.date32()),  # inclusive; null = ongoing at the end
            ("hours_per_week", pa.float32()),  # home care only
        ]
    ),
    "survey_responses": pa.schema(
        [
            ("resident_id", pa.int64()),
            ("kommunenummer", CODE),
            ("practice_orgnr", CODE),
            ("survey_date", pa.date32()),
            ("year", pa.int16()),
            ("prom_health_vas", pa.int16()),  # 0-100, EQ-VAS-like
            ("prem_overall", pa.int8()),  # 1-5
            ("prem_continuity", pa.int8()),  # 1-5
            ("prem_coordination", pa.int8()),  # 1-5
        ]
    ),
    # The synthetic lake's truth (pht.synth, docs/synth.md): one row per event or survey response that
    # the injected pilot effects changed, delta = observed - counterfactual. For validation only:
    # analysis code must never read it. Not part of a real register extract.
    "truth": pa.schema(
        [
            ("resident_id", pa.int64()),
            ("kommunenummer", CODE),
            ("practice_orgnr", CODE),  # the pilot practice whose zone the event was in
            ("event_date", pa.date32()),
            ("year", pa.int16()),
            ("month", pa.int8()),
            # acute_admissions, acs_admissions, out_of_hours_contacts, gp_consultations (events: -1 removed,
            # +1 added); prom_health_vas, prem_overall, prem_continuity, prem_coordination (score shifts)
            ("outcome", CODE),
            ("delta", pa.float64()),
        ]
    ),
}

# The truth dataset's outcomes (its dictionary, in this order): what the generator records and the
# validation reads.
TRUTH_OUTCOMES = (
    "acute_admissions",
    "acs_admissions",
    "out_of_hours_contacts",
    "gp_consultations",
    "prom_health_vas",
    "prem_overall",
    "prem_continuity",
    "prem_coordination",
)

PARTITIONED_BY_YEAR = frozenset({"contacts", "claims", "hospital_stays", "survey_responses", "truth"})
