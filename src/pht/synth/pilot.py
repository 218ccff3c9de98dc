"""The pilot in the synthetic Norway: which practices, from when, under which financing model,
and the true effects injected for target-group patients (the truth an evaluation is checked against).

Default pilot (RULES.md §1): the real pilot's municipalities — Seljord 0828, Austevoll 1244,
Hå 1119, Flora 1401, Eid 1443, Kristiansand 1001, Ringsaker 0412, Rana 1833, Oslo 0301 — with 13
practices from 2018-04-01 (8 on the fee model, 5 on capitation) and 4 more from 2020-01-01.

How practices are chosen (deterministic, documented in docs/synth.md): from the seeded registry
(``pht.synth.registry.generate_municipality(municipality, seed)``), in each municipality the
practices with the most GPs, ties broken by organisation number, as many as ``WAVE_1``/``WAVE_2``
allot to the municipality (larger practices joined the real pilot: 85 GPs in 13 practices).
Which wave-1 practices are on capitation is drawn from the seed (5 of 13). The per-municipality
allotment, the wave-2 start date (1 January 2020) and wave 2's model split are assumptions.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from pht.refdata import municipalities
from pht.synth.registry import SynthPractice, generate_municipality

PILOT_MUNICIPALITIES = ("0828", "1244", "1119", "1401", "1443", "1001", "0412", "1833", "0301")
WAVE_1_START = datetime.date(2018, 4, 1)
WAVE_2_START = datetime.date(2020, 1, 1)  # assumption: "2020" is all the sources say
WAVE_1 = {"0828": 1, "1244": 1, "1119": 1, "1401": 1, "1443": 1, "1001": 2, "0412": 1, "1833": 2, "0301": 3}
WAVE_2 = {"0301": 2, "1001": 1, "0412": 1}
WAVE_1_CAPITATION = 5
WAVE_2_CAPITATION = 2


@dataclass(frozen=True)
class Effects:
    """True effects for target-group patients listed with a pilot practice, from its start date.

    Rate ratios multiply rates (1.0 = no effect); shifts move a score (PREM in standard
    deviations of its latent scale, PROM in points of the 0-100 scale; 0.0 = no effect). What they
    change is written, event by event, to the lake's ``truth`` dataset (docs/synth.md). The
    confounding (``synth_evaluation.toml``) is not an effect: zero effects inject nothing.
    """

    acute_admission_rr: float = 1.0
    out_of_hours_rr: float = 1.0
    gp_consultation_rr: float = 1.0
    prem_shift_sd: float = 0.0
    prom_shift_points: float = 0.0

    def is_zero(self) -> bool:
        return self == Effects()

    def validate(self) -> Effects:
        for name in ("acute_admission_rr", "out_of_hours_rr", "gp_consultation_rr"):
            if not 0.0 < getattr(self, name) <= 5.0:
                raise ValueError(f"effect {name} must be a rate ratio in (0, 5], got {getattr(self, name)}")
        return self


ZERO_EFFECTS = Effects()
# Defaults are a plausible, modest benefit chosen for validation; they are not estimates.
DEFAULT_EFFECTS = Effects(
    acute_admission_rr=0.85,
    out_of_hours_rr=0.90,
    gp_consultation_rr=1.0,
    prem_shift_sd=0.3,
    prom_shift_points=2.0,
)

# Who counts as a target-group patient in the generator's truth (checked at the start of each year).
TARGET_RULE = (
    "at least 2 chronic conditions; or psychosis, substance use, dementia or developmental disability; "
    "or age 75+ with at least 3 frailty deficits"
)


@dataclass(frozen=True)
class PilotPractice:
    practice_orgnr: str
    kommunenummer: str
    name: str
    gp_count: int
    start: datetime.date
    financing_model: str  # "fee" or "capitation"
    wave: int


@dataclass(frozen=True)
class Pilot:
    practices: tuple[PilotPractice, ...]
    effects: Effects = field(default_factory=Effects)
    target_rule: str = TARGET_RULE

    def by_orgnr(self) -> dict[str, PilotPractice]:
        return {p.practice_orgnr: p for p in self.practices}

    def with_effects(self, effects: Effects) -> Pilot:
        return replace(self, effects=effects.validate())

    def describe(self) -> dict[str, object]:
        return {
            "practices": [{**asdict(p), "start": p.start.isoformat()} for p in self.practices],
            "effects": asdict(self.effects),
            "effects_are_zero": self.effects.is_zero(),
            "target_rule": self.target_rule,
        }


def _ranked(practices: list[SynthPractice]) -> list[SynthPractice]:
    return sorted(practices, key=lambda p: (-len(p.gps), p.orgnr))


def default_pilot(seed: int = 2017, effects: Effects = DEFAULT_EFFECTS) -> Pilot:
    """The default pilot over the registry generated with ``seed`` (the same registry ``pht synth`` uses)."""
    by_code = {m.kommunenummer: m for m in municipalities(2017)}
    chosen: list[tuple[SynthPractice, int]] = []
    for code in PILOT_MUNICIPALITIES:
        ranked = _ranked(generate_municipality(by_code[code], seed))
        first, second = WAVE_1.get(code, 0), WAVE_2.get(code, 0)
        chosen += [(p, 1) for p in ranked[:first]]
        chosen += [(p, 2) for p in ranked[first : first + second]]
    rng = np.random.default_rng([seed, 4_2018])
    wave1 = [p for p, w in chosen if w == 1]
    wave2 = [p for p, w in chosen if w == 2]
    cap1 = {wave1[i].orgnr for i in rng.choice(len(wave1), WAVE_1_CAPITATION, replace=False)}
    cap2 = {wave2[i].orgnr for i in rng.choice(len(wave2), WAVE_2_CAPITATION, replace=False)}
    practices = tuple(
        PilotPractice(
            practice_orgnr=p.orgnr,
            kommunenummer=p.kommunenummer,
            name=p.name,
            gp_count=len(p.gps),
            start=WAVE_1_START if wave == 1 else WAVE_2_START,
            financing_model="capitation" if p.orgnr in (cap1 | cap2) else "fee",
            wave=wave,
        )
        for p, wave in chosen
    )
    return Pilot(practices=practices, effects=effects.validate())


def no_pilot() -> Pilot:
    return Pilot(practices=())
