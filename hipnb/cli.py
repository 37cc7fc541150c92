"""The ``hipnb`` command line: a thin layer over the library (``hipnb --help``)."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import warnings
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hipnb
from hipnb.cli_args import Parser, count_arg, date_arg, folder_arg
from hipnb.errors import HipnbError
from hipnb.names import did_you_mean

if TYPE_CHECKING:  # pandas loads only for the commands that read logs
    import pandas as pd

    Subparsers = argparse._SubParsersAction[Parser]  # what add_subparsers returns

EPILOG = """examples:
  hipnb routines                          list built-in routines
  hipnb routines hip-basics               show the steps of one
  hipnb demo-data --out data/demo         write synthetic logs (one CSV per athlete)
  hipnb validate data/sample              check every log, report bad rows by file and line
  hipnb log --log data/ana.csv --athlete ana --exercise side_plank --side left --seconds 35
  hipnb holds --log data/ana.csv --day 2026-11-24   the day's holds, each with a REF
  hipnb edit --log data/ana.csv REF --seconds 40    correct a hold (the file keeps its history)
  hipnb delete --log data/ana.csv REF               remove a hold that never happened
  hipnb export data/sample --out squad.csv  one spreadsheet-safe CSV
  hipnb summary data/sample                who is on track, who needs attention
  hipnb summary data/sample --since-review   what changed since the last review
  hipnb summary data/sample --mark-reviewed  record today as the last review
  hipnb report --log data/sample --out reports/   HTML report per athlete + squad.html
  hipnb runs import export_123/ --athlete ana --logs data/logs   runs from a Strava export
  hipnb phone --athlete ana --logs data/logs    the timer on your phone (scan the QR code)
"""


def _parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="hipnb",
        description="Timed hip-care routines, crash-safe CSV logs and progress reports.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"hipnb {hipnb.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    r = sub.add_parser(
        "routines",
        help="list built-in routines, or show one routine's steps",
        description="With no argument, list the built-in routines. With a name or a .toml path, "
        "show that routine's steps, targets and cues (and check the file).",
    )
    r.add_argument("routine", nargs="?", help="built-in routine name or path to a routine .toml")
    r.set_defaults(func=_cmd_routines)

    d = sub.add_parser(
        "demo-data",
        help="write realistic synthetic logs, one CSV per athlete",
        description="Write synthetic session logs in the log schema: athletes who improve, "
        "plateau, skip weeks, favour one side or report rising discomfort. Same seed, same data.",
    )
    d.add_argument(
        "--athletes", type=count_arg, default=8, metavar="N", help="athletes (default 8)"
    )
    d.add_argument(
        "--weeks", type=count_arg, default=12, metavar="W", help="weeks of logs (default 12)"
    )
    d.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (default 7)")
    d.add_argument(
        "--start",
        type=date_arg,
        default="2026-08-31",
        help="first day, YYYY-MM-DD (default 2026-08-31)",
    )
    d.add_argument(
        "--out", required=True, type=folder_arg, metavar="DIR", help="folder to write into"
    )
    d.set_defaults(func=_cmd_demo_data)

    v = sub.add_parser(
        "validate",
        help="check log files and report every bad row by file and line",
        description="Read one log, several, or a folder of logs and report every row that cannot "
        "be used, as FILE:LINE: REASON. Exit status 1 if any problem was found.",
    )
    v.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="log file or folder")
    v.set_defaults(func=_cmd_validate)

    lg = sub.add_parser(
        "log",
        help="record one hold done away from the screen",
        description="Append one hold to a log file, through the same validation as the timer. "
        "The row's routine is 'manual'; it is completed when --seconds reaches --target.",
    )
    lg.add_argument("--log", required=True, type=Path, help="log file to append to (created)")
    lg.add_argument("--athlete", required=True, help="athlete's name, e.g. ana or 'Zoë'")
    lg.add_argument(
        "--exercise",
        required=True,
        help="exercise id, e.g. side_plank: one the built-in routines, the routine files in "
        "--routines or this log already have (else use --custom)",
    )
    lg.add_argument(
        "--custom",
        action="store_true",
        help="log an exercise no routine defines, on purpose (its id: lower_snake_case)",
    )
    lg.add_argument(
        "--routines",
        type=Path,
        default=Path("data/routines"),
        metavar="DIR",
        help="folder of routine files whose exercises are known (default data/routines)",
    )
    lg.add_argument("--side", default="both", help="left, right or both (default both)")
    lg.add_argument("--seconds", required=True, type=float, help="seconds actually held")
    lg.add_argument("--target", type=float, help="planned seconds (default: --seconds)")
    lg.add_argument("--when", help="start, ISO 8601 with UTC offset (default: now, local time)")
    lg.add_argument("--rpe", type=int, help="effort, 0-10")
    lg.add_argument("--discomfort", type=int, help="hip discomfort, 0-10")
    lg.add_argument("--note", default="", help="free text")
    lg.set_defaults(func=_cmd_log)
    _corrections_parsers(sub)

    ex = sub.add_parser(
        "export",
        help="write a log as a spreadsheet-safe CSV",
        description="Read logs (a file or a folder) and write one CSV for spreadsheets: text cells "
        "that could run as formulas (=, +, -, @) are neutralised; numbers stay numbers.",
    )
    ex.add_argument("path", type=Path, metavar="PATH", help="log file or folder")
    ex.add_argument("--out", required=True, type=Path, help="CSV file to write")
    ex.set_defaults(func=_cmd_export)

    sm = sub.add_parser(
        "summary",
        help="print the squad roster, or one athlete's progress in words",
        description="Read logs and print one line per athlete (last session, adherence, holds, "
        "side planks, flag level and flags), or, with --athlete, a short progress summary. A RED "
        "flag (discomfort 7+ on a hold in 7 days, or a 14-day mean of 5+) means: ease off and "
        "have it checked by a qualified professional. Each flag gives its number and threshold.",
    )
    sm.add_argument("path", type=Path, metavar="PATH", help="log file or folder of logs")
    sm.add_argument("--athlete", help="summarise this athlete only")
    sm.add_argument(
        "--as-of", type=date_arg, help="review date YYYY-MM-DD (default: last day in the logs)"
    )
    sm.add_argument(
        "--since-review",
        action="store_true",
        help="show what changed since the last review: new and cleared flags, broken and new "
        "streaks, personal bests, athletes gone quiet",
    )
    sm.add_argument(
        "--mark-reviewed",
        action="store_true",
        help="record the review date (--as-of, or today) in .hipnb-review.json beside the logs",
    )
    sm.set_defaults(func=_cmd_summary)

    rp = sub.add_parser(
        "report",
        help="render one HTML report per athlete and a squad summary",
        description="Run notebooks/athlete_report.ipynb for each athlete (papermill), convert it to "
        "self-contained HTML with the code hidden (pages work offline: nothing is fetched from "
        "another machine), and write squad.html with the roster, names linked to the pages. "
        "Prints a progress bar and one line per failed athlete; the batch goes on; exit status 1 "
        "if any failed.",
    )
    rp.add_argument("--log", required=True, type=Path, help="log file or folder of logs")
    rp.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for the pages")
    rp.add_argument(
        "--athlete", action="append", metavar="ID", help="only this athlete (repeat for more)"
    )
    rp.add_argument("--notebook", type=Path, help="report notebook (default: the bundled one)")
    rp.add_argument("--quiet", action="store_true", help="no progress bar")
    rp.set_defaults(func=_cmd_report)
    _runs_parser(sub)
    _phone_parser(sub)
    return p


def _phone_parser(sub: Subparsers) -> None:
    ph = sub.add_parser(
        "phone",
        help="the routine timer on your phone: a page on this network, behind a token, as a QR code",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Serve the routine timer to a phone on the same Wi-Fi: a Voila page on this "
            "computer's network address (not only this computer: you asked for it), open only "
            "with the random token in its link, shown as a QR code to scan. Every hold is written "
            "to ATHLETE's log in DIR the moment it ends; the athlete and the folder are fixed "
            "here and nothing on the page changes them. Stop with Ctrl-C. Keep this computer awake "
            "while you train.",
            width=88,
        ),
        epilog="examples:\n"
        "  hipnb phone --athlete ana --logs data/logs\n"
        "  hipnb phone --athlete 'Zoë' --logs data/logs --new-athlete --bound-angle 240",
    )
    ph.add_argument("--athlete", required=True, help="whose log the holds go to, e.g. ana")
    ph.add_argument("--logs", required=True, type=folder_arg, metavar="DIR", help="the log folder")
    ph.add_argument(
        "--new-athlete",
        action="store_true",
        help="start the log of an athlete with none in DIR yet (without it, an unknown name is "
        "refused: a typo never starts a second athlete)",
    )
    ph.add_argument(
        "--routine",
        default="hip-basics",
        help="a built-in routine or a routine .toml file (default hip-basics)",
    )
    ph.add_argument(
        "--bound-angle",
        type=int,
        metavar="S",
        help="Reclining Bound Angle Pose, 180-300 s (default: the routine's)",
    )
    ph.add_argument("--plank", type=int, metavar="S", help="side plank, each side, 5-300 s")
    ph.add_argument(
        "--get-ready", type=float, default=5.0, metavar="S", help="the count before the start"
    )
    ph.add_argument(
        "--host",
        metavar="ADDRESS",
        help="the address to serve on (default: this computer's address on its network)",
    )
    ph.add_argument("--port", type=int, default=0, help="the port (default: a free one)")
    ph.set_defaults(func=_cmd_phone)


def _corrections_parsers(sub: Subparsers) -> None:
    ho = sub.add_parser(
        "holds",
        help="list the logged holds of a file, each with a short reference",
        description="List the current holds of a log file (corrections applied), each with a "
        "short reference (REF) for `hipnb edit` and `hipnb delete`. A reference stays the same "
        "when its hold is edited.",
    )
    ho.add_argument("--log", required=True, type=Path, help="log file")
    ho.add_argument("--athlete", help="only this athlete's holds")
    ho.add_argument("--day", help="only this local day, YYYY-MM-DD")
    ho.set_defaults(func=_cmd_holds)

    ed = sub.add_parser(
        "edit",
        help="correct a logged hold (appends an edit row; the file keeps its history)",
        description=textwrap.fill(
            "Correct one hold of a log file: a row with action=edit is appended that carries "
            "every field of the hold, the ones given here changed. Reads apply it; the old row "
            "stays in the file. When the seconds change and neither --completed nor "
            "--not-completed is given, the hold stays completed only if it reached its target.",
            width=88,
        ),
        epilog="example:\n  hipnb holds --log data/logs/ana.csv --day 2026-11-24\n"
        "  hipnb edit --log data/logs/ana.csv 3fa2b1c0 --seconds 40 --side right",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ed.add_argument("--log", required=True, type=Path, help="log file holding the hold")
    ed.add_argument("ref", metavar="REF", help="the hold's reference from `hipnb holds`")
    ed.add_argument("--seconds", type=float, help="seconds actually held")
    ed.add_argument("--target", type=float, help="planned seconds")
    ed.add_argument("--side", help="left, right or both")
    ed.add_argument("--when", help="start, ISO 8601 with UTC offset")
    ed.add_argument("--exercise", help="exercise id")
    ed.add_argument("--rpe", type=int, help="effort, 0-10")
    ed.add_argument("--discomfort", type=int, help="hip discomfort, 0-10")
    ed.add_argument("--note", help="free text (replaces the note)")
    done = ed.add_mutually_exclusive_group()
    done.add_argument(
        "--completed", dest="completed", action="store_true", default=None, help="held to target"
    )
    done.add_argument(
        "--not-completed", dest="completed", action="store_false", help="stopped early or skipped"
    )
    ed.set_defaults(func=_cmd_edit)

    de = sub.add_parser(
        "delete",
        help="remove a logged hold that never happened (appends a delete row)",
        description="Remove one hold of a log file: a row with action=delete is appended. Reads "
        "leave the hold out; its rows stay in the file as history.",
    )
    de.add_argument("--log", required=True, type=Path, help="log file holding the hold")
    de.add_argument("ref", metavar="REF", help="the hold's reference from `hipnb holds`")
    de.set_defaults(func=_cmd_delete)


def _runs_parser(sub: Subparsers) -> None:
    runs = sub.add_parser(
        "runs",
        help="import runs from Strava, Garmin, FIT, GPX, TCX or CSV exports",
        description="Running load beside hip care. Runs are kept per athlete in "
        "LOGS/runs/ATHLETE/runs.csv, beside (never among) the hold logs.",
    )
    rsub = runs.add_subparsers(
        dest="runs_command", metavar="ACTION", required=True, help="import: read an export"
    )
    imp = rsub.add_parser(
        "import",
        help="import the runs of an export into an athlete's run log",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Read an export and append its runs (not rides, walks, yoga...) to the athlete's run "
            "log. PATH is a Strava bulk export (the .zip as downloaded, read without unzipping, "
            "or its folder: its activities.csv when in English, else its activity files), a "
            "Garmin Connect CSV, a plain CSV with columns date, distance_km (or distance_mi) and "
            "duration, a .fit/.gpx/.tcx file (gzipped or not) or a folder of them. Importing "
            "again adds nothing; the same run from two sources (starts within 2 minutes, "
            "distances within 3 %) is kept once. Every activity skipped and every bad file or "
            "row is listed (FILE:LINE: REASON) while the rest imports: a damaged or hostile file, "
            "one over 200 MB once decompressed, a run before 1990 or more than a day ahead; "
            "exit status 1 if any problem was found. No GPS points are stored.",
            width=88,
        ),
        epilog="examples:\n"
        "  hipnb runs import export_123.zip --athlete ana --tz Europe/Madrid\n"
        "  hipnb runs import Activities.csv --athlete ana --units mi\n"
        "  hipnb runs import watch/ --athlete ana --type run   (GPX files that do not say "
        "their type)\n"
        "  hipnb runs import runs.csv --athlete 'Zoë' --new-athlete   (no logs for Zoë yet)",
    )
    imp.add_argument("path", type=Path, metavar="PATH", help="export zip, folder or file")
    imp.add_argument(
        "--athlete",
        required=True,
        help="athlete's name as in the logs, e.g. ana or 'Zoë' (a name differing from a known "
        "one only in case or accents is refused)",
    )
    imp.add_argument(
        "--new-athlete",
        action="store_true",
        help="start the run log of an athlete with no hold or run log in DIR yet (without it, "
        "an unknown name is refused: a typo never starts a second athlete)",
    )
    imp.add_argument(
        "--logs",
        type=Path,
        default=Path("data/logs"),
        metavar="DIR",
        help="the athlete's hold-log folder; runs go to DIR/runs/ (default data/logs)",
    )
    imp.add_argument(
        "--tz",
        help="time zone for times written without an offset, e.g. Europe/Madrid (default: the "
        "offset of the athlete's holds nearest in time, else this machine's zone)",
    )
    imp.add_argument(
        "--units",
        choices=("km", "mi"),
        help="unit of CSV distances that do not say theirs (Garmin: as the account is set)",
    )
    imp.add_argument(
        "--type", choices=("run",), help="count activities whose file does not say its type"
    )
    imp.add_argument("--quiet", action="store_true", help="no progress bar, no skipped list")
    imp.set_defaults(func=_cmd_runs_import)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Output into a pipe closed early (``hipnb routines | head -1``) ends the command quietly.
    """
    args = _parser().parse_args(argv)
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()
        return status
    except HipnbError as exc:
        print(f"hipnb: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader has gone: send what is still buffered nowhere, so exit stays quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _cmd_routines(args: argparse.Namespace) -> int:
    if not args.routine:
        for name in hipnb.list_routines():
            r = hipnb.load_routine(name)
            print(f"{name:16} {r.title} ({r.total_seconds / 60:.1f} min, {len(r.holds)} holds)")
        return 0
    r = hipnb.load_routine(args.routine)
    print(f"{r.title} [{r.name}] - {r.total_seconds / 60:.1f} min")
    if r.description:
        print(r.description)
    for i, s in enumerate(r.steps, 1):
        print(f"{i:2}. {s.kind:4} {s.seconds:5.0f} s  {s.label}")
        if s.cue:
            print(f"              {s.cue}")
    return 0


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from hipnb.demo import write_demo_data

    try:
        files = write_demo_data(
            args.out, athletes=args.athletes, weeks=args.weeks, seed=args.seed, start=args.start
        )
    except OSError as exc:
        raise HipnbError(f"{args.out}: cannot write: {exc.strerror or exc}") from None
    rows = sum(len(hipnb.SessionLog(f).read(errors="raise")) for f in files)
    print(f"wrote {rows} rows for {len(files)} athletes to {args.out}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    found_any = False
    for path in args.paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                df = hipnb.read_logs(path)
            except HipnbError as exc:
                print(exc)
                found_any = True
                continue
        probs = df.attrs["problems"]
        for p in probs:
            print(p)
        found_any |= bool(probs)
        if df.empty and not probs:
            print(f"{path}: header only or no logs: no rows yet")
        else:
            print(f"{path}: {len(df)} rows read, {len(probs)} problem(s)")
    return 1 if found_any else 0


def _cmd_log(args: argparse.Namespace) -> int:
    from hipnb.log import manual_row, normalize_name

    athlete = normalize_name(args.athlete)
    log = hipnb.SessionLog(args.log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logged = log.read()  # to refuse another athlete's file; append never reads it
    others = sorted(set(logged["athlete"]))
    if others and athlete not in others:
        hint = did_you_mean(athlete, others)
        raise HipnbError(
            f"{args.log} holds the log of {', '.join(map(repr, others))}, not {athlete!r}"
            + (f"; {hint}" if hint else "")
            + f" (each athlete has a file of their own, e.g. {hipnb.athlete_path(args.log.parent, athlete)})"
        )
    if not args.custom:
        _check_exercise(args.exercise.strip(), args.routines, set(logged["exercise"]))
    row = manual_row(
        athlete,
        args.exercise.strip(),
        args.side.strip().lower(),
        args.seconds,
        target_s=args.target,
        started_at=args.when,
        rpe=args.rpe,
        discomfort=args.discomfort,
        note=args.note,
    )
    n = log.append([row])
    print(f"logged {n} hold to {args.log}")
    return 0


def _check_exercise(exercise: str, routines: Path, logged: set[str]) -> None:
    """Refuse an exercise no routine (built-in or in ``routines``) nor the log itself knows."""
    known = set(logged)
    sources = [hipnb.load_routine(name) for name in hipnb.list_routines()]
    files = sorted(routines.glob("*.toml")) if routines.is_dir() else []
    for f in files:
        try:
            sources.append(hipnb.load_routine(f))
        except HipnbError as exc:
            print(f"hipnb: warning: skipped {exc}", file=sys.stderr)
    for r in sources:
        rests = {s.exercise for s in r.steps if not s.is_hold}
        known |= (set(r.exercises) - rests) | {s.exercise for s in r.holds}
    if exercise in known:
        return
    hint = did_you_mean(exercise, sorted(known))
    where = "the built-in routines" + (f" or {routines}/*.toml" if files else "")
    raise HipnbError(
        f"no exercise {exercise!r} in {where}"
        + (f" ({hint})" if hint else f" (known: {', '.join(sorted(known))})")
        + "; to log an exercise of your own on purpose, add --custom"
    )


def _read_logs_reporting(path: Path) -> pd.DataFrame:
    """``read_logs(path)``, each problem printed to stderr as FILE:LINE: REASON (no warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = hipnb.read_logs(path)
    for p in df.attrs["problems"]:
        print(p, file=sys.stderr)
    return df


def _read_one_log(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = hipnb.SessionLog(path).read()
    for p in df.attrs["problems"]:
        print(p, file=sys.stderr)
    if df.empty and not path.exists():
        raise HipnbError(f"{path}: no such log file")
    read: pd.DataFrame = df
    return read


def _cmd_holds(args: argparse.Namespace) -> int:
    from hipnb.holds import select_holds

    df = _read_one_log(args.log)
    if args.athlete:
        _known_athlete(args.athlete, df)
    try:
        holds = select_holds(df, athlete=args.athlete, day=args.day)
    except ValueError:
        raise HipnbError(f"--day {args.day!r} is not a date like 2026-11-24") from None
    if holds.empty:
        print("no holds")
        return 0
    print(f"{'ref':8}  {'athlete':12} {'day':10} {'time':5}  {'exercise':14} {'side':5} "
          f"{'seconds':>7} {'target':>6}  done  note")  # fmt: skip
    rows: Iterable[Any] = holds.itertuples()  # pandas-stubs types each field as any scalar
    for h in rows:
        note = "" if h.note is None or h.note != h.note else str(h.note)[:30]
        print(
            f"{h.ref:8}  {h.athlete:12} {h.local_time:%Y-%m-%d} {h.local_time:%H:%M}  "
            f"{h.exercise:14} {h.side:5} {h.actual_s:7.0f} {h.target_s:6.0f}  "
            f"{'yes' if h.completed else 'no':4}  {note}".rstrip()
        )
    return 0


def _cmd_edit(args: argparse.Namespace) -> int:
    from hipnb.holds import changed_fields, correction_row, find_hold

    hold = find_hold(_read_one_log(args.log), args.ref)
    given = {
        "actual_s": args.seconds,
        "target_s": args.target,
        "side": args.side,
        "started_at": args.when,
        "exercise": args.exercise,
        "rpe": args.rpe,
        "discomfort": args.discomfort,
        "note": args.note,
        "completed": args.completed,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise HipnbError("nothing to change: give --seconds, --side, --when, ... (see --help)")
    row = correction_row(hold, "edit", **changes)
    changed = changed_fields(hold, row)
    if not changed:
        print(f"hold {args.ref} already reads so: nothing appended")
        return 0
    hipnb.SessionLog(args.log).append([row])
    print(f"edited {_describe(hold)} in {args.log}:")
    for name, old, new in changed:
        print(f"  {name}: {old or '(empty)'} -> {new or '(empty)'}")
    return 0


def _cmd_delete(args: argparse.Namespace) -> int:
    from hipnb.holds import correction_row, find_hold

    hold = find_hold(_read_one_log(args.log), args.ref)
    hipnb.SessionLog(args.log).append([correction_row(hold, "delete")])
    print(f"deleted {_describe(hold)} from {args.log} (the rows stay in the file as history)")
    return 0


def _describe(hold: pd.Series) -> str:
    return (
        f"{hold['athlete']}'s {hold['exercise']} ({hold['side']}, {hold['actual_s']:.0f} s) "
        f"of {hold['local_time']:%Y-%m-%d %H:%M}"
    )


def _known_athlete(name: str, df: pd.DataFrame) -> str:
    """``name`` as the logs keep it (NFC, trimmed); an error naming the closest one if absent."""
    clean = hipnb.log.normalize_name(name)
    if not (df["athlete"] == clean).any():
        hint = did_you_mean(clean, df["athlete"].unique())
        raise HipnbError(f"no athlete {clean!r}" + (f"; {hint}" if hint else ""))
    return clean


def _cmd_export(args: argparse.Namespace) -> int:
    from hipnb.log import export_for_spreadsheet

    df = _read_logs_reporting(args.path)
    export_for_spreadsheet(df, args.out)
    print(f"wrote {len(df)} rows to {args.out}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from hipnb.report import render_reports

    if args.athlete:  # as the log keeps names; one not in the log fails with the closest name
        args.athlete = [hipnb.log.normalize_name(a) for a in args.athlete]
    batch = render_reports(
        args.log, args.out, athletes=args.athlete, notebook=args.notebook, progress=not args.quiet
    )
    for athlete, why in sorted(batch.failed.items()):
        print(f"{athlete}: FAILED: {why}", file=sys.stderr)
    if args.quiet:  # otherwise the progress bar has said it
        print(
            f"wrote {len(batch.written)} report(s) and {batch.summary}; {len(batch.failed)} failed"
        )
    return 1 if batch.failed else 0


def _cmd_summary(args: argparse.Namespace) -> int:

    from hipnb import analysis
    from hipnb.review import last_review, mark_reviewed

    df = _read_logs_reporting(args.path)
    load = _load_status(args.path, df, args.as_of)
    if args.athlete:
        args.athlete = _known_athlete(args.athlete, df)
        print(analysis.summary_text(df, args.athlete))
        if args.athlete in load.index:
            print(f"Running: {load.loc[args.athlete, 'words']}.")
    elif args.since_review:
        _print_changes(df, args.path, args.as_of, last_review(args.path))
    else:
        _print_roster(analysis.roster(df, as_of=args.as_of), load)
    if args.mark_reviewed:
        path = mark_reviewed(args.path, args.as_of)
        print(f"review of {last_review(args.path)} recorded in {path}")
    return 0


def _print_roster(r: pd.DataFrame, load: pd.DataFrame) -> None:
    import pandas as pd

    if r.empty:
        print("no rows yet")
        return
    runs = f" {'run 7d':>8}" if len(load) else ""
    print(f"{'athlete':12} {'last log':>10} {'7d':>5} {'28d':>5} {'bound':>7} {'L/R plank':>11}"
          f"{runs}  {'level':5}  flags")  # fmt: skip
    rows: Iterable[Any] = r.itertuples()  # pandas-stubs types each field as any scalar
    for row in rows:
        bound = "-" if pd.isna(row.bound_median_7d) else f"{row.bound_median_7d / 60:.1f}m"
        planks = f"{row.plank_left_s:.0f}/{row.plank_right_s:.0f} s"
        last = "-" if pd.isna(row.last_day) else f"{row.last_day:%Y-%m-%d}"
        flags, km, level = row.flags, "", row.level
        if len(load):
            mine = load.loc[row.athlete] if row.athlete in load.index else None
            km = " " + (f"{mine.km_7d:5.1f} km" if mine is not None else "       -").rjust(8)
            if mine is not None and mine.flag:
                flags = "; ".join(f for f in (flags, _load_flag(mine)) if f)
                level = level or "amber"
        print(
            f"{row.athlete:12} {last:>10} {row.adherence_7d:5.0%} {row.adherence_28d:5.0%} "
            f"{bound:>7} {planks:>11}{km}  {level.upper():5}  {flags}"
        )


def _print_changes(df: pd.DataFrame, path: Path, as_of: str | None, since: date | None) -> None:
    import pandas as pd

    from hipnb import analysis

    end = analysis.days.review_day(df, as_of)
    if end is None:
        print("no rows yet")
        return
    if since is None:
        since = (end - pd.Timedelta(days=7)).date()
        print(f"no review recorded yet for {path} (--mark-reviewed records one); last 7 days:")
    changes = analysis.changes_since(df, since, as_of=end)
    print(f"since the review of {since:%a %d %b %Y}, up to {end:%a %d %b %Y}:")
    if changes.empty:
        print("  nothing changed")
    for row in changes.itertuples():
        print(f"  {row.athlete:12} {row.change:14} {row.detail}")


def _load_status(path: Path, holds: pd.DataFrame, as_of: str | None) -> pd.DataFrame:
    """Running load per athlete (indexed by athlete) for the runs beside the logs, if any."""
    from hipnb import analysis
    from hipnb.runs import read_runs

    folder = path if path.is_dir() else path.parent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runs = read_runs(folder)
    for p in runs.attrs["problems"]:  # a bad row in a run log is reported by every read
        print(p, file=sys.stderr)
    status: pd.DataFrame = analysis.load_status(runs, holds, as_of=as_of).set_index("athlete")
    return status


def _load_flag(row: pd.Series) -> str:
    rise = f"{row.ratio:.2f}x load" if row.ratio == row.ratio else ""
    if row.change_7d == row.change_7d:
        rise = ", ".join(r for r in (rise, f"{row.change_7d:+.0%} a week") if r)
    return f"running up sharply ({rise}) with routine {row.adherence_28d:.0%}"


def _cmd_phone(args: argparse.Namespace) -> int:
    from hipnb.phone import PhoneServer, PhoneSettings, run

    settings = PhoneSettings.checked(
        args.athlete,
        args.logs,
        args.routine,
        new_athlete=args.new_athlete,
        bound_angle_s=args.bound_angle,
        plank_s=args.plank,
        get_ready=args.get_ready,
    )
    server = PhoneServer(settings, host=args.host, port=args.port or None)
    return run(server, out=lambda text: print(text, flush=True))


def _cmd_runs_import(args: argparse.Namespace) -> int:
    from hipnb.runs import import_runs

    result = import_runs(
        args.path,
        args.athlete,
        logs=args.logs,
        tz=args.tz,
        units=args.units,
        type=args.type,
        new_athlete=args.new_athlete,
        progress=False if args.quiet else None,
    )
    if not args.quiet:
        for s in result.skipped:
            print(s)
    for p in result.problems:
        print(p, file=sys.stderr)
    print(result)
    return 1 if result.problems else 0
