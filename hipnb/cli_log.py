"""The log's commands: ``validate``, ``log``, ``holds``, ``edit``, ``delete``, ``export``,
``import-sheet``.

A thin layer over :mod:`hipnb.log` (the gate, the reader, corrections); :mod:`hipnb.cli` adds them
to the ``hipnb`` command line.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hipnb
from hipnb.errors import HipnbError
from hipnb.log.export import EXPORT_COLUMNS
from hipnb.log.spec import SPEC_BY_NAME
from hipnb.log.stamps import WHEN_FORMS
from hipnb.names import look_alike_athletes, unknown_athlete
from hipnb.seconds import plural, seconds_text

if TYPE_CHECKING:  # pandas loads only for the commands that read logs
    import pandas as pd

    from hipnb.cli_args import Parser

    Subparsers = argparse._SubParsersAction[Parser]

_WHEN_HELP = (
    f"start: {WHEN_FORMS} (default: now). Times without an offset are in --tz, else this "
    "machine's zone"
)


def add_parsers(sub: Subparsers) -> None:
    """Add ``validate``, ``log``, ``holds``, ``edit``, ``delete``, ``export`` and ``import-sheet``
    to ``sub``."""
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
        help="write logs as a spreadsheet-safe CSV, or as a workbook (.xlsx) to edit",
        description=textwrap.fill(
            "Read logs (a file or a folder) and write their current state (corrections applied). "
            "An --out ending in .xlsx is a workbook to edit in any spreadsheet, in any locale: "
            "typed cells (starts as dates with each hold's UTC offset beside them, seconds and "
            "scores as numbers, ids and notes as text), a first sheet saying what may be edited "
            "and how; bring the edits back with hipnb import-sheet. Any other --out is a CSV for "
            "reading, columns: " + ", ".join(EXPORT_COLUMNS) + "; its text cells that could run "
            "as formulas (=, +, -, @) are neutralised and numbers stay numbers. --out is never "
            "the log read nor inside the folder read, and an existing one is replaced only with "
            "--force.",
            width=88,
        ),
        epilog="examples:\n  hipnb export data/sample --out squad.xlsx   a workbook to edit\n"
        "  hipnb export data/sample --out squad.csv    a CSV to read",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ex.add_argument("path", type=Path, metavar="PATH", help="log file or folder")
    ex.add_argument(
        "--out", required=True, type=Path, help="file to write: .xlsx for a workbook, else CSV"
    )
    ex.add_argument("--force", action="store_true", help="replace --out when it exists")
    ex.set_defaults(func=_cmd_export)
    _import_sheet_parser(sub)


def _import_sheet_parser(sub: Subparsers) -> None:
    im = sub.add_parser(
        "import-sheet",
        help="bring a workbook's edits back into the logs (patches, new holds, deletes)",
        description=textwrap.fill(
            "Compare a workbook made by `hipnb export DIR --out BOOK.xlsx` with the logs in "
            "--logs and list what the edits ask for: a changed cell is a patch of that hold, a "
            "new row a new hold, a removed row a delete. Holds logged after the export are left "
            "alone; a number that only lost digits in the spreadsheet is no change. Every change "
            "passes the checks of any other edit, and a cell that cannot be used is named by its "
            "row and column. Nothing is written without --yes.",
            width=88,
        ),
        epilog="example:\n  hipnb export data/logs --out squad.xlsx\n"
        "  hipnb import-sheet squad.xlsx --logs data/logs          lists the changes\n"
        "  hipnb import-sheet squad.xlsx --logs data/logs --yes    writes them",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    im.add_argument("book", type=Path, metavar="BOOK", help="the edited workbook (.xlsx)")
    im.add_argument(
        "--logs", required=True, type=Path, metavar="DIR", help="the folder it was exported from"
    )
    im.add_argument("--yes", action="store_true", help="write the changes (default: list them)")
    im.add_argument(
        "--new-athlete",
        action="store_true",
        help="let a new row start the log of an athlete the folder does not know yet, on purpose",
    )
    im.add_argument(
        "--routines", type=Path, default=Path("data/routines"), metavar="DIR",
        help="folder of routine files whose exercises are known (default data/routines)",
    )  # fmt: skip
    im.set_defaults(func=_cmd_import_sheet)


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
            print(
                f"{path}: {plural(len(df), 'row')} read, {plural(len(probs) + len(late), 'problem')}"
            )
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

    moved: list[str] = []  # a local time the clocks skipped, said
    when = parse_when(args.when, day=args.day, tz=args.tz, notes=moved)
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
        f"{seconds_text(row['actual_s'], exact=True)} of {seconds_text(row['target_s'], exact=True)}"
        f", started {row['started_at']}"
    )
    for note in [*moved, *added.notes]:
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
    for line in holds_lines(holds):
        print(line)
    return 0


#: Characters a terminal acts on instead of showing (C0 and C1 controls, DEL, and the marks that
#: reorder text right to left): printed as escapes, so text from a log cannot move the cursor,
#: erase lines or disguise what is shown.
_ACTS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` for a terminal: each character a terminal would act on written as its escape.

    >>> printable("ok\r\x1b[1A\x1b[2Kzoë")
    'ok\\r\\x1b[1A\\x1b[2Kzoë'
    """
    return _ACTS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


#: The columns of ``hipnb holds``: header, width, alignment (``<`` or ``>``).
_HOLDS_COLUMNS = (
    ("ref", 8, "<"),
    ("athlete", 12, "<"),
    ("day", 10, "<"),
    ("time", 5, "<"),
    ("exercise", 14, "<"),
    ("side", 5, "<"),
    ("held", 10, ">"),
    ("target", 10, ">"),
    ("done", 4, "<"),
    ("effort", 6, ">"),
    ("discomfort", 10, ">"),
    ("Pain at", 10, ">"),
    ("note", 0, "<"),
)


def holds_lines(holds: pd.DataFrame, note_chars: int = 30) -> list[str]:
    """``hipnb holds``' table: a header, then one line per hold with its reference, local day and
    time, the times held and planned, done to target, effort, discomfort, the second Pain was
    pressed and the note (its first ``note_chars`` characters). Text from the log is
    :func:`printable`: a note cannot act on the terminal."""
    import pandas as pd

    def score(v: Any) -> str:
        return "" if v is None or pd.isna(v) else f"{int(v)}"

    def cells(h: Any) -> list[str]:
        note = "" if h.note is None or pd.isna(h.note) else printable(str(h.note))
        if len(note) > note_chars:
            note = note[: note_chars - 1] + "…"
        return [
            h.ref,
            printable(str(h.athlete)),
            f"{h.local_time:%Y-%m-%d}",
            f"{h.local_time:%H:%M}",
            printable(str(h.exercise)),
            printable(str(h.side)),
            seconds_text(h.actual_s),
            seconds_text(h.target_s),
            "yes" if h.completed else "no",
            score(h.rpe),
            score(h.discomfort),
            seconds_text(getattr(h, "pain_at_s", None)),
            note,
        ]

    def line(values: list[str]) -> str:
        out = [f"{v:{a}{w}}" for v, (_, w, a) in zip(values, _HOLDS_COLUMNS, strict=True)]
        return " ".join(out).rstrip()

    rows: Iterable[Any] = holds.itertuples()  # pandas-stubs types each field as any scalar
    return [line([h for h, _, _ in _HOLDS_COLUMNS])] + [line(cells(h)) for h in rows]


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
        words = SPEC_BY_NAME[name].words
        print(f"  {words}: {printable(old) or '(empty)'} -> {printable(new) or '(empty)'}")
    return 0


def _cmd_delete(args: argparse.Namespace) -> int:
    _read_one_log(args.log)
    done = hipnb.SessionLog(args.log).delete(args.ref)
    assert done is not None
    print(f"deleted {_describe(done.hold)} from {args.log} (the rows stay in the file as history)")
    return 0


def _describe(hold: pd.Series) -> str:
    return (
        f"{printable(hold['athlete'])}'s {hold['exercise']} ({hold['side']}, "
        f"{seconds_text(hold['actual_s'])}) of {hold['local_time']:%Y-%m-%d %H:%M}"
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
    if args.out.suffix.lower() == ".xlsx":
        from hipnb.log.workbook import export_workbook

        holds = export_workbook(args.path, args.out)
        for p in holds.attrs["problems"]:
            print(p, file=sys.stderr)
        print(f"wrote {len(holds)} holds to {args.out}: edit it, then hipnb import-sheet it")
        return 0
    df = read_logs_reporting(args.path)
    df = df.sort_values(["athlete", "started_at"], kind="stable")  # athlete by athlete, in time
    export_for_spreadsheet(df, args.out)
    print(f"wrote {len(df)} rows to {args.out}")
    return 0


def _cmd_import_sheet(args: argparse.Namespace) -> int:
    from hipnb.log.workbook import plan_import

    plan = plan_import(args.book, args.logs, routines=args.routines, new_athlete=args.new_athlete)
    for note in plan.notes:
        print(f"  left alone: {note}")
    if not plan.changes:
        print(f"{args.book}: no changes to {args.logs}")
        return 0
    if not args.yes:
        print(f"{args.book} asks for {plural(len(plan.changes), 'change')} to {args.logs}:")
        for change in plan.changes:
            print(f"  {change.kind} {change.words}")
        print("nothing written: run again with --yes to write them")
        return 0
    for line in plan.apply():
        print(f"  {line}")
    print(f"wrote {plural(len(plan.changes), 'change')} from {args.book} to {args.logs}")
    return 0
