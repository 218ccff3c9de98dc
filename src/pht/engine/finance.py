"""Monthly settlements from the lake: every practice under its own financing model and the other (shadow).

The heavy work — list spells x months, ages and morbidity, claim counts and copayment sums,
quality-indicator numerators and denominators — is SQL run by DuckDB over the Parquet lake, one
pass per dataset and purpose: capitation cells (each spell expanded only over the months it
touches), claims with the copayment ceiling, quality indicators. The passes run at the same
time, each on its own DuckDB cursor (DuckDB releases the GIL while it works). They yield one
``PracticeMonth`` aggregate per practice and month, the same aggregate
``pht.rules.financing.aggregate_practice_month`` builds from Python records; the money is then
computed by the pure rules (``settle_fee_model`` / ``settle_capitation_model``), so the engine
and the rules agree to the øre whenever their aggregates agree (tested on shared fixtures and
generated lakes).

Copayments are priced from the fee schedule in force on each claim's date (not taken from the
lake's amount columns), exemption by age on that date, and the yearly ceiling applied with a
window over each person's claims of the year in (date, claim id) order — the same arithmetic as
``pht.rules.copayment``, so the settlement does not depend on how the lake's writer split them.
Only people whose copayments of the year pass the ceiling go through the ordered window.

Budget-neutral capitation needs the reference year (``capitation.toml``): the totals the fee
model would pay all practices of the lake that year (base grant rounded per practice-month,
reimbursements per code line) and the raw weighted resident-days fix the normalisation divisor
and the rate (``pht.rules.financing.capitation_rate``). They come from two aggregates (cells,
claims per code), computed alongside the settled year, without copayments or statements.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from pht.engine.finance_params import MonthParameters, month_parameters
from pht.engine.lake import LakeError, connect, lake_files, table
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
    ReferenceTotals,
    Settlement,
    capitation_rate,
    money,
    settle_capitation_model,
    settle_fee_model,
)
from pht.rules.financing.settle import PRECISION

BILLED_BY_PRACTICE = ("gp", "nurse")
_T = TypeVar("_T")
SMALL_SCOPE = 100  # practices: up to this many, filter the input rows by practice early


def periods_of_year(year: int) -> tuple[Period, ...]:
    return tuple(Period(year, m) for m in range(1, 13))


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
        self._scopes: list[str] = []  # names of the scope tables registered on the connection
        self._local = threading.local()
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

        ``indicators=False`` skips the quality indicators (all zero): enough for the fee model.
        The three passes (cells, claims, indicators) run at the same time on their own cursors."""
        if not periods:
            return {}
        periods = sorted(set(periods))
        params = month_parameters(periods[0])
        scope = list(practices) if practices is not None else self.practice_ids()
        by_key = {p.year * 100 + p.month: p for p in periods}
        # the three passes run at the same time, each on its own cursor (stage times overlap)
        with ThreadPoolExecutor(max_workers=3) as pool:
            cells_job = pool.submit(
                self._timed,
                "list residents and capitation cells",
                self._cells,
                periods,
                scope,
                params.capitation,
            )
            codes_job = pool.submit(self._timed, "claims and copayment ceiling", self._claims, periods, scope)
            counted_job = (
                pool.submit(
                    self._timed, "quality indicators", self._indicators, periods, scope, params.quality
                )
                if indicators
                else None
            )
            cells, totals = cells_job.result()
            codes = codes_job.result()
            counted = counted_job.result() if counted_job is not None else {}
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
                    cells=tuple(sorted(cells.get(k, []), key=_cell_order)),
                    codes=tuple(sorted(CodeCount(c, n, e) for c, n, e, _, _ in code_rows)),
                    copayment_patient=Decimal(sum(r[3] for r in code_rows)).scaleb(-2),
                    copayment_state=Decimal(sum(r[4] for r in code_rows)).scaleb(-2),
                    indicators=tuple(
                        IndicatorCount(i.id, *counts.get(i.id, (0, 0))) for i in params.quality.indicators
                    ),
                )
        return result

    # --- SQL helpers (DuckDB directly: the bulk passes below are plain SQL for speed) ------------

    def _files_sql(self, name: str, years: Iterable[int] | None = None) -> str:
        """``read_parquet([...])`` over a dataset's schema-checked files."""
        files = lake_files(self.lake_dir, name, sorted(set(years)) if years is not None else None)
        if not files:
            raise LakeError(f"lake {self.lake_dir}: dataset {name!r} has no files")
        listing = ", ".join(_quote(f) for f in files)
        return f"read_parquet([{listing}], hive_partitioning=false)"

    @property
    def _db(self) -> Any:
        """The DuckDB connection of the calling thread (a cursor of the main one in worker threads)."""
        return getattr(self._local, "db", None) or self.con.con

    def _in_thread(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run ``fn`` with its own DuckDB cursor: DuckDB runs queries of different cursors at
        the same time and releases the GIL meanwhile, so the passes overlap with each other and
        with the Python work."""
        self._local.db = self.con.con.cursor()
        try:
            return fn(*args)
        finally:
            self._local.db.close()
            self._local.db = None

    def _timed(self, stage: str, fn: Callable[..., _T], *args: Any) -> _T:
        started = time.perf_counter()
        try:
            return self._in_thread(fn, *args)
        finally:
            self.timings[stage] += time.perf_counter() - started

    def _query(self, sql: str) -> pa.Table:
        return self._db.sql(sql).to_arrow_table()

    def _early_scope_sql(self, column: str, scope: Sequence[str]) -> str:
        """The scope filter on the input rows when the scope is small; a large scope is cheaper to
        apply to the aggregated rows (``_scope_sql`` there, which is always applied)."""
        return self._scope_sql(column, scope) if len(scope) <= SMALL_SCOPE else "true"

    def _scope_sql(self, column: str, scope: Sequence[str]) -> str:
        if not scope:
            return "false"
        # a hash semi join on a registered table, not a chain of comparisons: scopes run to
        # thousands of practices
        name = f"finance_scope_{id(self)}_{threading.get_ident()}_{len(self._scopes)}"
        self._scopes.append(name)
        self._db.register(name, pa.table({"practice": pa.array(list(scope), pa.string())}))
        return f"{column} IN (SELECT practice FROM {name})"

    def _cell_rows(
        self, periods: Sequence[Period], scope: Sequence[str], params: CapitationParameters
    ) -> pa.Table:
        """Resident-days and spells per practice, month and capitation cell, in one DuckDB pass.

        Each spell is expanded only over the months it touches (``generate_series``), not crossed
        with every month; dates are compared as integers (``yyyymmdd`` for ages)."""
        top = len(params.morbidity_factors) - 1
        ordered = sorted(params.age_bands, key=lambda b: b.min_age)
        months = ", ".join(
            f"({p.year * 12 + p.month - 1}, {p.year * 100 + p.month}, DATE '{p.start}', DATE '{p.end}', "
            f"{p.year * 10000 + p.month * 100 + 1})"
            for p in periods
        )
        first = min(periods).start
        last = max(periods).end
        onset_cols = ", ".join(f"min(onset) FILTER (WHERE k = {k}) AS onset_{k}" for k in range(1, top + 1))
        level = (
            " + ".join(f"coalesce(onset_{k} <= first_day, false)::INTEGER" for k in range(1, top + 1)) or "0"
        )
        band = " + ".join(f"(age >= {b.min_age})::INTEGER" for b in ordered[1:]) or "0"
        if top > 0:
            codes = ", ".join(_quote(c) for c in sorted(params.chronic_codes))
            onsets = f"""
            firsts AS (
                SELECT resident_id, icpc2::VARCHAR AS code, min(onset_date) AS onset
                FROM {self._files_sql("conditions")} WHERE icpc2::VARCHAR IN ({codes}) GROUP BY ALL),
            ranked AS (
                SELECT resident_id, onset,
                       row_number() OVER (PARTITION BY resident_id ORDER BY onset, code) AS k FROM firsts),
            onsets AS (SELECT resident_id, {onset_cols} FROM ranked GROUP BY resident_id),"""
            join_onsets = "LEFT JOIN onsets USING (resident_id)"
            onset_select = ", " + ", ".join(f"onset_{k}" for k in range(1, top + 1))
        else:
            onsets = join_onsets = onset_select = ""
        sql = f"""
        WITH {onsets}
        months(month_no, period_key, month_start, month_end, start_key) AS (VALUES {months}),
        spells AS (
            SELECT practice_orgnr::VARCHAR AS practice, sex::VARCHAR AS sex,
                   kommunenummer::VARCHAR AS kommunenummer, list_from, list_to,
                   year(birth_date) * 10000 + month(birth_date) * 100 + day(birth_date) AS birth_key,
                   year(list_from) * 10000 + month(list_from) * 100 + day(list_from) AS from_key,
                   greatest(year(list_from) * 12 + month(list_from) - 1, {first.year * 12 + first.month - 1})
                       AS m0,
                   least(coalesce(year(list_to) * 12 + month(list_to) - 1, {last.year * 12 + last.month - 1}),
                         {last.year * 12 + last.month - 1}) AS m1
                   {onset_select}
            FROM {self._files_sql("residents")} {join_onsets}
            WHERE {self._early_scope_sql("practice_orgnr::VARCHAR", scope)}
              AND list_from <= DATE '{last}' AND (list_to IS NULL OR list_to >= DATE '{first}')),
        expanded AS (
            SELECT * EXCLUDE (m0, m1), unnest(generate_series(m0, m1)) AS month_no FROM spells),
        staged AS (
            SELECT e.*, m.period_key, m.month_end,
                   greatest(e.list_from, m.month_start) AS first_day,
                   greatest((greatest(e.from_key, m.start_key) - e.birth_key) // 10000, 0) AS age
            FROM expanded e JOIN months m USING (month_no)
            WHERE e.list_from <= m.month_end AND coalesce(e.list_to, m.month_end) >= m.month_start)
        SELECT * FROM (
            SELECT practice, period_key, sex, {band} AS band_index, {level} AS level, kommunenummer,
                   sum(least(coalesce(list_to, month_end), month_end) - first_day + 1) AS resident_days,
                   count(*) AS residents
            FROM staged GROUP BY ALL)
        WHERE {self._scope_sql("practice", scope)}
        """
        return self._query(sql)

    def _cells(
        self, periods: Sequence[Period], scope: Sequence[str], params: CapitationParameters
    ) -> tuple[dict[tuple[str, int], list[CapitationCell]], dict[tuple[str, int], tuple[int, int]]]:
        rows = self._cell_rows(periods, scope, params)
        ordered = sorted(params.age_bands, key=lambda b: b.min_age)
        labels = [b.label for b in ordered]
        cells: dict[tuple[str, int], list[CapitationCell]] = defaultdict(list)
        columns = [
            rows.column(name).to_pylist()
            for name in ("practice", "period_key", "sex", "band_index", "level", "kommunenummer")
            + ("resident_days", "residents")
        ]
        for practice, key, sex, band, level, kommune, days, residents in zip(*columns, strict=True):
            if not 0 <= band < len(labels):
                raise LakeError(f"practice {practice}: a resident's age is in no capitation age band")
            cells[(practice, key)].append(
                CapitationCell(sex, labels[band], int(level), kommune, int(days), int(residents))
            )
        totals: dict[tuple[str, int], tuple[int, int]] = {}
        for key, items in cells.items():
            totals[key] = (sum(c.residents for c in items), sum(c.resident_days for c in items))
        return cells, totals

    def _priced_sql(self, years: Sequence[int], scope: Sequence[str]) -> str:
        """Claims of the years by the people listed with a practice in scope (their whole year
        counts for the ceiling), priced from the fee schedule in force on the claim's date, with
        the exemption by age on that date."""
        tariffs = _tariff_rows()
        tariff_values = ", ".join(
            f"({_quote(t)}, DATE '{f}', DATE '{to}', {ore}, {age})" for t, f, to, ore, age in tariffs
        )
        ceilings = ", ".join(f"({y}, {_ore(month_parameters(Period(y, 1)).ceilings[y])})" for y in years)
        return f"""
        tariffs(tariff, valid_from, valid_to, copayment_ore, exempt_under_age) AS (VALUES {tariff_values}),
        ceilings(ceiling_year, ceiling_ore) AS (VALUES {ceilings}),
        births AS (
            SELECT resident_id, min(birth_date) AS birth_date, bool_or({self._scope_sql("practice_orgnr::VARCHAR", scope)}) AS in_scope
            FROM {self._files_sql("residents")} GROUP BY resident_id),
        priced AS (
            SELECT c.claim_id, c.resident_id, c.contact_date, c.year::INTEGER AS year,
                   c.year::INTEGER * 100 + c.month::INTEGER AS period_key,
                   c.tariff_code::VARCHAR AS code, c.billed_by::VARCHAR AS billed_by,
                   c.practice_orgnr::VARCHAR AS practice, k.ceiling_ore, t.copayment_ore,
                   (year(c.contact_date) - year(b.birth_date)
                    - ((month(c.contact_date) * 100 + day(c.contact_date))
                       < (month(b.birth_date) * 100 + day(b.birth_date)))::INTEGER) < t.exempt_under_age
                       AS exempt
            FROM {self._files_sql("claims", years)} c
            JOIN births b ON b.resident_id = c.resident_id AND b.in_scope
            JOIN tariffs t ON c.tariff_code::VARCHAR = t.tariff
                AND c.contact_date >= t.valid_from AND c.contact_date < t.valid_to
            JOIN ceilings k ON c.year::INTEGER = k.ceiling_year)"""

    def _claims(
        self, periods: Sequence[Period], scope: Sequence[str]
    ) -> dict[tuple[str, int], list[tuple[str, int, int, int, int]]]:
        """Claim counts per code, exempt counts and the copayment split, per practice-month.

        The copayment ceiling is applied here with a window over each person's claims of the
        calendar year from every provider, in (date, claim id) order, exactly as
        ``pht.rules.financing.copayment_splits`` does with ``pht.rules.copayment``. Only people
        whose copayments of the year pass the ceiling (few) need the ordered window; everyone
        else pays every copayment themselves."""
        years = sorted({p.year for p in periods})
        keys = ", ".join(str(p.year * 100 + p.month) for p in periods)
        billed = ", ".join(_quote(b) for b in BILLED_BY_PRACTICE)
        table_name = f"finance_priced_{id(self)}_{threading.get_ident()}"
        self._db.execute(
            f"""CREATE OR REPLACE TEMP TABLE {table_name} AS
            WITH {self._priced_sql(years, scope)},
            dues AS (SELECT *, CASE WHEN exempt THEN 0 ELSE copayment_ore END AS due FROM priced)
            SELECT claim_id, resident_id, contact_date, year, period_key, code, billed_by, practice,
                   ceiling_ore, exempt, due FROM dues"""
        )
        try:
            rows = self._query(
                f"""
                WITH over AS (
                    SELECT resident_id, year FROM {table_name}
                    GROUP BY resident_id, year HAVING sum(due) > max(ceiling_ore)),
                under_rows AS (
                    SELECT p.*, p.due AS patient FROM {table_name} p ANTI JOIN over USING (resident_id, year)),
                over_rows AS (
                    SELECT p.*, greatest(0, least(p.due, p.ceiling_ore - (sum(p.due) OVER (
                        PARTITION BY p.resident_id, p.year ORDER BY p.contact_date, p.claim_id
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - p.due))) AS patient
                    FROM {table_name} p SEMI JOIN over USING (resident_id, year)),
                settled AS (SELECT * FROM under_rows UNION ALL BY NAME SELECT * FROM over_rows)
                SELECT practice, period_key, code, count(*) AS claims, sum(exempt::BIGINT) AS exempt,
                       sum(patient) AS patient, sum(due - patient) AS state
                FROM settled
                WHERE period_key IN ({keys}) AND billed_by IN ({billed})
                  AND {self._scope_sql("practice", scope)}
                GROUP BY ALL"""
            )
        finally:
            self._db.execute(f"DROP TABLE IF EXISTS {table_name}")
        result: dict[tuple[str, int], list[tuple[str, int, int, int, int]]] = defaultdict(list)
        columns = [rows.column(n).to_pylist() for n in ("practice", "period_key", "code", "claims")]
        columns += [rows.column(n).to_pylist() for n in ("exempt", "patient", "state")]
        for practice, key, code, claims, exempt, patient, state in zip(*columns, strict=True):
            result[(practice, key)].append((str(code), int(claims), int(exempt), int(patient), int(state)))
        return result

    def _indicators(
        self, periods: Sequence[Period], scope: Sequence[str], quality: QualityParameters
    ) -> dict[tuple[str, int], dict[str, tuple[int, int]]]:
        """Numerator and denominator of every quality indicator per practice-month (month's last day).

        Only people with a denominator condition can count (a small set); the numerator asks for
        the practice's latest claim on or before the month's last day (an ASOF join) and whether
        it falls in the window."""
        result: dict[tuple[str, int], dict[str, tuple[int, int]]] = defaultdict(dict)
        if not quality.indicators:
            return result
        all_codes = sorted(set().union(*(i.denominator_conditions for i in quality.indicators)))
        windows = {i.id: i.window_days - 1 for i in quality.indicators}
        earliest = min(periods).end - datetime.timedelta(days=max(windows.values()))
        years = range(earliest.year, max(p.year for p in periods) + 1)
        months = ", ".join(f"({p.year * 100 + p.month}, DATE '{p.end}')" for p in periods)
        billed = ", ".join(_quote(b) for b in BILLED_BY_PRACTICE)
        conditions = f"""
            SELECT resident_id, icpc2::VARCHAR AS code, min(onset_date) AS onset
            FROM {self._files_sql("conditions")}
            WHERE icpc2::VARCHAR IN ({", ".join(_quote(c) for c in all_codes)}) GROUP BY ALL"""
        at_end = f"""
            SELECT s.practice_orgnr::VARCHAR AS practice, m.period_key, s.resident_id, m.month_end,
                   year(m.month_end) - year(s.birth_date)
                   - ((month(m.month_end) * 100 + day(m.month_end))
                      < (month(s.birth_date) * 100 + day(s.birth_date)))::INTEGER AS age
            FROM {self._files_sql("residents")} s
            JOIN (VALUES {months}) m(period_key, month_end)
              ON s.list_from <= m.month_end AND coalesce(s.list_to, m.month_end) >= m.month_end
            WHERE {self._scope_sql("s.practice_orgnr::VARCHAR", scope)}
              AND s.resident_id IN (SELECT resident_id FROM {{cond}})"""
        claims = f"""
            SELECT resident_id, practice_orgnr::VARCHAR AS practice, contact_date,
                   tariff_code::VARCHAR AS code, icpc2::VARCHAR AS diagnosis
            FROM {self._files_sql("claims", years)}
            WHERE billed_by::VARCHAR IN ({billed})
              AND {self._scope_sql("practice_orgnr::VARCHAR", scope)}
              AND resident_id IN (SELECT resident_id FROM {{at_end}})"""
        suffix = f"{id(self)}_{threading.get_ident()}"
        names = {"cond": f"finance_cond_{suffix}", "at_end": f"finance_at_end_{suffix}"}
        names["claims"] = f"finance_ind_claims_{suffix}"
        try:
            self._db.execute(f"CREATE OR REPLACE TEMP TABLE {names['cond']} AS {conditions}")
            self._db.execute(
                f"CREATE OR REPLACE TEMP TABLE {names['at_end']} AS {at_end.format(cond=names['cond'])}"
            )
            self._db.execute(
                f"CREATE OR REPLACE TEMP TABLE {names['claims']} AS {claims.format(at_end=names['at_end'])}"
            )
            parts = []
            for indicator in quality.indicators:
                filters = ["true"]
                if indicator.numerator_diagnoses:
                    listed = ", ".join(_quote(c) for c in sorted(indicator.numerator_diagnoses))
                    filters.append(f"diagnosis IN ({listed})")
                if indicator.numerator_codes:
                    listed = ", ".join(_quote(c) for c in sorted(indicator.numerator_codes))
                    filters.append(f"code IN ({listed})")
                denominator_codes = ", ".join(_quote(c) for c in sorted(indicator.denominator_conditions))
                parts.append(
                    f"""
                    SELECT {_quote(indicator.id)} AS indicator, d.practice, d.period_key,
                           count(*) AS denominator,
                           count(*) FILTER (WHERE c.contact_date >= d.month_end - {windows[indicator.id]})
                               AS numerator
                    FROM (
                        SELECT DISTINCT a.practice, a.period_key, a.resident_id, a.month_end
                        FROM {names["at_end"]} a JOIN {names["cond"]} k
                          ON a.resident_id = k.resident_id AND k.code IN ({denominator_codes})
                         AND k.onset <= a.month_end
                        WHERE a.age >= {indicator.min_age}) d
                    ASOF LEFT JOIN (SELECT * FROM {names["claims"]} WHERE {" AND ".join(filters)}) c
                      ON d.resident_id = c.resident_id AND d.practice = c.practice
                     AND d.month_end >= c.contact_date
                    GROUP BY ALL"""
                )
            rows = self._query(" UNION ALL ".join(parts))
        finally:
            for name in names.values():
                self._db.execute(f"DROP TABLE IF EXISTS {name}")
        columns = [rows.column(n).to_pylist() for n in ("indicator", "practice", "period_key")]
        columns += [rows.column(n).to_pylist() for n in ("numerator", "denominator")]
        for indicator_id, practice, key, numerator, denominator in zip(*columns, strict=True):
            result[(practice, key)][indicator_id] = (int(numerator), int(denominator))
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
            if not lake_has_year(self.lake_dir, year):
                raise LakeError(
                    f"budget-neutral capitation needs the reference year {year} in the lake {self.lake_dir} "
                    f"(generate it with pht synth --years {year}-...)"
                )
            self._reference[key] = capitation_rate(cap, self._reference_totals(year, cap))
        return self._reference[key]

    def _reference_totals(self, year: int, cap: CapitationParameters) -> ReferenceTotals:
        """The reference year's totals for budget-neutral capitation, straight from two DuckDB
        aggregates: resident-days per practice-month and cell, claims per practice-month and code.

        The same sums as ``reference_totals`` over fee settlements of every practice-month (base
        grant rounded per practice-month, reimbursements per code line; raw weights exact), but
        without the copayment ceiling and the statements, which budget neutrality does not use."""
        periods = periods_of_year(year)
        scope = self.practice_ids()
        cell_params = month_parameters(periods[0]).capitation
        labels = [b.label for b in sorted(cell_params.age_bands, key=lambda b: b.min_age)]
        rows = self._cell_rows(periods, scope, cell_params)
        resident_days = 0
        fee_total = Decimal(0)
        weighted = Decimal(0)
        with localcontext() as ctx:
            ctx.prec = PRECISION
            by_month = rows.group_by(["practice", "period_key"]).aggregate([("resident_days", "sum")])
            for key, days in zip(
                by_month.column("period_key").to_pylist(),
                by_month.column("resident_days_sum").to_pylist(),
                strict=True,
            ):
                base = month_parameters(Period(key // 100, key % 100)).base_grant
                resident_days += int(days)
                fee_total += money(base.rate_per_year * int(days) / base.days_in_year)
            by_cell = rows.group_by(["sex", "band_index", "level", "kommunenummer"]).aggregate(
                [("resident_days", "sum")]
            )
            for sex, band, level, kommune, days in zip(
                *(
                    by_cell.column(n).to_pylist()
                    for n in ("sex", "band_index", "level", "kommunenummer", "resident_days_sum")
                ),
                strict=True,
            ):
                if not 0 <= band < len(labels):
                    raise LakeError("a resident's age is in no capitation age band")
                weighted += cap.raw_weight(sex, labels[band], int(level), kommune) * int(days)
        billed = ", ".join(_quote(b) for b in BILLED_BY_PRACTICE)
        counts = self._query(
            f"""WITH {self._priced_sql([year], scope)}
            SELECT practice, period_key, code, count(*) AS claims FROM priced
            WHERE billed_by IN ({billed}) AND {self._scope_sql("practice", scope)}
              AND period_key BETWEEN {year * 100 + 1} AND {year * 100 + 12}
            GROUP BY ALL"""
        )
        for key, code, claims in zip(
            *(counts.column(n).to_pylist() for n in ("period_key", "code", "claims")), strict=True
        ):
            tariff = month_parameters(Period(key // 100, key % 100)).schedule.tariff(str(code))
            fee_total += money(tariff.reimbursement * int(claims))
        return ReferenceTotals(
            year=year, resident_days=resident_days, raw_weighted_days=weighted, fee_total=fee_total
        )

    def settle(
        self,
        periods: Sequence[Period],
        practices: Sequence[str] | None = None,
        rate: CapitationRate | None = None,
    ) -> list[SettledMonth]:
        """Both models' settlements of every practice in scope (all if None) and period.

        ``rate`` overrides the capitation rate (otherwise from the parameters and reference year)."""
        reference = None
        if rate is None and periods:
            # the reference year's passes run while the year's are running
            first = month_parameters(min(periods))
            reference = ThreadPoolExecutor(max_workers=1)
            reference_job = reference.submit(
                self._timed, "reference year (budget-neutral rate)", self.capitation_rate, first
            )
        try:
            months = self.practice_months(periods, practices)
            if reference is not None:
                reference_job.result()
        finally:
            if reference is not None:
                reference.shutdown()
        own = self.own_model()
        started = time.perf_counter()
        result = []
        provenances: dict[Period, tuple[dict[str, object], ...]] = {}  # the same for every practice
        for month in sorted(months.values(), key=lambda m: (m.period, m.practice)):
            params = month_parameters(month.period)
            cap_rate = rate if rate is not None else self.capitation_rate(params)
            provenance = provenances.get(month.period)
            if provenance is None:
                provenance = provenances[month.period] = params.provenance()
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


def _cell_order(cell: CapitationCell) -> tuple[str, str, int, str, int, int]:
    """The dataclass order of ``CapitationCell`` as a sort key (a key is much cheaper than ``<``)."""
    return (
        cell.sex,
        cell.age_band,
        cell.morbidity_level,
        cell.municipality,
        cell.resident_days,
        cell.residents,
    )


def _quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def _ore(amount: Decimal) -> int:
    ore = amount * 100
    if ore != ore.to_integral_value():
        raise ValueError(f"amount {amount} is not a whole number of øre")
    return int(ore)


def _tariff_rows() -> list[tuple[str, datetime.date, datetime.date, int, int]]:
    """Every fee schedule version's copayment per code (øre), with its validity and exemption age."""
    rows = []
    for version in parameter_versions("fee_schedule"):
        schedule = FeeSchedule.from_mapping(version.values)
        for tariff in schedule.tariffs.values():
            valid_to = version.valid_to or datetime.date(9999, 12, 31)
            rows.append(
                (
                    tariff.code,
                    version.valid_from,
                    valid_to,
                    _ore(tariff.copayment),
                    schedule.copayment_exempt_under_age,
                )
            )
    return rows


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
