"""The bulk settlement reports its stages (``settlement_table``'s ``progress``) once each, in order,
with the fraction done rising to 1, and settles exactly as it does without the callback."""

from __future__ import annotations

import pytest

from pht.engine.finance import SETTLEMENT_STAGES, FinanceLake, periods_of_year

STAGE_NAMES = [name for name, _weight in SETTLEMENT_STAGES]


@pytest.fixture(scope="module")
def lake(pilot_lake):
    return pilot_lake("0828")  # Seljord, 2017-2018


def _assert_reported_in_order(seen: list[tuple[str, float]]) -> None:
    assert [stage for stage, _fraction in seen] == STAGE_NAMES
    fractions = [fraction for _stage, fraction in seen]
    assert all(0 < a < b for a, b in zip(fractions, fractions[1:], strict=False))
    assert fractions[-1] == 1.0


@pytest.mark.parametrize("frame", [False, True])
def test_the_whole_lake_reports_each_stage_once_in_order_and_settles_the_same(lake, frame) -> None:
    periods = periods_of_year(2018)
    plain = FinanceLake(lake).settlement_table(periods, frame=frame)
    seen: list[tuple[str, float]] = []
    reported = FinanceLake(lake).settlement_table(
        periods, frame=frame, progress=lambda stage, fraction: seen.append((stage, fraction))
    )
    _assert_reported_in_order(seen)
    assert reported.num_rows > 0
    assert reported.equals(plain)


def test_a_part_of_the_lake_reports_the_same_stages(lake) -> None:
    """The reference year then comes in passes of its own within the money's stage: still one report
    per stage."""
    whole = FinanceLake(lake)
    some = whole.practice_ids()[:1]
    periods = periods_of_year(2018)[:2]
    seen: list[tuple[str, float]] = []
    reported = whole.settlement_table(periods, some, progress=lambda s, f: seen.append((s, f)))
    _assert_reported_in_order(seen)
    assert reported.equals(FinanceLake(lake).settlement_table(periods, some))


def test_an_exception_from_the_callback_stops_the_settlement(lake) -> None:
    class Cancelled(Exception):
        pass

    def cancel(stage: str, fraction: float) -> None:
        if stage == "claims":
            raise Cancelled

    with pytest.raises(Cancelled):
        FinanceLake(lake).settlement_table(periods_of_year(2018), progress=cancel)
