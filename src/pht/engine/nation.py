"""The national what-if: every practice of a lake gets a team by the norm, under either model.

The money comes from the settlements, not a second arithmetic: the engine's bulk settlement of
the year (``FinanceLake.settlement_table``: DuckDB passes over the lake, amounts by the pure
rules) gives each practice's base grant, GP reimbursements, needs-weighted capitation and
points-based quality grant by month; the reference year's fee income fixes the capitation frame.
Then, per practice, by the pure rules of ``pht.rules.financing.frame``:

* today: the fee model without a team (base grant + GP reimbursements; the pilot practices'
  actual nurse tariffs are left out, the norm replaces them);
* model A, fee model with a team: today + the nurse tariffs a team by the norm bills
  (``expected_nurse_tariffs``, priced by each month's fee schedule);
* model B, capitation model with a team: its share of the frame (``capitation_frame``: the
  reference income + every practice's nurse allowance, quality pool by the year's points-based
  quality grants, the rest by the year's needs-weighted capitation);
* best: each practice's better of A and B (B as its share of the frame with every practice in the
  capitation model; a frame of only the practices that choose it would share the same reference
  income among fewer practices, which this first version does not model).

Copayments are the same under every model and left out of income and cost. Payers: the
municipality pays the base grant today and under A; under B it is assumed to pay the same amount
(the base grant's budget stays with the municipalities), the state the rest (labelled).
"""

from __future__ import annotations

import datetime
import json
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pht.engine.finance import FinanceLake, periods_of_year
from pht.engine.finance_params import month_parameters, nurse_funding
from pht.engine.lake import connect
from pht.lake import LakeError, lake_files
from pht.refdata import municipalities
from pht.refdata.params import load_parameters
from pht.rules.financing import CAPITATION, FEE, nurse_allowance
from pht.rules.financing.frame import FramePractice, capitation_frame, expected_nurse_tariffs
from pht.rules.financing.nation import RateRatio, UnitCosts, net_cost_per_avoided
from pht.rules.size_class import SizeClassThresholds, classify_size

ZERO = Decimal("0.00")
MODELS = (FEE, CAPITATION, "best")
# The what-if's stages in order, as ``whatif`` reports them to its ``progress`` callback.
STAGES = ("settlement", "practices", "evaluation")
# How many times at most the per-practice stage reports its progress.
PRACTICE_REPORTS = 20
# Why the split between payers is a default, in both languages as the parameter files give assumptions.
PAYER_ASSUMPTION = {
    "en": (
        "Default: under the capitation model the municipalities pay what they pay as base grant "
        "under the fee model; the state pays the rest of the frame."
    ),
    "nb": (
        "Standardverdi: i driftstilskuddsmodellen betaler kommunene det de betaler i basistilskudd i "
        "honorarmodellen; staten betaler resten av rammen."
    ),
}


def _sum(values: Any) -> Decimal:
    return sum(values, ZERO)


def whatif(
    lake_dir: Path | str,
    year: int = 2018,
    *,
    threads: int = 2,
    evaluation: Mapping[str, Any] | list[Any] | None = None,
    timings: dict[str, float] | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, Any]:
    """The national what-if for ``year`` on a lake, as a JSON-ready dict (amounts as strings).

    ``progress(stage, fraction)``, when given, is called as each of ``STAGES`` starts (fraction 0), as
    each of the settlement's own stages ends (stage ``"settlement.<name>"`` for each name of
    ``pht.engine.finance.SETTLEMENT_STAGES``, in order, with the fraction of the settlement done) and
    now and then within the per-practice stage (the fraction of practices done); it does not change the
    result, and an exception it raises (a cancelled job) stops the what-if."""
    timings = timings if timings is not None else {}
    report = progress or (lambda _stage, _fraction: None)
    started = time.perf_counter()
    report("settlement", 0.0)
    lake = FinanceLake(Path(lake_dir), con=connect(threads))
    periods = periods_of_year(year)
    # without the pilot's frame: the national frame below shares the year itself, by these weights
    table = lake.settlement_table(
        periods, frame=False, progress=lambda stage, fraction: report(f"settlement.{stage}", fraction)
    )
    timings["settlement of the year (engine)"] = time.perf_counter() - started

    report("practices", 0.0)
    started = time.perf_counter()
    first = month_parameters(periods[0])
    rate = lake.capitation_rate(first)
    if rate.reference is None:
        raise LakeError("the national what-if needs the budget-neutral reference year (capitation.toml)")
    reference_income = rate.reference.fee_total
    funding = nurse_funding(periods[0].start)
    days_in_year = (datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days

    # per practice, the year's components of each model (exact decimal sums)
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    columns = {
        n: table.column(n).to_pylist()
        for n in ("practice_orgnr", "model", "base_grant", "fee_reimbursement", "capitation", "quality_grant")
    }
    residents: dict[str, int] = defaultdict(int)
    days_col = table.column("resident_days").to_pylist()
    for i, practice in enumerate(columns["practice_orgnr"]):
        row = sums[practice]
        if columns["model"][i] == FEE:
            row["base_grant"] += columns["base_grant"][i]
            row["fee_reimbursement"] += columns["fee_reimbursement"][i]
            residents[practice] += int(days_col[i])
        else:
            row["capitation"] += columns["capitation"][i]
            row["quality_grant"] += columns["quality_grant"][i]

    info = lake.practice_info()
    places = {m.kommunenummer: m for m in municipalities(2017)}
    thresholds = SizeClassThresholds.from_mapping(
        load_parameters("size_class", datetime.date(2017, 1, 1)).values
    )
    schedules = [(month_parameters(p).schedule, p.days) for p in periods]
    tariffs_by_lists: dict[int, Decimal] = {}
    practices = sorted(sums)
    frame_inputs = []
    every = max(1, len(practices) // PRACTICE_REPORTS)
    for done, practice in enumerate(practices):
        if done and done % every == 0:
            report("practices", done / len(practices))
        gp_lists = int(info[practice].get("gp_count") or 0)
        # the needs-weighted capitation: the year's capitation less the nurse allowance a pilot
        # practice was already paid by month (the frame pays the allowance itself)
        paid_allowance = _sum(
            nurse_allowance(
                nurse_funding(p.start), lake.team_lists(practice, p), p.days, first.capitation.days_in_year
            )
            for p in periods
        )
        frame_inputs.append(
            FramePractice(
                practice,
                gp_lists,
                sums[practice]["capitation"] - paid_allowance,
                sums[practice]["quality_grant"],
            )
        )
        if gp_lists not in tariffs_by_lists:
            tariffs_by_lists[gp_lists] = expected_nurse_tariffs(funding, gp_lists, schedules, days_in_year)
    frame = capitation_frame(reference_income, frame_inputs, funding)

    rows = []
    for practice, share in zip(practices, frame.shares, strict=True):
        kommune = str(info[practice]["kommunenummer"])
        place = places.get(kommune)
        base = sums[practice]["base_grant"]
        today = base + sums[practice]["fee_reimbursement"]
        gp_lists = int(info[practice].get("gp_count") or 0)
        fee_team = tariffs_by_lists[gp_lists]
        fee_income = today + fee_team
        cap_income = share.total
        best_model = FEE if fee_income >= cap_income else CAPITATION
        best_income = max(fee_income, cap_income)
        rows.append(
            {
                "practice": practice,
                "kommunenummer": kommune,
                "county": place.county if place else None,
                "size_class": classify_size(place.population, thresholds).value.value if place else None,
                "pilot": bool(info[practice].get("pilot")),
                "gp_lists": gp_lists,
                "nurse_fte": str(share.nurse_fte.quantize(Decimal("0.01"))),
                "resident_years": str((Decimal(residents[practice]) / days_in_year).quantize(Decimal("0.1"))),
                "today": str(today),
                FEE: _model(fee_income, today, fee_team, state=fee_income - base, municipality=base),
                CAPITATION: {
                    **_model(cap_income, today, share.for_team, state=cap_income - base, municipality=base),
                    "capitation": str(share.capitation),
                    "quality_grant": str(share.quality_grant),
                },
                "best": {
                    "model": best_model,
                    **_model(
                        best_income,
                        today,
                        fee_team if best_model == FEE else share.for_team,
                        state=best_income - base,
                        municipality=base,
                    ),
                },
            }
        )
    timings["what-if per practice (pure rules)"] = time.perf_counter() - started

    needed = frame.shares and _sum(s.nurse_fte for s in frame.shares)
    result: dict[str, Any] = {
        "year": year,
        "lake": str(lake_dir),
        "practices": rows,
        "totals": totals(rows),
        "frame": frame.as_dict(),
        "nurse_fte": {
            "needed": str(Decimal(needed or 0).quantize(Decimal("0.1"))),
            "supply": str(funding.supply_fte),
            "gap": str((Decimal(needed or 0) - funding.supply_fte).quantize(Decimal("0.1"))),
            "supply_is_assumption": True,
        },
        "by_county": distribution(rows, "county"),
        "by_size_class": distribution(rows, "size_class"),
        "by_municipality": distribution(rows, "kommunenummer"),
        "assumptions": {
            **{
                f"nurse_funding.{k}": dict(v)
                for k, v in load_parameters("nurse_funding", periods[0].start).assumptions.items()
            },
            **{
                f"unit_costs.{k}": dict(v)
                for k, v in load_parameters("unit_costs", periods[0].start).assumptions.items()
            },
            "payers": dict(PAYER_ASSUMPTION),
        },
    }
    report("evaluation", 0.0)
    started = time.perf_counter()
    result["evaluation"] = _evaluation(lake, year, result["totals"], evaluation)
    timings["evaluation baseline"] = time.perf_counter() - started
    return result


def _model(
    income: Decimal, today: Decimal, team: Decimal, *, state: Decimal, municipality: Decimal
) -> dict[str, str]:
    return {
        "income": str(income),
        "change": str(income - today),
        "for_team": str(team),
        "state": str(state),
        "municipality": str(municipality),
    }


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Each model's totals over the practices (sums of the per-practice rows)."""
    out: dict[str, Any] = {"practices": len(rows), "today": str(_sum(Decimal(r["today"]) for r in rows))}
    for model in MODELS:
        out[model] = {
            key: str(_sum(Decimal(r[model][key]) for r in rows))
            for key in ("income", "change", "for_team", "state", "municipality")
        }
        out[model]["gainers"] = sum(1 for r in rows if Decimal(r[model]["change"]) > 0)
        out[model]["losers"] = sum(1 for r in rows if Decimal(r[model]["change"]) < 0)
    out["best"]["chose_fee"] = sum(1 for r in rows if r["best"]["model"] == FEE)
    out["best"]["chose_capitation"] = sum(1 for r in rows if r["best"]["model"] == CAPITATION)
    return out


def distribution(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Gains and losses by a grouping key: practices, gainers, losers and the summed change per model."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[str(row[key])].append(row)
    out = []
    for name, members in sorted(groups.items()):
        entry: dict[str, Any] = {key: name, "practices": len(members)}
        for model in MODELS:
            changes = [Decimal(r[model]["change"]) for r in members]
            entry[model] = {
                "change": str(_sum(changes)),
                "gainers": sum(1 for c in changes if c > 0),
                "losers": sum(1 for c in changes if c < 0),
            }
        out.append(entry)
    return out


def _pick(estimates: list[Mapping[str, Any]], outcome: str) -> Mapping[str, Any] | None:
    found = [e for e in estimates if e.get("outcome") == outcome and e.get("estimate") is not None]
    found.sort(key=lambda e: (e.get("population") not in ("all", "list"), str(e.get("population"))))
    return found[0] if found else None


def _ratio(estimate: Mapping[str, Any], key: str) -> Decimal:
    """A rate ratio of an evaluation estimate, refused naming the outcome and field when not a number."""
    value = estimate.get(key)
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        result = Decimal(str(value))
        if not result.is_finite() or result < 0:
            raise InvalidOperation
    except InvalidOperation:
        raise ValueError(
            f"evaluation estimate {estimate.get('outcome')} ({estimate.get('population')}), field {key!r}: "
            f"not a rate ratio: {value!r}"
        ) from None
    return result


def _evaluation(
    lake: FinanceLake, year: int, sums: Mapping[str, Any], evaluation: Mapping[str, Any] | list[Any] | None
) -> dict[str, Any]:
    """Net cost per avoided admission for each model, from an evaluation result's rate ratios."""
    if evaluation is None:
        return {
            "given": False,
            "note": "no evaluation result given (pht nation whatif --evaluation FILE, from pht evaluate run "
            "--format json): the net cost per avoided admission is not computed",
        }
    raw = evaluation.get("estimates", evaluation) if isinstance(evaluation, Mapping) else evaluation
    estimates = [e for e in raw if isinstance(e, Mapping)] if isinstance(raw, list) else []
    admissions = _pick(estimates, "acute_admissions")
    if admissions is None or admissions.get("ci_low") is None or admissions.get("ci_high") is None:
        return {
            "given": True,
            "note": "the evaluation result has no acute_admissions rate ratio with an interval",
        }
    ooh = _pick(estimates, "out_of_hours_contacts")
    ratio = RateRatio(*(_ratio(admissions, k) for k in ("estimate", "ci_low", "ci_high")))
    ooh_ratio = _ratio(ooh, "estimate") if ooh else Decimal(1)
    con = lake.con
    stays = ", ".join(f"'{p}'" for p in lake_files(lake.lake_dir, "hospital_stays", [year]))
    contacts = ", ".join(f"'{p}'" for p in lake_files(lake.lake_dir, "contacts", [year]))
    baseline_admissions = int(
        con.raw_sql(
            f"SELECT count(*) FROM read_parquet([{stays}]) WHERE acute AND year = {int(year)}"
        ).fetchone()[0]
    )
    baseline_ooh = int(
        con.raw_sql(
            f"SELECT count(*) FROM read_parquet([{contacts}]) WHERE kind = 'out_of_hours' AND year = {int(year)}"
        ).fetchone()[0]
    )
    costs = UnitCosts.from_mapping(load_parameters("unit_costs", datetime.date(year, 1, 1)).values)
    per_model = {
        model: net_cost_per_avoided(
            Decimal(sums[model]["change"]), baseline_admissions, ratio, baseline_ooh, ooh_ratio, costs
        )
        for model in MODELS
    }
    return {
        "given": True,
        "admissions_estimate": {
            k: admissions.get(k) for k in ("population", "estimate", "ci_low", "ci_high", "scale")
        },
        "out_of_hours_estimate": {k: ooh.get(k) for k in ("population", "estimate")} if ooh else None,
        "note": "the pilot's rate ratios applied to every listed resident's admissions and out-of-hours "
        "contacts of the year in the lake (an extrapolation)",
        "models": per_model,
    }


def write_json(result: Mapping[str, Any], path: Path | str) -> Path:
    """Write the result to ``path`` atomically: a temporary file beside it, then ``os.replace``, so a
    reader (the finance page) sees the old result or the new one, never half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1, ensure_ascii=False, default=str)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o644)  # as write_text made it (mkstemp's file is private to its owner)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
