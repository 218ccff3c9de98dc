"""``pht bench selection``: time the selection MILP (solve, and the full explained result)."""

from __future__ import annotations

import argparse
import random
import statistics
import time

from pht.command import BENCHMARKS
from pht.rules.selection import Candidate, SelectionConstraints, SelectionProblem, solve_selection


def _problem(n: int, seed: int) -> SelectionProblem:
    rng = random.Random(seed)
    classes = ("small", "medium", "large")
    counties = [f"county{i}" for i in range(11)]
    candidates = tuple(
        Candidate(
            id=f"{i:04d}",
            size_class=classes[i % 3],
            gps=rng.randint(1, 25),
            score=round(rng.uniform(1, 5), 2),
            models=frozenset(rng.sample(["fee", "capitation"], rng.randint(1, 2))),
            county=rng.choice(counties),
        )
        for i in range(n)
    )
    constraints = SelectionConstraints(
        per_size_class={"small": 3, "medium": 3, "large": 3},
        gps_min=60,
        gps_max=110,
        min_per_model={"fee": 2, "capitation": 2},
        max_per_county=2,
    )
    return SelectionProblem(candidates, constraints)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--candidates", type=int, nargs="+", default=[17, 100, 426])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2017)


def run(args: argparse.Namespace) -> int:
    print(
        f"{'candidates':>10} {'status':>10} {'median s':>10} {'max s':>8}  (full result: optimum, binding, alternatives)"
    )
    for n in args.candidates:
        problem = _problem(n, args.seed)
        times = []
        status = ""
        for _ in range(args.repeat):
            start = time.perf_counter()
            status = solve_selection(problem).status
            times.append(time.perf_counter() - start)
        print(f"{n:>10} {status:>10} {statistics.median(times):>10.3f} {max(times):>8.3f}")
    return 0


BENCHMARKS["selection"] = ("selection MILP with explanations, by number of candidates", add_arguments, run)
