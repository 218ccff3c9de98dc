"""Sub-commands of this area (registered by ``pht.cli``)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; filled in as the area is built."""
