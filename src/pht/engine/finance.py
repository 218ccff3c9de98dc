"""Monthly settlements from the lake: every practice under its own financing model and the other (shadow).

The heavy work — list spells x months, ages and morbidity, claim counts and copayment sums,
quality-indicator numerators and denominators — is Ibis expressions run by DuckDB over the
Parquet lake. It yields one ``PracticeMonth`` aggregate per practice and month, the same
aggregate ``pht.rules.financing.aggregate_practice_month`` builds from Python records; the money
is then computed by the pure rules (``settle_fee_model`` / ``settle_capitation_model``), so the
engine and the rules agree to the øre whenever their aggregates agree (tested on shared fixtures
and generated lakes).

Copayments are priced from the fee schedule in force on each claim's date (not taken from the
lake's amount columns), exemption by age on that date, and the yearly ceiling applied with a
window over each person's claims of the year in (date, claim id) order — the same arithmetic as
``pht.rules.copayment``, so the settlement does not depend on how the lake's writer split them.

Budget-neutral capitation needs the reference year (``capitation.toml``): all practices of the
lake are settled under the fee model for that year, and its totals fix the normalisation divisor
and the rate (``pht.rules.financing.capitation_rate``).
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
from ibis import _

from pht.engine.finance_params import MonthParameters, month_parameters
from pht.engine.lake import LakeError, connect, table
from pht.refdata.params import parameter_versions
from pht.rules.financing import (
    CAPITATION,
    COMPONENTS,
    FEE,
    CapitationCell,
    CapitationParameters,
    CapitationRate,
    CodeCount,
    FeeSchedule,
    IndicatorCount,
    Period,
    PracticeMonth,
    QualityParameters,
    Settlement,
    capitation_rate,
    reference_totals,
    settle_capitation_model,
    settle_fee_model,
)

BILLED_BY_PRACTICE = ("gp", "nurse")


def periods_of_year(year: int) -> tuple[Period, ...]:
    return tuple(Period(year, m) for m in range(1, 13))


def _months_table(periods: Sequence[Period], extra: dict[str, list[Any]] | None = None) -> ibis.Table:
    data: dict[str, list[Any]] = {
        "period_key": [p.year * 100 + p.month for p in periods],
        "month_start": [p.start for p in periods],
        "month_end": [p.end for p in periods],
    }
    data.update(extra or {})
    return ibis.memtable(pa.table(data))


def _date_key(day: ibis.Value) -> ibis.Value:
    """A date as the integer yyyymmdd."""
    return day.year() * 10000 + day.month() * 100 + day.day()


def _age(birth: ibis.Value, day: ibis.Value) -> ibis.Value:
    """Completed years on ``day`` (as ``pht.rules.financing.age_on``)."""
    before_birthday = (day.month() * 100 + day.day()) < (birth.month() * 100 + birth.day())
    return day.year() - birth.year() - before_birthday.ifelse(1, 0)


@dataclass
class FinanceLake:
    """The lake opened for settlement, with the practices in scope."""

    lake_dir: Path
    con: Any = field(default=None)
    practices: pa.Table = field(init=False)

    def __post_init__(self) -> None:
        self.lake_dir = Path(self.lake_dir)
        if self.con is None:
            self.con = connect()
        self.practices = table(self.con, self.lake_dir, "practices").to_pyarrow()
        self._reference: dict[tuple[int, int], CapitationRate] = {}
        self.timings: dict[str, float] = defaultdict(float)  # seconds per stage, for the benchmark

    # --- scope ----------------------------------------------------------------------------------

    def practice_ids(
        self, practices: Iterable[str] | None = None, municipalities: Iterable[str] | None = None
    ) -> list[str]:
        """Practices in scope: the given ones (each must exist), those of the given municipalities, or all."""
        known = self.practices.column("practice_orgnr").to_pylist()
        kommune = dict(zip(known, self.practices.column("kommunenummer").to_pylist(), strict=True))
        if practices:
            wanted = list(dict.fromkeys(practices))
            unknown = [p for p in wanted if p not in kommune]
            if unknown:
                raise LakeError(f"practices not in the lake {self.lake_dir}: {', '.join(unknown)}")
            return wanted
        if municipalities:
            wanted_m = set(municipalities)
            unknown_m = sorted(wanted_m - set(kommune.values()))
            if unknown_m:
                raise LakeError(f"municipalities with no practice in the lake: {', '.join(unknown_m)}")
            return sorted(p for p in known if kommune[p] in wanted_m)
        return sorted(known)

    def own_model(self) -> dict[str, str]:
        """Each practice's own model: its pilot financing model, else the fee model (today's)."""
        ids = self.practices.column("practice_orgnr").to_pylist()
        models = self.practices.column("financing_model").to_pylist()
        return {p: (m if m in (FEE, CAPITATION) else FEE) for p, m in zip(ids, models, strict=True)}

    def practice_info(self) -> dict[str, dict[str, Any]]:
        return {row["practice_orgnr"]: row for row in self.practices.to_pylist()}

    # --- aggregation ----------------------------------------------------------------------------

    def practice_months(
        self, periods: Sequence[Period], practices: Sequence[str] | None = None, *, indicators: bool = True
    ) -> dict[tuple[str, Period], PracticeMonth]:
        """One aggregate per practice in scope (all if None) and period.

        ``indicators=False`` skips the quality indicators (all zero): enough for the fee model, as
        for the reference year of budget-neutral capitation."""
        if not periods:
            return {}
        periods = sorted(set(periods))
        params = month_parameters(periods[0])
        scope = list(practices) if practices is not None else self.practice_ids()
        by_key = {p.year * 100 + p.month: p for p in periods}
        started = time.perf_counter()
        cells, totals = self._cells(periods, scope, params.capitation)
        self.timings["list residents and capitation cells"] += time.perf_counter() - started
        started = time.perf_counter()
        codes = self._claims(periods, scope)
        self.timings["claims and copayment ceiling"] += time.perf_counter() - started
        started = time.perf_counter()
        counted = self._indicators(periods, scope, params.quality) if indicators else {}
        self.timings["quality indicators"] += time.perf_counter() - started
        result: dict[tuple[str, Period], PracticeMonth] = {}
        for practice in scope:
            for key, period in by_key.items():
                k = (practice, key)
                code_rows = codes.get(k, [])
                residents, days = totals.get(k, (0, 0))
                counts = counted.get(k, {})
                result[(practice, period)] = PracticeMonth(
                    practice=practice,
                    period=period,
                    residents=residents,
                    resident_days=days,
                    cells=tuple(sorted(cells.get(k, []))),
                    codes=tuple(sorted(CodeCount(c, n, e) for c, n, e, _, _ in code_rows)),
                    copayment_patient=Decimal(sum(r[3] for r in code_rows)).scaleb(-2),
                    copayment_state=Decimal(sum(r[4] for r in code_rows)).scaleb(-2),
                    indicators=tuple(
                        IndicatorCount(i.id, *counts.get(i.id, (0, 0))) for i in params.quality.indicators
                    ),
                )
        return result

    def _spells(self, scope: Sequence[str] | None) -> ibis.Table:
        residents = table(self.con, self.lake_dir, "residents")
        spells = residents.select(
            resident_id=_.resident_id,
            sex=_.sex.cast("string"),
            birth_date=_.birth_date,
            kommunenummer=_.kommunenummer.cast("string"),
            practice=_.practice_orgnr.cast("string"),
            list_from=_.list_from,
            list_to=_.list_to,
        )
        if scope is not None:
            spells = spells.filter(_.practice.isin(list(scope)))
        return spells

    def _chronic(self, codes: Iterable[str]) -> ibis.Table:
        conditions = table(self.con, self.lake_dir, "conditions")
        return (
            conditions.select(resident_id=_.resident_id, code=_.icpc2.cast("string"), onset=_.onset_date)
            .filter(_.code.isin(sorted(codes)))
            .group_by(["resident_id", "code"])
            .aggregate(onset=_.onset.min())
        )

    def _chronic_onsets(self, codes: Iterable[str], top: int) -> ibis.Table:
        """Per resident, ``onset_k`` = the first onset of their k-th distinct chronic code (k = 1..top),
        so the number of chronic codes on a day, capped at ``top``, is the number of onsets <= day."""
        firsts = self._chronic(codes)
        ranked = firsts.mutate(
            k=ibis.row_number().over(group_by=firsts.resident_id, order_by=[firsts.onset, firsts.code])
        )
        return ranked.group_by("resident_id").aggregate(
            **{f"onset_{k}": ranked.onset.min(where=ranked.k == k - 1) for k in range(1, top + 1)}
        )

    def _cells(
        self, periods: Sequence[Period], scope: Sequence[str], params: CapitationParameters
    ) -> tuple[dict[tuple[str, int], list[CapitationCell]], dict[tuple[str, int], tuple[int, int]]]:
        top = len(params.morbidity_factors) - 1
        spells = self._spells(scope)
        if top > 0:
            spells = spells.left_join(self._chronic_onsets(params.chronic_codes, top), "resident_id")
        # dates as yyyymmdd integers: completed years = (day - birth) // 10000, cheap in bulk
        spells = spells.mutate(birth_key=_date_key(_.birth_date), from_key=_date_key(_.list_from))
        months = _months_table(periods, {"start_key": [p.year * 10000 + p.month * 100 + 1 for p in periods]})
        joined = spells.cross_join(months)
        joined = joined.filter(
            joined.list_from <= joined.month_end,
            joined.list_to.fill_null(joined.month_end) >= joined.month_start,
        )
        first_day = ibis.greatest(joined.list_from, joined.month_start)
        last_day = ibis.least(joined.list_to.fill_null(joined.month_end), joined.month_end)
        level: ibis.Value = ibis.literal(0)
        for k in range(1, top + 1):
            level = level + (joined[f"onset_{k}"] <= first_day).fill_null(False).cast("int32")
        age = ibis.greatest((ibis.greatest(joined.from_key, joined.start_key) - joined.birth_key) // 10000, 0)
        band_index: ibis.Value = ibis.literal(0)
        ordered = sorted(params.age_bands, key=lambda b: b.min_age)
        for band in ordered[1:]:
            band_index = band_index + (age >= band.min_age).cast("int32")
        staged = joined.select(
            "practice",
            "period_key",
            "sex",
            "kommunenummer",
            days=last_day.delta(first_day, unit="day") + 1,
            band_index=band_index,
            level=level,
        )
        rows = (
            staged.group_by(["practice", "period_key", "sex", "band_index", "level", "kommunenummer"])
            .aggregate(resident_days=_.days.sum(), residents=_.count())
            .to_pyarrow()
        )
        labels = [b.label for b in ordered]
        cell_rows = [
            dict(row, age_band=labels[row["band_index"]] if 0 <= row["band_index"] < len(labels) else None)
            for row in rows.to_pylist()
        ]
        cells: dict[tuple[str, int], list[CapitationCell]] = defaultdict(list)
        for row in cell_rows:
            if row["age_band"] is None:
                raise LakeError(f"practice {row['practice']}: a resident's age is in no capitation age band")
            cells[(row["practice"], row["period_key"])].append(
                CapitationCell(
                    row["sex"],
                    row["age_band"],
                    int(row["level"]),
                    row["kommunenummer"],
                    int(row["resident_days"]),
                    int(row["residents"]),
                )
            )
        totals: dict[tuple[str, int], tuple[int, int]] = {}
        for key, items in cells.items():
            totals[key] = (sum(c.residents for c in items), sum(c.resident_days for c in items))
        return cells, totals

    def _claims_table(self, years: Iterable[int], scope: Sequence[str] | None) -> ibis.Table:
        claims = table(self.con, self.lake_dir, "claims", years=sorted(set(years)))
        claims = claims.mutate(practice=_.practice_orgnr.cast("string"), billed_by=_.billed_by.cast("string"))
        claims = claims.filter(_.billed_by.isin(BILLED_BY_PRACTICE))
        if scope is not None:
            claims = claims.filter(_.practice.isin(list(scope)))
        return claims

    def _claims(
        self, periods: Sequence[Period], scope: Sequence[str]
    ) -> dict[tuple[str, int], list[tuple[str, int, int, int, int]]]:
        """Claim counts per code, exempt counts and the copayment split, per practice-month.

        The copayment ceiling is applied here with a window over each person's claims of the
        calendar year from every provider, in (date, claim id) order, exactly as
        ``pht.rules.financing.copayment_splits`` does with ``pht.rules.copayment``."""
        years = sorted({p.year for p in periods})
        claims = table(self.con, self.lake_dir, "claims", years=years).select(
            "claim_id",
            "resident_id",
            "contact_date",
            "year",
            "month",
            code=_.tariff_code.cast("string"),
            billed_by=_.billed_by.cast("string"),
            practice=_.practice_orgnr.cast("string"),
        )
        # only the people listed with a practice in scope: their whole year counts for the ceiling
        people = self._spells(scope).select("resident_id").distinct()
        claims = claims.semi_join(people, "resident_id")
        births = (
            table(self.con, self.lake_dir, "residents")
            .group_by("resident_id")
            .aggregate(birth_date=_.birth_date.min())
        )
        tariffs = _tariff_table()
        ceilings = ibis.memtable(
            pa.table(
                {
                    "ceiling_year": years,
                    "ceiling_ore": [_ore(month_parameters(Period(y, 1)).ceilings[y]) for y in years],
                }
            )
        )
        priced = (
            claims.join(births, "resident_id")
            .join(
                tariffs,
                [
                    _.code == tariffs.tariff,
                    _.contact_date >= tariffs.valid_from,
                    _.contact_date < tariffs.valid_to,
                ],
            )
            .join(ceilings, _.year.cast("int32") == ceilings.ceiling_year)
        )
        priced = priced.mutate(exempt=_age(priced.birth_date, priced.contact_date) < priced.exempt_under_age)
        priced = priced.mutate(due=priced.exempt.ifelse(0, priced.copayment_ore))
        # Only people whose copayments of the year pass the ceiling need the ordered window (few);
        # everyone else pays every copayment themselves.
        yearly = priced.group_by(["resident_id", "year"]).aggregate(
            year_due=_.due.sum(), ceiling=_.ceiling_ore.max()
        )
        over = yearly.filter(_.year_due > _.ceiling).select("resident_id", "year")
        under_rows = priced.anti_join(over, ["resident_id", "year"]).mutate(patient=_.due)
        over_rows = priced.semi_join(over, ["resident_id", "year"])
        window = ibis.window(
            group_by=[over_rows.resident_id, over_rows.year],
            order_by=[over_rows.contact_date, over_rows.claim_id],
            following=0,
        )
        over_rows = over_rows.mutate(before=over_rows.due.sum().over(window) - over_rows.due)
        over_rows = over_rows.mutate(
            patient=ibis.greatest(0, ibis.least(over_rows.due, over_rows.ceiling_ore - over_rows.before))
        ).drop("before")
        priced = under_rows.union(over_rows).mutate(state=_.due - _.patient)
        keys = [p.year * 100 + p.month for p in periods]
        rows = (
            priced.mutate(period_key=_.year.cast("int32") * 100 + _.month.cast("int32"))
            .filter(
                _.period_key.isin(keys), _.billed_by.isin(BILLED_BY_PRACTICE), _.practice.isin(list(scope))
            )
            .group_by(["practice", "period_key", "code"])
            .aggregate(
                claims=_.count(),
                exempt=_.exempt.cast("int64").sum(),
                patient=_.patient.sum(),
                state=_.state.sum(),
            )
            .to_pyarrow()
            .to_pylist()
        )
        result: dict[tuple[str, int], list[tuple[str, int, int, int, int]]] = defaultdict(list)
        for row in rows:
            counts = (int(row["claims"]), int(row["exempt"]), int(row["patient"]), int(row["state"]))
            result[(row["practice"], row["period_key"])].append((str(row["code"]), *counts))
        return result

    def _indicators(
        self, periods: Sequence[Period], scope: Sequence[str], quality: QualityParameters
    ) -> dict[tuple[str, int], dict[str, tuple[int, int]]]:
        """Numerator and denominator of every quality indicator per practice-month (month's last day)."""
        result: dict[tuple[str, int], dict[str, tuple[int, int]]] = defaultdict(dict)
        if not quality.indicators:
            return result
        all_codes = sorted(set().union(*(i.denominator_conditions for i in quality.indicators)))
        conditions = (
            table(self.con, self.lake_dir, "conditions")
            .select(resident_id=_.resident_id, code=_.icpc2.cast("string"), onset=_.onset_date)
            .filter(_.code.isin(all_codes))
            .group_by(["resident_id", "code"])
            .aggregate(onset=_.onset.min())
        )
        # only people with a denominator condition can count: a small table, materialised once
        candidates = self._spells(scope).semi_join(conditions, "resident_id")
        windows = {i.id: datetime.timedelta(days=i.window_days - 1) for i in quality.indicators}
        months = _months_table(periods)
        at_end = candidates.cross_join(months)
        at_end = at_end.filter(
            at_end.list_from <= at_end.month_end,
            at_end.list_to.fill_null(at_end.month_end) >= at_end.month_end,
        ).select("practice", "period_key", "resident_id", "month_end", age=_age(_.birth_date, _.month_end))
        name = f"finance_at_end_{id(self)}_{len(periods)}"
        self.con.create_table(name, at_end, temp=True)
        try:
            at_end = self.con.table(name)
            longest = max(windows.values())
            earliest = min(periods).end - longest
            years = range(earliest.year, max(p.year for p in periods) + 1)
            claims = self._claims_table(years, scope).select(
                "resident_id",
                "practice",
                "contact_date",
                code=_.tariff_code.cast("string"),
                diagnosis=_.icpc2.cast("string"),
            )
            claims = claims.semi_join(at_end, "resident_id")
            for indicator in quality.indicators:
                conds = conditions.filter(_.code.isin(sorted(indicator.denominator_conditions)))
                eligible = at_end.filter(at_end.age >= indicator.min_age)
                den = (
                    eligible.join(
                        conds, [eligible.resident_id == conds.resident_id, conds.onset <= eligible.month_end]
                    )
                    .select("practice", "period_key", "resident_id", "month_end")
                    .distinct()
                    .mutate(window_start=_.month_end - ibis.interval(days=windows[indicator.id].days))
                )
                num_claims = claims
                if indicator.numerator_diagnoses:
                    num_claims = num_claims.filter(_.diagnosis.isin(sorted(indicator.numerator_diagnoses)))
                if indicator.numerator_codes:
                    num_claims = num_claims.filter(_.code.isin(sorted(indicator.numerator_codes)))
                hits = den.join(
                    num_claims,
                    [
                        den.resident_id == num_claims.resident_id,
                        den.practice == num_claims.practice,
                        num_claims.contact_date >= den.window_start,
                        num_claims.contact_date <= den.month_end,
                    ],
                )
                num = hits.select(den.practice, den.period_key, den.resident_id).distinct()
                by_month = ["practice", "period_key"]
                den_counts = den.group_by(by_month).aggregate(n=_.count()).to_pyarrow().to_pylist()
                num_rows = num.group_by(by_month).aggregate(n=_.count()).to_pyarrow().to_pylist()
                num_counts = {(r["practice"], r["period_key"]): int(r["n"]) for r in num_rows}
                for row in den_counts:
                    key = (row["practice"], row["period_key"])
                    result[key][indicator.id] = (num_counts.get(key, 0), int(row["n"]))
        finally:
            self.con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
        return result

    # --- settlement -----------------------------------------------------------------------------

    def capitation_rate(self, params: MonthParameters) -> CapitationRate:
        """The rate and normalisation divisor (budget-neutral against the reference year by default)."""
        cap = params.capitation
        if not cap.budget_neutral:
            return capitation_rate(cap, None)
        # one reference computation per capitation parameter version (months share it)
        key = (cap.reference_year, params.capitation_version.toordinal())
        if key not in self._reference:
            year = cap.reference_year
            periods = periods_of_year(year)
            if not lake_has_year(self.lake_dir, year):
                raise LakeError(
                    f"budget-neutral capitation needs the reference year {year} in the lake {self.lake_dir} "
                    f"(generate it with pht synth --years {year}-...)"
                )
            months = self.practice_months(periods, None, indicators=False)
            fees = []
            for month in months.values():
                month_params = month_parameters(month.period)
                fees.append(settle_fee_model(month, month_params.base_grant, month_params.schedule))
            self._reference[key] = capitation_rate(cap, reference_totals(year, months.values(), fees, cap))
        return self._reference[key]

    def settle(
        self,
        periods: Sequence[Period],
        practices: Sequence[str] | None = None,
        rate: CapitationRate | None = None,
    ) -> list[SettledMonth]:
        """Both models' settlements of every practice in scope (all if None) and period.

        ``rate`` overrides the capitation rate (otherwise from the parameters and reference year)."""
        months = self.practice_months(periods, practices)
        own = self.own_model()
        started = time.perf_counter()
        result = []
        for month in sorted(months.values(), key=lambda m: (m.period, m.practice)):
            params = month_parameters(month.period)
            cap_rate = rate if rate is not None else self.capitation_rate(params)
            provenance = params.provenance()
            fee = settle_fee_model(month, params.base_grant, params.schedule, provenance)
            cap = settle_capitation_model(
                month, params.capitation, cap_rate, params.quality, params.schedule, provenance
            )
            result.append(SettledMonth(month, fee, cap, own.get(month.practice, FEE)))
        self.timings["money (pure rules, Python)"] += time.perf_counter() - started
        return result


@dataclass(frozen=True)
class SettledMonth:
    """One practice-month settled under both models; ``own_model`` is the one it is paid under."""

    month: PracticeMonth
    fee: Settlement
    capitation: Settlement
    own_model: str

    @property
    def own(self) -> Settlement:
        return self.fee if self.own_model == FEE else self.capitation

    @property
    def shadow(self) -> Settlement:
        return self.capitation if self.own_model == FEE else self.fee


def _ore(amount: Decimal) -> int:
    ore = amount * 100
    if ore != ore.to_integral_value():
        raise ValueError(f"amount {amount} is not a whole number of øre")
    return int(ore)


def _tariff_table() -> ibis.Table:
    """Every fee schedule version's copayment per code, with its validity, as a table to join on."""
    versions = parameter_versions("fee_schedule")
    rows: dict[str, list[Any]] = {
        "tariff": [],
        "valid_from": [],
        "valid_to": [],
        "copayment_ore": [],
        "exempt_under_age": [],
    }
    for version in versions:
        schedule = FeeSchedule.from_mapping(version.values)
        for tariff in schedule.tariffs.values():
            rows["tariff"].append(tariff.code)
            rows["valid_from"].append(version.valid_from)
            rows["valid_to"].append(version.valid_to or datetime.date(9999, 12, 31))
            rows["copayment_ore"].append(_ore(tariff.copayment))
            rows["exempt_under_age"].append(schedule.copayment_exempt_under_age)
    return ibis.memtable(pa.table(rows))


def lake_has_year(lake_dir: Path, year: int) -> bool:
    return (Path(lake_dir) / "claims" / f"year={year}").is_dir()


SETTLEMENT_SCHEMA = pa.schema(
    [
        ("practice_orgnr", pa.string()),
        ("kommunenummer", pa.string()),
        ("period", pa.string()),
        ("model", pa.string()),
        ("own_model", pa.bool_()),
        ("residents", pa.int64()),
        ("resident_days", pa.int64()),
        *[(name, pa.decimal128(18, 2)) for name in COMPONENTS],
    ]
)


def settlement_rows(lake: FinanceLake, settled: Sequence[SettledMonth]) -> list[dict[str, Any]]:
    """One row per practice, month and model (own and shadow) with the components."""
    info = lake.practice_info()
    rows = []
    for item in settled:
        for settlement in (item.fee, item.capitation):
            rows.append(
                {
                    "practice_orgnr": settlement.practice,
                    "kommunenummer": info.get(settlement.practice, {}).get("kommunenummer"),
                    "period": settlement.period,
                    "model": settlement.model,
                    "own_model": item.own_model == settlement.model,
                    "residents": item.month.residents,
                    "resident_days": item.month.resident_days,
                    **{name: settlement.components[name] for name in COMPONENTS},
                }
            )
    return rows


def write_parquet(rows: Sequence[dict[str, Any]], path: Path | str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(list(rows), schema=SETTLEMENT_SCHEMA), target)
    return target
