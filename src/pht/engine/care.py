"""Target groups in bulk: the rules of ``pht.rules.target_groups`` as Ibis expressions over the lake.

One row per resident on a GP list on the reference date, with a flag, and a reason where the resident is a
member, for every target group; the frailty category and deficit count; and the worklist's need score.
The parameters are the same typed objects the pure rules take, and cut-offs that need care (month windows,
frailty categories) are computed once in Python with the pure rules' own helpers, so the two cannot drift;
``tests/unit/care/test_engine_care.py`` checks that both agree on hand-made residents and on a generated lake.

How the lake maps onto a resident's history (the same mapping ``history_from_lake`` uses):
diagnoses = ``conditions`` (icpc2, onset_date) + ``contacts`` (icpc2, contact_date) + ``hospital_stays``
(icpc2, admission_date); contacts = ``contacts`` by kind (gp_day, gp_evening, e_consultation, simple_contact
-> gp; nurse; home_visit; out_of_hours) + one ``hospital`` contact per admission + one ``municipal_care``
contact per service period, dated on its last day up to the reference date.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from pht.lake import SCHEMAS, LakeError, dataset_files
from pht.rules.frailty import FrailtyCategory, FrailtyIndexParameters, categorise
from pht.rules.target_groups import (
    CODE_LIST_GROUPS,
    Contact,
    ContactKind,
    Diagnosis,
    ResidentHistory,
    TargetGroup,
    TargetGroupParameters,
    months_before,
)

LAKE_CONTACT_KINDS: dict[str, ContactKind] = {
    "gp_day": ContactKind.GP,
    "gp_evening": ContactKind.GP,
    "e_consultation": ContactKind.GP,
    "simple_contact": ContactKind.GP,
    "nurse": ContactKind.NURSE,
    "home_visit": ContactKind.HOME_VISIT,
    "out_of_hours": ContactKind.OUT_OF_HOURS,
}

GROUPS = tuple(TargetGroup)


def connect(threads: int | None = None) -> ibis.BaseBackend:
    con = ibis.duckdb.connect()
    con.raw_sql("SET enable_progress_bar = false")
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


def _read(con: ibis.BaseBackend, lake: Path, name: str, columns: Sequence[str]) -> ir.Table:
    files = dataset_files(lake, name)
    if not files:
        empty = SCHEMAS[name].empty_table().select(list(columns))
        return ibis.memtable(empty.cast(pa.schema([(f.name, _plain(f.type)) for f in empty.schema])))
    table = con.read_parquet([str(path) for path in files], hive_partitioning=False)
    return table.select(*columns)


def _plain(type_: pa.DataType) -> pa.DataType:
    return type_.value_type if pa.types.is_dictionary(type_) else type_


_RESIDENT_COLUMNS = [
    "resident_id",
    "fnr",
    "birth_date",
    "practice_orgnr",
    "gp_hpr",
    "list_from",
    "list_to",
    "death_date",
]


def _listed_people(
    con: ibis.BaseBackend, lake: Path, on: datetime.date, practices: Iterable[str] | None
) -> ir.Table:
    """Residents listed on ``on`` (optionally only at ``practices``), with the columns the rules use."""
    return _listed(_read(con, lake, "residents", _RESIDENT_COLUMNS), on, practices)


def _listed(residents: ir.Table, on: datetime.date, practices: Iterable[str] | None) -> ir.Table:
    r = residents
    listed = r.filter(
        (r.list_from <= on)
        & (r.list_to.isnull() | (r.list_to >= on))
        & (r.death_date.isnull() | (r.death_date > on))
    )
    chosen = sorted(set(practices or ()))
    if chosen:
        listed = listed.filter(listed.practice_orgnr.isin(chosen))
    return listed.select("resident_id", "fnr", "birth_date", "practice_orgnr", "gp_hpr")


def stratify_lake(
    lake: Path | str,
    on: datetime.date,
    parameters: TargetGroupParameters,
    frailty: FrailtyIndexParameters,
    practices: Iterable[str] | None = None,
    con: ibis.BaseBackend | None = None,
) -> ir.Table:
    """Stratification of every resident listed on ``on`` (optionally only at ``practices``), lazily."""
    lake = Path(lake)
    con = con or connect()
    people = _listed_people(con, lake, on, practices)
    ids = people.select("resident_id")

    # --- diagnoses: every ICPC-2 code on record up to the reference date, from three datasets
    conditions = _read(con, lake, "conditions", ["resident_id", "icpc2", "onset_date"])
    contacts = _read(con, lake, "contacts", ["resident_id", "icpc2", "contact_date", "kind"])
    stays = _read(con, lake, "hospital_stays", ["resident_id", "icpc2", "admission_date"])
    care = _read(con, lake, "municipal_care", ["resident_id", "start_date", "end_date"])
    diagnoses = ibis.union(
        conditions.select(
            resident_id="resident_id", code=conditions.icpc2.cast("string"), on=conditions.onset_date
        ),
        contacts.select(
            resident_id="resident_id", code=contacts.icpc2.cast("string"), on=contacts.contact_date
        ),
        stays.select(resident_id="resident_id", code=stays.icpc2.cast("string"), on=stays.admission_date),
        distinct=False,
    )
    # Only codes some rule looks at matter; filtering early keeps the join small.
    relevant = sorted(
        {
            code
            for group in CODE_LIST_GROUPS
            for codes in parameters.code_lists[group].values()
            for code in codes
        }
        | {code for deficit in frailty.deficits for code in deficit.codes}
    )
    diagnoses = diagnoses.filter(diagnoses.code.isin(relevant) & (diagnoses.on <= on))

    group_rows = [
        {"code": code, "grp": group.value, "condition": condition}
        for group in CODE_LIST_GROUPS
        for condition, codes in parameters.code_lists[group].items()
        for code in sorted(codes)
    ]
    group_map = ibis.memtable(pa.Table.from_pylist(group_rows))
    matched = (
        diagnoses.join(group_map, diagnoses.code == group_map.code)
        .select("resident_id", "grp", "condition")
        .distinct()
    )
    matched = matched.semi_join(ids, "resident_id")
    per_group = matched.group_by("resident_id").aggregate(
        **{
            f"n_{group.value}": (matched.grp == group.value).sum().cast("int32") for group in CODE_LIST_GROUPS
        },
        **{
            f"list_{group.value}": matched.condition.group_concat(
                ", ", where=matched.grp == group.value, order_by=matched.condition
            )
            for group in CODE_LIST_GROUPS
        },
    )

    # --- events: practice contacts, out-of-hours, hospital admissions, municipal care
    kind_case = contacts.kind.cast("string").cases(
        *((lake_kind, kind.value) for lake_kind, kind in LAKE_CONTACT_KINDS.items()), else_=None
    )
    events = ibis.union(
        contacts.select(resident_id="resident_id", on=contacts.contact_date, kind=kind_case),
        stays.select(
            resident_id="resident_id", on=stays.admission_date, kind=ibis.literal(ContactKind.HOSPITAL.value)
        ),
        care.filter(care.start_date <= on).select(
            resident_id="resident_id",
            on=ibis.least(care.end_date.fill_null(on), ibis.literal(on)),
            kind=ibis.literal(ContactKind.MUNICIPAL_CARE.value),
        ),
        distinct=False,
    )
    events = events.filter(events.kind.notnull() & (events.on <= on)).semi_join(ids, "resident_id")
    cp, pp = parameters.complex_needs, parameters.poor_demanders
    window_start = months_before(on, cp.window_months)
    quiet_since = months_before(on, pp.no_contact_months)
    service_start = months_before(on, frailty.service_window_months)
    practice_kinds = sorted(kind.value for kind in pp.practice_contact_kinds)
    per_events = events.group_by("resident_id").aggregate(
        out_of_hours=((events.kind == ContactKind.OUT_OF_HOURS.value) & (events.on > window_start))
        .sum()
        .cast("int32"),
        admissions=((events.kind == ContactKind.HOSPITAL.value) & (events.on > window_start))
        .sum()
        .cast("int32"),
        last_practice_contact=events.on.max(where=events.kind.isin(practice_kinds)),
    )

    # --- frailty deficits: codes ever recorded, services inside the service window
    deficit_codes = ibis.memtable(
        pa.Table.from_pylist(
            [{"code": code, "deficit": d.key} for d in frailty.deficits for code in sorted(d.codes)]
            or [{"code": "", "deficit": ""}]
        )
    )
    deficit_services = ibis.memtable(
        pa.Table.from_pylist(
            [{"service": s, "deficit": d.key} for d in frailty.deficits for s in sorted(d.services)]
            or [{"service": "", "deficit": ""}]
        )
    )
    recent_services = events.filter(events.on > service_start)
    deficits = ibis.union(
        diagnoses.join(deficit_codes, diagnoses.code == deficit_codes.code).select("resident_id", "deficit"),
        recent_services.join(deficit_services, recent_services.kind == deficit_services.service).select(
            "resident_id", "deficit"
        ),
        distinct=True,
    ).semi_join(ids, "resident_id")
    per_deficit = deficits.group_by("resident_id").aggregate(
        deficit_count=deficits.count().cast("int32"),
        deficits=deficits.deficit.group_concat(", ", order_by=deficits.deficit),
    )

    # --- put together
    t = (
        people.left_join(per_group, "resident_id")
        .select(~ibis.selectors.endswith("_right"))
        .left_join(per_events, "resident_id")
        .select(~ibis.selectors.endswith("_right"))
        .left_join(per_deficit, "resident_id")
        .select(~ibis.selectors.endswith("_right"))
    )
    b = t.birth_date
    age = (
        on.year
        - b.year()
        - ibis.ifelse((b.month() > on.month) | ((b.month() == on.month) & (b.day() > on.day)), 1, 0)
    ).cast("int32")
    counts = {group: t[f"n_{group.value}"].fill_null(0) for group in CODE_LIST_GROUPS}
    deficit_count = t.deficit_count.fill_null(0)
    category = _category_expr(deficit_count, frailty)
    fp = parameters.frail_elderly
    frail_ranks = [c.value for c in FrailtyCategory if c.rank >= fp.min_category.rank]
    condition_count = sum((counts[group] for group in cp.condition_groups), ibis.literal(0))
    ooh = t.out_of_hours.fill_null(0)
    admissions = t.admissions.fill_null(0)
    last = t.last_practice_contact
    member = {group: counts[group] > 0 for group in CODE_LIST_GROUPS}
    member[TargetGroup.FRAIL_ELDERLY] = (age >= fp.min_age) & category.isin(frail_ranks)
    member[TargetGroup.COMPLEX_NEEDS] = (
        (condition_count >= cp.min_conditions)
        | (ooh >= cp.min_out_of_hours_contacts)
        | (admissions >= cp.min_hospital_admissions)
    )
    member[TargetGroup.POOR_DEMANDERS] = (counts[TargetGroup.CHRONIC_DISEASE] > 0) & (
        last.isnull() | (last <= quiet_since)
    )
    group_count = sum((member[g].cast("int32") for g in GROUPS), ibis.literal(0))

    reasons = {group: t[f"list_{group.value}"] for group in CODE_LIST_GROUPS}
    reasons[TargetGroup.FRAIL_ELDERLY] = (
        "aged "
        + age.cast("string")
        + ", "
        + deficit_count.cast("string")
        + f" of {frailty.total} deficits ("
        + category
        + "): "
        + t.deficits.fill_null("")
    )
    reasons[TargetGroup.COMPLEX_NEEDS] = (
        ibis.array(
            [
                ibis.ifelse(
                    condition_count >= cp.min_conditions, condition_count.cast("string") + " conditions", None
                ),
                ibis.ifelse(
                    ooh >= cp.min_out_of_hours_contacts,
                    ooh.cast("string") + f" out-of-hours contacts in {cp.window_months} months",
                    None,
                ),
                ibis.ifelse(
                    admissions >= cp.min_hospital_admissions,
                    admissions.cast("string") + f" hospital admissions in {cp.window_months} months",
                    None,
                ),
            ]
        )
        .filter(lambda x: x.notnull())
        .join("; ")
    )
    reasons[TargetGroup.POOR_DEMANDERS] = (
        "chronic condition ("
        + t[f"list_{TargetGroup.CHRONIC_DISEASE.value}"].fill_null("")
        + ") and "
        + ibis.ifelse(
            last.isnull(), "no practice contact on record", "last practice contact " + last.cast("string")
        )
    )
    return t.select(
        "resident_id",
        "fnr",
        "practice_orgnr",
        "gp_hpr",
        age=age,
        **{group.value: member[group] for group in GROUPS},
        group_count=group_count,
        frailty_category=category,
        deficit_count=deficit_count,
        condition_count=condition_count,
        out_of_hours_contacts=ooh,
        hospital_admissions=admissions,
        last_practice_contact=last,
        need_score=(10 * group_count + deficit_count).cast("int32"),
        **{f"{group.value}_reason": ibis.ifelse(member[group], reasons[group], None) for group in GROUPS},
    ).order_by("resident_id")


def _category_expr(deficit_count: ir.IntegerValue, frailty: FrailtyIndexParameters) -> ir.StringValue:
    """The pure rule's categories as count thresholds (found with ``categorise`` itself, so they agree)."""
    lowest: dict[FrailtyCategory, int] = {}
    for count in range(frailty.total + 1):
        lowest.setdefault(categorise(count, frailty.total, frailty), count)
    expr: ir.StringValue = ibis.literal(FrailtyCategory.FIT.value)
    for category in (FrailtyCategory.MILD, FrailtyCategory.MODERATE, FrailtyCategory.SEVERE):
        if category in lowest:
            expr = ibis.ifelse(deficit_count >= lowest[category], category.value, expr)
    return expr


def shares(result: pa.Table) -> dict[str, dict[str, float | int]]:
    """How many residents, and what share of the list, each rule catches (plus 'any')."""
    total = result.num_rows
    out: dict[str, dict[str, float | int]] = {}
    any_member = [False] * total
    for group in GROUPS:
        flags = result.column(group.value).to_pylist()
        count = sum(1 for flag in flags if flag)
        any_member = [a or bool(f) for a, f in zip(any_member, flags, strict=True)]
        out[group.value] = {"residents": count, "share": count / total if total else 0.0}
    count = sum(any_member)
    out["any"] = {"residents": count, "share": count / total if total else 0.0}
    out["list"] = {"residents": total, "share": 1.0}
    return out


FRAILTY_SHARE_MIN_AGE = 65  # the age the eFI's published category shares are for (Clegg et al. 2016)


def frailty_shares(
    result: pa.Table, min_age: int = FRAILTY_SHARE_MIN_AGE
) -> dict[str, dict[str, float | int]]:
    """How many residents aged ``min_age``+ fall in each frailty category, and what share of them."""
    ages = result.column("age").to_pylist()
    categories = result.column("frailty_category").to_pylist()
    chosen = [category for age, category in zip(ages, categories, strict=True) if age >= min_age]
    total = len(chosen)
    out: dict[str, dict[str, float | int]] = {}
    for category in FrailtyCategory:
        count = sum(1 for value in chosen if value == category.value)
        out[category.value] = {"residents": count, "share": count / total if total else 0.0}
    out["aged"] = {"residents": total, "share": 1.0, "min_age": min_age}
    return out


def history_from_lake(
    lake: Path | str, resident_ids: Iterable[int], on: datetime.date
) -> dict[int, ResidentHistory]:
    """Histories of a few residents read straight from the lake (for the pure rules; checks the engine)."""
    ids = sorted(set(resident_ids))
    con = connect()
    lake = Path(lake)

    def rows(name: str, columns: list[str]) -> list[dict[str, Any]]:
        table = _read(con, lake, name, columns)
        return table.filter(table.resident_id.isin(ids)).to_pyarrow().to_pylist()

    people = {
        row["resident_id"]: row for row in rows("residents", ["resident_id", "birth_date", "list_from"])
    }
    diagnoses: dict[int, list[Diagnosis]] = {rid: [] for rid in people}
    contacts: dict[int, list[Contact]] = {rid: [] for rid in people}
    for row in rows("conditions", ["resident_id", "icpc2", "onset_date"]):
        if row["icpc2"]:
            diagnoses[row["resident_id"]].append(Diagnosis(str(row["icpc2"]), row["onset_date"]))
    for row in rows("contacts", ["resident_id", "icpc2", "contact_date", "kind"]):
        if row["icpc2"]:
            diagnoses[row["resident_id"]].append(Diagnosis(str(row["icpc2"]), row["contact_date"]))
        kind = LAKE_CONTACT_KINDS.get(str(row["kind"]))
        if kind is not None:
            contacts[row["resident_id"]].append(Contact(row["contact_date"], kind))
    for row in rows("hospital_stays", ["resident_id", "icpc2", "admission_date"]):
        if row["icpc2"]:
            diagnoses[row["resident_id"]].append(Diagnosis(str(row["icpc2"]), row["admission_date"]))
        contacts[row["resident_id"]].append(Contact(row["admission_date"], ContactKind.HOSPITAL))
    for row in rows("municipal_care", ["resident_id", "start_date", "end_date"]):
        if row["start_date"] <= on:
            end = row["end_date"] or on
            contacts[row["resident_id"]].append(Contact(min(end, on), ContactKind.MUNICIPAL_CARE))
    return {
        rid: ResidentHistory(str(rid), person["birth_date"], tuple(diagnoses[rid]), tuple(contacts[rid]))
        for rid, person in people.items()
    }


def practice_extract(
    lake: Path | str, practices: Iterable[str], on: datetime.date, con: ibis.BaseBackend | None = None
) -> dict[str, pa.Table]:
    """A practice's list extract from the lake in PHT's import formats (``pht.apps.care.importing``).

    ``residents``: listed on ``on``; ``contacts``: their contacts (the lake's kinds), hospital admissions
    (kind ``hospital``) and municipal care periods (kind ``municipal_care``, dated as in the rules), up to
    ``on``; ``diagnoses``: their conditions (ICPC-2 and onset) up to ``on``.
    """
    lake = Path(lake)
    con = con or connect()
    chosen = sorted(set(practices))
    people = _listed_people(con, lake, on, chosen)
    residents_all = _read(
        con, lake, "residents", ["resident_id", "list_from", "list_to", "sex", "practice_orgnr"]
    )
    period = residents_all.filter(
        (residents_all.list_from <= on) & (residents_all.list_to.isnull() | (residents_all.list_to >= on))
    )
    period = period.filter(period.practice_orgnr.isin(chosen)).select(
        "resident_id", rl_from="list_from", rl_to="list_to", sex="sex"
    )
    listed = people.join(period, "resident_id").select(~ibis.selectors.endswith("_right"))
    who = listed.select("resident_id", "fnr")
    residents = listed.select(
        fnr=listed.fnr,
        gp_hpr=listed.gp_hpr.cast("string"),
        practice_orgnr=listed.practice_orgnr.cast("string"),
        list_from=listed.rl_from,
        list_to=listed.rl_to,
        birth_date=listed.birth_date,
        sex=listed.sex.cast("string"),
    ).order_by("fnr")
    contacts = _read(
        con, lake, "contacts", ["contact_id", "resident_id", "icpc2", "contact_date", "kind", "gp_hpr"]
    )
    stays = _read(con, lake, "hospital_stays", ["stay_id", "resident_id", "icpc2", "admission_date"])
    care = _read(con, lake, "municipal_care", ["resident_id", "start_date", "end_date"])
    events = ibis.union(
        contacts.filter(contacts.contact_date <= on).select(
            resident_id="resident_id",
            contact_id="C" + contacts.contact_id.cast("string"),
            contact_date="contact_date",
            kind=contacts.kind.cast("string"),
            icpc2=contacts.icpc2.cast("string"),
            gp_hpr=contacts.gp_hpr.cast("string"),
        ),
        stays.filter(stays.admission_date <= on).select(
            resident_id="resident_id",
            contact_id="H" + stays.stay_id.cast("string"),
            contact_date="admission_date",
            kind=ibis.literal("hospital"),
            icpc2=stays.icpc2.cast("string"),
            gp_hpr=ibis.null("string"),
        ),
        care.filter(care.start_date <= on).select(
            resident_id="resident_id",
            contact_id="M" + care.resident_id.cast("string") + "-" + care.start_date.cast("string"),
            contact_date=ibis.least(care.end_date.fill_null(on), ibis.literal(on)),
            kind=ibis.literal("municipal_care"),
            icpc2=ibis.null("string"),
            gp_hpr=ibis.null("string"),
        ),
        distinct=False,
    )
    events = events.join(who, "resident_id").select(
        "fnr", "contact_id", "contact_date", "kind", "icpc2", "gp_hpr"
    )
    conditions = _read(con, lake, "conditions", ["resident_id", "icpc2", "onset_date"])
    diagnoses = (
        conditions.filter(conditions.onset_date <= on)
        .join(who, "resident_id")
        .select("fnr", icpc2=conditions.icpc2.cast("string"), diagnosed_on=conditions.onset_date)
        .distinct()
    )
    return {
        "residents": residents.to_pyarrow(),
        "contacts": events.order_by(["fnr", "contact_date", "contact_id"]).to_pyarrow(),
        "diagnoses": diagnoses.order_by(["fnr", "diagnosed_on", "icpc2"]).to_pyarrow(),
    }


def stratification_parameters(on: datetime.date) -> tuple[Any, Any, dict[str, Any]]:
    """The target-group and frailty parameters in force on a date, with their provenance."""
    from pht.refdata.params import load_parameters

    groups = load_parameters("target_groups", on)
    frailty = load_parameters("frailty_index", on)
    provenance: dict[str, Any] = {"target_groups": groups.provenance(), "frailty_index": frailty.provenance()}
    return (
        TargetGroupParameters.from_mapping(groups.values),
        FrailtyIndexParameters.from_mapping(frailty.values),
        provenance,
    )


def default_reference_date(lake: Path) -> datetime.date:
    """The last day of the last year that has contacts in the lake."""
    years = [
        int(part.split("=", 1)[1])
        for path in dataset_files(lake, "contacts")
        for part in path.parts
        if part.startswith("year=")
    ]
    if not years:
        import pyarrow.parquet as pq

        years = [
            max(pq.read_table(path, columns=["year"]).column("year").to_pylist() or [0])
            for path in dataset_files(lake, "contacts")
        ]
    if not years or max(years) == 0:
        raise LakeError(f"{lake}: no contacts in the lake; give a reference date")
    return datetime.date(max(years), 12, 31)


def stratify_to_file(
    lake: Path, on: datetime.date | None, practices: list[str] | None, out: Path | None, threads: int | None
) -> dict[str, Any]:
    if not (lake / "residents").is_dir():
        raise LakeError(f"{lake}: not a lake (no residents dataset)")
    if out is not None and out.suffix not in {".parquet", ".csv"}:
        raise LakeError(f"{out}: the output file must end in .parquet or .csv")
    on = on or default_reference_date(lake)
    parameters, frailty, provenance = stratification_parameters(on)
    started = time.perf_counter()
    table = stratify_lake(
        lake, on, parameters, frailty, practices=practices, con=connect(threads)
    ).to_pyarrow()
    seconds = time.perf_counter() - started
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, out)
        else:
            import pyarrow.csv as pacsv

            pacsv.write_csv(table, out)
    return {
        "on": on.isoformat(),
        "residents": table.num_rows,
        "seconds": round(seconds, 3),
        "shares": shares(table),
        "frailty_shares": frailty_shares(table),
        "parameters": provenance,
        "note": "All target-group rules and cut-offs are PHT defaults (assumptions), see docs/care.md.",
    }
