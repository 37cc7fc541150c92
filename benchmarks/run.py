"""hipnb benchmarks: each figure is a ratio against a baseline measured in the same run.

    make bench      # or: python benchmarks/run.py [--rows N] [--only NAME ...] [--pairs P] [--against REV]

Every figure pairs our code with its baseline in alternating order (B A, A B, ...), at least 5 pairs,
and prints the median ratio and its spread (lowest-highest); peak memory comes from fresh processes.
The read and append figures are also paired against ``hipnb`` as it was at ``--against`` (a git
archive of that commit, imported side by side as ``hipnb_base``).

Prints one table and writes it to benchmarks/results/latest.csv (plus a dated copy), so the next run
can be compared. Nothing here runs in the test suite: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import math
import os
import statistics
import sys
import tempfile
import time
import warnings
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


PAIRS = 7


def paired(
    ours, base, pairs: int | None = None, clock=time.perf_counter
) -> tuple[float, float, float, float, float]:
    """Time ``ours`` and ``base`` in alternating order (B A B A ...), ``pairs`` times each, on
    ``clock`` (wall time; ``time.process_time`` for this process's CPU time).

    Returns (median ours, median base, median of the per-pair ratios, lowest ratio, highest
    ratio): the machine's noise lands on both sides of each pair instead of on whichever ran first.
    """
    pairs = pairs or PAIRS
    a, b = [], []
    for i in range(pairs):
        for fn, out in ((base, b), (ours, a)) if i % 2 == 0 else ((ours, a), (base, b)):
            t = clock()
            fn()
            out.append(clock() - t)
    return _summary(a, b)


def make_log(folder: Path, rows: int) -> Path:
    """A single log file of about ``rows`` rows (300 athletes, as many weeks as it takes)."""
    from hipnb.demo import demo_log
    from hipnb.log.append import append_rows

    weeks = max(1, math.ceil(rows / (300 * 7 * 0.6 * 5)))
    df = demo_log(athletes=300, weeks=weeks, seed=1)
    path = folder / f"log_{rows}.csv"
    append_rows(path, df.sort_values("started_at", kind="stable").head(rows))
    return path


#: The commit the read figures are also paired against (the start of the work on the log's edges).
AGAINST = "7a4fcd5"


def baseline_package(folder: Path, rev: str) -> Path | None:
    """``hipnb`` as it was at ``rev``, extracted into ``folder`` as the package ``hipnb_base`` (every
    ``hipnb`` name in it renamed), so both run in this process, side by side. None without git."""
    import re
    import subprocess
    import tarfile
    from io import BytesIO

    try:
        tar = subprocess.run(
            ["git", "-C", str(HERE.parent), "archive", rev, "hipnb"],
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    with tarfile.open(fileobj=BytesIO(tar)) as t:
        t.extractall(folder / "src", filter="data")
    (folder / "src" / "hipnb").rename(folder / "src" / "hipnb_base")
    for py in (folder / "src" / "hipnb_base").rglob("*.py"):
        text = py.read_text(encoding="utf-8").replace('version("hipnb")', 'version("hipnb?")')
        py.write_text(re.sub(r"\bhipnb\b(?!\?)", "hipnb_base", text), encoding="utf-8")
    return folder / "src"


def _base_read(ctx):
    """``read_logs`` of :data:`AGAINST`, or None when it cannot be had."""
    if "base_read" not in ctx:
        src = baseline_package(ctx["tmp"], ctx.get("against", AGAINST))
        ctx["base_src"] = src
        ctx["base_read"] = None
        if src is not None:
            sys.path.insert(0, str(src))
            from hipnb_base import read_logs  # type: ignore[import-not-found]

            ctx["base_read"] = read_logs
    return ctx["base_read"]


def _quiet(fn):
    """``fn`` with warnings silenced (a baseline that still warns its problems)."""

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()

    return run


def bench_read(ctx) -> list[tuple]:
    import pandas as pd

    from hipnb import read_logs

    path = ctx["big"]
    n = len(read_logs(path))
    rows = [
        (
            "read_logs(file)",
            f"{n} rows, 300 athletes",
            *paired(lambda: read_logs(path), lambda: pd.read_csv(path, engine="pyarrow")),
            "pandas.read_csv(engine=pyarrow)",
        )
    ]
    lines = path.read_bytes().split(b"\r\n")
    middle = len(lines) // 2
    for label, broken in (
        ("a bad value", lines[middle].replace(b",true,", b",maybe,", 1)),
        ("a cut-off row", lines[middle][:40]),
    ):
        bad = ctx["tmp"] / f"bad_{label.split()[-1]}.csv"
        bad.write_bytes(b"\r\n".join([*lines[:middle], broken, *lines[middle + 1 :]]))
        found = read_logs(bad).attrs["problems"]
        assert [p.line for p in found] == [middle + 1], found
        rows.append(
            (
                f"read_logs, one row with {label}",
                f"reported at line {found[0].line}",
                *paired(
                    lambda bad=bad: read_logs(bad),
                    lambda bad=bad: pd.read_csv(bad, engine="pyarrow", on_bad_lines="skip"),
                ),
                "pandas.read_csv(engine=pyarrow)",
            )
        )
    squad = ctx["tmp"] / "squad"
    squad.mkdir()
    header, body = lines[0], [ln for ln in lines[1:] if ln]
    by_athlete: dict[bytes, list[bytes]] = {}
    for ln in body:
        by_athlete.setdefault(ln.split(b",", 2)[1], []).append(ln)
    for athlete, athlete_rows in by_athlete.items():
        (squad / f"{athlete.decode()}.csv").write_bytes(b"\r\n".join([header, *athlete_rows, b""]))
    files = sorted(squad.glob("*.csv"))
    rows.append(
        (
            "read_logs(folder)",
            f"{len(files)} per-athlete files, same rows",
            *paired(
                lambda: read_logs(squad),
                lambda: pd.concat([pd.read_csv(f, engine="pyarrow") for f in files]),
            ),
            "pandas.read_csv of each file, concat",
        )
    )
    rows.append(_peak_rss(path))
    rows += _against_start(ctx, path, ctx["tmp"] / "bad_value.csv", squad)
    rows += _read_runs(ctx)
    return rows


def make_run_log(folder: Path, runs: int) -> Path:
    """One run log of ``runs`` runs (300 athletes, four runs a week each, from 2016), written by
    the run log's own append."""
    import numpy as np
    import pandas as pd

    from hipnb.runs import RunLog

    rng = np.random.default_rng(5)
    athletes = np.array([f"runner{i:03d}" for i in range(300)])
    start = pd.Timestamp("2016-01-04 07:00") + pd.to_timedelta(np.arange(runs) // 300 * 42, "h")
    offsets = np.resize(np.array(["+01:00", "-05:00", "+05:30", "+00:00"]), runs)
    km = rng.uniform(4, 25, runs).round(3)
    df = pd.DataFrame(
        {
            "run_id": [f"strava:{9_000_000_000 + i}" for i in range(runs)],
            "athlete": np.resize(athletes, runs),
            "started_at": start.strftime("%Y-%m-%dT%H:%M:%S") + offsets,
            "distance_m": km * 1000,
            "duration_s": (km * rng.uniform(280, 380, runs)).round(),
            "sport": "Run",
            "source": "activities.csv:2",
            "name": np.where(km > 18, "Long run", "Morning Run"),
        }
    )
    path = folder / f"runs_{runs}.csv"
    RunLog(path).append(df)
    return path


def _read_runs(ctx) -> list[tuple]:
    """The run log's read (the hold log's engine, its run table) against raw pyarrow: one big
    file, and a squad's per-athlete files (``<logs>/runs/<athlete>/runs.csv``)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from hipnb.runs import read_runs, runs_path

    path = make_run_log(ctx["tmp"], max(1000, ctx.get("rows", 1_000_000) // 5))
    n = len(read_runs(path))
    rows = [
        (
            "read_runs(file)",
            f"{n} runs, 300 athletes",
            *paired(lambda: read_runs(path), lambda: pacsv.read_csv(path)),
            "pyarrow.csv.read_csv",
        )
    ]
    logs = ctx["tmp"] / "run_logs"
    lines = path.read_bytes().split(b"\r\n")
    header, body = lines[0], [ln for ln in lines[1:] if ln]
    by_athlete: dict[bytes, list[bytes]] = {}
    for ln in body:
        by_athlete.setdefault(ln.split(b",", 2)[1], []).append(ln)
    for athlete, athlete_rows in by_athlete.items():
        target = runs_path(logs, athlete.decode())
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"\r\n".join([header, *athlete_rows, b""]))
    files = sorted((logs / "runs").glob("*/runs.csv"))
    rows.append(
        (
            "read_runs(folder)",
            f"{len(files)} per-athlete run logs, same runs",
            *paired(
                lambda: read_runs(logs),
                lambda: pa.concat_tables([pacsv.read_csv(f) for f in files]),
            ),
            "pyarrow.csv.read_csv of each file, concat",
        )
    )
    return rows


def _against_start(ctx, path: Path, bad: Path, squad: Path) -> list[tuple]:
    """The read figures paired against ``read_logs`` as it was at :data:`AGAINST` (no step back)."""
    from hipnb import read_logs

    base = _base_read(ctx)
    rev = ctx.get("against", AGAINST)
    if base is None:
        print(f"no git archive of {rev}: the figures against it are left out", file=sys.stderr)
        return []
    rows = []
    for what, target in (
        ("read_logs(file)", path),
        ("read_logs, one row with a bad value", bad),
        ("read_logs(folder)", squad),
    ):
        rows.append(
            (
                f"{what} vs {rev}",
                "same input",
                *paired(lambda t=target: read_logs(t), _quiet(lambda t=target: base(t))),
                f"read_logs at {rev}",
            )
        )
    rows.append(_peak_rss(path, against=(ctx["base_src"], rev)))
    return rows


RSS = """
import re
{imports}
{call}
# VmHWM: this process's own peak (ru_maxrss would carry the parent's peak over fork and exec)
print(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
"""


def _peak_rss(path: Path, against: tuple[Path, str] | None = None) -> tuple:
    """Peak resident memory of a fresh process reading the log, against one running the baseline
    (pandas, or with ``against`` = (source folder, rev) ``read_logs`` as it was at rev)."""
    import subprocess

    def child(imports, call):
        code = RSS.format(imports=imports, call=call)
        return lambda: int(
            subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )

    ours = child("import hipnb", f"hipnb.read_logs({str(path)!r})")
    base = child("import pandas as pd", f"pd.read_csv({str(path)!r}, engine='pyarrow')")
    if against is not None:
        src, rev = against
        base = child(
            f"import sys; sys.path.insert(0, {str(src)!r}); import hipnb_base",
            f"hipnb_base.read_logs({str(path)!r})",
        )
    a, b = [], []
    for i in range(5):
        for fn, out in ((base, b), (ours, a)) if i % 2 == 0 else ((ours, a), (base, b)):
            out.append(fn() * 1024.0)
    ratios = sorted(x / y for x, y in zip(a, b, strict=True))
    return (
        "peak RSS, read_logs(file)" + (f" vs {against[1]}" if against else ""),
        "fresh process, bytes",
        statistics.median(a),
        statistics.median(b),
        statistics.median(ratios),
        ratios[0],
        ratios[-1],
        f"fresh process, read_logs at {against[1]}"
        if against
        else "fresh process, pandas.read_csv",
    )


def bench_append(ctx) -> list[tuple]:
    """The write under the lock (``append_text``, as a session log calls it) is O(1): into 1M rows
    as into 100, and against a bare lock + write + fsync. The door (``SessionLog.add``: the gate
    under the lock, then the write) is measured separately, into one athlete's 5,000-row log: warm
    (the door has seen the file as it is) and cold (it reads the file first, as a fresh process)."""
    import os
    import shutil

    from filelock import FileLock

    from hipnb import SessionLog
    from hipnb.demo import demo_log
    from hipnb.log import face
    from hipnb.log.append import _utf8_and_whole_lines, append_rows, append_text
    from hipnb.log.rows import _csv_text, _to_text_frame
    from hipnb.log.spec import ALL_COLUMNS, REQUIRED

    session = demo_log(athletes=1, weeks=1, seed=2).head(5)
    hold = session.head(1)
    tmp = ctx["tmp"]
    big, raw_path = tmp / "big_copy.csv", tmp / "raw.csv"
    shutil.copy(ctx["big"], big)
    shutil.copy(ctx["big"], raw_path)
    small = tmp / "small.csv"
    lines = ctx["big"].read_bytes().split(b"\r\n", 101)
    small.write_bytes(b"\r\n".join(lines[:101]) + b"\r\n")
    weeks = 1
    while len(one := demo_log(athletes=1, weeks=weeks, seed=3)) < 5000:
        weeks *= 2
    athlete = tmp / "athlete.csv"
    append_rows(athlete, one.sort_values("started_at", kind="stable").head(5000))
    new_holds = iter([hold.iloc[0].to_dict() | {"session_id": f"bench-{i}"} for i in range(1000)])

    def add_one(cold=False):
        if cold:
            face._SEEN.clear()  # as a fresh process: the door reads the file first
        SessionLog(athlete).add([next(new_holds)])

    columns = list(ALL_COLUMNS)
    text = _csv_text(_to_text_frame(hold), columns)
    data = _csv_text(_to_text_frame(session), columns).encode()
    raw_lock = FileLock(str(raw_path.with_name(".raw.csv.lock")))

    def raw_append(payload=data):
        with raw_lock:
            fd = os.open(raw_path, os.O_WRONLY | os.O_APPEND)
            try:
                os.write(fd, payload)
                os.fsync(fd)
            finally:
                os.close(fd)

    def write_under_lock(path, fn=append_text):
        lock = FileLock(str(path.with_name(f".{path.name}.lock")))
        return lambda: fn(
            path, lock, lambda _: text, ALL_COLUMNS, REQUIRED, guard=_utf8_and_whole_lines
        )

    rows = [
        (
            "append_text 1 hold, 1M rows vs 100",
            "the write under the lock, median of 40",
            *paired(write_under_lock(big), write_under_lock(small), pairs=40),
            "append_text into a 100-row log",
        ),
        (
            "append_text 1 hold into 1M rows",
            "median of 40",
            *paired(write_under_lock(big), lambda: raw_append(text.encode()), pairs=40),
            "lock + write + fsync of the same bytes",
        ),
        (
            "SessionLog.add 1 hold (the door)",
            "one athlete's 5,000-row log, seen, median of 40",
            *paired(add_one, lambda: raw_append(text.encode()), pairs=40),
            "lock + write + fsync of the same bytes",
        ),
        (
            "SessionLog.add 1 hold, cold",
            "the same log read first, median of 20",
            *paired(lambda: add_one(cold=True), lambda: raw_append(text.encode()), pairs=20),
            "lock + write + fsync of the same bytes",
        ),
        (
            "append 1 session (5 rows)",
            "to a 1M-row log, the write under the door, median of 40",
            *paired(lambda: append_rows(big, session), raw_append, pairs=40),
            "lock + write + fsync of the same bytes",
        ),
    ]
    if _base_read(ctx) is not None:
        from hipnb_base.log.append import (  # type: ignore[import-not-found]
            _utf8_and_whole_lines as base_guard,
        )
        from hipnb_base.log.append import append_text as base_append

        base_big = tmp / "big_base.csv"
        shutil.copy(ctx["big"], base_big)
        rev = ctx.get("against", AGAINST)

        def base_write():
            lock = FileLock(str(base_big.with_name(f".{base_big.name}.lock")))
            base_append(base_big, lock, lambda _: text, ALL_COLUMNS, REQUIRED, guard=base_guard)

        rows.append(
            (
                f"append_text 1 hold into 1M rows vs {rev}",
                "median of 40",
                *paired(write_under_lock(big), base_write, pairs=40),
                f"append_text at {rev}",
            )
        )
    return rows


def bench_analysis(ctx) -> list[tuple]:
    from hipnb import analysis, read_logs
    from hipnb.demo import demo_log
    from hipnb.log import to_frame

    path = ctx["big"]
    df = read_logs(path)
    n = f"{df['athlete'].nunique()} athletes, {len(df)} rows"
    year = to_frame(demo_log(athletes=300, weeks=52, seed=4))
    return [
        (
            "analysis.roster",
            n,
            *paired(
                lambda: analysis.roster(df, df["local_time"].max()),
                lambda: read_logs(path),
                pairs=5,
            ),
            "read_logs of the same log",
        ),
        (
            "analysis.roster, 300 athletes x 1 year",
            f"{len(year)} rows",
            *paired(
                lambda: analysis.roster(year, year["local_time"].max()),
                lambda: read_logs(path),
                pairs=5,
            ),
            "read_logs of the big log",
        ),
        (
            "analysis.daily_summary",
            n,
            *paired(lambda: analysis.daily_summary(df), lambda: read_logs(path), pairs=5),
            "read_logs of the same log",
        ),
    ]


def bench_words(ctx) -> list[tuple]:
    from hipnb import analysis, read_logs
    from hipnb.seconds import seconds_text

    path = ctx["big"]
    df = read_logs(path)
    held = df["actual_s"].head(100_000)
    n = f"{df['athlete'].nunique()} athletes, {len(df)} rows"
    return [
        (
            "seconds_text over a column",
            f"{len(held)} holds",
            *paired(lambda: held.map(seconds_text), lambda: held.map("{:.0f} s".format), pairs=5),
            "a bare format of the same column",
        ),
        (
            "analysis.suggest_progression",
            n,
            *paired(lambda: analysis.suggest_progression(df), lambda: read_logs(path), pairs=5),
            "read_logs of the same log",
        ),
    ]


def bench_flags(ctx) -> list[tuple]:
    """The one flag engine on the big log: the roster (every figure once, every flag) and the
    RosterView a coach opens, each against one group-by of the same rows (the floor of any
    per-athlete figure). The issue's bar: the roster under 0.5 s on 300 athletes / 1M rows."""
    import pandas as pd

    from hipnb import analysis, read_logs

    df = read_logs(ctx["big"])
    as_of = df["local_time"].max()
    n = f"{df['athlete'].nunique()} athletes, {len(df)} rows"

    def one_groupby():
        return df.groupby("athlete")["local_time"].max()

    rows = [
        (
            "flags: analysis.roster (one engine)",
            n,
            *paired(lambda: analysis.roster(df, as_of), one_groupby),
            "df.groupby(athlete).max() of one column",
        ),
        (
            "flags: analysis.roster, as of 28 days back",
            n,
            *paired(lambda: analysis.roster(df, as_of - pd.Timedelta(days=28)), one_groupby),
            "df.groupby(athlete).max() of one column",
        ),
        (
            "flags: analysis.flags",
            n,
            *paired(lambda: analysis.flags(df, as_of=as_of), one_groupby),
            "df.groupby(athlete).max() of one column",
        ),
    ]
    try:
        from hipnb.widgets import RosterView
    except ImportError:  # pragma: no cover - ipywidgets missing
        return rows
    rows.append(
        (
            "flags: RosterView (roster + table HTML)",
            n,
            *paired(lambda: RosterView(df, as_of=as_of), one_groupby, pairs=5),
            "df.groupby(athlete).max() of one column",
        )
    )
    return rows


def bench_import(ctx) -> list[tuple]:
    import subprocess

    def run(code):
        return lambda: subprocess.run([sys.executable, "-c", code], check=True)

    return [
        (
            "import hipnb",
            "fresh process",
            *paired(run("import hipnb"), run("import pandas, matplotlib, ipywidgets")),
            "import pandas, matplotlib, ipywidgets",
        )
    ]


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

    decode = paired(lambda: [read_activity_file(fit) for _ in range(files)], frames, pairs=5)
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
        import_runs(export, "ana", logs=logs, tz="Europe/Madrid", new_athlete=True, progress=False)

    return [
        (
            "FIT decode, 1 h at 1 s",
            f"{files} files, {files / decode[0]:.0f} files/s",
            *decode,
            "fitdecode frames only",
        ),
        (
            "import Strava CSV",
            "5000 activities",
            *paired(fresh_import, lambda: pd.read_csv(export / "activities.csv"), pairs=5),
            "pandas.read_csv of it",
        ),
    ]


# --------------------------------------------------------------------------------------------------
# runs import: a 10^6-point GPX and a gzip bomb (each in a fresh process for peak RSS)

RUNS_CHILD = """
import re, sys, time
{imports}
t = time.perf_counter()
{call}
took = time.perf_counter() - t
peak = re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)
print(took, int(peak) * 1024)
"""


def _big_gpx(path: Path, points: int) -> Path:
    """One track of ``points`` points, half a second apart, 0.56 m apart (to and fro): 95 MB."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="bench" '
            'xmlns="http://www.topografix.com/GPX/1/1">\n<trk><name>Ultra</name>'
            "<type>running</type><trkseg>\n"
        )
        chunk = []
        for i in range(points):
            k = i % 40_000
            lat = 40 + (k if k < 20_000 else 40_000 - k) * 5e-6
            s, half = divmod(i, 2)
            day, s = divmod(s, 86_400)
            chunk.append(
                f'<trkpt lat="{lat:.6f}" lon="-3.700000"><ele>{650 + i // 1000 % 10}.0</ele>'
                f"<time>2026-03-{1 + day:02}T{s // 3600:02}:{s % 3600 // 60:02}:{s % 60:02}"
                f".{5 * half}Z</time></trkpt>\n"
            )
            if len(chunk) == 10_000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk) + "</trkseg></trk>\n</gpx>\n")
    return path


def _gzip_bomb(path: Path, size: int) -> Path:
    """A ``.gpx.gz`` of ``size`` bytes once decompressed (the same point over and over)."""
    import zlib

    point = b'<trkpt lat="40.0" lon="-3.7"><time>2026-03-01T00:00:00Z</time></trkpt>\n'
    block = point * (2**20 // len(point))
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip stream
    with open(path, "wb") as f:
        f.write(z.compress(b"<gpx><trk><trkseg>\n"))
        for _ in range(size // len(block)):
            f.write(z.compress(block))
        f.write(z.flush())
    return path


def _fresh(imports: str, call: str):
    import subprocess

    code = RUNS_CHILD.format(imports=imports, call=call)

    def run() -> tuple[float, float]:
        done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        took, peak = done.stdout.split()[-2:]
        return float(took), float(peak)

    return run


def _paired_fresh(ours, base, pairs: int) -> tuple[list[float], ...]:
    """(our times, base times, our peaks, base peaks), alternating B A, A B, ... fresh processes."""
    out: tuple[list[float], ...] = ([], [], [], [])
    for i in range(pairs):
        for fn, t, m in (
            ((base, 1, 3), (ours, 0, 2)) if i % 2 == 0 else ((ours, 0, 2), (base, 1, 3))
        ):
            took, peak = fn()
            out[t].append(took)
            out[m].append(peak)
    return out


def _summary(a: list[float], b: list[float]) -> tuple[float, float, float, float, float]:
    ratios = sorted(x / y for x, y in zip(a, b, strict=True))
    return (
        statistics.median(a),
        statistics.median(b),
        statistics.median(ratios),
        ratios[0],
        ratios[-1],
    )


def bench_runs_files(ctx) -> list[tuple]:
    """A 10^6-point GPX imported (time, peak RSS) against the stdlib's iterparse of it; a 1.5 GB
    gzip bomb reported against gunzipping the 200 MB cap."""
    gpx = _big_gpx(ctx["tmp"] / "ultra.gpx", 1_000_000)
    logs = ctx["tmp"] / "gpx_logs"
    ours = _fresh(
        "import shutil; from hipnb.runs import import_runs",
        f"shutil.rmtree({str(logs)!r}, ignore_errors=True); "
        f"r = import_runs({str(gpx)!r}, 'ana', logs={str(logs)!r}, tz='UTC', new_athlete=True, "
        "progress=False); assert len(r.added) == 1 and not r.problems, r",
    )
    base = _fresh(
        "from xml.etree.ElementTree import iterparse",
        f"for _, e in iterparse({str(gpx)!r}):\n    e.clear()",
    )
    ta, tb, ma, mb = _paired_fresh(ours, base, max(5, PAIRS // 2))
    bomb = _gzip_bomb(ctx["tmp"] / "bomb.gpx.gz", 1_500 * 2**20)
    report = _fresh(
        "from pathlib import Path; from hipnb.runs.formats import read_activity_file",
        f"[], [p] = read_activity_file(Path({str(bomb)!r})); assert 'more than' in p.reason, p",
    )
    gunzip_cap = _fresh(
        "import gzip; from hipnb.runs.formats import MAX_FILE_BYTES",
        f"data = gzip.open({str(bomb)!r}).read(MAX_FILE_BYTES + 1)",
    )
    ba, bb, bma, bmb = _paired_fresh(report, gunzip_cap, 5)
    size = f"{gpx.stat().st_size / 1e6:.0f} MB, 10^6 points"
    bomb_size = f"{bomb.stat().st_size / 1e6:.1f} MB gz, 1.5 GiB inside"
    return [
        ("runs: import 10^6-point GPX", size, *_summary(ta, tb), "fresh process, iterparse + clear"),
        ("runs: peak RSS, GPX import", size, *_summary(ma, mb), "fresh process, iterparse + clear"),
        ("runs: gzip bomb reported", bomb_size, *_summary(ba, bb), "gzip.open().read(cap) in memory"),
        ("runs: peak RSS, gzip bomb", bomb_size, *_summary(bma, bmb), "gzip.open().read(cap) in memory"),
    ]  # fmt: skip


def bench_notebooks(ctx) -> list[tuple]:
    import nbformat

    sys.path.insert(
        0, str(HERE.parent)
    )  # the headless runner is test infrastructure: tests/execute.py
    from tests.execute import run_notebook

    folder = HERE.parent / "notebooks"

    def execute(path):
        run_notebook(path, timeout=300)

    empty = ctx["tmp"] / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), empty)
    paths = sorted(folder.glob("*.ipynb"))
    each = {p.name: paired(lambda p=p: execute(p), lambda: execute(empty), pairs=5) for p in paths}
    slowest = max(each, key=lambda name: each[name][0])
    return [
        (
            f"notebook {name}",
            "headless" + (" (slowest)" if name == slowest else ""),
            *figures,
            "a 1-cell notebook",
        )
        for name, figures in each.items()
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
            1.0,
            worst,
            worst,
            worst,
            "a 1 s tolerance",
        )
    ]


def _tree_rss(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of process ``pid`` and all its descendants, in bytes (``field="VmHWM"``:
    the sum of their peaks)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            status = (Path("/proc") / str(p) / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith(f"{field}:"):
                total += int(line.split()[1]) * 1024.0
    return total


def bench_phone(ctx) -> list[tuple]:
    """`hipnb phone` (a real process, as the athlete runs it) with 1 and 30 phones (Chromium
    contexts in phone emulation, each with the page open and its routine started): the server's
    process-tree RSS against the same server with no phone (budget: 250 MiB); and open to a
    visible Start, against opening the page without its token (the same files, no session)."""
    import subprocess

    from playwright.sync_api import sync_playwright

    from hipnb.phone import lan_address

    folder = ctx["tmp"] / "phone"
    folder.mkdir(exist_ok=True)

    def serve():
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hipnb",
                "phone",
                "--athlete",
                "ana",
                "--logs",
                str(folder),
                "--new-athlete",
                "--host",
                lan_address(),
                "--get-ready",
                "0",
            ],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:  # waits on the command's own output
            if "#token=" in line and "..." not in line:
                url = line.strip()
            if line.startswith("Press Ctrl-C"):
                break
        return proc, url

    def stop(proc):
        proc.terminate()
        proc.communicate(timeout=60)

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        device = {k: v for k, v in p.devices["Pixel 7"].items() if k != "default_browser_type"}

        def phones(url, n):
            contexts = []
            for _ in range(n):
                c = browser.new_context(**device)
                page = c.new_page()
                page.goto(url)
                page.locator(".hipnb-main:visible", has_text="Start").click()
                page.wait_for_selector(".hipnb-timer[data-state='running']")
                contexts.append(c)
            return contexts

        for n in (1, 30):
            a, b = [], []
            for _ in range(5):  # a fresh server each pair: idle (baseline), then with n phones
                proc, url = serve()
                b.append(_tree_rss(proc.pid))
                contexts = phones(url, n)
                a.append(_tree_rss(proc.pid))
                for c in contexts:
                    c.close()
                stop(proc)
            ratios = sorted(x / y for x, y in zip(a, b, strict=True))
            rows.append(
                (
                    f"phone server RSS, {n} phone{'s' if n > 1 else ''}",
                    "process tree, bytes",
                    statistics.median(a),
                    statistics.median(b),
                    statistics.median(ratios),
                    ratios[0],
                    ratios[-1],
                    "the same server with no phone; budget 250 MiB",
                )
            )

        proc, url = serve()
        base_url = url.split("#")[0]
        try:
            context = browser.new_context(**device)
            page = context.new_page()
            page.goto(url)  # once, so neither side pays the browser's first start
            page.wait_for_selector(".hipnb-main:visible")

            def opened(target, selector):
                def run():
                    page.goto("about:blank")
                    page.goto(target)
                    page.wait_for_selector(selector)

                return run

            rows.append(
                (
                    "phone page: open to a visible Start",
                    "Pixel 7 emulation",
                    *paired(
                        opened(url, ".hipnb-main:visible"),
                        opened(base_url, "[data-page='ask'] h1"),
                    ),
                    "the page without its token (same files, no session)",
                )
            )
            context.close()
        finally:
            stop(proc)
        browser.close()
    return rows


#: The room bench's routine: three holds of 4 s, two rests of 1 s (with the teacher's pause in the
#: second hold, about 16 s a run).
ROOM_ROUTINE = """\
name = "room-bench"
title = "Room bench"
[[steps]]
exercise = "glute_roll"
side = "left"
seconds = 4
[[steps]]
exercise = "rest"
kind = "rest"
side = "both"
seconds = 1
[[steps]]
exercise = "side_plank"
side = "right"
seconds = 4
[[steps]]
exercise = "rest"
kind = "rest"
side = "both"
seconds = 1
[[steps]]
exercise = "side_plank"
side = "left"
seconds = 4
"""
ROOM_HOLDS = 3
#: The room's phones, each joining under its own name (so each its own log).
ROOM_NAMES = ["Zoë", "李娜", "Ana María", "Ólafur", "Siobhán"] + [
    f"runner{i:02d}" for i in range(6, 31)
]
#: The budget of issue 37: the room's process tree with 30 phones and the big screen, in bytes.
ROOM_BUDGET = 400e6

#: Stamps each change of the page's display (state, step, side, what comes next) on the page's own
#: clock made absolute (performance.timeOrigin + performance.now()), in window.__hipnbSteps.
STEP_RECORDER = """
(() => {
  const steps = (window.__hipnbSteps = []);
  let last = null;
  const text = (box, cls) => (box.querySelector(cls) || {}).textContent || "";
  const look = () => {
    const box = document.querySelector(".hipnb-timer");
    if (!box || !box.dataset.state) return;
    const key = [box.dataset.state, text(box, ".hipnb-title"), text(box, ".hipnb-side"),
                 text(box, ".hipnb-next"), box.classList.contains("hipnb-rest")].join("|");
    if (key !== last) {
      last = key;
      steps.push([key, performance.timeOrigin + performance.now()]);
    }
  };
  new MutationObserver(look).observe(document, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ["data-state", "class"],
  });
})();
"""

#: Clicks one of the big screen's buttons by its words; returns when (the page's clock).
PRESS = """(words) => {
  const b = [...document.querySelectorAll(".hipnb-room-controls button")]
    .find((x) => x.textContent === words && !x.hidden);
  const t = performance.timeOrigin + performance.now();
  b.click();
  return t;
}"""


def _room_process(folder: Path, routine: Path):
    """``hipnb room`` as the teacher starts it: (process, big screen's link, phones' link, its
    stderr file). Its stdout is drained on a thread."""
    import socket
    import subprocess
    import threading

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    logs = folder / "logs"
    logs.mkdir(parents=True)
    err = folder / "stderr.txt"
    with open(err, "w") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hipnb",
                "room",
                "--logs",
                str(logs),
                "--routines",
                str(routine.parent),
                "--routine",
                str(routine),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--get-ready",
                "0",
                "--allow-new",
            ],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:  # waits on the command's own output
        lines.append(line.strip())
        if line.startswith("Press Ctrl-C"):
            break
    screen = next(x for x in lines if "/screen#token=" in x and "..." not in x)
    phones = lines[lines.index("The phones' link (the QR code on the big screen):") + 1]
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, screen, phones, err


def _room_run(browser, device, folder: Path, routine: Path, n: int) -> dict:
    """One room (a fresh ``hipnb room``): the big screen and ``n`` phones join, the routine runs
    (Start, the screen's Pause 1.5 s into the second hold, Resume 1.5 s later), every hold is
    waited for; the process tree's RSS then, each page's step changes and the holds logged."""
    from hipnb import read_logs
    from hipnb.log import athlete_path

    load = os.getloadavg()[0]
    proc, screen_url, join_url, err = _room_process(folder, routine)
    contexts, errors = [], []
    try:

        def context(**kw):
            c = browser.new_context(**kw)
            c.add_init_script(STEP_RECORDER)
            contexts.append(c)
            page = c.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "console", lambda m: m.type == "error" and not _joining(m) and errors.append(m.text)
            )
            return page

        screen = context(viewport={"width": 1280, "height": 800})
        screen.goto(screen_url)
        screen.wait_for_selector(".hipnb-timer[data-state='ready']")
        names = ROOM_NAMES[:n]
        t = time.perf_counter()
        phones = []
        for _ in names:
            page = context(**device)
            page.goto(join_url, wait_until="commit")  # the pages load side by side
            phones.append(page)
        for page, name in zip(phones, names, strict=True):  # each types a name nobody knows yet
            page.fill(".hipnb-join input", name)
            page.click(".hipnb-join button[type=submit]")
        for page in phones:  # and says they are new (the room lets new names in)
            page.locator("button", has_text="I am new").click()
        for page in phones:
            page.wait_for_selector(".hipnb-who[data-linked='true']")
        screen.wait_for_selector(f".hipnb-count-phones[data-phones='{n}']")
        joined = time.perf_counter() - t

        def showing(state, title=None, side=None):
            screen.wait_for_function(
                """([state, title, side]) => {
                  const box = document.querySelector(".hipnb-timer");
                  return box.dataset.state === state
                    && (title === null || box.querySelector(".hipnb-title").textContent === title)
                    && (side === null || box.querySelector(".hipnb-side").textContent === side);
                }""",
                arg=[state, title, side],
                timeout=120_000,
            )

        presses = [("start", screen.evaluate(PRESS, "Start"))]
        showing("running", "Side plank", "right")
        screen.wait_for_timeout(1500)
        presses.append(("pause", screen.evaluate(PRESS, "Pause")))
        showing("paused")
        screen.wait_for_timeout(1500)
        presses.append(("resume", screen.evaluate(PRESS, "Resume")))
        showing("finished")
        expected = n * ROOM_HOLDS
        with contextlib.suppress(Exception):  # waits for every hold, but not for ever
            screen.wait_for_function(
                "(n) => parseInt(document.querySelector('.hipnb-logged-count').textContent) >= n",
                arg=expected,
                timeout=20_000,
            )
        rss, peak = _tree_rss(proc.pid), _tree_rss(proc.pid, "VmHWM")
        cpu = _cpu_s(proc.pid)
        steps = [page.evaluate("window.__hipnbSteps") for page in [screen, *phones]]
    finally:
        for c in contexts:
            c.close()
        proc.terminate()
        proc.wait(timeout=60)
    logs = folder / "logs"
    held, completed, own, short = 0, 0, 0, []
    for name in names:
        path = athlete_path(logs, name)
        mine = read_logs(path) if path.is_file() else None
        if mine is not None:
            own += 1
            held += len(mine)
            completed += int(mine["completed"].sum())
        if mine is None or len(mine) < ROOM_HOLDS:
            short.append(f"{name}: {0 if mine is None else len(mine)}")
        elif set(mine["athlete"]) != {name}:
            short.append(f"{name}: holds of {sorted(set(mine['athlete']))} in their log")
    trouble = [
        line
        for line in err.read_text(errors="replace").splitlines()
        if line.startswith(("WARNING", "ERROR", "Traceback")) or "Error" in line
    ]
    return {
        "phones": n,
        "rss": rss,
        "peak": peak,
        "joined": joined,
        "cpu": cpu,
        "load": load,
        "changes": _step_changes(steps[0], steps[1:], presses),
        "expected": expected,
        "held": held,
        "completed": completed,
        "own": own,
        "short": short,
        "errors": errors,
        "server": trouble,
    }


def _cpu_s(pid: int) -> float:
    """The CPU seconds (user + system) process ``pid`` has used so far."""
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _joining(message) -> bool:
    """A new name's first try: the room answers 409 and offers "I am new" (its design)."""
    return "409 (Conflict)" in message.text and "/api/room/join" in (message.location or {}).get(
        "url", ""
    )


def _step_changes(screen: list, phones: list[list], presses: list) -> list[dict]:
    """Each change of the big screen's display after the Start press, with when each phone showed
    it (None: never): its kind (the press it follows, else "auto"), the screen's time and the
    phones' times, in ms. A change is known by what it shows and how often that was shown before."""

    def changes(steps):
        seen: dict[str, int] = {}
        out = {}
        for key, t in steps:
            seen[key] = seen.get(key, 0) + 1
            out[(key, seen[key])] = t
        return out

    mine = [changes(p) for p in phones]
    out, last, todo = [], presses[0][1], list(presses)
    for (key, count), t in changes(screen).items():
        if t < presses[0][1]:
            continue
        kind, pressed = "auto", None
        if todo and last <= todo[0][1] <= t:
            kind, pressed = todo.pop(0)
        out.append(
            {
                "kind": kind,
                "what": key.split("|")[0],
                "pressed": pressed,
                "screen": t,
                "phones": [m.get((key, count)) for m in mine],
            }
        )
        last = t
    return out


def bench_room(ctx) -> list[tuple]:
    """`hipnb room` (a real process, as the teacher starts it) with the big screen and 30 phones
    (Chromium contexts in phone emulation, each joined under its own name, Zoë and 李娜 among
    them), following a short routine with the teacher's pause: the process tree's RSS against the
    same room with the screen and 1 phone (a fresh room each, in alternating order), the spread of
    each step change across the phones and their lag behind the screen, and the holds logged."""
    from playwright.sync_api import sync_playwright

    folder = ctx["tmp"] / "room"
    folder.mkdir(exist_ok=True)
    routine = folder / "routines" / "room-bench.toml"
    routine.parent.mkdir()
    routine.write_text(ROOM_ROUTINE, encoding="utf-8")
    many, pairs = len(ROOM_NAMES), 5
    runs: list[dict] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        device = {k: v for k, v in p.devices["Pixel 7"].items() if k != "default_browser_type"}
        for i in range(pairs):  # B A, A B, ...: 1 phone (the baseline), then 30
            for n in (1, many) if i % 2 == 0 else (many, 1):
                order = len(runs) + len(failed) + 1
                try:
                    runs.append(_room_run(browser, device, folder / f"run{order}", routine, n))
                except Exception as exc:  # said in the report: what a room did is the finding
                    failed.append(f"  room {order}, {n} phone(s): FAILED: {exc!r}"[:600])
                    print(failed[-1], file=sys.stderr)
                    continue
                runs[-1]["order"] = order
                print(_room_line(runs[-1]), file=sys.stderr)
        browser.close()
    a = [r for r in runs if r["phones"] == many]
    b = [r for r in runs if r["phones"] == 1]
    for line in failed:
        print(line)
    if not a or not b:
        return []
    for line in _room_report(a, b):
        print(line)
    rss = _summary([r["rss"] for r in a], [r["rss"] for r in b])
    peak = max(r["peak"] for r in a)
    verdict = "under" if peak < ROOM_BUDGET else "OVER"
    rows = [
        (
            f"room server RSS, screen + {many} phones",
            f"process tree after the routine; peak {peak / 2**20:.0f} MiB, {verdict} 400 MB",
            *rss,
            "the same room with the screen and 1 phone; budget 400 MB",
        )
    ]
    for kind in ("start", "pause", "resume", "auto"):
        found = (_spread(c) for r in a for c in r["changes"] if c["kind"] == kind)
        spreads = sorted(s for s in found if s is not None)
        if not spreads:
            continue
        rows.append(
            (
                f"room step change spread, {many} phones, {kind}",
                f"{len(spreads)} changes in {len(a)} rooms; max {spreads[-1]:.0f} ms",
                statistics.median(spreads) / 1000,
                1.0,
                statistics.median(spreads) / 1000,
                spreads[0] / 1000,
                spreads[-1] / 1000,
                "the aim: within 1 s",
            )
        )
    held = [r["held"] / r["expected"] for r in a]
    rows.append(
        (
            f"room holds logged, {many} phones",
            f"{sum(r['completed'] for r in a)} of {sum(r['expected'] for r in a)} completed",
            sum(r["held"] for r in a),
            sum(r["expected"] for r in a),
            sum(r["held"] for r in a) / sum(r["expected"] for r in a),
            min(held),
            max(held),
            f"{many} phones x {ROOM_HOLDS} holds, each room",
        )
    )
    return rows


def _spread(change: dict) -> float | None:
    """The latest phone's time minus the earliest's, in ms (None: a phone never showed it)."""
    times = change["phones"]
    if any(t is None for t in times):
        return None
    return max(times) - min(times)


def _room_line(r: dict) -> str:
    return (
        f"  room {r['order']} (load {r['load']:.1f}): screen + {r['phones']} phone(s) joined in "
        f"{r['joined']:.1f} s; RSS {r['rss'] / 2**20:.0f} MiB (peak {r['peak'] / 2**20:.0f}), "
        f"server CPU {r['cpu']:.1f} s; holds {r['held']}/{r['expected']} logged, "
        f"{r['completed']} completed, {r['own']} own logs; page errors {len(r['errors'])}, "
        f"server warnings {len(r['server'])}"
    )


def _room_report(a: list[dict], b: list[dict]) -> list[str]:
    """What the room bench saw, in words and ms (the table holds the same as ratios)."""
    many = a[0]["phones"]
    mib = 2**20
    out = [
        f"room: hipnb room + the big screen + {many} phones (Chromium contexts, Pixel 7), "
        f"{len(a)} rooms, against {len(b)} rooms with the screen + 1 phone, alternating; "
        "each a fresh process and log folder"
    ]
    out += [_room_line(r) for r in sorted(a + b, key=lambda r: r["order"])]
    peak = max(r["peak"] for r in a)
    out.append(
        f"  RSS of the room's process tree after the routine: {many} phones median "
        f"{statistics.median(r['rss'] for r in a) / mib:.0f} MiB, 1 phone median "
        f"{statistics.median(r['rss'] for r in b) / mib:.0f} MiB; highest peak (VmHWM) with "
        f"{many} phones {peak / mib:.0f} MiB = {peak / 1e6:.0f} MB: "
        + ("under" if peak < ROOM_BUDGET else "OVER")
        + " the 400 MB budget"
    )
    out.append(
        f"  joining: {many} phones typed their names and followed in median "
        f"{statistics.median(r['joined'] for r in a):.1f} s (all opened by one browser on this machine)"
    )
    out.append(
        "  step changes, ms (spread: latest phone - earliest; lag: a phone - the big screen; "
        "press: from the screen's button to the screen / to the last phone):"
    )
    for label, rooms in ((f"{many} phones", a), ("1 phone", b)):
        for kind in ("start", "pause", "resume", "auto"):
            changes = [c for r in rooms for c in r["changes"] if c["kind"] == kind]
            if not changes:
                continue
            shown = [c for c in changes if None not in c["phones"]]
            lags = [t - c["screen"] for c in shown for t in c["phones"]]
            line = f"    {label:>9} {kind:<6} n={len(changes):<3}"
            if len(changes) > len(shown):
                line += f" ({len(changes) - len(shown)} not shown on every phone)"
            if shown and len(rooms[0]["changes"][0]["phones"]) > 1:
                spreads = [_spread(c) or 0.0 for c in shown]
                line += f" spread median {statistics.median(spreads):.0f} max {max(spreads):.0f};"
            if lags:
                line += f" lag median {statistics.median(lags):.0f} max {max(lags):.0f}"
            if kind != "auto" and shown:
                to_screen = [c["screen"] - c["pressed"] for c in shown]
                to_last = [max(c["phones"]) - c["pressed"] for c in shown]
                line += (
                    f"; press->screen median {statistics.median(to_screen):.0f}, "
                    f"press->last phone median {statistics.median(to_last):.0f} "
                    f"max {max(to_last):.0f}"
                )
            out.append(line)
    thirds = []
    for k in range(3):  # the room sends to its sockets in the order they said hello
        lags = [
            t - c["screen"]
            for r in a
            for c in r["changes"]
            if None not in c["phones"]
            for t in c["phones"][k * many // 3 : (k + 1) * many // 3]
        ]
        thirds.append(f"{statistics.median(lags):.0f}")
    out.append(
        f"  lag by joining order ({many} phones; first, middle, last third): median "
        + " / ".join(thirds)
        + " ms"
    )
    held = sum(r["held"] for r in a)
    expected = sum(r["expected"] for r in a)
    out.append(
        f"  holds logged with {many} phones: {held} of {expected} expected "
        f"({len(a)} rooms x {many} phones x {ROOM_HOLDS} holds), "
        f"{sum(r['completed'] for r in a)} completed; "
        f"{sum(r['own'] for r in a)} of {len(a) * many} participants found their own log"
    )
    for r in a + b:
        for what, lines in (("page error", r["errors"]), ("server", r["server"])):
            for line in sorted(set(lines))[:5]:
                out.append(f"  room {r['order']}: {what}: {line[:200]}")
        if r["short"]:
            out.append(f"  room {r['order']}: fewer holds than expected: {', '.join(r['short'])}")
    return out


def bench_report(ctx) -> list[tuple]:
    """`hipnb report` on a 60-athlete, 12-week demo squad as of its last day: the whole batch
    (worker processes, squad page included) against matplotlib drawing and saving the same
    figures (each athlete's dashboard and load chart, the squad grid) in one process, as PNG."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hipnb import analysis, charts
    from hipnb.demo import write_demo_data
    from hipnb.report import SQUAD_PAGE, read_squad, render_reports

    athletes = 60
    logs = ctx["tmp"] / "report_squad"
    write_demo_data(logs, athletes=athletes, weeks=12, seed=3)
    holds, runs = read_squad(logs)
    day = holds["local_time"].max().normalize()
    out = ctx["tmp"] / "report_out"
    before = os.getloadavg()[0]

    def batch():
        render_reports(logs, out, as_of=day, progress=False)

    def figures():
        for athlete in sorted(holds["athlete"].unique()):
            mine = holds[holds["athlete"] == athlete]
            fig = charts.athlete_dashboard(mine, athlete)
            fig.savefig(io.BytesIO(), format="png", dpi=90)
            plt.close(fig)
            fig = charts.load_figure(runs[runs["athlete"] == athlete], mine, athlete)
            fig.savefig(io.BytesIO(), format="png", dpi=90)
            plt.close(fig)
        fig = charts.roster_grid(holds, analysis.roster(holds, as_of=day))
        fig.savefig(io.BytesIO(), format="png", dpi=90)
        plt.close(fig)

    drawn = athlete_figures(holds, runs)
    timed = paired(batch, figures, pairs=5)  # a batch takes half a minute
    pages = [p.stat().st_size for p in (out / "athletes").glob("*.html")]
    squad = (out / SQUAD_PAGE).stat().st_size
    load = f"load {before:.2f} -> {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores"
    each = timed[0] / athletes
    kb = statistics.mean(pages) / 1000
    return [
        (
            "report batch, 60 athletes",
            f"{each:.2f} s an athlete (goal <= 0.5 at load < 1); {load}",
            *timed,
            "matplotlib saving the same figures",
        ),
        drawn,
        (
            "report page size",
            f"athlete pages {kb:.0f} KB (max {max(pages) / 1000:.0f}), squad page "
            f"{squad / 1000:.0f} KB",
            f"{kb:.0f} KB",
            "300 KB",
            kb / 300,
            min(pages) / 300_000,
            max(max(pages), squad) / 300_000,
            "the 300 KB goal",
        ),
    ]


def athlete_figures(holds, runs, athletes: int = 10, pairs: int | None = None) -> tuple:
    """One athlete's report figures (dashboard and load chart, drawn to the page's palette PNG at
    its DPI), averaged over ``athletes`` of the squad: the fixed margins the charts use against
    the same figures laid out by matplotlib's constrained layout (the charts' former path, kept
    here only to measure it), which measures every text on every draw. CPU time of this
    process: the figures are drawn in one process, and other work on the machine moves wall
    time far more than it moves this."""
    import matplotlib.pyplot as plt

    from hipnb import charts
    from hipnb.report.page import png_data_uri

    names = sorted(holds["athlete"].unique())
    picked = names[:: max(1, len(names) // athletes)][:athletes]
    mine = {a: holds[holds["athlete"] == a] for a in picked}
    theirs = {a: runs[runs["athlete"] == a] for a in picked}

    def draw(constrained: bool) -> None:
        for a in picked:
            dash = charts.athlete_dashboard(mine[a], a)
            load = charts.load_figure(theirs[a], mine[a], a)
            for fig in (dash, load):
                if constrained:
                    fig.set_layout_engine("constrained")
                png_data_uri(fig)
                plt.close(fig)

    draw(False)  # warm caches (fonts, imports) outside the timing
    before = os.getloadavg()[0]
    ours, base, *ratios = paired(
        lambda: draw(False), lambda: draw(True), pairs=pairs, clock=time.process_time
    )
    load = f"load {before:.2f} -> {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores"
    n = len(picked)
    return (
        "report figures, one athlete",
        f"CPU s: dashboard + load chart to PNG, mean of {n} athletes; {load}",
        ours / n,
        base / n,
        *ratios,
        "the same figures in constrained layout",
    )


def bench_repair(ctx) -> list[tuple]:
    """hipnb repair of a log as German Excel saves it, against reading the log as hipnb wrote it."""
    import csv
    import io

    from hipnb import read_logs
    from hipnb.log.repair import repair_log

    folder = ctx["tmp"] / "repair"
    folder.mkdir(exist_ok=True)
    good = make_log(folder, 10_000)
    rows = list(csv.reader(io.StringIO(good.read_text(encoding="utf-8"), newline="")))
    at = {c: i for i, c in enumerate(rows[0])}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(rows[0])
    for r in rows[1:]:
        when = datetime.fromisoformat(r[at["started_at"]])
        r[at["started_at"]] = when.strftime("%d.%m.%Y %H:%M")
        r[at["completed"]] = "WAHR" if r[at["completed"]] == "true" else "FALSCH"
        for c in ("target_s", "actual_s"):
            r[at[c]] = r[at[c]].removesuffix(".0").replace(".", ",")
        writer.writerow(r)
    saved = folder / "excel_de.csv"
    saved.write_bytes(out.getvalue().encode("cp1252", errors="replace"))
    return [
        (
            "repair_log, German Excel's save (';', cp1252, 27,5, WAHR, local dates)",
            f"{len(rows) - 1} rows",
            *paired(lambda: repair_log(saved, tz="UTC"), lambda: read_logs(good), pairs=5),
            "read_logs of the log as written",
        )
    ]


def bench_workbook(ctx) -> list[tuple]:
    """A 60-athlete, 12-week squad as a workbook: the export against the CSV export of the same
    holds, and an import of the workbook unedited (the comparison, every cell parsed) against
    openpyxl reading its cells alone."""
    import openpyxl

    from hipnb import read_logs
    from hipnb.demo import write_demo_data
    from hipnb.log import export_for_spreadsheet
    from hipnb.log.workbook import export_workbook, plan_import

    logs = ctx["tmp"] / "workbook_squad"
    write_demo_data(logs, athletes=60, weeks=12, seed=5)
    book, csv_out = ctx["tmp"] / "squad.xlsx", ctx["tmp"] / "squad.csv"
    holds = export_workbook(logs, book)

    def csv_export():
        df = read_logs(logs).sort_values(["athlete", "started_at"], kind="stable")
        export_for_spreadsheet(df, csv_out)

    def cells_only():
        wb = openpyxl.load_workbook(book, read_only=True, data_only=True)
        for ws in wb.worksheets:
            for _ in ws.iter_rows(values_only=True):
                pass
        wb.close()

    def unedited():
        assert plan_import(book, logs).changes == ()

    n = f"{len(holds)} holds, 60 athletes"
    return [
        (
            "workbook export",
            n,
            *paired(lambda: export_workbook(logs, book), csv_export, pairs=5),
            "the CSV export of the same holds",
        ),
        (
            "workbook import, unedited",
            n,
            *paired(unedited, cells_only, pairs=5),
            "openpyxl reading the workbook's cells",
        ),
    ]


BENCHES = {
    "read": bench_read,
    "repair": bench_repair,
    "append": bench_append,
    "analysis": bench_analysis,
    "words": bench_words,
    "flags": bench_flags,
    "import": bench_import,
    "notebooks": bench_notebooks,
    "runs": bench_runs,
    "runs_files": bench_runs_files,
    "timer": bench_timer,
    "phone": bench_phone,
    "room": bench_room,
    "report": bench_report,
    "workbook": bench_workbook,
}


def main(argv=None) -> int:
    global PAIRS
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rows", type=int, default=1_000_000, help="rows in the big log (default 1M)")
    p.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these benchmarks")
    p.add_argument(
        "--pairs", type=int, default=PAIRS, help=f"timed pairs per figure (default {PAIRS})"
    )
    p.add_argument(
        "--against",
        default=AGAINST,
        metavar="REV",
        help=f"the commit the read and append figures are also paired against (default {AGAINST})",
    )
    args = p.parse_args(argv)
    PAIRS = max(5, args.pairs)
    rows = []
    load_at_start = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        ctx = {"tmp": Path(tmp), "against": args.against, "rows": args.rows}
        t = time.perf_counter()
        ctx["big"] = make_log(ctx["tmp"], args.rows)
        print(
            f"generated a {args.rows}-row log in {time.perf_counter() - t:.1f} s", file=sys.stderr
        )
        for name in args.only or BENCHES:
            print(f"running {name} ...", file=sys.stderr)
            rows += BENCHES[name](ctx)
    previous = _previous()
    header = (
        "what",
        "size",
        "ours",
        "baseline",
        "ratio (median)",
        "spread",
        "previous",
        "baseline is",
    )
    table = [
        (w, size, ours, base, f"{ratio:.2f}x", f"{lo:.2f}-{hi:.2f}x", previous.get(w, "-"), name)
        for w, size, ours, base, ratio, lo, hi, name in rows
    ]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{os.cpu_count()} cores; load average (1, 5, 15 min) at the start: {load_at_start}, "
        f"at the end: {load}; pairs run in alternating order"
    )
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
            return {r["what"]: r["ratio (median)"] for r in csv.DictReader(f)}
    except (OSError, KeyError):
        return {}


def _fmt(v) -> str:
    if isinstance(v, float) and v > 1e5:  # bytes
        return f"{v / 2**20:.0f} MiB"
    if isinstance(v, float):
        return f"{v * 1000:.2f} ms" if v < 1 else f"{v:.3f} s" if v < 100 else f"{v:.0f} s"
    return str(v)


if __name__ == "__main__":
    raise SystemExit(main())
