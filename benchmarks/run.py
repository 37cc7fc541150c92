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
    SessionLog(path).append(df.sort_values("started_at", kind="stable").head(rows))
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


def bench_analysis(ctx) -> list[tuple]:
    from hipnb import SessionLog, analysis

    path = ctx["big"]
    read = best_of(lambda: SessionLog(path).read(errors="raise"), repeat=2)
    df = SessionLog(path).read()
    daily = best_of(lambda: analysis.daily_summary(df), repeat=2)
    roster = best_of(lambda: analysis.roster(df), repeat=2)
    n = f"{df['athlete'].nunique()} athletes, {len(df)} rows"
    from hipnb.demo import demo_log
    from hipnb.log import to_frame

    year = to_frame(demo_log(athletes=300, weeks=52, seed=4))
    roster_year = best_of(lambda: analysis.roster(year), repeat=2)
    return [
        (
            "roster, 300 athletes x 1 year",
            f"300 athletes x 1 year, {len(year)} rows",
            roster_year,
            "read+validate (big log)",
            read,
        ),
        ("daily summary", n, daily, "read+validate of the same log", read),
        ("roster, big log", n, roster, "read+validate of the same log", read),
    ]


def bench_import(ctx) -> list[tuple]:
    import subprocess

    def run(code):
        return lambda: subprocess.run([sys.executable, "-c", code], check=True)

    ours = best_of(run("import hipnb"), repeat=5)
    base = best_of(run("import pandas, matplotlib, ipywidgets"), repeat=5)
    return [("import hipnb", "fresh process", ours, "import pandas, matplotlib, ipywidgets", base)]


def bench_runs(ctx) -> list[tuple]:
    """FIT decoding rate (an hour's run, recorded every second) and a 5,000-activity Strava CSV."""
    import fitdecode
    import pandas as pd

    from hipnb.runs import import_runs
    from hipnb.runs.formats import read_activity_file

    fit = HERE / "data" / "hour_run.fit"
    files = 20

    def frames():
        for _ in range(files):
            with fitdecode.FitReader(str(fit)) as reader:
                for _frame in reader:
                    pass

    decode = best_of(lambda: [read_activity_file(fit) for _ in range(files)])
    raw = best_of(frames)
    export = ctx["tmp"] / "strava_5000"
    export.mkdir()
    types = ["Run"] * 7 + ["Ride", "Walk", "Trail Run"]
    starts = pd.date_range("2012-01-01 06:00", periods=5000, freq="27h")
    pd.DataFrame(
        {
            "Activity ID": range(5000),
            "Activity Date": starts.strftime("%b %d, %Y, %I:%M:%S %p"),
            "Activity Name": "Morning Run",
            "Activity Type": [types[i % 10] for i in range(5000)],
            "Elapsed Time": 3000,
            "Distance": 10.0,
            "Moving Time": 2900,
            "Distance ": [10000.0 + i for i in range(5000)],
        }
    ).rename(columns={"Distance ": "Distance"}).to_csv(export / "activities.csv", index=False)
    logs = ctx["tmp"] / "runs_logs"

    def fresh_import():
        import shutil

        shutil.rmtree(logs, ignore_errors=True)
        import_runs(export, "ana", logs=logs, tz="Europe/Madrid", progress=False)

    ours = best_of(fresh_import)
    base = best_of(lambda: pd.read_csv(export / "activities.csv"))
    return [
        (
            "FIT decode, 1 h at 1 s",
            f"{files} files, {files / decode:.0f} files/s",
            decode,
            "fitdecode frames only",
            raw,
        ),
        ("import Strava CSV", "5000 activities", ours, "pandas.read_csv of it", base),
    ]


def bench_notebooks(ctx) -> list[tuple]:
    import nbformat

    from hipnb._execute import run_notebook

    folder = HERE.parent / "notebooks"

    def execute(path):
        run_notebook(path, timeout=300)

    empty = ctx["tmp"] / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), empty)
    paths = sorted(folder.glob("*.ipynb"))
    base = best_of(lambda: [execute(empty) for _ in paths], repeat=1)
    each = {p.name: best_of(lambda p=p: execute(p), repeat=1) for p in paths}
    slowest = max(each, key=each.get)
    return [
        (
            f"run all {len(paths)} notebooks",
            f"headless; slowest {slowest} {each[slowest]:.1f} s",
            sum(each.values()),
            "same number of 1-cell notebooks",
            base,
        )
    ]


def bench_timer(ctx) -> list[tuple]:
    """A 5-minute hold on a real clock sped up 60x, ticks delayed by busy loops; logged vs true."""
    import random

    from hipnb import Timer
    from hipnb.routines import parse_routine

    speed = 60.0
    clock = lambda: time.monotonic() * speed  # noqa: E731
    routine = parse_routine(
        {"name": "hold", "steps": [{"exercise": "bound_angle", "side": "both", "seconds": 300}]}
    )
    rng = random.Random(5)
    errors = []
    for stop_after in (90.0, 200.0, 299.0):  # stop mid-hold at these true seconds
        t = Timer(routine, clock=clock)
        t.start()
        begun = clock()
        paused_for = 0.0
        while clock() - begun - paused_for < stop_after:
            busy_until = time.perf_counter() + rng.uniform(0, 0.05)  # a stalled kernel
            while time.perf_counter() < busy_until:
                pass
            t.tick()
            if rng.random() < 0.05:
                t.pause()
                p0 = clock()
                time.sleep(rng.uniform(0, 0.05))
                paused_for += clock() - p0
                t.resume()
        t.stop()
        truth = clock() - begun - paused_for
        errors.append(abs(t.results()[0]["actual_s"] - min(truth, 300.0)))
    worst = max(errors)
    return [
        (
            "timer error |logged - true|",
            "5 min hold at 60x, late ticks",
            worst,
            "a 1 s tolerance",
            1.0,
        )
    ]


BENCHES = {
    "read": bench_read,
    "append": bench_append,
    "analysis": bench_analysis,
    "import": bench_import,
    "notebooks": bench_notebooks,
    "runs": bench_runs,
    "timer": bench_timer,
}


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
    previous = _previous()
    header = ("what", "size", "ours_s", "baseline", "baseline_s", "ratio", "previous_ratio")
    table = [
        (w, size, ours, base, bs, f"{ours / bs:.2f}x", previous.get(w, "-"))
        for w, size, ours, base, bs in rows
    ]
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


def _previous() -> dict[str, str]:
    """Ratios of the last run, by benchmark name, to compare against."""
    try:
        with open(RESULTS / "latest.csv", newline="") as f:
            return {r["what"]: r["ratio"] for r in csv.DictReader(f)}
    except (OSError, KeyError):
        return {}


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v * 1000:.2f} ms" if v < 1 else f"{v:.3f} s" if v < 100 else f"{v:.0f} s"
    return str(v)


if __name__ == "__main__":
    raise SystemExit(main())
