"""Panels for the evaluation, columnar over the lake with DuckDB: the analysis populations at
baseline, their exposure, and practice × period sums of each outcome.

The lake's datasets are opened as views over their schema-checked files (``pht.lake.lake_files``).
The synthetic truth (``truth/``) is not among them: analysis code never opens it.

Populations are fixed on the plan's baseline date: everyone listed with a practice that day, alive,
attributed to that practice for the whole study (intention to treat). ``target`` = member of any
target group by PHT's own rules (``pht.rules.target_groups`` through ``pht.engine.care``) that day.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from pht.engine.evaluation.outcomes import CATALOGUE, Outcome
from pht.engine.evaluation.plan import LockedPlan, Plan
from pht.lake import LakeError, lake_files
from pht.refdata import load_parameters, municipalities

# Every dataset an outcome or a population may read. Not ``truth``: that is for validation only.
ANALYSIS_DATASETS = (
    "practices",
    "residents",
    "conditions",
    "contacts",
    "hospital_stays",
    "municipal_care",
    "survey_responses",
)
NEVER = -1
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Period:
    index: int
    start: datetime.date
    stop: datetime.date  # inclusive
    label: str


def periods(plan: Plan, unit: str | None = None) -> list[Period]:
    """The study window cut into quarters, months or years (default: the plan's period)."""
    unit = unit or plan.period
    step = {"quarter": 3, "month": 1, "year": 12}[unit]
    out: list[Period] = []
    year, month = plan.study_start.year, plan.study_start.month
    month = month - (month - 1) % step
    while datetime.date(year, month, 1) <= plan.study_end:
        start = datetime.date(year, month, 1)
        ny, nm = (year, month + step) if month + step <= 12 else (year + 1, month + step - 12)
        stop = datetime.date(ny, nm, 1) - datetime.timedelta(days=1)
        label = {
            "quarter": f"{year}Q{(month - 1) // 3 + 1}",
            "month": f"{year}-{month:02d}",
            "year": str(year),
        }[unit]
        out.append(Period(len(out), start, stop, label))
        year, month = ny, nm
    return out


def period_of(day: datetime.date, calendar: list[Period]) -> int:
    for period in calendar:
        if period.start <= day <= period.stop:
            return period.index
    return NEVER


class EvaluationLake:
    """One lake opened for one plan. ``pre_panel`` reads only periods before the first pilot start;
    ``panel`` (all periods) needs the plan locked first."""

    def __init__(self, lake: Path | str, plan: Plan, threads: int | None = None) -> None:
        self.lake = Path(lake)
        self.plan = plan
        self.con = duckdb.connect()
        # only registered frames and the views below are tables: no Python variable is scanned by name
        self.con.execute("SET python_enable_replacements = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        for name in ANALYSIS_DATASETS:
            files = lake_files(self.lake, name)
            if not files:
                raise LakeError(f"lake {self.lake}: dataset {name!r} has no files")
            self.con.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_parquet({files!r}, hive_partitioning = false)"
            )
        # count and share outcomes use the plan's period; yearly surveys their own (design.survey_period)
        # (months always: the patient-month panel is by month whatever the plan's period)
        self.calendars = {unit: periods(plan, unit) for unit in {plan.period, plan.survey_period, "month"}}
        self.periods = self.calendars[plan.period]
        self.outcome_parameters = load_parameters("evaluation_outcomes", plan.baseline_date)
        self._events: dict[str, Any] = {}
        self._build_periods()
        self._build_practices()
        self._build_population()
        self._build_exposure()

    # --- set-up ---------------------------------------------------------------------------
    def _build_periods(self) -> None:
        for unit, calendar in self.calendars.items():
            frame = pd.DataFrame(
                {
                    "idx": [p.index for p in calendar],
                    "start": [p.start for p in calendar],
                    "stop": [p.stop for p in calendar],
                }
            )
            self.con.register(f"periods_{unit}_df", frame)
            self.con.execute(
                f"CREATE TABLE periods_{unit} AS SELECT idx::INTEGER AS idx, start::DATE AS start, "
                f"stop::DATE AS stop FROM periods_{unit}_df"
            )

    def unit_of(self, key: str) -> str:
        return self.plan.survey_period if CATALOGUE[key].kind == "score" else self.plan.period

    def calendar(self, key: str) -> list[Period]:
        return self.calendars[self.unit_of(key)]

    def first_cohort_of(self, key: str) -> int:
        return self.first_cohorts[self.unit_of(key)]

    def _build_practices(self) -> None:
        rows = self.con.execute(
            "SELECT practice_orgnr, kommunenummer, pilot, pilot_start, financing_model, gp_count FROM practices"
        ).fetchall()
        if not rows:
            raise LakeError(f"lake {self.lake}: no practices")
        population = {m.kommunenummer: m.population for m in municipalities(2017)}
        records = []
        for orgnr, kommune, pilot, start, model, gps in rows:
            cohort = NEVER
            if pilot and start is not None:
                if start <= self.plan.study_start:
                    raise LakeError(
                        f"lake {self.lake}: practice {orgnr} started the pilot on {start}, before the study "
                        f"window ({self.plan.study_start}); there is no pre-period for it"
                    )
                cohort = period_of(start, self.periods)
            records.append(
                {
                    "practice": orgnr,
                    "kommunenummer": kommune,
                    "cohort": cohort,
                    **{
                        f"cohort_{unit}": period_of(start, calendar) if cohort != NEVER else NEVER
                        for unit, calendar in self.calendars.items()
                    },
                    "financing_model": model,
                    "gp_count": gps,
                    "log_municipality_population": float(np.log(max(population.get(kommune, 1), 1))),
                }
            )
        self.practices = pd.DataFrame.from_records(records).set_index("practice").sort_index()
        treated = self.practices[self.practices.cohort != NEVER]
        if treated.empty:
            raise LakeError(f"lake {self.lake}: no pilot practice starts within the study window")
        self.first_cohort = int(treated.cohort.min())
        self.first_cohorts = {unit: int(treated[f"cohort_{unit}"].min()) for unit in self.calendars}
        if min(self.first_cohorts.values()) < 2:
            raise LakeError(
                f"lake {self.lake}: the first pilot start leaves fewer than two pre-period "
                f"{self.plan.period}s in the study window from {self.plan.study_start}"
            )
        first_day = self.con.execute("SELECT min(contact_date) FROM contacts").fetchall()[0][0]
        if first_day is None or first_day > self.periods[self.first_cohort - 2].start:
            raise LakeError(
                f"lake {self.lake}: no contacts in the pre-period (the lake's contacts begin "
                f"{first_day or 'never'}; the first pilot start is {self.periods[self.first_cohort].label})"
            )
        if first_day > self.periods[0].stop:
            raise LakeError(
                f"lake {self.lake}: the lake's contacts begin {first_day}, after the first pre-period "
                f"{self.periods[0].label} of the plan's study window; set design.study_start later"
            )

    def _build_population(self) -> None:
        from pht.engine.care import stratification_parameters, stratify_lake

        baseline = self.plan.baseline_date
        groups, frailty, self.target_provenance = stratification_parameters(baseline)
        strata = (
            stratify_lake(self.lake, baseline, groups, frailty)
            .select("resident_id", "group_count")
            .to_pyarrow()
        )
        self.con.register("strata", strata)
        self.con.execute(
            """
            CREATE TABLE pop AS
            WITH listed AS (
                SELECT resident_id, practice_orgnr::VARCHAR AS practice, sex::VARCHAR AS sex, birth_date
                FROM residents
                WHERE list_from <= $b AND (list_to IS NULL OR list_to >= $b)
                  AND (death_date IS NULL OR death_date > $b)
                QUALIFY row_number() OVER (PARTITION BY resident_id ORDER BY list_from DESC) = 1
            ), span AS (
                SELECT resident_id, min(list_from) AS first_day,
                       max(coalesce(list_to, $end)) AS last_day, min(death_date) AS death_date
                FROM residents GROUP BY resident_id
            )
            SELECT l.*, s.first_day, least(s.last_day, coalesce(s.death_date, s.last_day)) AS last_day,
                   coalesce(t.group_count, 0) > 0 AS target
            FROM listed l JOIN span s USING (resident_id) LEFT JOIN strata t USING (resident_id)
            """,
            {"b": baseline, "end": self.plan.study_end},
        )
        counts = self.con.execute("SELECT count(*) FROM pop").fetchall()[0]
        if not counts[0]:
            raise LakeError(f"lake {self.lake}: nobody is listed with a practice on {baseline}")

    def _build_exposure(self) -> None:
        self.con.execute(
            f"""
            CREATE TABLE exposure AS
            SELECT p.practice, p.target, per.idx AS period,
                   sum(date_diff('day', greatest(p.first_day, per.start), least(p.last_day, per.stop)) + 1)
                     / {DAYS_PER_MONTH} AS exposure
            FROM pop p JOIN periods_{self.plan.period} per ON p.first_day <= per.stop AND p.last_day >= per.start
            GROUP BY ALL
            """
        )

    # --- panels ---------------------------------------------------------------------------
    def _event_sums(self, outcome: Outcome) -> pd.DataFrame:
        if outcome.key not in self._events:
            sql = outcome.events_sql(dict(self.outcome_parameters.values))
            self._events[outcome.key] = self.con.execute(
                f"""
                WITH ev AS ({sql})
                SELECT p.practice, p.target, per.idx AS period, sum(ev.y) AS y, sum(ev.w) AS w
                FROM ev JOIN pop p USING (resident_id)
                JOIN periods_{self.unit_of(outcome.key)} per ON ev.day BETWEEN per.start AND per.stop
                GROUP BY ALL
                """
            ).df()
        return self._events[outcome.key]

    def _panel(self, key: str, population: str, last_period: int) -> pd.DataFrame:
        outcome = CATALOGUE[key]
        events = self._event_sums(outcome)
        if outcome.kind == "count":
            exposure = self.con.execute("SELECT practice, target, period, exposure AS w FROM exposure").df()
            frame = exposure.merge(events[["practice", "target", "period", "y"]], how="left")
            frame["y"] = frame["y"].fillna(0.0) * outcome.per
        else:
            frame = events.copy()
        frame = frame[frame.period <= last_period]
        if population == "target":
            frame = frame[frame.target]
        frame = frame.groupby(["practice", "period"], as_index=False)[["y", "w"]].sum()
        frame = frame[frame.w > 0]
        frame = frame[frame.practice.isin(self.practices.index)]
        cohorts = self.practices[f"cohort_{self.unit_of(key)}"]
        frame["cohort"] = cohorts.reindex(frame.practice).to_numpy()
        return (
            frame.rename(columns={"practice": "unit"}).sort_values(["unit", "period"]).reset_index(drop=True)
        )

    def pre_panel(self, key: str, population: str) -> pd.DataFrame:
        """Practice × period sums before the first pilot start only (no post-period outcome is read)."""
        return self._panel(key, population, self.first_cohort_of(key) - 1)

    def panel(self, key: str, population: str, locked: LockedPlan) -> pd.DataFrame:
        """Practice × period sums over the whole study window; the plan must be locked first."""
        if not isinstance(locked, LockedPlan) or locked.plan_hash != self.plan.hash:
            raise ValueError("post-period outcomes are read only under the locked plan")
        return self._panel(key, population, len(self.calendar(key)) - 1)

    # --- practice characteristics for matching ------------------------------------------------
    def practice_covariates(self, names: Sequence[str]) -> pd.DataFrame:
        base = (
            self.con.execute(
                """
            WITH chronic AS (
                SELECT resident_id, count(*) AS n FROM conditions
                WHERE condition_group = 'chronic' AND onset_date <= $b GROUP BY resident_id
            )
            SELECT p.practice, count(*) AS list_size,
                   avg(CASE WHEN p.sex = 'F' THEN 1.0 ELSE 0.0 END) AS share_female,
                   avg(CASE WHEN date_diff('year', p.birth_date, $b) >= 75 THEN 1.0 ELSE 0.0 END)
                     AS share_aged_75_plus,
                   avg(coalesce(c.n, 0)) AS mean_chronic_conditions,
                   avg(p.target::DOUBLE) AS share_target
            FROM pop p LEFT JOIN chronic c USING (resident_id) GROUP BY p.practice
            """,
                {"b": self.plan.baseline_date},
            )
            .df()
            .set_index("practice")
        )
        frame = self.practices[["cohort", "log_municipality_population", "gp_count"]].join(base, how="inner")
        for name in names:
            if name in frame.columns:
                continue
            for prefix, kind in (("pre_rate_", "rate"), ("pre_trend_", "trend")):
                if name.startswith(prefix):
                    key = name[len(prefix) :]
                    if key not in CATALOGUE:
                        raise ValueError(f"matching covariate {name!r}: unknown outcome {key!r}")
                    frame[name] = self._pre_summary(key, kind).reindex(frame.index)
                    break
            else:
                raise ValueError(f"matching covariate {name!r} is not known")
        return frame

    def _pre_summary(self, key: str, kind: str) -> pd.Series:
        panel = self.pre_panel(key, "all")
        if kind == "rate":
            sums = panel.groupby("unit")[["y", "w"]].sum()
            return sums.y / sums.w
        # exposure-weighted least-squares slope of the period rate on the period index (per year)
        per_year = 4.0 if self.plan.period == "quarter" else 12.0
        out = {}
        for unit, g in panel.groupby("unit"):
            rate = g.y / g.w
            x = g.period.to_numpy(float)
            w = g.w.to_numpy(float)
            xm = np.average(x, weights=w)
            denominator = float(np.sum(w * (x - xm) ** 2))
            out[unit] = (
                float(np.sum(w * (x - xm) * (rate - np.average(rate, weights=w)))) / denominator * per_year
                if denominator > 0
                else 0.0
            )
        return pd.Series(out)

    # --- exports for analyses outside PHT -----------------------------------------------------
    def write_practice_panels(self, path: Path, locked: LockedPlan, keys: Sequence[str]) -> int:
        """Every outcome's practice × period panel for every population, long format, as Parquet
        (columns outcome, population, unit, period, period_label, cohort, y, w). Returns rows."""
        frames = []
        for key in keys:
            labels = {p.index: p.label for p in self.calendar(key)}
            for population in self.plan.populations:
                frame = self.panel(key, population, locked)
                frames.append(
                    frame.assign(outcome=key, population=population, period_label=frame.period.map(labels))
                )
        table = pd.concat(frames, ignore_index=True)[
            ["outcome", "population", "unit", "period", "period_label", "cohort", "y", "w"]
        ]
        table.to_parquet(path, index=False)
        return len(table)

    def write_patient_month_panel(self, path: Path, locked: LockedPlan, keys: Sequence[str]) -> int:
        """The population's patient × month panel as Parquet: resident_id (as in the lake: a
        pseudonym in an evaluator's extract), baseline practice, target flag, month, days present,
        and the month's count of every count outcome in ``keys``. Written by DuckDB, not in memory."""
        if not isinstance(locked, LockedPlan) or locked.plan_hash != self.plan.hash:
            raise ValueError("post-period outcomes are read only under the locked plan")
        counts = [k for k in keys if CATALOGUE[k].kind == "count"]
        parameters = dict(self.outcome_parameters.values)
        joins, columns = [], []
        for i, key in enumerate(counts):
            joins.append(
                f"LEFT JOIN (SELECT ev.resident_id, m.idx AS month, sum(ev.y) AS n "
                f"FROM ({CATALOGUE[key].events_sql(parameters)}) ev "
                f"JOIN periods_month m ON ev.day BETWEEN m.start AND m.stop GROUP BY ALL) o{i} "
                f"ON o{i}.resident_id = e.resident_id AND o{i}.month = e.month"
            )
            columns.append(f"coalesce(o{i}.n, 0)::INTEGER AS {key}")
        target = str(path).replace("'", "''")
        self.con.execute(
            f"""
            COPY (
                WITH e AS (
                    SELECT p.resident_id, p.practice, p.target, m.idx AS month, m.start AS month_start,
                           date_diff('day', greatest(p.first_day, m.start), least(p.last_day, m.stop)) + 1
                             AS days_present
                    FROM pop p JOIN periods_month m ON p.first_day <= m.stop AND p.last_day >= m.start
                )
                SELECT e.*{"".join(", " + c for c in columns)}
                FROM e {" ".join(joins)}
                ORDER BY e.resident_id, e.month
            ) TO '{target}' (FORMAT parquet)
            """
        )
        rows = self.con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchall()[0][0]
        return int(rows)

    def population_sizes(self) -> dict[str, int]:
        row = self.con.execute("SELECT count(*), sum(target::INTEGER) FROM pop").fetchall()[0]
        return {"all": int(row[0]), "target": int(row[1] or 0)}

    def close(self) -> None:
        self.con.close()
