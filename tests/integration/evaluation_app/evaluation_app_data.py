"""Helpers of the evaluation workspace's tests."""

from __future__ import annotations

import datetime
from typing import Any


def small_lake_document(document: dict[str, Any]) -> dict[str, Any]:
    """The plan fitted to the small lake (2016-2019, few practices) and quick."""
    document = {k: dict(v) if isinstance(v, dict) else v for k, v in document.items()}
    document["design"]["study_end"] = datetime.date(2019, 12, 31).isoformat()
    document["design"]["min_control_practices"] = 2
    document["matching"]["neighbours"] = 2
    document["inference"]["bootstrap_draws"] = 199
    document["inference"]["randomisation_permutations"] = 0
    return document
