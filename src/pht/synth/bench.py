"""``pht bench synth``: generate a chosen scale and print rows per second and peak memory."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from pht.command import BENCHMARKS


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in KiB."""
    parents: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        pid, ppid = int(entry), int(fields.get("PPid", "0").strip() or 0)
        parents.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(parents.get(pid, []))
    return total


class _Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak_kib = max(self.peak_kib, _tree_rss_kib(os.getpid()))
            except OSError:
                return
            self.stop.wait(0.5)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pht.synth.commands import add_selection_arguments

    add_selection_arguments(parser)
    parser.add_argument(
        "--out", help="where to write the lake (default: a temporary directory, removed after)"
    )


def run(args: argparse.Namespace) -> int:
    from pht.command import CommandError
    from pht.lake import LakeError
    from pht.synth.commands import parse_years, pilot_from, selection
    from pht.synth.lake import check_2017_counts, check_fnr
    from pht.synth.lake import run as generate_lake

    if not (args.municipalities or args.county or args.scale):
        args.scale = "nation"
    first, last = parse_years(args.years)
    chosen = selection(args)
    pilot = pilot_from(args)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="pht-bench-synth-"))
    sampler = _Sampler()
    sampler.start()
    started = time.perf_counter()
    try:
        manifest = generate_lake(
            out, chosen, seed=args.seed, first_year=first, last_year=last, pilot=pilot, jobs=max(1, args.jobs)
        )
    except LakeError as exc:
        raise CommandError(str(exc)) from None
    elapsed = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    rows = {name: info["rows"] for name, info in manifest["datasets"].items()}
    total = sum(rows.values())
    size = sum((out / f).stat().st_size for f in manifest["files"])
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    check_started = time.perf_counter()
    mismatches = check_2017_counts(out, chosen)
    persons, distinct, invalid = check_fnr(out)
    check_seconds = time.perf_counter() - check_started
    print(
        f"synth benchmark: {len(chosen)} municipalities, population 2017 {manifest['population_2017']:,}, "
        f"years {first}-{last}, seed {args.seed}, jobs {args.jobs}"
    )
    for name, count in rows.items():
        print(f"  {name:<18} {count:>14,} rows")
    print(f"  total rows         {total:>14,}")
    print(f"  files              {len(manifest['files']):>14,}  ({size / 1e9:.2f} GB on disk)")
    print(f"  wall time          {elapsed:>14.1f} s")
    print(f"  rows per second    {total / elapsed:>14,.0f}")
    # CPU time shows the cost when other work shares the cores (wall time alone would hide that)
    print(f"  CPU time           {cpu_seconds:>14.1f} s (main + workers; {cpu_seconds / elapsed:.2f} cores)")
    print(f"  peak RSS, sampled  {sampler.peak_kib / 1024**2:>14.2f} GiB (main + workers, every 0.5 s)")
    print(
        f"  peak RSS, main     {self_kib / 1024**2:>14.2f} GiB; largest worker {child_kib / 1024**2:.2f} GiB"
    )
    verdict = "all equal" if not mismatches else f"{len(mismatches)} MISMATCHES, e.g. {mismatches[:3]}"
    print(
        f"  2017 residents by municipality x age vs source table: {verdict} ({check_seconds:.1f} s to check)"
    )
    print(
        f"  fødselsnummer: {persons:,} persons, {distinct:,} distinct numbers, {invalid} invalid in a sample"
    )
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)
    sys.stdout.flush()
    return 0 if not mismatches and not invalid and persons == distinct else 1


BENCHMARKS["synth"] = ("generate a synthetic Norway and report rows/s and peak memory", add_arguments, run)
