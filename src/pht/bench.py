"""``pht bench …``: speed and memory benchmarks, reported as figures and ratios in one run."""

from __future__ import annotations

import argparse

from pht.command import BENCHMARKS


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _load_benchmarks()
    bench = subparsers.add_parser("bench", help="run a benchmark and print its figures")
    which = bench.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
    for name, (help_text, add_arguments, run) in sorted(BENCHMARKS.items()):
        parser = which.add_parser(name, help=help_text)
        add_arguments(parser)
        parser.set_defaults(handler=run)


def _load_benchmarks() -> None:
    """Import the modules that define benchmarks (each adds itself to ``pht.command.BENCHMARKS``)."""
    import importlib

    for module in BENCHMARK_MODULES:
        importlib.import_module(module)


BENCHMARK_MODULES: tuple[str, ...] = (
    "pht.engine.care_bench",
    "pht.synth.bench",
    "pht.engine.finance_bench",
    "pht.engine.nation_bench",
    "pht.apps.scheme.bench",
    "pht.validation.bench",
    "pht.site.bench_web",
)
