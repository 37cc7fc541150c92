"""The log's commands: ``validate``, ``log``, ``holds``, ``edit``, ``delete``, ``export``.

A thin layer over :mod:`hipnb.log` (the gate, the reader, corrections); :mod:`hipnb.cli` adds them
to the ``hipnb`` command line.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hipnb
from hipnb.errors import HipnbError
from hipnb.log.export import EXPORT_COLUMNS
from hipnb.log.stamps import WHEN_FORMS
from hipnb.names import look_alike_athletes, unknown_athlete

if TYPE_CHECKING:  # pandas loads only for the commands that read logs
    import pandas as pd

    from hipnb.cli_args import Parser

    Subparsers = argparse._SubParsersAction[Parser]

_WHEN_HELP = (
    f"start: {WHEN_FORMS} (default: now). Times without an offset are in --tz, else this "
    "machine's zone"
)


def add_parsers(sub: Subparsers) -> None:
    """Add ``validate``, ``log``, ``holds``, ``edit``, ``delete`` and ``export`` to ``sub``."""
    v = sub.add_parser(
        "validate",
        help="check log files and report every bad row by file and line",
        description="Read one log, several, or a folder of logs and report every row that cannot "
        "be used, as FILE:LINE: REASON, and every row a door would refuse today (a start more "
        "than a day in the future, an exercise no routine knows that looks like a typo of one "
        "that does). Holds longer than their exercise's plausible maximum are listed as checks. "
        "Exit status 1 if any problem was found. A row whose line had no line end (a write cut "
        "off, or a file saved without a final line end) is set aside until you have checked it "
        "and run: hipnb validate --accept FILE:LINE.",
    )
    v.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="log file or folder")
    v.add_argument(
        "--accept", action="append", default=[], metavar="FILE:LINE",
        help="mark a row reported as having had no line end as checked: reads keep it again "
        "(repeatable; the row's bytes are remembered, so a later change to it is reported anew)",
    )  # fmt: skip
    v.add_argument(
        "--routines", type=Path, default=Path("data/routines"), metavar="DIR",
        help="folder of routine files whose exercises are known (default data/routines)",
    )  # fmt: skip
    v.set_defaults(func=_cmd_validate)

    lg = sub.add_parser(
        "log",
        help="record one hold done away from the screen",
        description="Append one hold to a log file, through the same gate as every other door. "
        "The row's routine is 'manual'; it is completed when --seconds reaches --target.",
        epilog="examples:\n"
        "  hipnb log --log data/logs/ana.csv --athlete ana --exercise side_plank --side left "
        "--seconds 35 --when 07:15\n"
        "  hipnb log --log data/logs/ana.csv --athlete ana --exercise bound_angle --seconds 240 "
        "--day yesterday --when 21:30 --tz Europe/Madrid",
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    lg.add_argument(
        "--new-athlete",
        action="store_true",
        help="start the log of an athlete the folder does not know yet, on purpose (a name close "
        "to a known one is refused without it, so a typo never starts a second athlete)",
    )
    lg.add_argument("--side", default="both", help="left, right or both (default both)")
    lg.add_argument("--seconds", required=True, type=float, help="seconds actually held")
    lg.add_argument(
        "--target",
        type=float,
        help="planned seconds (default: the routine's target for this exercise and side; for an "
        "exercise no routine holds, --seconds)",
    )
    lg.add_argument(
        "--override",
        action="store_true",
        help="log a hold longer than its exercise's plausible maximum (a value checked, not a typo)",
    )
    lg.add_argument("--when", help=_WHEN_HELP)
    lg.add_argument("--day", help="the day of a --when time: today, yesterday or YYYY-MM-DD")
    lg.add_argument("--tz", help="time zone of --when and --day, e.g. Europe/Madrid")
    lg.add_argument("--rpe", type=int, help="effort, 0-10")
    lg.add_argument("--discomfort", type=int, help="hip discomfort, 0-10")
    lg.add_argument("--note", default="", help="free text")
    lg.set_defaults(func=_cmd_log)
    _corrections_parsers(sub)

    ex = sub.add_parser(
        "export",
        help="write a log as a spreadsheet-safe CSV",
        description="Read logs (a file or a folder) and write one CSV for spreadsheets, the current "
        "state (corrections applied), columns: " + ", ".join(EXPORT_COLUMNS) + ". Text cells "
        "that could run as formulas (=, +, -, @) are neutralised; numbers stay numbers. --out "
        "is never the log read nor inside the folder read, and an existing one is replaced "
        "only with --force.",
    )
    ex.add_argument("path", type=Path, metavar="PATH", help="log file or folder")
    ex.add_argument("--out", required=True, type=Path, help="CSV file to write")
    ex.add_argument("--force", action="store_true", help="replace --out when it exists")
    ex.set_defaults(func=_cmd_export)


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
    ho.add_argument("--day", help="only this local day: today, yesterday or YYYY-MM-DD")
    ho.add_argument("--tz", help="time zone of --day today/yesterday (default: this machine's)")
    ho.set_defaults(func=_cmd_holds)

    ed = sub.add_parser(
        "edit",
        help="correct a logged hold (appends a patch row; the file keeps its history)",
        description=textwrap.fill(
            "Correct one hold of a log file: a row with action=patch is appended that names the "
            "hold and carries only the fields given here that change it, so a correction made "
            "at the same moment by someone else is never undone. The hold must still be in the "
            "log (checked under the log's lock); the hold as it will read passes the checks of "
            'every new hold. --note "" clears the note. When the seconds change and neither '
            "--completed nor --not-completed is given, the hold stays completed only if it "
            "reached its target.",
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
    ed.add_argument(
        "--when",
        help=f"start: {WHEN_FORMS}; a time alone is on the hold's own day, in its own offset",
    )
    ed.add_argument("--exercise", help="exercise id")
    ed.add_argument("--rpe", type=int, help="effort, 0-10")
    ed.add_argument("--discomfort", type=int, help="hip discomfort, 0-10")
    ed.add_argument("--note", help="free text (replaces the note)")
    ed.add_argument("--custom", action="store_true", help="allow an exercise no routine defines")
    ed.add_argument(
        "--override", action="store_true", help="allow a hold over its plausible maximum"
    )
    ed.add_argument(
        "--routines", type=Path, default=Path("data/routines"), metavar="DIR",
        help="folder of routine files whose exercises are known (default data/routines)",
    )  # fmt: skip
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
        description="Remove one hold of a log file: a row with action=delete is appended (the "
        "hold must still be in the log, checked under the log's lock). Reads leave the hold "
        "out; its rows stay in the file as history.",
    )
    de.add_argument("--log", required=True, type=Path, help="log file holding the hold")
    de.add_argument("ref", metavar="REF", help="the hold's reference from `hipnb holds`")
    de.set_defaults(func=_cmd_delete)


def read_logs_reporting(path: Path) -> pd.DataFrame:
    """``read_logs(path)``, each problem printed to stderr as FILE:LINE: REASON (no warning)."""
    df = hipnb.read_logs(path)
    for p in df.attrs["problems"]:
        print(p, file=sys.stderr)
    return df


def _cmd_validate(args: argparse.Namespace) -> int:
    from hipnb.log.gate import Catalog, door_problems
    from hipnb.log.torn import accept

    if not args.paths and not args.accept:
        raise HipnbError("validate needs a PATH, or --accept FILE:LINE")
    for where in args.accept:
        file, _, line = where.rpartition(":")
        if not file or not line.isdigit():
            raise HipnbError(f"--accept {where!r}: give FILE:LINE, as a read reported it")
        print(accept(Path(file), int(line)))
    catalog = Catalog.load(args.routines)
    now = datetime.now(UTC)
    found_any = False
    for path in args.paths:
        try:
            df = hipnb.read_logs(path)
        except HipnbError as exc:
            print(exc)
            _print_repair_hints([path])
            found_any = True
            continue
        probs = list(df.attrs["problems"])
        late, checks = door_problems(path, df, catalog=catalog, now=now)
        for p in sorted(probs + late, key=lambda p: (p.file, p.line)):
            print(p)
        _print_repair_hints(dict.fromkeys(Path(p.file) for p in probs if p.file))
        for p in checks:
            print(f"check: {p}")
        for alike in look_alike_athletes(df["athlete"].unique()):
            print(f"check: {path}: {alike}")
        found_any |= bool(probs or late)
        if df.empty and not probs:
            print(f"{path}: header only or no logs: no rows yet")
        else:
            print(f"{path}: {len(df)} rows read, {len(probs) + len(late)} problem(s)")
    return 1 if found_any else 0


def _print_repair_hints(files: Iterable[Path]) -> None:
    """Name what a spreadsheet did to each file with problems, and point at ``hipnb repair``."""
    from hipnb.log.repair import repair_hint

    for f in files:
        hint = repair_hint(f) if f.is_file() else None
        if hint:
            print(hint)


def _cmd_log(args: argparse.Namespace) -> int:
    from hipnb.log import manual_row
    from hipnb.log.stamps import parse_when

    when = parse_when(args.when, day=args.day, tz=args.tz)
    row = manual_row(
        args.athlete,
        args.exercise.strip(),
        args.side.strip().lower(),
        args.seconds,
        target_s=args.target,
        started_at=when,
        rpe=args.rpe,
        discomfort=args.discomfort,
        note=args.note,
    )
    added = _log(args).add(
        [row], custom=args.custom, override=args.override, new_athlete=args.new_athlete
    )
    row = added.written[0]  # as logged: the target the door gave it
    print(
        f"logged 1 hold to {args.log}: {row['exercise']} ({row['side']}), "
        f"{row['actual_s']:g} s of {row['target_s']:g}, started {row['started_at']}"
    )
    for note in added.notes:
        print(f"  {note}")
    return 0


def _log(args: argparse.Namespace) -> hipnb.SessionLog:
    """The log of ``--log``, its door knowing the routines of ``--routines`` (skipped files said)."""
    log = hipnb.SessionLog(args.log, routines=args.routines)
    for why in log.skipped:
        print(f"hipnb: warning: {why}", file=sys.stderr)
    return log


def _read_one_log(path: Path) -> pd.DataFrame:
    df = hipnb.SessionLog(path).read()
    for p in df.attrs["problems"]:
        print(p, file=sys.stderr)
    if df.empty and not path.exists():
        raise HipnbError(f"{path}: no such log file")
    read: pd.DataFrame = df
    return read


def _cmd_holds(args: argparse.Namespace) -> int:
    from hipnb.holds import select_holds
    from hipnb.log.stamps import parse_day

    df = _read_one_log(args.log)
    if args.athlete:
        known_athlete(args.athlete, df)
    day = parse_day(args.day, tz=args.tz) if args.day else None
    holds = select_holds(df, athlete=args.athlete, day=day)
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
    from hipnb.holds import find_hold

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
    find_hold(_read_one_log(args.log), args.ref)  # the file, the rows it cannot read, the REF
    if not changes:
        raise HipnbError("nothing to change: give --seconds, --side, --when, ... (see --help)")
    done = _log(args).patch(args.ref, custom=args.custom, override=args.override, **changes)
    assert done is not None  # without missing_ok, a gone hold raises
    if not done.changes:
        print(f"hold {args.ref} already reads so: nothing appended")
        return 0
    print(f"edited {_describe(done.hold)} in {args.log}:")
    for name, old, new in done.changes:
        print(f"  {name}: {old or '(empty)'} -> {new or '(empty)'}")
    return 0


def _cmd_delete(args: argparse.Namespace) -> int:
    _read_one_log(args.log)
    done = hipnb.SessionLog(args.log).delete(args.ref)
    assert done is not None
    print(f"deleted {_describe(done.hold)} from {args.log} (the rows stay in the file as history)")
    return 0


def _describe(hold: pd.Series) -> str:
    return (
        f"{hold['athlete']}'s {hold['exercise']} ({hold['side']}, {hold['actual_s']:.0f} s) "
        f"of {hold['local_time']:%Y-%m-%d %H:%M}"
    )


def known_athlete(name: str, df: pd.DataFrame) -> str:
    """``name`` as the logs keep it (NFC, trimmed); an error naming the closest one if absent."""
    clean = hipnb.log.normalize_name(name)
    if not (df["athlete"] == clean).any():
        raise HipnbError(unknown_athlete(clean, df["athlete"].unique()))
    return clean


def _cmd_export(args: argparse.Namespace) -> int:
    from hipnb.log import export_for_spreadsheet
    from hipnb.log.export import export_problem

    why = export_problem(args.path, args.out, force=args.force)
    if why:
        raise HipnbError(why)
    df = read_logs_reporting(args.path)
    df = df.sort_values(["athlete", "started_at"], kind="stable")  # athlete by athlete, in time
    export_for_spreadsheet(df, args.out)
    print(f"wrote {len(df)} rows to {args.out}")
    return 0
