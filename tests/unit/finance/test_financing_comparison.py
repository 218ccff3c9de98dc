"""Own model vs shadow (pht.rules.financing.comparison): hand-computed figures and the sums' properties."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pht.rules.financing.comparison import COMPARED, Amounts, PracticeInput, compare, main_component

D = Decimal


def _fixture() -> list[PracticeInput]:
    a = PracticeInput(
        "111", "A", "fee", "capitation",
        own={
            "2018-01": {"base_grant": D("100"), "fee_reimbursement": D("300"), "copayments": D("50")},
            "2018-02": {"base_grant": D("100"), "fee_reimbursement": D("200"), "nurse_reimbursement": D("40"),
                        "copayments": D("30")},
        },
        shadow={
            "2018-01": {"capitation": D("400"), "quality_grant": D("20"), "copayments": D("50")},
            "2018-02": {"capitation": D("400"), "quality_grant": D("20"), "copayments": D("30")},
        },
        characteristics={"list_size": D("1000"), "share_80": D("0.06"), "chronic": D("0.30")},
    )  # fmt: skip
    b = PracticeInput(
        "222", "B", "capitation", "fee",
        own={"2018-01": {"capitation": D("500"), "quality_grant": D("25")}, "2018-02": {"capitation": D("9")}},
        shadow={"2018-01": {"base_grant": D("100"), "fee_reimbursement": D("300")}},
        characteristics={"list_size": D("2000"), "share_80": D("0.03"), "chronic": D("0.30")},
    )  # fmt: skip
    c = PracticeInput(
        "333", "C", "fee", "capitation",
        own={"2018-01": {"copayments": D("10")}},
        shadow={"2018-01": {"copayments": D("10")}},
        characteristics={"list_size": D("3000"), "share_80": D("0.03"), "chronic": D("0.30")},
    )  # fmt: skip
    return [a, b, c]


def test_hand_computed_practice_figures() -> None:
    result = compare(_fixture())
    a, b, c = result.practices
    # A: own 450 + 370 = 820, shadow 470 + 450 = 920
    assert (a.own_total, a.shadow_total, a.difference) == (D("820"), D("920"), D("100"))
    assert [(m.key, m.own, m.shadow) for m in a.by_month] == [
        ("2018-01", D("450"), D("470")),
        ("2018-02", D("370"), D("450")),
    ]
    diffs = {x.key: x.difference for x in a.by_component}
    assert diffs == {
        "base_grant": D("-200"),
        "fee_reimbursement": D("-500"),
        "nurse_reimbursement": D("-40"),
        "capitation": D("800"),
        "quality_grant": D("40"),
        "copayments": D("0"),
    }
    assert a.main_component == "capitation"
    assert a.offsetting_component == "fee_reimbursement"  # -500, what the capitation made up for
    # B: only January was settled under both models; February is reported missing, not compared
    assert (b.own_total, b.shadow_total, b.difference) == (D("525"), D("400"), D("-125"))
    assert b.missing_months == ["2018-02"]
    assert b.main_component == "capitation"  # -500 of the -125
    # C: the same under both models
    assert b.offsetting_component == "fee_reimbursement"  # +300 against the -125
    assert c.difference == 0 and c.main_component is None and c.offsetting_component is None


def test_hand_computed_standouts_against_the_pilot_average() -> None:
    result = compare(_fixture())
    assert result.averages["list_size"] == D("2000")
    assert result.averages["share_80"] == D("0.04")
    a, b, c = result.practices
    # A: list half the average (-50 %), 80+ share 1.5 x the average (+50 %); chronic share as average
    assert [(s.name, s.relative, s.higher) for s in a.standouts] == [
        ("list_size", D("-0.5"), False),
        ("share_80", D("0.5"), True),
    ]
    assert [(s.name, s.relative) for s in b.standouts] == [("share_80", D("-0.25"))]
    assert [s.name for s in c.standouts] == ["list_size", "share_80"]


def test_hand_computed_aggregate_winners_and_losers() -> None:
    result = compare(_fixture())
    assert (result.own_total, result.shadow_total, result.difference) == (D("1355"), D("1330"), D("-25"))
    assert [p.practice for p in result.winners] == ["111"]
    assert [p.practice for p in result.losers] == ["222"]
    assert [p.practice for p in result.unchanged] == ["333"]
    assert [p.practice for p in result.ranked] == ["111", "333", "222"]
    assert [(m.key, m.own, m.shadow) for m in result.by_month] == [
        ("2018-01", D("985"), D("880")),
        ("2018-02", D("370"), D("450")),
    ]
    assert {x.key: x.difference for x in result.by_component}["capitation"] == D("300")


def test_main_component_ignores_components_pulling_the_other_way() -> None:
    parts = [Amounts("a", D("0"), D("-90")), Amounts("b", D("0"), D("60")), Amounts("c", D("0"), D("50"))]
    # total +20: "a" is the largest in size but pulls the other way
    assert main_component(parts) == "b"
    assert main_component([Amounts("a", D("5"), D("5"))]) is None


cents = st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: Decimal(n).scaleb(-2))
months = st.sampled_from([f"2018-{m:02d}" for m in range(1, 13)])
amounts = st.dictionaries(st.sampled_from(COMPARED), cents, max_size=len(COMPARED))
practice = st.builds(
    PracticeInput,
    practice=st.text("0123456789", min_size=9, max_size=9),
    name=st.just("P"),
    own_model=st.just("fee"),
    shadow_model=st.just("capitation"),
    own=st.dictionaries(months, amounts, max_size=12),
    shadow=st.dictionaries(months, amounts, max_size=12),
    characteristics=st.dictionaries(st.sampled_from(["list_size", "share_67"]), cents, max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(practice, max_size=6))
def test_differences_add_up(practices: list[PracticeInput]) -> None:
    result = compare(practices)
    for p in result.practices:
        # component contributions sum to the practice's difference, and months to its totals
        assert sum((c.difference for c in p.by_component), D(0)) == p.difference
        assert (
            sum((m.own for m in p.by_month), D(0))
            == sum((c.own for c in p.by_component), D(0))
            == p.own_total
        )
        assert sum((m.difference for m in p.by_month), D(0)) == p.difference
        if p.main_component is not None:
            main = p.main_amounts
            assert main is not None and main.difference != 0
            assert p.difference == 0 or (main.difference > 0) == (p.difference > 0)
        if p.offsetting_component is not None:
            against = p.offsetting_amounts
            assert against is not None and (against.difference > 0) != (p.difference > 0)
    # practices' differences add up to the aggregate, by component and by month too
    assert sum((p.difference for p in result.practices), D(0)) == result.difference
    assert sum((c.difference for c in result.by_component), D(0)) == result.difference
    assert sum((m.difference for m in result.by_month), D(0)) == result.difference
    assert len(result.winners) + len(result.losers) + len(result.unchanged) == len(practices)
    assert all(w.difference > 0 for w in result.winners) and all(x.difference < 0 for x in result.losers)
