from collections import Counter

from pht.refdata import municipalities
from pht.rules.identifiers import check_hpr, check_orgnr
from pht.synth.registry import generate_municipality, generate_registry


def test_whole_country_registry_is_plausible_and_deterministic():
    rows = municipalities(2017)
    practices = list(generate_registry(rows, seed=2017))
    gps = [gp for p in practices for gp in p.gps]
    # About one GP per 1,100 inhabitants: Norway had 4,759 GP lists at the end of 2017.
    assert 4_500 <= len(gps) <= 5_000
    assert all(1 <= len(p.gps) <= 8 for p in practices)
    assert sum(gp.list_size for gp in gps) == sum(m.population for m in rows)
    assert len({p.orgnr for p in practices}) == len(practices)
    assert len({gp.hpr for gp in gps}) == len(gps)
    assert all(gp.list_size <= gp.list_cap for gp in gps)
    per_municipality = Counter(p.kommunenummer for p in practices)
    assert set(per_municipality) == {m.kommunenummer for m in rows}


def test_identifiers_are_synthetic_and_valid():
    seljord = next(m for m in municipalities(2017) if m.kommunenummer == "0828")
    for practice in generate_municipality(seljord):
        assert check_orgnr(practice.orgnr, allow_synthetic=True) == practice.orgnr
        assert practice.orgnr[0] == "1"
        for gp in practice.gps:
            assert check_hpr(gp.hpr, allow_synthetic=True) and gp.hpr.startswith("90828")


def test_same_seed_same_registry_other_seed_differs():
    flora = next(m for m in municipalities(2017) if m.kommunenummer == "1401")
    assert generate_municipality(flora, 1) == generate_municipality(flora, 1)
    assert generate_municipality(flora, 1) != generate_municipality(flora, 2)
