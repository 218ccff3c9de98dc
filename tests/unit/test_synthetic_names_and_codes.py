"""Synthetic patient names (pht.synth.names) and ICPC-2 titles beside codes (care_codes)."""

from __future__ import annotations

import csv
import datetime

import numpy as np
from django.utils import translation
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from pht.apps.care.templatetags.care_codes import icpc2, icpc2_title
from pht.refdata.loaders import DATA_DIR
from pht.rules.identifiers import check_person_id
from pht.synth.fnr import synthetic_fnr
from pht.synth.names import FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, SURNAMES, synthetic_name

EPOCH = datetime.date(1970, 1, 1)


@settings(max_examples=50, deadline=None)
@given(
    st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2019, 12, 31)),
    st.booleans(),
    st.integers(min_value=0, max_value=20),
)
def test_every_synthetic_person_gets_a_stable_name_matching_their_sex(
    born: datetime.date, male: bool, slot: int
) -> None:
    fnr = synthetic_fnr(np.array([(born - EPOCH).days]), np.array([male]), np.array([slot]))[0].as_py()
    name = synthetic_name(fnr)
    assert name is not None and name == synthetic_name(fnr)  # the same number, the same name
    first, last = name.split(" ")
    assert last in SURNAMES
    assert first in (
        FIRST_NAMES_MALE if check_person_id(fnr, allow_synthetic=True).sex == "M" else FIRST_NAMES_FEMALE
    )


def test_real_or_invalid_numbers_get_no_name() -> None:
    assert synthetic_name("01010112345") is None  # not a valid number
    assert synthetic_name("15076500565") is None  # a valid, non-synthetic fødselsnummer
    assert synthetic_name("") is None


def test_names_spread_over_the_lists() -> None:
    days = np.arange(0, 2000) * 7
    fnrs = synthetic_fnr(days, days % 2 == 0, np.zeros(len(days), dtype=np.int64)).to_pylist()
    names = {synthetic_name(fnr) for fnr in fnrs}
    assert len(names) > 200  # not a handful of repeated names


def test_icpc2_titles_come_from_the_shipped_code_list_in_the_page_language() -> None:
    with (DATA_DIR / "icpc2" / "icpc2_codes.csv").open(encoding="utf-8") as handle:
        rows = {row["code"]: row for row in csv.DictReader(handle)}
    for code in ("K86", "T90", "P70", "R95", "A28"):
        assert icpc2_title(code, "nb") == rows[code]["title_nb"]
        assert icpc2_title(code, "en") == rows[code]["title_en"]
    with translation.override("en"):
        assert icpc2("K86") == f'<span class="pht-code">K86</span> {rows["K86"]["title_en"]}'
    with translation.override("nb"):
        assert icpc2("K86").endswith(rows["K86"]["title_nb"])
        assert icpc2("Q99") == "Q99"  # not in the list: the code alone
        assert icpc2("") == "–"
        # an unknown value stays plain text (not marked safe), so the template escapes it
        assert not isinstance(icpc2("<script>"), SafeString)
