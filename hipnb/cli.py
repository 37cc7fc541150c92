"""The ``hipnb`` command line: a thin layer over the library (``hipnb --help``)."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hipnb
from hipnb.cli_args import Parser, count_arg, date_arg, folder_arg
from hipnb.cli_log import add_parsers as add_log_parsers
from hipnb.cli_log import known_athlete as _known_athlete
from hipnb.cli_log import read_logs_reporting as _read_logs_reporting
from hipnb.errors import HipnbError
from hipnb.seconds import plural, seconds_text
from hipnb.timer import GET_READY_MAX_S

if TYPE_CHECKING:  # pandas loads only for the commands that read logs
    import pandas as pd

    from hipnb.analysis import ReviewDay

    Subparsers = argparse._SubParsersAction[Parser]  # what add_subparsers returns

EPILOG = """examples:
  hipnb routines                          list built-in routines
  hipnb routines hip-basics               show the steps of one
  hipnb demo-data --out data/demo         write synthetic logs (one CSV per athlete)
  hipnb validate data/sample              check every log, report bad rows by file and line
  hipnb repair data/logs/ana.csv          give back a log a spreadsheet saved in its own form
  hipnb log --log data/ana.csv --athlete ana --exercise side_plank --side left --seconds 35
  hipnb holds --log data/ana.csv --day 2026-11-24   the day's holds, each with a REF
  hipnb edit --log data/ana.csv REF --seconds 40    correct a hold (the file keeps its history)
  hipnb delete --log data/ana.csv REF               remove a hold that never happened
  hipnb export data/sample --out squad.csv  one spreadsheet-safe CSV
  hipnb export data/sample --out squad.xlsx  a workbook to edit; then: hipnb import-sheet
  hipnb summary data/sample                who is on track, who needs attention
  hipnb summary data/sample --since-review   what changed since the last review
  hipnb summary data/sample --mark-reviewed  record today as the last review
  hipnb report --log data/sample --out reports/   reports/index.html + a page per athlete
  hipnb runs import export_123/ --athlete ana --logs data/logs   runs from a Strava export
  hipnb phone --athlete ana --logs data/logs    the timer on your phone (scan the QR code)
  hipnb room --logs data/logs     a workshop: the big screen, and every phone follows it
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

    add_log_parsers(sub)

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
    sm.add_argument("--as-of", type=date_arg, help="review date YYYY-MM-DD (default: today)")
    sm.add_argument(
        "--since-review",
        action="store_true",
        help="show every standing RED flag, then what changed since the last review: new and "
        "cleared flags, athletes gone quiet, broken and new streaks, personal bests",
    )
    sm.add_argument(
        "--mark-reviewed",
        action="store_true",
        help="record the review date (--as-of, or today) in .hipnb-review.json beside the logs "
        "(it clears no flag: a flag clears on newer data, or when acknowledged)",
    )
    sm.add_argument(
        "--acknowledge",
        action="append",
        metavar="ATHLETE:KIND",
        help="acknowledge one athlete's flag (e.g. emma:discomfort_high) as of the review date: "
        "it stays hidden until newer data raises it again (repeat for more)",
    )
    sm.set_defaults(func=_cmd_summary)

    rp = sub.add_parser(
        "report",
        help="write one HTML page per athlete and a squad page",
        description="Write DIR/index.html (the squad: roster, flags, every name linked) and "
        "DIR/athletes/<name>.html (each athlete's page: flags, progress charts, adherence, bests, "
        "notes, running load), as of a day. Pages are self-contained and work offline (nothing "
        "is fetched from another machine). Pages are rendered over the machine's cores; a "
        "progress bar and one line per failed athlete go to stderr, and the last line of stdout "
        "names the squad page and the count. One athlete's failure never stops the batch; exit "
        "status 1 if any failed.",
    )
    rp.add_argument("--log", required=True, type=Path, help="log file or folder of logs")
    rp.add_argument(
        "--out", required=True, type=folder_arg, metavar="DIR", help="folder for the pages"
    )
    rp.add_argument(
        "--athlete", action="append", metavar="ID", help="only this athlete (repeat for more)"
    )
    rp.add_argument(
        "--as-of", type=date_arg, metavar="YYYY-MM-DD", help="the report's day (default: today)"
    )
    rp.add_argument(
        "--notebooks",
        action="store_true",
        help="also write each page as a notebook to open in Jupyter (DIR/athletes/<name>.ipynb)",
    )
    rp.add_argument(
        "--workers", type=count_arg, metavar="N", help="processes (default: one per core)"
    )
    rp.add_argument("--quiet", action="store_true", help="no progress bar")
    rp.set_defaults(func=_cmd_report)
    _runs_parser(sub)
    _phone_parser(sub)
    _room_parser(sub)
    _repair_parser(sub)
    return p


def _phone_parser(sub: Subparsers) -> None:
    ph = sub.add_parser(
        "phone",
        help="the routine timer on your phone: a page on this network, behind a token, as a QR code",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Serve the routine timer to a phone on the same Wi-Fi: a page on this computer's "
            "network address (not only this computer: you asked for it), open only with the "
            "random token in its link, shown as a QR code to scan. The phone counts the routine "
            "itself and sends each hold to ATHLETE's log in DIR the moment it ends; a hold the "
            "network could not take waits on the phone and is sent when it is back. The athlete "
            "and the folder are fixed here and nothing on the page changes them. Stop with "
            "Ctrl-C. Keep this computer awake while you train.",
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
    routine = hipnb.load_routine("hip-basics")
    pose, plank = routine.exercises["bound_angle"], routine.exercises["side_plank"]
    ph.add_argument(
        "--bound-angle",
        type=int,
        metavar="S",
        help=f"{pose.name}, {seconds_text(pose.min_seconds)} to {seconds_text(pose.max_seconds)} "
        "(default: the routine's)",
    )
    ph.add_argument(
        "--plank",
        type=int,
        metavar="S",
        help=f"side plank, each side, at most {seconds_text(plank.plausible_max, exact=True)} "
        "(default: the routine's)",
    )
    _server_args(ph)
    ph.set_defaults(func=_cmd_phone)


def _server_args(p: argparse.ArgumentParser) -> None:
    """What a page served from this computer is asked: the get-ready count, the address, the port."""
    p.add_argument(
        "--get-ready",
        type=float,
        default=5.0,
        metavar="S",
        help=f"the count before the start, 0-{GET_READY_MAX_S} s",
    )
    p.add_argument(
        "--host",
        metavar="ADDRESS",
        help="the address to serve on (default: this computer's address on its network)",
    )
    p.add_argument("--port", type=int, default=0, help="the port (default: a free one)")


def _room_parser(sub: Subparsers) -> None:
    rm = sub.add_parser(
        "room",
        help="a workshop: the big-screen timer, and every phone in the room follows its clock",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Open a room: the big-screen timer (a page for the projector, its link printed "
            "here with the teacher's token) and, for the participants, a QR code on that "
            "screen. A participant scans it, types a name (the names of DIR's logs: a near "
            "match is offered, a new name only when new names are let in) and follows the room "
            "on the phone: the teacher's Start, Pause, Skip and Pain reach every phone, and each "
            "hold goes to the participant's own log in DIR, credited with the time the phone "
            "followed. Served on this computer's network address, behind random tokens; no "
            "kernel. Stop with Ctrl-C.",
            width=88,
        ),
        epilog="examples:\n"
        "  hipnb room --logs data/logs\n"
        "  hipnb room --logs data/logs --routines data/routines --allow-new --get-ready 10",
    )
    rm.add_argument("--logs", required=True, type=folder_arg, metavar="DIR", help="the log folder")
    rm.add_argument(
        "--routines",
        default="data/routines",
        metavar="DIR",
        help="routine files the big screen offers besides the built-in ones (default "
        "data/routines)",
    )
    rm.add_argument(
        "--routine",
        default="hip-basics",
        help="the routine the room starts with (default hip-basics; the screen can change it)",
    )
    rm.add_argument(
        "--allow-new",
        action="store_true",
        help="let names DIR does not know yet join (and start their logs); the big screen can "
        "also let them in",
    )
    _server_args(rm)
    rm.set_defaults(func=_cmd_room)


def _repair_parser(sub: Subparsers) -> None:
    rp = sub.add_parser(
        "repair",
        help="give back a log a spreadsheet saved (delimiter, encoding, dates...) in the log's form",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Turn a log that Excel, LibreOffice Calc, Google Sheets or Numbers saved back into the "
            "log's form: semicolons or tabs to commas, decimal commas to points, Windows-1252 or "
            "Mac Roman to UTF-8, mojibake in names and notes (RamÃ³n) mended, true/false in the "
            "app's language (WAHR, VRAI...), blank rows removed, local dates (24.11.2026 07:15) "
            "to ISO 8601 with the UTC offset of the athlete's other rows or of --tz. Every change "
            "is listed, and what the app did not keep (a start's seconds, an id in scientific "
            "notation) is named as lost. The repaired log is written to repaired/NAME.csv "
            "beside the original, out of the folder's reads until you move it; --in-place puts it in the original's place and keeps the original "
            "as NAME.csv.bak.",
            88,
        ),
    )
    rp.add_argument("file", type=Path, metavar="FILE", help="the log file a spreadsheet saved")
    rp.add_argument(
        "--tz",
        metavar="ZONE",
        help="the zone local start times are in, when the athlete's other rows give no offset "
        "(an IANA name like Europe/Berlin; for Numbers, the Mac's own zone)",
    )
    order = rp.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="dayfirst",
        action="store_const",
        const=True,
        help="dates are day first (24.11.2026): needed only when no day is over 12",
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_const",
        const=False,
        help="dates are month first (11/24/2026): needed only when no day is over 12",
    )
    rp.add_argument(
        "--encoding",
        metavar="NAME",
        help="the file's encoding, when the one it is read with is not right (cp1252, mac_roman)",
    )
    rp.add_argument(
        "--in-place",
        action="store_true",
        help="replace the file, keeping the original as FILE.bak",
    )
    rp.set_defaults(func=_cmd_repair)


def _cmd_repair(args: argparse.Namespace) -> int:
    from hipnb.log.repair import repair_log, write_repair

    fixed = repair_log(args.file, tz=args.tz, dayfirst=args.dayfirst, encoding=args.encoding)
    if fixed.questions:
        raise HipnbError(f"{args.file}: nothing written: " + "; ".join(fixed.questions))
    if fixed.changes or fixed.lost:
        print(fixed.report())
    written = write_repair(fixed, in_place=args.in_place)
    df = hipnb.read_logs(written)
    problems = df.attrs["problems"]
    for p in problems:
        print(p)
    lost = f", {plural(len(fixed.lost), 'part')} lost" if fixed.lost else ""
    print(
        f"{written}: {plural(len(fixed.changes), 'change')}{lost}; {plural(len(df), 'row')} read, "
        f"{plural(len(problems), 'problem')}"
    )
    if not args.in_place:
        print(
            f"check it, then put it in the original's place (hipnb repair {args.file} --in-place "
            "does, keeping the original as a backup)"
        )
    return 1 if problems or fixed.lost else 0


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
            "again adds nothing; the same run twice (starts within 2 minutes, distances within "
            "3 %), from two sources or uploaded twice, is kept once. Every activity skipped, "
            "every run counted once and every bad file or "
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
        from hipnb.log.gate import in_door_words

        print(f"hipnb: error: {in_door_words(str(exc), 'cli')}", file=sys.stderr)
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
            print(
                f"{name:16} {r.title} ({seconds_text(r.total_seconds)}, {plural(len(r.holds), 'hold')})"
            )
        return 0
    r = hipnb.load_routine(args.routine)
    print(f"{r.title} [{r.name}] - {seconds_text(r.total_seconds)}")
    if r.description:
        print(r.description)
    for i, s in enumerate(r.steps, 1):
        print(f"{i:2}. {s.kind:4} {seconds_text(s.seconds):>10}  {s.label}")
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


def _cmd_report(args: argparse.Namespace) -> int:
    from hipnb.report import render_reports

    if args.athlete:  # as the log keeps names; one not in the log fails with the closest name
        args.athlete = [hipnb.log.normalize_name(a) for a in args.athlete]
    batch = render_reports(
        args.log,
        args.out,
        athletes=args.athlete,
        as_of=args.as_of,
        progress=not args.quiet,
        workers=args.workers,
        notebooks=args.notebooks,
    )
    for athlete, why in sorted(batch.failed.items()):
        print(f"{athlete}: FAILED: {why}", file=sys.stderr)
    failed = f"; {len(batch.failed)} failed" if batch.failed else ""
    pages = plural(len(batch.written), "athlete page")
    print(f"wrote {pages} and the squad page {batch.summary}{failed}")
    return 1 if batch.failed else 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from hipnb.analysis import ReviewDay
    from hipnb.review import acknowledge, acknowledged, last_review, mark_reviewed

    df = _read_logs_reporting(args.path)
    runs = _runs_beside(args.path)
    review = ReviewDay.on(df, runs, as_of=args.as_of, acknowledged=acknowledged(args.path))
    for item in args.acknowledge or []:
        athlete, _, kind = item.partition(":")
        athlete = _known_athlete(athlete, df)
        path = acknowledge(args.path, athlete, kind, review.date)
        print(f"{athlete}'s {kind} flag acknowledged on {review.day:%a %d %b %Y} in {path}")
    if args.acknowledge:
        review = ReviewDay(df, runs, as_of=review.day, acknowledged=acknowledged(args.path))
    if args.athlete:
        args.athlete = _known_athlete(args.athlete, df)
        print(review.summary(args.athlete))
        load = review.load.set_index("athlete")
        if args.athlete in load.index and not load.loc[args.athlete, "flag"]:
            print(f"Running: {load.loc[args.athlete, 'words']}.")  # a standing flag is said above
    elif args.since_review:
        _print_changes(review, args.path, last_review(args.path))
    else:
        _print_roster(review)
    if args.mark_reviewed:
        path = mark_reviewed(args.path, review.date)
        print(f"review of {review.day:%a %d %b %Y} recorded in {path}")
    return 0


def _logs_end(df: pd.DataFrame, as_of: pd.Timestamp) -> str:
    """Words for logs that end well before the review day, with the option to review as of then."""
    if df.empty:
        return ""
    last = df["local_time"].max().normalize()
    if (as_of - last).days < 2:
        return ""
    return (
        f"(the logs end on {last:%a %d %b %Y}, {(as_of - last).days} days before "
        f"{as_of:%a %d %b %Y}; --as-of {last:%Y-%m-%d} reviews as of then)"
    )


def _print_roster(review: ReviewDay) -> None:
    import pandas as pd

    r, as_of, df = review.roster, review.day, review.holds
    if r.empty:
        print("no rows yet")
        return

    def num(value: Any, fmt: str) -> str:
        return "-" if pd.isna(value) else fmt.format(value)

    print(" ".join(t for t in (f"squad on {as_of:%a %d %b %Y}", _logs_end(df, as_of)) if t))
    runs = r["km_7d"].notna().any()
    run_head = f" {'run 7d':>8}" if runs else ""
    print(f"{'athlete':12} {'last log':>10} {'7d':>5} {'28d':>5} {'bound':>10} {'L/R plank':>11}"
          f"{run_head}  {'level':5}  flags")  # fmt: skip
    rows: Iterable[Any] = r.itertuples()  # pandas-stubs types each field as any scalar
    for row in rows:
        planks = f"{seconds_text(row.plank_left_s) or '-'}/{seconds_text(row.plank_right_s) or '-'}"
        km = f" {num(row.km_7d, '{:.1f} km'):>8}" if runs else ""
        print(
            f"{row.athlete:12} {num(row.last_day, '{:%Y-%m-%d}'):>10} "
            f"{row.adherence_7d:5.0%} {row.adherence_28d:5.0%} "
            f"{seconds_text(row.bound_median_7d) or '-':>10} {planks:>11}{km}  "
            f"{str(row.level).upper():5}  {'; '.join(f.short for f in row.flags)}"
        )


def _print_changes(review: ReviewDay, path: Path, since: date | None) -> None:
    from hipnb import analysis

    df = review.holds
    last = df["local_time"].max() if len(df) else None
    start, head = analysis.review_period(since, review.day, last)
    print(head + ("" if since else f" (--mark-reviewed records a review in {path})") + ":")
    changes = review.changes(start)
    if changes.empty:
        print("  nothing needs attention and nothing changed")
    rows: Iterable[Any] = changes.itertuples()  # pandas-stubs types each field as any scalar
    for row in rows:
        change = "RED FLAG" if row.change == "red flag" else row.change
        print(f"  {row.athlete:12} {change:14} {row.detail}")


def _runs_beside(path: Path) -> pd.DataFrame:
    """The runs kept beside the logs at ``path`` (none: an empty frame)."""
    from hipnb.runs import read_runs

    folder = path if path.is_dir() else path.parent
    runs: pd.DataFrame = read_runs(folder)
    for p in runs.attrs["problems"]:  # a bad row in a run log is reported by every read
        print(p, file=sys.stderr)
    return runs


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


def _cmd_room(args: argparse.Namespace) -> int:
    from hipnb.phone import lan_address
    from hipnb.room import RoomServer, run

    host = args.host
    if host is None:
        try:
            host = lan_address()
        except HipnbError as exc:
            host = "127.0.0.1"
            print(f"{exc}.\nThe room opens on this computer only: phones cannot join.", flush=True)
    server = RoomServer(
        args.logs,
        args.routines,
        args.routine,
        host=host,
        port=args.port or None,
        get_ready=args.get_ready,
        allow_new=args.allow_new,
    )
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
        for s in [*result.skipped, *result.same]:
            print(s)
    for p in result.problems:
        print(p, file=sys.stderr)
    print(result)
    return 1 if result.problems else 0
