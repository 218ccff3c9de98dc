"""Command plumbing every layer may import: the user-facing error, Django setup, the benchmark registry.

It imports nothing of PHT, so the engine, the generator and the apps can define their commands and
benchmarks without reaching up to ``pht.cli``, which only assembles them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable


class CommandError(Exception):
    """A user-facing error: printed without a traceback, exit code 2."""


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pht.site.settings")
    import django

    django.setup()


# Each area adds its benchmark here: name -> (help, add_arguments, run).
BenchSpec = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
BENCHMARKS: dict[str, BenchSpec] = {}
