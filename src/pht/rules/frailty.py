"""Open frailty index over ICPC-2 deficits, in the spirit of the electronic Frailty Index (eFI).

The eFI (Clegg et al. 2016) counts 36 deficits in a primary care record and divides by 36; the
categories are fit (index <= 0.12), mild (<= 0.24), moderate (<= 0.36) and severe (above 0.36).
PHT's deficit-to-code map is data (``params/frailty_index.toml``) and a default: see docs/care.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from pht.rules.explain import Classification, Message, Param, Term, render

RULE_ID = "frailty.efi"
ICPC2_CODE = re.compile(r"^[A-Z][0-9]{2}$")

# English templates of the reasons' messages (ids -> ``%(name)s`` templates); the care app translates them.
TEMPLATES: Mapping[str, str] = {
    "frailty.deficits": "%(count)s of %(total)s deficits (index %(index)s, %(category)s): %(deficits)s",
    "frailty.no_deficits": "%(count)s of %(total)s deficits (index %(index)s, %(category)s)",
    "frailty.deficit": "%(deficit)s (%(evidence)s)",
}


class FrailtyCategory(StrEnum):
    FIT = "fit"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def rank(self) -> int:
        return _CATEGORY_ORDER.index(self)

    @property
    def term(self) -> Term:
        return Term("frailty_category", self.value, self.value)


_CATEGORY_ORDER = (
    FrailtyCategory.FIT,
    FrailtyCategory.MILD,
    FrailtyCategory.MODERATE,
    FrailtyCategory.SEVERE,
)


@dataclass(frozen=True)
class Deficit:
    """One deficit of the index and the evidence that counts for it (ICPC-2 codes, service kinds)."""

    key: str
    label: str
    codes: frozenset[str]
    services: frozenset[str]


@dataclass(frozen=True)
class FrailtyIndexParameters:
    deficits: tuple[Deficit, ...]
    mild_above: Decimal
    moderate_above: Decimal
    severe_above: Decimal
    service_window_months: int

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.mild_above < self.moderate_above < self.severe_above <= Decimal(1):
            raise ValueError(
                "frailty index cut-offs must rise strictly within 0..1: "
                f"mild_above={self.mild_above}, moderate_above={self.moderate_above}, "
                f"severe_above={self.severe_above}"
            )
        keys = [deficit.key for deficit in self.deficits]
        if not keys:
            raise ValueError("frailty index needs at least one deficit")
        if len(set(keys)) != len(keys):
            raise ValueError(f"frailty index deficits must have distinct keys, got {keys}")
        if self.service_window_months < 1:
            raise ValueError(f"service_window_months must be at least 1, got {self.service_window_months}")

    @property
    def total(self) -> int:
        return len(self.deficits)

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> FrailtyIndexParameters:
        raw = values.get("deficits")
        if not isinstance(raw, list):
            raise ValueError("frailty index parameter 'deficits' must be a list of tables")
        deficits = []
        for position, entry in enumerate(raw, start=1):
            if not isinstance(entry, Mapping):
                raise ValueError(f"frailty index deficit {position} must be a table")
            key, label = entry.get("key"), entry.get("label")
            if not isinstance(key, str) or not key or not isinstance(label, str) or not label:
                raise ValueError(
                    f"frailty index deficit {position}: 'key' and 'label' must be non-empty text"
                )
            deficits.append(
                Deficit(
                    key=key,
                    label=label,
                    codes=frozenset(_code_list(entry.get("codes"), f"deficit {key!r}, field 'codes'")),
                    services=frozenset(
                        _text_list(entry.get("services"), f"deficit {key!r}, field 'services'")
                    ),
                )
            )
        window = values.get("service_window_months")
        if not isinstance(window, int) or isinstance(window, bool):
            raise ValueError(
                f"frailty index parameter 'service_window_months' must be a whole number, got {window!r}"
            )
        return cls(
            deficits=tuple(deficits),
            mild_above=_decimal(values, "mild_above"),
            moderate_above=_decimal(values, "moderate_above"),
            severe_above=_decimal(values, "severe_above"),
            service_window_months=window,
        )


def _decimal(values: Mapping[str, object], key: str) -> Decimal:
    value = values.get(key)
    if not isinstance(value, str):
        raise ValueError(f"frailty index parameter {key!r} must be a decimal string, got {value!r}")
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"frailty index parameter {key!r} is not a decimal: {value!r}") from exc


def _text_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"frailty index {where} must be a list of text, got {value!r}")
    return [str(item) for item in value]


def _code_list(value: object, where: str) -> list[str]:
    codes = _text_list(value, where)
    bad = [code for code in codes if not ICPC2_CODE.match(code)]
    if bad:
        raise ValueError(f"frailty index {where}: not ICPC-2 codes: {bad}")
    return codes


def categorise(deficit_count: int, total: int, parameters: FrailtyIndexParameters) -> FrailtyCategory:
    """Category of an index ``deficit_count / total``, compared exactly (no float rounding)."""
    if total < 1 or not 0 <= deficit_count <= total:
        raise ValueError(f"deficit count must be within 0..{total}, got {deficit_count}")
    index = Fraction(deficit_count, total)
    if index > Fraction(parameters.severe_above):
        return FrailtyCategory.SEVERE
    if index > Fraction(parameters.moderate_above):
        return FrailtyCategory.MODERATE
    if index > Fraction(parameters.mild_above):
        return FrailtyCategory.MILD
    return FrailtyCategory.FIT


def present_deficits(
    codes: Iterable[str], services: Iterable[str], parameters: FrailtyIndexParameters
) -> dict[str, list[str]]:
    """Deficits present (key -> sorted evidence: the codes and service kinds that matched)."""
    code_set, service_set = set(codes), set(services)
    found: dict[str, list[str]] = {}
    for deficit in parameters.deficits:
        evidence = sorted(deficit.codes & code_set) + sorted(deficit.services & service_set)
        if evidence:
            found[deficit.key] = evidence
    return found


def frailty_index(
    codes: Iterable[str], services: Iterable[str], parameters: FrailtyIndexParameters
) -> Classification[FrailtyCategory]:
    """Frailty category from the ICPC-2 codes on record and the service kinds recently used, with reasons.

    ``codes``: every ICPC-2 code recorded up to the reference date; ``services``: the service kinds used
    within the service window. Choosing those two sets from a history is the caller's job
    (``pht.rules.target_groups.stratify`` does it), so this function stays a pure count.
    """
    found = present_deficits(codes, services, parameters)
    count, total = len(found), parameters.total
    category = categorise(count, total, parameters)
    index = (Decimal(count) / Decimal(total)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    labels = {deficit.key: deficit.label for deficit in parameters.deficits}
    params: dict[str, Param] = {
        "count": count,
        "total": total,
        "index": str(index),
        "category": category.term,
    }
    if found:
        params["deficits"] = tuple(
            Message(
                "frailty.deficit",
                {
                    "deficit": Term("frailty_deficit", key, labels[key]),
                    "evidence": tuple(_evidence(item) for item in evidence),
                },
            )
            for key, evidence in found.items()
        )
    message = Message("frailty.deficits" if found else "frailty.no_deficits", params)
    inputs: dict[str, object] = {
        "deficits": found,
        "deficit_count": count,
        "deficit_total": total,
        "index": str(index),
        "cut_offs": [
            str(parameters.mild_above),
            str(parameters.moderate_above),
            str(parameters.severe_above),
        ],
    }
    return Classification(
        rule=RULE_ID,
        value=category,
        reason=render(message, TEMPLATES.__getitem__),
        inputs=inputs,
        message=message,
    )


def service_term(service: str) -> Term:
    """A service kind (``home_visit``) as a term of the reasons."""
    return Term("contact_kind", service, service.replace("_", " "))


def _evidence(item: str) -> Param:
    """An ICPC-2 code as is; a service kind as a term."""
    return item if ICPC2_CODE.match(item) else service_term(item)
