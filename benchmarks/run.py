"""hipnb benchmarks: each figure is a ratio against a baseline measured in the same run.

    make bench                      # or: python benchmarks/run.py [--rows N] [--only NAME ...]

Prints one table and writes it to benchmarks/results/latest.csv (plus a dated copy), so the next run
can be compared. Nothing here runs in the test suite: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def best_of(fn, repeat: int = 3) -> float:
    """Fastest of ``repeat`` runs, in seconds (the least disturbed by other work on the machine)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def make_log(folder: Path, rows: int) -> Path:
    """A single log file of about ``rows`` rows (300 athletes, as many weeks as it takes)."""
    from hipnb import SessionLog
    from hipnb.demo import demo_log

    weeks = max(1, math.ceil(rows / (300 * 7 * 0.6 * 5)))
    df = demo_log(athletes=300, weeks=weeks, seed=1)
    path = folder / f"log_{rows}.csv"
    SessionLog(path).append(df.head(rows))
    return path


def bench_read(ctx) -> list[tuple]:
    import pandas as pd

    from hipnb import SessionLog

    path = ctx["big"]
    raw = best_of(lambda: pd.read_csv(path, engine="pyarrow"))
    ours = best_of(lambda: SessionLog(path).read(errors="raise"))
    n = len(SessionLog(path).read())
    return [
        ("read+validate log", f"{n} rows", ours, "pandas.read_csv(engine=pyarrow)", raw),
    ]


def bench_append(ctx) -> list[tuple]:
    import shutil

    from hipnb import SessionLog
    from hipnb.demo import demo_log

    session = demo_log(athletes=1, weeks=1, seed=2).head(5)
    small = ctx["tmp"] / "small.csv"
    SessionLog(small).append(demo_log(athletes=1, weeks=4, seed=3).head(100))
    big = ctx["tmp"] / "big_copy.csv"
    shutil.copy(ctx["big"], big)

    def median_ms(path):
        log = SessionLog(path)
        times = []
        for _ in range(40):
            t = time.perf_counter()
            log.append(session)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    at_small, at_big = median_ms(small), median_ms(big)
    return [
        ("append 1 session (median)", "to a 1M-row log", at_big, "same, to a 100-row log", at_small)
    ]


BENCHES = {"read": bench_read, "append": bench_append}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rows", type=int, default=1_000_000, help="rows in the big log (default 1M)")
    p.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these benchmarks")
    args = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ctx = {"tmp": Path(tmp)}
        t = time.perf_counter()
        ctx["big"] = make_log(ctx["tmp"], args.rows)
        print(
            f"generated a {args.rows}-row log in {time.perf_counter() - t:.1f} s", file=sys.stderr
        )
        for name in args.only or BENCHES:
            print(f"running {name} ...", file=sys.stderr)
            rows += BENCHES[name](ctx)
    header = ("what", "size", "ours_s", "baseline", "baseline_s", "ratio")
    table = [(w, size, ours, base, bs, f"{ours / bs:.2f}x") for w, size, ours, base, bs in rows]
    widths = [max(len(_fmt(r[i])) for r in [header, *table]) for i in range(len(header))]
    for r in [header, *table]:
        print("  ".join(_fmt(v).ljust(wd) for v, wd in zip(r, widths, strict=True)))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    for out in (RESULTS / "latest.csv", RESULTS / f"bench-{stamp}.csv"):
        with open(out, "w", newline="") as f:
            csv.writer(f).writerows([header, *table])
    print(f"written to {RESULTS / 'latest.csv'}", file=sys.stderr)
    return 0


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v * 1000:.2f} ms" if v < 1 else f"{v:.3f} s" if v < 100 else f"{v:.0f} s"
    return str(v)


if __name__ == "__main__":
    raise SystemExit(main())
