"""The analysis plan: every field checked with an error that names it, a hash that identifies the
content (not its layout), and deviations from the default listed field by field."""

from __future__ import annotations

import copy
import datetime
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.engine.evaluation.outcomes import KNOWN_OUTCOMES
from pht.engine.evaluation.plan import DEFAULT_PLAN, PlanError, deviations, load_plan, parse_plan, plan_hash


def default_document() -> dict:
    return tomllib.loads(DEFAULT_PLAN.read_text(encoding="utf-8"))


def test_the_default_plan_covers_the_issues_outcomes_for_both_populations() -> None:
    plan = load_plan(None, KNOWN_OUTCOMES)
    keys = {key for key, _ in plan.outcome_dimensions()}
    assert {
        "acute_admissions",
        "out_of_hours_contacts",
        "gp_consultations",
        "prom_health_vas",
        "prem_overall",
    } <= keys
    assert set(plan.populations) == {"target", "all"}
    assert plan.baseline_date == datetime.date(2017, 12, 31)


def test_the_hash_is_the_contents_not_the_layout(tmp_path) -> None:
    text = DEFAULT_PLAN.read_text(encoding="utf-8")
    reordered = tmp_path / "plan.toml"
    # the same plan with comments dropped and blank lines added
    reordered.write_text("\n\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    assert load_plan(reordered).hash == load_plan(None).hash
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace("bootstrap_draws = 999", "bootstrap_draws = 1999"))
    assert load_plan(changed).hash != load_plan(None).hash


@given(st.permutations(["design", "matching", "inference", "outcomes", "plan"]))
def test_the_hash_ignores_the_order_of_tables(order: list[str]) -> None:
    document = default_document()
    assert plan_hash({k: document[k] for k in order}) == plan_hash(document)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["outcomes"].update(extensive_care=["acute_admisions"]),
            "unknown outcome 'acute_admisions'",
        ),
        (lambda d: d["design"].update(control="everyone"), "'design.control'"),
        (lambda d: d["inference"].update(alpha=0.9), "'inference.alpha'"),
        (lambda d: d["inference"].update(bootstrap_draws="many"), "'inference.bootstrap_draws'"),
        (lambda d: d["design"].pop("baseline_date"), "'design.baseline_date' is missing"),
        (lambda d: d["design"].update(baseline_date=datetime.date(2022, 1, 1)), "baseline_date"),
        (lambda d: d["design"].update(populations=["everyone"]), "unknown population 'everyone'"),
        (lambda d: d["outcomes"].update(team_use=["acute_admissions"]), "appears twice"),
        (lambda d: d.update(outcomes={}), "names no outcome"),
        (lambda d: d["matching"].update(neighbours=True), "'matching.neighbours'"),
    ],
)
def test_a_bad_field_is_refused_by_name(change, message: str) -> None:
    document = copy.deepcopy(default_document())
    change(document)
    with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_plan(document, KNOWN_OUTCOMES)


def test_an_unreadable_plan_file_is_refused(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[design\n")
    with pytest.raises(PlanError, match="not valid TOML"):
        load_plan(bad)
    with pytest.raises(PlanError, match="does not exist"):
        load_plan(tmp_path / "missing.toml")


def test_deviations_list_each_changed_field() -> None:
    reference = load_plan(None, KNOWN_OUTCOMES)
    document = default_document()
    document["design"]["control"] = "never"
    document["plan"]["version"] = "2027-01-01"  # a new version alone is no deviation
    document["plan"]["deviations"] = ["never-treated controls only: the 2020 wave was delayed"]
    plan = parse_plan(document, KNOWN_OUTCOMES)
    assert deviations(plan, reference) == [{"field": "design.control", "default": "notyet", "plan": "never"}]
    assert plan.deviations_stated == ("never-treated controls only: the 2020 wave was delayed",)
    assert deviations(reference, reference) == []
