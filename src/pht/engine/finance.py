"""Monthly settlements from the lake: every practice under its own financing model and the other (shadow).

The heavy work — list spells x months, ages and morbidity, claim counts and copayment sums,
quality-indicator numerators and denominators — is SQL run by DuckDB over the Parquet lake
(``_Passes``), one pass per purpose: capitation cells, claims with the copayment ceiling, quality
indicators. The passes yield one ``PracticeMonth`` aggregate per practice and month, the same
aggregate ``pht.rules.financing.aggregate_practice_month`` builds from Python records; the money
is then computed by the pure rules (``settle_fee_model`` / ``settle_capitation_model``), so the
engine and the rules agree to the øre whenever their aggregates agree (tested on shared fixtures
and generated lakes).

Capitation cells: most list spells cover every month of a year in one cell (listed all year, no
birthday across an age band, no new chronic condition); they are counted once per cell and
multiplied by each month's days. Only the other spells are expanded month by month.

Copayments are priced from the fee schedule in force on each claim's date (not taken from the
lake's amount columns), exemption by age on that date, and the yearly ceiling applied with a
window over each person's claims of the year in (date, claim id) order — the same arithmetic as
``pht.rules.copayment``, so the settlement does not depend on how the lake's writer split them.
A claim counts for the practice that billed it; the ceiling counts every claim of the person's
year, from any provider. Only people whose copayments of the year pass the ceiling go through
the ordered window.

Budget-neutral capitation needs the reference year (``capitation.toml``): the totals the fee
model would pay all practices of the lake that year (base grant rounded per practice-month,
reimbursements per code line) and the raw weighted resident-days fix the normalisation divisor
and the rate (``pht.rules.financing.capitation_rate``). They come from the same two aggregates
(cells, claims per code); when the whole lake is settled, the reference year is computed in the
same passes as the settled months.
"""

from __future__ import annotations

import datetime
import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pht.engine.finance_params import MonthParameters, month_parameters, nurse_funding
from pht.engine.lake import connect, table
from pht.lake import LakeError, lake_files
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
    base_grant_exact,
    capitation_cell_rate,
    capitation_line_exact,
    capitation_rate,
    components_of,
    exempt_copayments,
    indicator_score,
    money,
    nurse_allowance,
    quality_line_exact,
    settle_capitation_model,
    settle_fee_model,
)
from pht.rules.financing.frame import YearFrame, apply_frame, share_month, year_frame
from pht.rules.financing.settle import PRECISION

BILLED_BY_PRACTICE = ("gp", "nurse")
_NAMES = itertools.count()  # suffixes for the work tables of concurrent passes
# The bulk settlement's stages in order (``settlement_table``'s ``progress``), each with its share of
# the wall time of ``pht bench finance`` on the nation-scale lake (README "Performance", 6 December:
# cells 5.1-5.8 s, claims 5.7-8.6 s, indicators 4.0-4.5 s, reference 0.3 s, money 3.1-3.3 s): the
# residents on the lists and their capitation cells, the claims and the copayment ceiling, the quality
# indicators, the reference year's totals (budget-neutral capitation) and the money by the rules.
SETTLEMENT_STAGES: tuple[tuple[str, float], ...] = (
    ("cells", 0.28),
    ("claims", 0.34),
    ("indicators", 0.21),
    ("reference", 0.02),
    ("money", 0.15),
)
SettlementProgress = Callable[[str, float], None]


class _StageReport:
    """Calls ``progress(stage, fraction)`` as each of ``SETTLEMENT_STAGES`` ends, in order, with the
    fraction of the settlement done (the last exactly 1.0); without a callback it does nothing."""

    def __init__(self, progress: SettlementProgress | None) -> None:
        self.progress = progress
        self.total = sum(weight for _, weight in SETTLEMENT_STAGES)
        self.done = 0.0
        self.next = 0

    def __call__(self, stage: str) -> None:
        if self.progress is None:
            return
        name, weight = SETTLEMENT_STAGES[self.next]
        if name != stage:  # a programming error: the stages are reported in their order
            raise RuntimeError(f"settlement stage {stage!r} reported where {name!r} was due")
        self.next += 1
        self.done += weight
        self.progress(stage, 1.0 if self.next == len(SETTLEMENT_STAGES) else self.done / self.total)


def periods_of_year(year: int) -> tuple[Period, ...]:
    return tuple(Period(year, m) for m in range(1, 13))


@dataclass(frozen=True)
class Aggregates:
    """What the DuckDB passes produce for a set of practice-months (Arrow tables, one row per group)."""

    cells: pa.Table  # practice, period_key, sex, band_index, level, kommunenummer, resident_days, residents
    codes: pa.Table  # practice, period_key, code, claims, exempt, patient, state (øre)
    indicators: pa.Table | None  # indicator, practice, period_key, numerator, denominator

    def of_periods(self, periods: Iterable[Period]) -> Aggregates:
        keys = pa.array(sorted({p.year * 100 + p.month for p in periods}), pa.int64())

        def pick(rows: pa.Table) -> pa.Table:
            return rows.filter(pc.is_in(rows.column("period_key").cast(pa.int64()), value_set=keys))

        return Aggregates(
            pick(self.cells), pick(self.codes), pick(self.indicators) if self.indicators is not None else None
        )

    def of_practices(self, practices: Iterable[str]) -> Aggregates:
        wanted = pa.array(sorted(set(practices)), pa.string())

        def pick(rows: pa.Table) -> pa.Table:
            return rows.filter(pc.is_in(rows.column("practice"), value_set=wanted))

        return Aggregates(
            pick(self.cells), pick(self.codes), pick(self.indicators) if self.indicators is not None else None
        )


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
        # every practice's cells and claim counts of a reference year, once aggregated (for the rate)
        self._reference_aggregates: dict[int, Aggregates] = {}
        self._teams: dict[str, tuple[int, datetime.date]] | None = None
        self._files: dict[tuple[str, tuple[int, ...] | None], list[str]] = {}
        self._frames: dict[tuple[int, tuple[str, ...]], YearFrame] = {}
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

    def team_lists(self, practice: str, period: Period) -> int:
        """GP lists of a practice with a team in the period (a pilot practice from its start), for
        the capitation model's nurse allowance; 0 for a practice without one."""
        if self._teams is None:
            self._teams = {
                row["practice_orgnr"]: (int(row["gp_count"] or 0), row["pilot_start"])
                for row in self.practices.select(
                    ["practice_orgnr", "gp_count", "pilot", "pilot_start"]
                ).to_pylist()
                if row["pilot"] and row["pilot_start"] is not None
            }
        team = self._teams.get(practice)
        if team is None or team[1] > period.end:
            return 0
        return team[0]

    def practice_info(self) -> dict[str, dict[str, Any]]:
        return {row["practice_orgnr"]: row for row in self.practices.to_pylist()}

    def files(self, name: str, years: Iterable[int] | None = None) -> list[str]:
        """A dataset's schema-checked files (of the given years), listed and checked once."""
        key = (name, tuple(sorted(set(years))) if years is not None else None)
        if key not in self._files:
            files = lake_files(self.lake_dir, name, key[1])
            if not files:
                raise LakeError(f"lake {self.lake_dir}: dataset {name!r} has no files")
            self._files[key] = files
        return self._files[key]

    # --- aggregation ----------------------------------------------------------------------------

    @contextmanager
    def _passes(self) -> Iterator[_Passes]:
        passes = _Passes(self)
        try:
            yield passes
        finally:
            passes.close()

    def _timed(self, stage: str, started: float) -> None:
        self.timings[stage] += time.perf_counter() - started

    def aggregates(
        self,
        periods: Sequence[Period],
        scope: Sequence[str],
        *,
        indicators: bool = True,
        count_periods: Sequence[Period] = (),
        stage_done: Callable[[str], None] | None = None,
    ) -> Aggregates:
        """The DuckDB passes for the periods and practices in scope.

        ``count_periods``: more months (the reference year's) whose cells and claim counts come
        in the same passes; their copayments are not split at the ceiling (not needed there).
        ``stage_done(stage)``, when given, is called as the cells, claims and indicators (also when
        skipped) are done."""
        done = stage_done or (lambda _stage: None)
        params = month_parameters(min(periods))
        every = sorted(set(periods) | set(count_periods))
        with self._passes() as passes:
            started = time.perf_counter()
            passes.conditions(params.capitation, params.quality if indicators else None)
            cells = passes.cell_rows(every, scope, params.capitation)
            self._timed("list residents and capitation cells", started)
            done("cells")
            started = time.perf_counter()
            codes = passes.claim_rows(every, scope, ceiling_years={p.year for p in periods})
            self._timed("claims and copayment ceiling", started)
            done("claims")
            counted = None
            if indicators:
                started = time.perf_counter()
                counted = passes.indicator_rows(periods, scope, params.quality)
                self._timed("quality indicators", started)
            done("indicators")
        return Aggregates(cells, codes, counted)

    def practice_months(
        self, periods: Sequence[Period], practices: Sequence[str] | None = None, *, indicators: bool = True
    ) -> dict[tuple[str, Period], PracticeMonth]:
        """One aggregate per practice in scope (all if None) and period.

        ``indicators=False`` skips the quality indicators (all zero): enough for the fee model."""
        if not periods:
            return {}
        periods = sorted(set(periods))
        scope = list(practices) if practices is not None else self.practice_ids()
        return self._practice_months(
            periods, scope, self.aggregates(periods, scope, indicators=indicators), indicators=indicators
        )

    def _practice_months(
        self, periods: Sequence[Period], scope: Sequence[str], aggregates: Aggregates, *, indicators: bool
    ) -> dict[tuple[str, Period], PracticeMonth]:
        started = time.perf_counter()
        params = month_parameters(min(periods))
        cells, totals = _cells_by_practice_month(aggregates.cells, params.capitation)
        codes: dict[tuple[str, int], list[tuple[str, int, int, int, int]]] = defaultdict(list)
        columns = [
            aggregates.codes.column(n).to_pylist()
            for n in ("practice", "period_key", "code", "claims", "exempt", "patient", "state")
        ]
        for practice, key, code, claims, exempt, patient, state in zip(*columns, strict=True):
            codes[(practice, key)].append((str(code), int(claims), int(exempt), int(patient), int(state)))
        counted: dict[tuple[str, int], dict[str, tuple[int, int]]] = defaultdict(dict)
        if aggregates.indicators is not None:
            columns = [
                aggregates.indicators.column(n).to_pylist()
                for n in ("indicator", "practice", "period_key", "numerator", "denominator")
            ]
            for indicator_id, practice, key, numerator, denominator in zip(*columns, strict=True):
                counted[(practice, key)][indicator_id] = (int(numerator), int(denominator))
        result: dict[tuple[str, Period], PracticeMonth] = {}
        for practice in scope:
            for period in periods:
                k = (practice, period.year * 100 + period.month)
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
        self._timed("practice-month aggregates (Python)", started)
        return result

    # --- the capitation frame -------------------------------------------------------------------

    def frame_groups(self) -> dict[str, tuple[str, ...]]:
        """The groups whose capitation statements share a frame: the pilot practices paid under the
        capitation model, and (the shadow) the pilot practices paid under the fee model. Other
        practices' capitation statements are not framed (no team, not in the pilot)."""
        rows = self.practices.select(["practice_orgnr", "pilot"]).to_pylist()
        own = self.own_model()
        pilot = sorted(r["practice_orgnr"] for r in rows if r["pilot"])
        return {model: tuple(p for p in pilot if own.get(p, FEE) == model) for model in (CAPITATION, FEE)}

    def nurse_allowance(self, practice: str, period: Period) -> Decimal:
        """The nurse allowance a practice's capitation statement pays for the month (0 without a team)."""
        return nurse_allowance(
            nurse_funding(period.start),
            self.team_lists(practice, period),
            period.days,
            month_parameters(period).capitation.days_in_year,
        )

    def year_frame(self, year: int, practices: Sequence[str]) -> YearFrame:
        """The capitation frame of a group of practices for a year: their reference-year income under
        the fee model (base grant and GP reimbursements, by the engine's fee settlement of the
        reference year) + their nurse allowances of the year, split into months."""
        group = tuple(sorted(practices))
        key = (year, group)
        if key not in self._frames:
            cap = month_parameters(Period(year, 1)).capitation
            if not lake_has_year(self.lake_dir, cap.reference_year):
                raise LakeError(
                    f"the capitation frame needs the reference year {cap.reference_year} in the lake "
                    f"{self.lake_dir} (generate it with pht synth --years {cap.reference_year}-...)"
                )
            reference_periods = periods_of_year(cap.reference_year)
            known = self._reference_aggregates.get(cap.reference_year)
            if known is not None:  # aggregated with the rate: the same rows, no second pass over the lake
                reference = _component_table(
                    self, reference_periods, group, known.of_practices(group), None, frame=False
                )
            else:
                reference = self.settlement_table(reference_periods, group, frame=False)
            income = Decimal("0.00")
            for row in reference.filter(pc.equal(reference.column("model"), FEE)).to_pylist():
                income += row["base_grant"] + row["fee_reimbursement"]
            months = [
                (str(p), p.days, sum((self.nurse_allowance(x, p) for x in group), Decimal("0.00")))
                for p in periods_of_year(year)
            ]
            try:
                self._frames[key] = year_frame(
                    year, group, income, months, nurse_funding(Period(year, 1).start).quality_share
                )
            except ValueError as exc:
                raise LakeError(str(exc)) from None
        return self._frames[key]

    def frame_shares(
        self,
        periods: Sequence[Period],
        weights: dict[tuple[str, Period], tuple[Decimal, Decimal]],
        rate: CapitationRate | None = None,
    ) -> dict[tuple[str, Period], tuple[YearFrame, Decimal, Decimal]]:
        """(frame, needs-weighted capitation, quality grant) of each framed practice-month among
        ``weights`` (its capitation at the budget-neutral rate without the nurse allowance, and its
        points-based quality grant). A month is shared among every practice of its group, so the
        weights of group members outside ``weights`` are settled too (without the frame).

        Only months of a budget-neutral capitation are framed (the frame is what budget neutrality
        becomes with the team); a fixed rate (the parameters' or ``rate``) pays as the rules do."""
        groups = [g for g in self.frame_groups().values() if g]
        framed = [
            p
            for p in periods
            if (rate if rate is not None else self.capitation_rate(month_parameters(p))).budget_neutral
        ]
        wanted = {(x, p) for p in framed for g in groups if any((y, p) in weights for y in g) for x in g}
        missing = sorted(k for k in wanted if k not in weights)
        weights = dict(weights)
        if missing:
            table = self.settlement_table(
                sorted({p for _, p in missing}), sorted({x for x, _ in missing}), rate, frame=False
            )
            for row in table.filter(pc.equal(table.column("model"), CAPITATION)).to_pylist():
                k = (row["practice_orgnr"], Period.parse(row["period"]))
                if k in wanted and k not in weights:
                    allowance = self.nurse_allowance(*k)
                    weights[k] = (row["capitation"] - allowance, row["quality_grant"])
        result: dict[tuple[str, Period], tuple[YearFrame, Decimal, Decimal]] = {}
        for period in framed:
            for group in groups:
                if not any((x, period) in wanted for x in group):
                    continue
                frame = self.year_frame(period.year, group)
                try:
                    shares = share_month(
                        frame.month(str(period)),
                        [weights[(x, period)][0] for x in frame.practices],
                        [weights[(x, period)][1] for x in frame.practices],
                    )
                except ValueError as exc:
                    raise LakeError(f"{period}: {exc}") from None
                for practice, (needs, quality) in zip(frame.practices, shares, strict=True):
                    result[(practice, period)] = (frame, needs, quality)
        return result

    # --- settlement -----------------------------------------------------------------------------

    def capitation_rate(self, params: MonthParameters) -> CapitationRate:
        """The rate and normalisation divisor (budget-neutral against the reference year by default)."""
        cap = params.capitation
        if not cap.budget_neutral:
            return capitation_rate(cap, None)
        if not lake_has_year(self.lake_dir, cap.reference_year):
            raise LakeError(
                f"budget-neutral capitation needs the reference year {cap.reference_year} in the lake "
                f"{self.lake_dir} (generate it with pht synth --years {cap.reference_year}-...)"
            )
        key = _reference_key(params)
        if key not in self._reference:
            periods = periods_of_year(cap.reference_year)
            aggregates = self.aggregates(periods, self.practice_ids(), indicators=False)
            self._reference_aggregates[cap.reference_year] = aggregates
            self._reference[key] = capitation_rate(
                cap, self._reference_totals(cap.reference_year, aggregates)
            )
        return self._reference[key]

    def _reference_totals(self, year: int, aggregates: Aggregates) -> ReferenceTotals:
        """The reference year's totals for budget-neutral capitation from two aggregates of every
        practice: resident-days per practice-month and cell, claims per practice-month and code.

        The same sums as ``reference_totals`` over fee settlements of every practice-month (base
        grant rounded per practice-month, reimbursements per code line; raw weights exact), but
        without the copayment ceiling and the statements, which budget neutrality does not use."""
        started = time.perf_counter()
        reference = aggregates.of_periods(periods_of_year(year))
        rows = reference.cells
        cap = month_parameters(Period(year, 1)).capitation
        labels = [b.label for b in sorted(cap.age_bands, key=lambda b: b.min_age)]
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
                fee_total += money(base_grant_exact(base, int(days)))
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
        counts = reference.codes.group_by(["period_key", "code"]).aggregate([("claims", "sum")])
        for key, code, claims in zip(
            *(counts.column(n).to_pylist() for n in ("period_key", "code", "claims_sum")), strict=True
        ):
            tariff = month_parameters(Period(key // 100, key % 100)).schedule.tariff(str(code))
            if tariff.is_nurse:  # nurse work has its own allowance: not in the reference income
                continue
            fee_total += money(tariff.reimbursement * int(claims))
        self._timed("reference year totals (Python)", started)
        return ReferenceTotals(
            year=year, resident_days=resident_days, raw_weighted_days=weighted, fee_total=fee_total
        )

    def _settled_aggregates(
        self,
        periods: Sequence[Period],
        practices: Sequence[str] | None,
        rate: CapitationRate | None,
        stage_done: Callable[[str], None] | None = None,
    ) -> tuple[list[Period], list[str], Aggregates]:
        """The aggregates of the periods and practices in scope; when the whole lake is settled
        with a budget-neutral rate not yet known, the reference year comes in the same passes.
        ``stage_done`` as in ``aggregates``, and for the reference year's totals (also when not
        computed here)."""
        periods = sorted(set(periods))
        everyone = self.practice_ids()
        scope = list(practices) if practices is not None else everyone
        first = month_parameters(periods[0])
        key = _reference_key(first)
        reference_periods: tuple[Period, ...] = ()
        if (
            rate is None
            and first.capitation.budget_neutral
            and key not in self._reference
            and set(scope) == set(everyone)
            and lake_has_year(self.lake_dir, first.capitation.reference_year)
        ):
            reference_periods = periods_of_year(first.capitation.reference_year)
        aggregates = self.aggregates(periods, scope, count_periods=reference_periods, stage_done=stage_done)
        if reference_periods:
            reference_year = first.capitation.reference_year
            self._reference_aggregates[reference_year] = aggregates.of_periods(reference_periods)
            totals = self._reference_totals(reference_year, aggregates)
            self._reference[key] = capitation_rate(first.capitation, totals)
        if stage_done is not None:
            stage_done("reference")
        return periods, scope, aggregates.of_periods(periods)

    def settle(
        self,
        periods: Sequence[Period],
        practices: Sequence[str] | None = None,
        rate: CapitationRate | None = None,
        *,
        frame: bool = True,
    ) -> list[SettledMonth]:
        """Both models' statements (lines and explanations, by the pure rules) of every practice in
        scope (all if None) and period.

        ``rate`` overrides the capitation rate (otherwise from the parameters and reference year).
        ``frame``: the pilot practices' capitation statements pay their share of their group's
        capitation frame (``frame_shares``); without it, the rules' statements as they are."""
        if not periods:
            return []
        periods, scope, aggregates = self._settled_aggregates(periods, practices, rate)
        months = self._practice_months(periods, scope, aggregates, indicators=True)
        own = self.own_model()
        team_lists = self.team_lists
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
                month,
                params.capitation,
                cap_rate,
                params.quality,
                params.schedule,
                provenance,
                nurse=nurse_funding(month.period.start),
                gp_lists=team_lists(month.practice, month.period),
            )
            result.append(SettledMonth(month, fee, cap, own.get(month.practice, FEE)))
        self._timed("money (pure rules, Python)", started)
        if not frame:
            return result
        weights = {
            (item.month.practice, item.month.period): (
                item.capitation.components["capitation"]
                - self.nurse_allowance(item.month.practice, item.month.period),
                item.capitation.components["quality_grant"],
            )
            for item in result
        }
        shares = self.frame_shares(periods, weights, rate)
        framed = []
        for item in result:
            key = (item.month.practice, item.month.period)
            if key in shares:
                year, needs, quality = shares[key]
                cap = apply_frame(item.capitation, year, needs, quality, *weights[key])
                item = SettledMonth(item.month, item.fee, cap, item.own_model)
            framed.append(item)
        return framed

    def settlement_table(
        self,
        periods: Sequence[Period],
        practices: Sequence[str] | None = None,
        rate: CapitationRate | None = None,
        *,
        frame: bool = True,
        progress: SettlementProgress | None = None,
    ) -> pa.Table:
        """The bulk path: both models' components of every practice in scope and period, one row
        per practice, month and model (``SETTLEMENT_SCHEMA``), without statement lines; ``frame``
        as in ``settle``.

        ``progress(stage, fraction)``, when given, is called once as each of ``SETTLEMENT_STAGES``
        ends, in their order, with the fraction of the settlement done (rising to 1.0 at the last);
        a stage with nothing to do (the reference year already known) ends at once, and a reference
        year not in the same passes is counted in the money's stage. It does not change the result;
        an exception it raises stops the settlement.

        The same aggregates as ``settle``, and each line's amount by the same functions of the
        rules (``base_grant_exact``, ``capitation_cell_rate``, ``capitation_line_exact``,
        ``quality_line_exact``, ``exempt_copayments``), rounded per line and summed as the
        statements do, so the two agree to the øre (tested); only no line objects are made."""
        report = _StageReport(progress)
        if not periods:
            for stage, _weight in SETTLEMENT_STAGES:
                report(stage)
            return SETTLEMENT_SCHEMA.empty_table()
        periods, scope, aggregates = self._settled_aggregates(periods, practices, rate, report)
        started = time.perf_counter()
        table = _component_table(self, periods, scope, aggregates, rate, frame)
        self._timed("money (bulk, Python)", started)
        report("money")
        return table


class _Passes:
    """The DuckDB passes of one aggregation, on one cursor, with the work tables they share
    (dropped on ``close``)."""

    def __init__(self, lake: FinanceLake) -> None:
        self.lake = lake
        self.db = lake.con.con.cursor()
        self.suffix = f"{next(_NAMES)}"
        self.tables: list[str] = []
        self.views: list[str] = []
        self.cond = ""  # the conditions work table, once made

    def close(self) -> None:
        for name in self.tables:
            self.db.execute(f"DROP TABLE IF EXISTS {name}")
        for name in self.views:
            self.db.unregister(name)
        self.db.close()

    # helpers

    def files_sql(self, name: str, years: Iterable[int] | None = None) -> str:
        """``read_parquet([...])`` over a dataset's schema-checked files."""
        files = self.lake.files(name, years)
        listing = ", ".join(_quote(f) for f in files)
        return f"read_parquet([{listing}], hive_partitioning=false)"

    def work_table(self, stem: str, sql: str) -> str:
        name = f"finance_{stem}_{self.suffix}"
        self.tables.append(name)
        try:
            self.db.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")
        except duckdb.InvalidInputException as exc:
            raise LakeError(f"lake {self.lake.lake_dir}: {_message(exc)}") from exc
        return name

    def query(self, sql: str) -> pa.Table:
        try:
            return self.db.sql(sql).to_arrow_table()
        except duckdb.InvalidInputException as exc:
            raise LakeError(f"lake {self.lake.lake_dir}: {_message(exc)}") from exc

    def scope_sql(self, column: str, scope: Sequence[str]) -> str:
        if not scope:
            return "false"
        # a hash semi join on a registered table, not a chain of comparisons: scopes run to
        # thousands of practices
        name = f"finance_scope_{self.suffix}_{len(self.views)}"
        self.views.append(name)
        self.db.register(name, pa.table({"practice": pa.array(list(scope), pa.string())}))
        return f"{column} IN (SELECT practice FROM {name})"

    # passes

    def conditions(self, capitation: CapitationParameters, quality: QualityParameters | None) -> None:
        """Each person's first onset of every condition either the capitation cells (chronic
        conditions) or the quality indicators (denominator conditions) ask about, read once."""
        codes = set(capitation.chronic_codes)
        if quality is not None:
            for indicator in quality.indicators:
                codes |= set(indicator.denominator_conditions)
        listed = ", ".join(_quote(c) for c in sorted(codes)) or "NULL"
        self.cond = self.work_table(
            "cond",
            f"""SELECT resident_id, icpc2::VARCHAR AS code, min(onset_date) AS onset
            FROM {self.files_sql("conditions")} WHERE icpc2::VARCHAR IN ({listed}) GROUP BY ALL""",
        )

    def cell_rows(
        self, periods: Sequence[Period], scope: Sequence[str], params: CapitationParameters
    ) -> pa.Table:
        """Resident-days and spells per practice, month and capitation cell.

        Per year of the periods (a window), a spell listed over every month of the window whose
        age band and morbidity level are the same on the first days of its first and last month
        (both only grow) is in one cell all along: such spells are counted per cell and
        multiplied by each month's days. The others are expanded over the months they touch
        (``generate_series``). Dates are compared as integers (``yyyymmdd`` for ages)."""
        top = len(params.morbidity_factors) - 1
        ordered = sorted(params.age_bands, key=lambda b: b.min_age)

        def band(age: str) -> str:
            return " + ".join(f"(({age}) >= {b.min_age})::INTEGER" for b in ordered[1:]) or "0"

        def level(day: str) -> str:
            terms = [f"coalesce(onset_{k} <= {day}, false)::INTEGER" for k in range(1, top + 1)]
            return " + ".join(terms) or "0"

        by_year: dict[int, list[Period]] = defaultdict(list)
        for period in periods:
            by_year[period.year].append(period)
        windows = ", ".join(
            f"({year}, {min(ps).year * 12 + min(ps).month - 1}, {max(ps).year * 12 + max(ps).month - 1}, "
            f"DATE '{min(ps).start}', DATE '{max(ps).end}', DATE '{max(ps).start}', "
            f"{_key(min(ps).start)}, {_key(max(ps).start)})"
            for year, ps in sorted(by_year.items())
        )
        months = ", ".join(
            f"({p.year}, {p.year * 12 + p.month - 1}, {p.year * 100 + p.month}, DATE '{p.start}', "
            f"DATE '{p.end}', {_key(p.start)}, {p.days})"
            for p in periods
        )
        first, last = min(periods).start, max(periods).end
        # practices numbered, sex and municipality as small integers: grouping on integers is
        # cheaper than on text
        numbered = f"finance_numbered_{self.suffix}"
        self.views.append(numbered)
        self.db.register(
            numbered,
            pa.table(
                {
                    "practice": pa.array(list(scope), pa.string()),
                    "practice_no": pa.array(range(len(scope)), pa.int32()),
                }
            ),
        )
        onset_columns = "".join(f", onset_{k}" for k in range(1, top + 1))
        if top > 0:
            chronic = ", ".join(_quote(c) for c in sorted(params.chronic_codes)) or "NULL"
            pivot = ", ".join(f"min(onset) FILTER (WHERE k = {k}) AS onset_{k}" for k in range(1, top + 1))
            onsets = f"""
            onsets AS (
                SELECT resident_id, {pivot} FROM (
                    SELECT resident_id, onset,
                           row_number() OVER (PARTITION BY resident_id ORDER BY onset, code) AS k
                    FROM {self.cond} WHERE code IN ({chronic}))
                WHERE k <= {top} GROUP BY resident_id),"""
            join_onsets = "LEFT JOIN onsets USING (resident_id)"
        else:
            onsets = join_onsets = ""
        sql = f"""
        WITH {onsets}
        windows(w, first_m, last_m, first_day, last_day, last_start, first_key, last_key) AS (VALUES {windows}),
        months(w, month_no, period_key, month_start, month_end, start_key, days) AS (VALUES {months}),
        spells AS (
            SELECT x.practice_no AS practice,
                   CASE sex::VARCHAR WHEN 'F' THEN 1 WHEN 'M' THEN 0
                       ELSE error('residents: resident ' || resident_id || ' has sex '
                                  || coalesce(sex::VARCHAR, 'missing') || ', not F or M') END::TINYINT AS sex,
                   CASE WHEN TRY_CAST(kommunenummer::VARCHAR AS SMALLINT) IS NULL
                       THEN error('residents: resident ' || resident_id || ' has kommunenummer '
                                  || coalesce(kommunenummer::VARCHAR, 'missing') || ', not a number')
                       ELSE TRY_CAST(kommunenummer::VARCHAR AS SMALLINT) END AS kommunenummer,
                   list_from, list_to,
                   year(birth_date) * 10000 + month(birth_date) * 100 + day(birth_date) AS birth_key,
                   year(list_from) * 10000 + month(list_from) * 100 + day(list_from) AS from_key,
                   year(list_from) * 12 + month(list_from) - 1 AS m_from,
                   year(list_to) * 12 + month(list_to) - 1 AS m_to
                   {onset_columns}
            FROM {self.files_sql("residents")} r JOIN {numbered} x ON x.practice = r.practice_orgnr::VARCHAR
            {join_onsets}
            WHERE list_from <= DATE '{last}' AND (list_to IS NULL OR list_to >= DATE '{first}')),
        windowed AS (
            SELECT s.*, w.w, w.first_key, w.first_day,
                   greatest(s.m_from, w.first_m) AS m0, least(coalesce(s.m_to, w.last_m), w.last_m) AS m1,
                   s.list_from <= w.first_day AND coalesce(s.list_to >= w.last_day, true)
                   AND {level("w.first_day")} = {level("w.last_start")}
                   AND {band("(w.first_key - s.birth_key) // 10000")} = {band("(w.last_key - s.birth_key) // 10000")}
                       AS whole
            FROM spells s CROSS JOIN windows w
            WHERE s.list_from <= w.last_day AND (s.list_to IS NULL OR s.list_to >= w.first_day)),
        whole_cells AS (
            SELECT g.practice, m.period_key, g.sex, g.band_index, g.level, g.kommunenummer,
                   g.spells * m.days AS resident_days, g.spells AS residents
            FROM (
                SELECT w, practice, sex, {band("greatest((first_key - birth_key) // 10000, 0)")} AS band_index,
                       {level("first_day")} AS level, kommunenummer, count(*) AS spells
                FROM windowed WHERE whole GROUP BY ALL) g
            JOIN months m USING (w)),
        staged AS (
            SELECT e.practice, e.sex, e.kommunenummer, e.list_to {onset_columns.replace(", ", ", e.")},
                   m.period_key, m.month_end, greatest(e.list_from, m.month_start) AS day_one,
                   greatest((greatest(e.from_key, m.start_key) - e.birth_key) // 10000, 0) AS age
            FROM (SELECT *, unnest(generate_series(m0, m1)) AS month_no FROM windowed WHERE NOT whole) e
            JOIN months m USING (w, month_no)),
        part_cells AS (
            SELECT practice, period_key, sex, {band("age")} AS band_index, {level("day_one")} AS level,
                   kommunenummer, sum(least(coalesce(list_to, month_end), month_end) - day_one + 1) AS resident_days,
                   count(*) AS residents
            FROM staged GROUP BY ALL)
        SELECT x.practice, c.period_key, CASE c.sex WHEN 1 THEN 'F' ELSE 'M' END AS sex, c.band_index, c.level,
               lpad(c.kommunenummer::VARCHAR, 4, '0') AS kommunenummer, c.resident_days, c.residents
        FROM (
            SELECT practice, period_key, sex, band_index, level, kommunenummer,
                   sum(resident_days)::BIGINT AS resident_days, sum(residents)::BIGINT AS residents
            FROM (SELECT * FROM whole_cells UNION ALL SELECT * FROM part_cells)
            GROUP BY ALL) c
        JOIN {numbered} x ON x.practice_no = c.practice
        """
        return self.query(sql)

    def claim_rows(
        self, periods: Sequence[Period], scope: Sequence[str], ceiling_years: set[int]
    ) -> pa.Table:
        """Claim counts per code, exempt counts and the copayment split (øre), per practice-month.

        The copayment ceiling is applied (for the months of ``ceiling_years``) with a window over
        each person's claims of the calendar year from every provider, in (date, claim id) order,
        exactly as ``pht.rules.financing.copayment_splits`` does with ``pht.rules.copayment``.
        Only people whose copayments of the year pass the ceiling (few) need the ordered window;
        everyone else pays every copayment themselves."""
        years = sorted({p.year for p in periods})
        whole_years = set(periods) == {q for y in years for q in periods_of_year(y)}
        keys = ", ".join(str(p.year * 100 + p.month) for p in periods)
        in_periods = "true" if whole_years else f"period_key IN ({keys})"
        billed = ", ".join(_quote(b) for b in BILLED_BY_PRACTICE)
        tariffs = _tariff_rows()
        copayment, exempt_age = _tariff_case_sql(tariffs, "c.contact_date", "c.tariff_code::VARCHAR")
        ceilings = [
            (y, _ore(month_parameters(Period(y, 1)).ceilings[y])) for y in years if y in ceiling_years
        ]
        # birth dates only of people young enough to be exempt on some claim date (a small table)
        oldest = max((age for *_, age in tariffs), default=0)
        youngest_birth = datetime.date(min(years) - oldest - 1, 1, 1)
        kids = self.work_table(
            "kids",
            f"""SELECT resident_id, min(birth_date) AS birth_date FROM {self.files_sql("residents")}
            WHERE birth_date >= DATE '{youngest_birth}' GROUP BY resident_id""",
        )
        if len(scope) < len(self.lake.practices):
            # only the people with a claim billed by a practice in scope matter (all their claims
            # count for the ceiling)
            people = self.work_table(
                "people",
                f"""SELECT DISTINCT resident_id FROM {self.files_sql("claims", years)}
                WHERE billed_by::VARCHAR IN ({billed}) AND {self.scope_sql("practice_orgnr::VARCHAR", scope)}""",
            )
            people_filter = f"c.resident_id IN (SELECT resident_id FROM {people})"
        else:
            people_filter = "true"
        self.refuse_unknown_codes(years, people_filter)
        exempt = _exempt_sql("c.contact_date", "k.birth_date", exempt_age)

        def priced(claim_years: Sequence[int], copayments: bool) -> str:
            """The claims of the years with their code, whether billed by a practice, and — only
            if ``copayments`` — exemption and copayment due (every code is in the fee schedule of
            its day: ``refuse_unknown_codes``). Priced with CASE expressions rather than a join on
            the tariffs (cheaper; and DuckDB 2.0.0 fails with an internal error on a window over
            the join's dictionary columns)."""
            if copayments:
                extra = f"{exempt} AS exempt, {copayment} AS copayment_ore"
                join = f"LEFT JOIN {kids} k ON k.resident_id = c.resident_id"
            else:
                extra, join = f"false AS exempt, {copayment} AS copayment_ore", ""
            return f"""(
                SELECT claim_id, resident_id, contact_date, year, period_key, code, by_practice, practice, exempt,
                       CASE WHEN exempt THEN 0 ELSE copayment_ore END AS due
                FROM (
                    SELECT c.claim_id, c.resident_id, c.contact_date, c.year::INTEGER AS year,
                           c.year::INTEGER * 100 + c.month::INTEGER AS period_key,
                           c.tariff_code::VARCHAR AS code, c.billed_by::VARCHAR IN ({billed}) AS by_practice,
                           c.practice_orgnr::VARCHAR AS practice, {extra}
                    FROM {self.files_sql("claims", claim_years)} c {join}
                    WHERE {people_filter})
                WHERE copayment_ore IS NOT NULL)"""

        in_scope = self.scope_sql("practice", scope)
        split_years = [y for y in years if y in ceiling_years]
        count_years = [y for y in years if y not in ceiling_years]
        counted = " UNION ALL ".join(
            f"""SELECT practice, period_key, code, count(*) AS claims, sum(exempt::BIGINT) AS exempt, sum(due) AS due
            FROM {priced(group, copayments)} p WHERE by_practice AND {in_periods} AND {in_scope} GROUP BY ALL"""
            for group, copayments in ((split_years, True), (count_years, False))
            if group
        )
        if split_years:
            full = priced(split_years, True)
            # the people whose copayments of a year pass its ceiling, one year at a time (grouping
            # on the person alone is cheaper)
            over = self.work_table(
                "over",
                " UNION ALL ".join(
                    f"""SELECT resident_id, {year} AS year, {ceiling} AS ceiling_ore
                    FROM {priced([year], True)} p GROUP BY resident_id HAVING sum(due) > {ceiling}"""
                    for year, ceiling in ceilings
                ),
            )
            # their claims are few: materialised before the window (DuckDB 2.0.0 also fails with
            # an internal error on a window straight over the Parquet scan's dictionary columns)
            over_claims = self.work_table(
                "over_claims",
                f"""SELECT p.*, o.ceiling_ore
                FROM (SELECT * FROM {full} WHERE resident_id IN (SELECT resident_id FROM {over})) p
                JOIN {over} o USING (resident_id, year)""",
            )
            state = f"""
                SELECT practice, period_key, code, sum(due - patient) AS state FROM (
                    SELECT *, greatest(0, least(due, ceiling_ore - (sum(due) OVER (
                        PARTITION BY resident_id, year ORDER BY contact_date, claim_id
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - due))) AS patient
                    FROM {over_claims})
                WHERE by_practice AND {in_periods} AND {in_scope}
                GROUP BY ALL"""
        else:
            state = (
                "SELECT NULL::VARCHAR AS practice, NULL::INTEGER AS period_key, NULL::VARCHAR AS code, "
                "0 AS state WHERE false"
            )
        return self.query(
            f"""
            WITH counted AS ({counted}),
            above AS ({state})
            SELECT practice, period_key, code, claims, exempt,
                   (due - coalesce(above.state, 0))::BIGINT AS patient, coalesce(above.state, 0)::BIGINT AS state
            FROM counted LEFT JOIN above USING (practice, period_key, code)"""
        )

    def refuse_unknown_codes(self, years: Sequence[int], people_filter: str) -> None:
        """Every claim's tariff code must be in the fee schedule in force on its day (as the pure
        rules require); else the settlement is refused, naming a claim, its code and day."""
        schedules = month_parameters(Period(min(years), 1)).schedules
        codes = self.query(
            f"""SELECT tariff_code::VARCHAR AS code, contact_date, count(*) AS claims, min(claim_id) AS claim_id
            FROM {self.files_sql("claims", years)} c WHERE {people_filter} GROUP BY ALL"""
        )
        for code, day, claims, claim_id in zip(
            *(codes.column(n).to_pylist() for n in ("code", "contact_date", "claims", "claim_id")),
            strict=True,
        ):
            if code not in schedules.on(day).tariffs:
                raise LakeError(
                    f"lake {self.lake.lake_dir}: claims: claim {claim_id} (and {claims - 1} more that day) has "
                    f"tariff_code {code!r}, which is not in the fee schedule in force on {day.isoformat()}"
                )

    def indicator_rows(
        self, periods: Sequence[Period], scope: Sequence[str], quality: QualityParameters
    ) -> pa.Table | None:
        """Numerator and denominator of every quality indicator per practice-month (month's last day).

        Only people with a denominator condition can count (a small set); the numerator asks for
        the practice's latest claim on or before the month's last day (an ASOF join) and whether
        it falls in the window."""
        if not quality.indicators:
            return None
        all_codes = sorted(set().union(*(i.denominator_conditions for i in quality.indicators)))
        windows = {i.id: i.window_days - 1 for i in quality.indicators}
        earliest = min(periods).end - datetime.timedelta(days=max(windows.values()))
        years = range(earliest.year, max(p.year for p in periods) + 1)
        months = ", ".join(f"({p.year * 100 + p.month}, DATE '{p.end}')" for p in periods)
        billed = ", ".join(_quote(b) for b in BILLED_BY_PRACTICE)
        cond = self.work_table(
            "ind_cond",
            f"SELECT * FROM {self.cond} WHERE code IN ({', '.join(_quote(c) for c in all_codes)})",
        )
        at_end = self.work_table(
            "at_end",
            f"""
            SELECT s.practice_orgnr::VARCHAR AS practice, m.period_key, s.resident_id, m.month_end,
                   year(m.month_end) - year(s.birth_date)
                   - ((month(m.month_end) * 100 + day(m.month_end))
                      < (month(s.birth_date) * 100 + day(s.birth_date)))::INTEGER AS age
            FROM {self.files_sql("residents")} s
            JOIN (VALUES {months}) m(period_key, month_end)
              ON s.list_from <= m.month_end AND coalesce(s.list_to, m.month_end) >= m.month_end
            WHERE {self.scope_sql("s.practice_orgnr::VARCHAR", scope)}
              AND s.resident_id IN (SELECT resident_id FROM {cond})""",
        )
        claims = self.work_table(
            "ind_claims",
            f"""
            SELECT resident_id, practice_orgnr::VARCHAR AS practice, contact_date,
                   tariff_code::VARCHAR AS code, icpc2::VARCHAR AS diagnosis
            FROM {self.files_sql("claims", years)}
            WHERE billed_by::VARCHAR IN ({billed})
              AND {self.scope_sql("practice_orgnr::VARCHAR", scope)}
              AND resident_id IN (SELECT DISTINCT resident_id FROM {at_end})""",
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
                    FROM {at_end} a JOIN {cond} k
                      ON a.resident_id = k.resident_id AND k.code IN ({denominator_codes})
                     AND k.onset <= a.month_end
                    WHERE a.age >= {indicator.min_age}) d
                ASOF LEFT JOIN (SELECT * FROM {claims} WHERE {" AND ".join(filters)}) c
                  ON d.resident_id = c.resident_id AND d.practice = c.practice
                 AND d.month_end >= c.contact_date
                GROUP BY ALL"""
            )
        return self.query(" UNION ALL ".join(parts))


def _component_table(
    lake: FinanceLake,
    periods: Sequence[Period],
    scope: Sequence[str],
    aggregates: Aggregates,
    rate: CapitationRate | None,
    frame: bool,
) -> pa.Table:
    """Components of both models per practice-month from the aggregates (see ``settlement_table``)."""
    by_key = {p.year * 100 + p.month: p for p in periods}
    params = {key: month_parameters(period) for key, period in by_key.items()}
    rates = {key: rate if rate is not None else lake.capitation_rate(p) for key, p in params.items()}
    zero = Decimal("0.00")
    labels = {
        key: [b.label for b in sorted(p.capitation.age_bands, key=lambda b: b.min_age)]
        for key, p in params.items()
    }
    # each cell's rate once (per month and cell), then each row's rounded amount; the sums per
    # practice-month by Arrow (exact decimal sums)
    cells = aggregates.cells
    cell_key = ["period_key", "sex", "band_index", "level", "kommunenummer"]
    distinct = cells.select(cell_key).group_by(cell_key).aggregate([])
    cell_rates = []
    for key, sex, band, level, kommune in zip(
        *(distinct.column(n).to_pylist() for n in cell_key), strict=True
    ):
        if not 0 <= band < len(labels[key]):
            raise LakeError(
                f"a resident's age is in no capitation age band (cell {sex} {band} {level} {kommune})"
            )
        cell_rates.append(
            capitation_cell_rate(params[key].capitation, rates[key], sex, labels[key][band], level, kommune)
        )
    distinct = distinct.append_column("cell", pa.array(range(distinct.num_rows), pa.int64()))
    rows = cells.join(distinct, cell_key)
    amounts = [
        money(capitation_line_exact(cell_rates[cell], cell_days))
        for cell, cell_days in zip(
            rows.column("cell").to_pylist(), rows.column("resident_days").to_pylist(), strict=True
        )
    ]
    rows = rows.append_column("amount", pa.array(amounts, pa.decimal128(38, 2)))
    sums = rows.group_by(["practice", "period_key"]).aggregate(
        [("amount", "sum"), ("resident_days", "sum"), ("residents", "sum")]
    )
    keys = list(zip(sums.column("practice").to_pylist(), sums.column("period_key").to_pylist(), strict=True))
    capitation: dict[tuple[str, int], Decimal] = defaultdict(
        lambda: zero, zip(keys, sums.column("amount_sum").to_pylist(), strict=True)
    )
    days: dict[tuple[str, int], int] = defaultdict(
        int, zip(keys, sums.column("resident_days_sum").to_pylist(), strict=True)
    )
    residents: dict[tuple[str, int], int] = defaultdict(
        int, zip(keys, sums.column("residents_sum").to_pylist(), strict=True)
    )

    reimbursed: dict[str, dict[tuple[str, int], Decimal]] = {
        "fee_reimbursement": defaultdict(lambda: zero),
        "nurse_reimbursement": defaultdict(lambda: zero),
    }
    patient_ore: dict[tuple[str, int], int] = defaultdict(int)
    state_ore: dict[tuple[str, int], int] = defaultdict(int)
    exempt_counts: dict[tuple[str, int], list[CodeCount]] = defaultdict(list)
    codes = aggregates.codes
    columns = [
        codes.column(n).to_pylist()
        for n in ("practice", "period_key", "code", "claims", "exempt", "patient", "state")
    ]
    for practice, key, code, claims, exempt, patient, state in zip(*columns, strict=True):
        k = (practice, key)
        tariff = params[key].schedule.tariff(code)
        component = "nurse_reimbursement" if tariff.is_nurse else "fee_reimbursement"
        reimbursed[component][k] += money(tariff.reimbursement * claims)
        patient_ore[k] += patient
        state_ore[k] += state
        exempt_counts[k].append(CodeCount(code, claims, exempt))

    quality: dict[tuple[str, int], Decimal] = defaultdict(lambda: zero)
    if aggregates.indicators is not None:
        rows = aggregates.indicators
        columns = [
            rows.column(n).to_pylist()
            for n in ("indicator", "practice", "period_key", "numerator", "denominator")
        ]
        for indicator_id, practice, key, numerator, denominator in zip(*columns, strict=True):
            settings = params[key].quality
            indicator = next((i for i in settings.indicators if i.id == indicator_id), None)
            if indicator is None:
                continue
            points, _ = indicator_score(indicator, numerator, denominator)  # the points; no text needed
            k = (practice, key)
            quality[k] += money(quality_line_exact(points, settings, days[k]))

    own = lake.own_model()
    kommune_of = dict(
        zip(
            lake.practices.column("practice_orgnr").to_pylist(),
            lake.practices.column("kommunenummer").to_pylist(),
            strict=True,
        )
    )
    shares: dict[tuple[str, Period], tuple[Any, Decimal, Decimal]] = {}
    if frame:
        shares = lake.frame_shares(
            list(by_key.values()),
            {
                (practice, period): (capitation[(practice, key)], quality[(practice, key)])
                for key, period in by_key.items()
                for practice in scope
            },
            rate,
        )
    out: dict[str, list[Any]] = {name: [] for name in SETTLEMENT_SCHEMA.names}
    for key, period in sorted(by_key.items()):
        p = params[key]
        for practice in sorted(scope):
            k = (practice, key)
            copayments = (
                money(Decimal(patient_ore[k]).scaleb(-2))
                + money(Decimal(state_ore[k]).scaleb(-2))
                + money(exempt_copayments(exempt_counts.get(k, ()), p.schedule))
            )
            fee = components_of(
                {
                    "base_grant": money(base_grant_exact(p.base_grant, days[k])),
                    "fee_reimbursement": reimbursed["fee_reimbursement"][k],
                    "nurse_reimbursement": reimbursed["nurse_reimbursement"][k],
                    "copayments": copayments,
                }
            )
            allowance = nurse_allowance(
                nurse_funding(period.start),
                lake.team_lists(practice, period),
                period.days,
                p.capitation.days_in_year,
            )
            needs, quality_grant = capitation[k], quality[k]
            if (practice, period) in shares:  # its share of the capitation frame, as ``settle`` pays
                _, needs, quality_grant = shares[(practice, period)]
            cap = components_of(
                {"capitation": needs + allowance, "quality_grant": quality_grant, "copayments": copayments}
            )
            for model, components in ((FEE, fee), (CAPITATION, cap)):
                out["practice_orgnr"].append(practice)
                out["kommunenummer"].append(kommune_of.get(practice))
                out["period"].append(str(period))
                out["model"].append(model)
                out["own_model"].append(own.get(practice, FEE) == model)
                out["residents"].append(residents[k])
                out["resident_days"].append(days[k])
                for name in COMPONENTS:
                    out[name].append(components[name])
    return pa.table(out, schema=SETTLEMENT_SCHEMA)


def _reference_key(params: MonthParameters) -> tuple[int, int]:
    """One reference computation per capitation parameter version (months share it)."""
    return (params.capitation.reference_year, params.capitation_version.toordinal())


def _cells_by_practice_month(
    rows: pa.Table, params: CapitationParameters
) -> tuple[dict[tuple[str, int], list[CapitationCell]], dict[tuple[str, int], tuple[int, int]]]:
    labels = [b.label for b in sorted(params.age_bands, key=lambda b: b.min_age)]
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


def _message(exc: Exception) -> str:
    """The message of a DuckDB error raised by ``error()`` in the SQL, without DuckDB's prefix."""
    return str(exc).split("Error: ", 1)[-1].strip()


def _key(day: datetime.date) -> int:
    """A date as the integer ``yyyymmdd``."""
    return day.year * 10000 + day.month * 100 + day.day


def _exempt_sql(day: str, birth_date: str, exempt_under_age: str) -> str:
    """Copayment-exempt: under the exemption age on the day (an unknown birth date is not exempt)."""
    age = (
        f"(year({day}) - year({birth_date}) - ((month({day}) * 100 + day({day}))"
        f" < (month({birth_date}) * 100 + day({birth_date})))::INTEGER)"
    )
    return f"coalesce({age} < ({exempt_under_age}), false)"


def _tariff_case_sql(
    tariffs: Sequence[tuple[str, datetime.date, datetime.date, int, int]], day: str, code: str
) -> tuple[str, str]:
    """SQL for the copayment (øre) of a claim's code in the fee schedule in force on its day (NULL
    when the code is not in that schedule), and for the schedule's exemption age."""
    versions: dict[tuple[datetime.date, datetime.date, int], list[tuple[str, int]]] = defaultdict(list)
    for tariff, valid_from, valid_to, ore, age in tariffs:
        versions[(valid_from, valid_to, age)].append((tariff, ore))
    copayment = []
    exempt_age = []
    for (valid_from, valid_to, age), codes in sorted(versions.items()):
        when = f"{day} >= DATE '{valid_from}' AND {day} < DATE '{valid_to}'"
        by_code = " ".join(f"WHEN {_quote(t)} THEN {ore}" for t, ore in sorted(codes))
        copayment.append(f"WHEN {when} THEN (CASE {code} {by_code} END)")
        exempt_age.append(f"WHEN {when} THEN {age}")
    if not copayment:
        return "NULL::INTEGER", "0"
    return f"(CASE {' '.join(copayment)} END)", f"(CASE {' '.join(exempt_age)} END)"


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
