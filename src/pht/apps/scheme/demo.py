"""Demo data of the scheme app, built by `pht demo` after the registry."""

from __future__ import annotations

from collections.abc import Callable


def build_demo(say: Callable[[str], None]) -> None:
    """Create this app's demo data (idempotent)."""
