"""A workbook (.xlsx) for editing a squad's logs in a spreadsheet, and its edits brought back.

A CSV does not survive a spreadsheet in every locale (a ``;`` locale reads it in one column and saves
decimal commas and local dates; a 12-digit session id becomes ``5.27093E+11``; a converted date loses
its UTC offset). A workbook's cells carry their types, so every spreadsheet opens it the same way.

* :func:`export_workbook` writes the current holds of a folder of logs (or one file) as a workbook:
  a first sheet saying what may be edited and how, then the sheet ``Holds`` with typed cells (starts
  as dates, each hold's UTC offset in its own column, seconds and scores as numbers, ids and notes as
  text), a hidden column with each hold's REF, a frozen header and set column widths, and a hidden
  sheet with the state the workbook was made from (each exported hold, its file, its identity and its
  values as exported).
* :func:`plan_import` compares an edited workbook with that state and with the logs as they are now:
  a changed cell is a patch, a new row (no REF) a new hold, a removed row a delete. Holds logged after
  the export are not in the state, so they are never taken for deletions; a value that only lost
  digits in the spreadsheet (a float kept to 15 significant digits) is not a change. Every planned
  change passes the log door's gate before anything is written; :meth:`SheetPlan.apply` then writes
  each through :meth:`hipnb.SessionLog.patch`, :meth:`~hipnb.SessionLog.add` or
  :meth:`~hipnb.SessionLog.delete`.

The workbook is read and written with openpyxl (the ``workbook`` extra): one well-kept library that
both reads and writes .xlsx, with hidden columns and sheets, frozen panes, widths, cell formats and
data validation.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd

from hipnb.errors import HipnbError, LogError
from hipnb.log.export import EXPORT_COLUMNS
from hipnb.log.spec import EDITABLE, FALSE_WORDS, SPEC_BY_NAME, TRUE_WORDS

if TYPE_CHECKING:
    from hipnb.log.face import SessionLog

__all__ = ["SheetChange", "SheetPlan", "export_workbook", "plan_import", "squad_holds"]

#: The sheet coaches edit, and the hidden one holding the state the workbook was made from.
HOLDS_SHEET = "Holds"
STATE_SHEET = "hipnb"
README_SHEET = "Read me"
#: What the state sheet's first cell says, and the version of its layout.
MARK = "hipnb workbook"
VERSION = 1
#: The column of each hold's UTC offset, beside ``started_at`` (a date cell has no zone).
OFFSET = "utc_offset"
#: The Holds sheet's columns: each hold's REF (hidden), then the export's, the offset beside the start.
SHEET_COLUMNS: tuple[str, ...] = (
    "ref",
    *(c for name in EXPORT_COLUMNS for c in ((name, OFFSET) if name == "started_at" else (name,))),
)
#: Columns a coach may change on a hold already logged (a correction's fields, the offset with its start).
SHEET_EDITABLE = frozenset((*EDITABLE, OFFSET))
#: Significant digits a spreadsheet keeps of a number: a value that only lost digits is no change.
DIGITS = 15
_DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
_FIXED_FILL = "E7E6E6"  # cells that may not change on a logged hold: light grey
_WIDTHS = {"note": 40, "started_at": 20, "session_id": 22, "athlete": 16, "exercise": 16}
_OFFSET_TEXT = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
#: The hidden sheet's mark above the holds as exported, and the most characters it packs in a cell.
_HOLDS_BELOW = "holds as exported, JSON lines:"
_CHUNK = 30_000
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters no .xlsx cell may hold


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise HipnbError(
            "workbooks need openpyxl, from the workbook extra: pip install 'hipnb[workbook]'"
        ) from None
    return openpyxl


# -- export ----------------------------------------------------------------------------------------


def squad_holds(source: str | Path) -> tuple[Path, pd.DataFrame]:
    """The current holds of ``source`` (a folder of logs, or one log file): ``(folder, holds)``.

    ``holds`` is athlete by athlete in time order, with each hold's ``ref`` (unique in the whole
    frame) and its ``file`` (the log's name inside ``folder``). A hold present in two files is kept
    once, from the later file (as a read of the folder keeps it). Rows a read cannot use are left
    out and listed in ``holds.attrs["problems"]``.
    """
    from hipnb.holds import hold_refs
    from hipnb.log.face import SessionLog
    from hipnb.log.identity import hold_ids

    src = Path(source)
    folder, files = (src, sorted(src.glob("*.csv"))) if src.is_dir() else (src.parent, [src])
    frames, found = [], []
    for f in files:
        df = SessionLog(f).read()
        found += df.attrs["problems"]
        frames.append(df.assign(file=f.name))
    if not frames:
        from hipnb.log.check import empty_log

        frames = [empty_log().assign(file=pd.Series(dtype=object))]
    holds = pd.concat(frames, ignore_index=True)
    holds["hold_id"] = hold_ids(holds).astype(object)
    holds = holds.drop_duplicates(["athlete", "hold_id"], keep="last")
    holds = holds.assign(ref=hold_refs(holds)).sort_values(["athlete", "started_at"], kind="stable")
    holds = holds.reset_index(drop=True)
    holds.attrs = {"problems": found}
    return folder, holds


def export_workbook(source: str | Path, out: str | Path) -> pd.DataFrame:
    """Write the current holds of ``source`` (a folder of logs, or one file) to the workbook ``out``.

    Example::

        holds = export_workbook("data/sample", "squad.xlsx")  # then: plan_import("squad.xlsx", ...)

    Returns the holds written (see :func:`squad_holds`; rows a read could not use are in
    ``attrs["problems"]``). The workbook is written beside ``out`` and renamed into place, so a
    failed export leaves no half-written file. Raises :class:`hipnb.LogError` when a note holds a
    control character no workbook can store (change it with ``hipnb edit`` first) or the write fails.
    """
    openpyxl = _openpyxl()
    from hipnb.log.stamps import stamp_texts

    folder, holds = squad_holds(source)
    stamps = stamp_texts(holds["started_at"], holds["local_time"]).tolist()
    texts = _texts(holds, stamps)
    for i, note in enumerate(texts["note"]):
        bad = _ILLEGAL.search(note)
        if bad:
            raise LogError(
                f"{folder / holds['file'].iloc[i]}: the note of hold {holds['ref'].iloc[i]} holds "
                f"the control character U+{ord(bad.group()):04X}, which a workbook cannot store; "
                "change the note with hipnb edit, then export again"
            )
    out = Path(out)
    part = out.with_name(f".{out.name}.part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LogError(f"{out}: could not write the workbook: {exc.strerror or exc}") from None
    book = openpyxl.Workbook(write_only=True)  # rows streamed to the file, not held
    try:
        _readme_sheet(book.create_sheet(README_SHEET), _folder_name(folder), len(holds))
        _holds_sheet(book.create_sheet(HOLDS_SHEET), holds, stamps)
        _state_sheet(book.create_sheet(STATE_SHEET), folder, holds, texts)
        book.save(part)
        os.replace(part, out)
    except OSError as exc:
        raise LogError(f"{out}: could not write the workbook: {exc.strerror or exc}") from None
    finally:
        for ws in book.worksheets:  # a sheet still streaming when the write failed
            with contextlib.suppress(Exception):
                ws.close()
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
    return holds


def _texts(holds: pd.DataFrame, stamps: list[str]) -> dict[str, list[str]]:
    """Each exported column of ``holds`` as the log writes it (the state the import compares with)."""
    out = {name: [str(v) for v in SPEC_BY_NAME[name].texts(holds[name])] for name in EXPORT_COLUMNS}
    out["started_at"] = stamps
    return out


def _folder_name(folder: Path) -> str:
    """The folder of logs by its own name: a workbook travels, the path of the coach's laptop
    does not go with it."""
    return folder.resolve().name or str(folder)


def _readme_sheet(ws: Any, folder: str, n: int) -> None:
    """The first sheet: what the workbook is, what may be edited and how, and how to bring it back."""
    fixed = [c for c in SHEET_COLUMNS[1:] if c not in SHEET_EDITABLE]
    lines = [
        ("Holds exported from hipnb logs", "bold"),
        (f"Made from the logs in {folder} ({n} holds) at {_now_text()}.", ""),
        ("", ""),
        ("What you may edit (sheet Holds)", "bold"),
        (
            "Change a white cell: "
            + ", ".join(c for c in SHEET_COLUMNS if c in SHEET_EDITABLE)
            + ". Each changed cell becomes a correction of that hold.",
            "",
        ),
        (
            "Grey cells (" + ", ".join(fixed) + ") may not change on a hold already logged: "
            "delete the row and add a new one instead.",
            "",
        ),
        (
            "Add a hold: fill a new row below the others with athlete, started_at (a date and "
            "time), utc_offset (like +01:00), exercise, side (left, right or both) and actual_s; "
            "target_s, completed, rpe, discomfort and note are optional. Leave column A empty.",
            "",
        ),
        ("Remove a hold: delete its whole row.", ""),
        (
            "started_at is the athlete's local date and time; utc_offset is that time's offset "
            "from UTC. Seconds and scores are numbers; ids and notes are text.",
            "",
        ),
        (
            "Keep the hidden column A (each hold's REF) and the hidden sheet: they tell which hold "
            "a row is, and which holds the workbook was made from. Sorting and filtering are fine.",
            "",
        ),
        ("", ""),
        ("Bring the edits back", "bold"),
        (f"hipnb import-sheet THIS.xlsx --logs {folder}", "code"),
        (
            "lists every change (nothing is written); add --yes to write them. Holds logged after "
            "this export are kept as they are. Every change passes the checks of any other edit; "
            "a cell that cannot be used is named by its row and column and nothing is written.",
            "",
        ),
        ("", ""),
        ("The columns", "bold"),
    ]
    lines += [(f"{c}: {_meaning(c)}", "") for c in SHEET_COLUMNS]
    openpyxl = _openpyxl()
    from openpyxl.cell import WriteOnlyCell

    ws.column_dimensions["A"].width = 120
    fonts = {
        "bold": openpyxl.styles.Font(bold=True, size=12),
        "code": openpyxl.styles.Font(name="Courier New"),
    }
    for text, how in lines:
        cell = WriteOnlyCell(ws, text)
        cell.data_type = "s"
        ws.append([_styled(cell, font=fonts.get(how))])


def _meaning(column: str) -> str:
    if column == "ref":
        return "the hold's short reference (hidden; hipnb holds lists the same)"
    if column == OFFSET:
        return "the offset from UTC of started_at, like -05:00 or +01:00"
    if column == "started_at":
        return "when the hold started: the athlete's local date and time, never before 1990"
    meaning = re.sub(r'; see "[^"]+" below', "", SPEC_BY_NAME[column].meaning)  # a README pointer
    return f"{meaning} ({SPEC_BY_NAME[column].form})".replace("`", "")


def _now_text() -> str:
    return datetime.now().astimezone().replace(microsecond=0).isoformat(sep=" ")


def _holds_sheet(ws: Any, holds: pd.DataFrame, stamps: list[str]) -> None:
    """The sheet a coach edits, streamed row by row (a write-only sheet: a squad's year of holds
    is written without holding every cell): typed cells, fixed columns grey, REF hidden."""
    openpyxl = _openpyxl()
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letters = {name: get_column_letter(i) for i, name in enumerate(SHEET_COLUMNS, start=1)}
    for name, letter in letters.items():
        dim = ws.column_dimensions[letter]
        dim.width = _WIDTHS.get(name, max(11, len(name) + 2))
        dim.number_format = _number_format(name)  # so new rows typed in keep the column's type
    ws.column_dimensions["A"].hidden = True
    ws.freeze_panes = "D2"  # the header and the session and athlete columns stay in view
    end = max(len(holds) + 1000, 2000)  # rows a coach may add stay checked too
    for name, letter in letters.items():
        rule = _validation(name)
        if rule is not None:
            dv = DataValidation(**rule, allow_blank=True, showErrorMessage=True)
            dv.error = f"{name}: {_meaning(name)}"
            dv.add(f"{letter}2:{letter}{end}")
            ws.data_validations.append(dv)
    bold = openpyxl.styles.Font(bold=True)
    ws.append([_styled(WriteOnlyCell(ws, name), font=bold) for name in SHEET_COLUMNS])
    grey = openpyxl.styles.PatternFill("solid", start_color=_FIXED_FILL)
    fills = [grey if name not in SHEET_EDITABLE else None for name in SHEET_COLUMNS]
    formats = [_number_format(name) for name in SHEET_COLUMNS]
    own = [datetime.fromisoformat(stamp) for stamp in stamps]
    columns = [
        holds["ref"].tolist() if name == "ref"
        else [t.replace(tzinfo=None) for t in own] if name == "started_at"
        else [_offset_text(t) for t in own] if name == OFFSET
        else [_cell(name, v) for v in holds[name].tolist()]
        for name in SHEET_COLUMNS
    ]  # fmt: skip
    for row in zip(*columns, strict=True):
        cells = []
        for value, fill, form in zip(row, fills, formats, strict=True):
            cell = WriteOnlyCell(ws, value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula, whatever it starts with
            cells.append(_styled(cell, fill=fill, number_format=form))
        ws.append(cells)


def _styled(cell: Any, **style: Any) -> Any:
    """``cell`` with the given style attributes set (those that are not None or General)."""
    for name, value in style.items():
        if value is not None and value != "General":
            setattr(cell, name, value)
    return cell


def _number_format(name: str) -> str:
    if name == "started_at":
        return _DATE_FORMAT
    kind = SPEC_BY_NAME[name].kind if name in SPEC_BY_NAME else "text"
    if kind == "seconds":
        return "0.0##"
    if kind == "score":
        return "0"
    if kind == "flag":
        return "General"
    return "@"  # text: a spreadsheet leaves what is typed as it is


def _validation(name: str) -> dict[str, Any] | None:
    """The spreadsheet's own check of a column, from the spec (the import checks again)."""
    column = SPEC_BY_NAME.get(name)
    if column is None:
        return None
    if column.kind == "choice" and column.choices:
        return {"type": "list", "formula1": '"' + ",".join(c for c in column.choices if c) + '"'}
    if column.kind in ("seconds", "score"):
        kind = "decimal" if column.kind == "seconds" else "whole"
        return {
            "type": kind,
            "operator": "between",
            "formula1": f"{column.low:g}",
            "formula2": f"{column.high:g}",
        }
    return None


def _cell(name: str, value: Any) -> Any:
    from hipnb.log.identity import plain

    value = plain(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if SPEC_BY_NAME[name].kind == "score":
        return int(value)
    if SPEC_BY_NAME[name].kind == "seconds":
        return float(value)
    if isinstance(value, bool):
        return value
    return str(value)


def _offset_text(when: datetime) -> str:
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _state_sheet(ws: Any, folder: Path, holds: pd.DataFrame, texts: dict[str, list[str]]) -> None:
    """The hidden sheet: what the workbook is, where it was made from, and each exported hold.

    The holds are JSON lines (ASCII: no character a spreadsheet would change), one object a hold
    (its REF, file, identity and each exported column as the log writes it), packed into cells of
    column A below :data:`_HOLDS_BELOW`, each at most :data:`_CHUNK` characters (a cell holds
    32,767)."""
    from openpyxl.cell import WriteOnlyCell

    meta = [
        (MARK, VERSION),
        ("book", uuid.uuid4().hex),
        ("folder", _folder_name(folder)),
        ("made_at", _now_text()),
        ("holds", len(holds)),
    ]
    extra = {"ref": holds["ref"].tolist(), "file": holds["file"].tolist()}
    extra["hold_id"] = holds["hold_id"].tolist()
    names = [*extra, *EXPORT_COLUMNS]
    columns = [*extra.values(), *(texts[n] for n in EXPORT_COLUMNS)]
    chunks: list[list[str]] = [[]]
    size = 0
    for row in zip(*columns, strict=True):
        line = json.dumps(dict(zip(names, row, strict=True)))
        if size + len(line) > _CHUNK:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line) + 1
    for key, value in [*meta, (_HOLDS_BELOW, "")]:
        ws.append([key, value])
    for chunk in chunks:
        cell = WriteOnlyCell(ws, "\n".join(chunk))
        cell.data_type = "s"
        ws.append([cell])
    ws.sheet_state = "veryHidden"  # out of the way: a spreadsheet's menus do not show it


# -- import ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetChange:
    """One change a workbook asks for: ``kind`` is ``patch``, ``add`` or ``delete``; ``row`` the
    sheet's row (None for a delete: the row is gone); ``file`` the log it goes to; ``athlete``
    whose hold it is; ``ref`` and ``hold_id`` the hold (empty for an add); ``fields`` the patch's
    ``(field, value)`` pairs or the new hold's values; ``words`` what it is, for a person."""

    kind: Literal["patch", "add", "delete"]
    row: int | None
    file: Path
    athlete: str
    ref: str
    hold_id: str
    fields: tuple[tuple[str, Any], ...]
    words: str


@dataclass(frozen=True)
class SheetPlan:
    """What an edited workbook asks of the logs (:func:`plan_import`): every change, checked by
    the door's gate, and notes for the person (edits of holds deleted since the export, ...).
    :meth:`apply` writes them."""

    book: Path
    folder: Path
    changes: tuple[SheetChange, ...]
    notes: tuple[str, ...] = ()
    routines: Path | None = None
    new_athlete: bool = False

    def apply(self) -> list[str]:
        """Write every change through the log's door, in sheet order (deletes last); returns one
        line per change saying what was done. A change the door refuses now (the logs changed
        since the plan) raises :class:`hipnb.LogError` naming the sheet's row; the changes before
        it stay written, and importing the workbook again writes only what is left."""
        done = []
        doors = _Doors(self.routines)
        for change in self.changes:
            log = doors[change.file]
            try:
                done.append(_apply(log, change, self.new_athlete))
            except LogError as exc:
                raise type(exc)(f"{_where(self.book, change.row)}: {exc}") from None
        return done


class _Doors(dict[Path, "SessionLog"]):
    """One door a log file, made when first asked for (each loads the routines once)."""

    def __init__(self, routines: Path | None):
        super().__init__()
        self.routines = routines

    def __missing__(self, path: Path) -> SessionLog:
        from hipnb.log.face import SessionLog

        door = self[path] = SessionLog(path, routines=self.routines)
        return door


def _apply(log: SessionLog, change: SheetChange, new_athlete: bool) -> str:
    if change.kind == "patch":
        got = log.patch(change.hold_id, missing_ok=True, **dict(change.fields))
        if got is None:
            return f"skipped {change.words}: the hold is gone from the log"
        return f"patched {change.words}" if got.changes else f"already so: {change.words}"
    if change.kind == "delete":
        gone = log.delete(change.hold_id, missing_ok=True)
        return f"deleted {change.words}" if gone is not None else f"already gone: {change.words}"
    added = log.add([dict(change.fields)], new_athlete=new_athlete)  # type: ignore[list-item]
    return f"added {change.words}" if added.written else f"already logged: {change.words}"


@dataclass
class _State:
    book: str
    folder: str
    rows: dict[str, dict[str, str]] = field(default_factory=dict)  # by REF


def plan_import(
    book: str | Path,
    logs: str | Path,
    *,
    routines: str | Path | None = None,
    new_athlete: bool = False,
) -> SheetPlan:
    """Compare the edited workbook ``book`` with the logs in ``logs`` and plan the edits.

    Example::

        plan = plan_import("squad.xlsx", "data/sample", routines="data/routines")
        for change in plan.changes:
            print(change.words)
        plan.apply()  # patches, new holds and deletes, each through hipnb.SessionLog

    A cell that differs from the value exported (not from the log now: a field changed in the log
    since and left alone in the sheet stays as the log has it) is a patch of that field; a row
    without a REF is a new hold; a hold exported whose row is gone is a delete. Holds logged after
    the export are not in the workbook's state and are left alone. ``routines`` is the folder of
    routine files whose exercises the door knows; ``new_athlete`` lets a new row start an athlete
    the folder does not know yet (as for :meth:`hipnb.SessionLog.add`).

    Raises :class:`hipnb.LogError` when the workbook is not one ``hipnb export`` made, was made from
    other logs, or asks for anything the door would refuse: every such cell is listed by its row
    and column (``Holds!H7``) and nothing is planned.
    """
    openpyxl = _openpyxl()
    book, folder = Path(book), Path(logs)
    if not folder.is_dir():
        raise LogError(f"--logs {logs}: no such folder of logs")
    try:
        wb = openpyxl.load_workbook(book, read_only=True, data_only=True)
    except FileNotFoundError:
        raise LogError(f"{book}: no such workbook") from None
    except Exception as exc:  # openpyxl raises zip, XML and its own errors for what it cannot read
        raise LogError(f"{book}: not a workbook that can be read (.xlsx): {exc}") from None
    try:
        state = _read_state(book, wb)
        if HOLDS_SHEET not in wb.sheetnames:
            raise LogError(f"{book}: the sheet {HOLDS_SHEET!r} is gone; it holds the holds")
        _, now = squad_holds(folder)
        current = now.set_index(["athlete", "hold_id"], drop=False)  # a hold by its identity
        _same_squad(book, folder, state, current)
        sheet, rows, errors = _sheet_rows(book, wb[HOLDS_SHEET], state)
    finally:
        wb.close()
    changes: list[SheetChange] = []
    notes: list[str] = []
    seen: set[str] = set()
    for r, cells in rows:
        ref = cells.get("ref") or ""
        if ref:
            seen.add(ref)
            was = state.rows[ref]
            change, why = _patch_of(sheet, folder, r, cells, was, current)
            errors += why
            if change is not None and _key(was) not in current.index:
                notes.append(
                    f"row {r}: hold {ref} was deleted since the export; its edit is left out"
                )
            elif change is not None:
                changes.append(change)
        else:
            change, why = _add_of(sheet, folder, r, cells, state, now)
            errors += why
            if change is not None and _logged(change, now):
                notes.append(f"already logged: {change.words}")
            elif change is not None:
                changes.append(change)
    for ref, was in state.rows.items():
        if ref not in seen:
            if _key(was) in current.index:
                gone = SheetChange(
                    "delete",
                    None,
                    folder / was["file"],
                    was["athlete"],
                    ref,
                    was["hold_id"],
                    (),
                    _label(ref, was),
                )
                changes.append(gone)
            else:
                notes.append(f"already gone from the log: {_label(ref, was)}")
    where = Path(routines) if routines else None
    plan = SheetPlan(book, folder, tuple(changes), tuple(notes), where, new_athlete)
    errors += _gate(plan, sheet, current)  # every refusal at once, the cells' first
    if errors:
        raise LogError(
            f"{book}: nothing imported; fix these cells and import again:\n"
            + "\n".join(f"  {e}" for e in errors)
        )
    return plan


def _read_state(book: Path, wb: Any) -> _State:
    hint = "export one with `hipnb export DIR --out BOOK.xlsx`, edit it, then import that one"
    if STATE_SHEET not in wb.sheetnames:
        raise LogError(
            f"{book}: not a workbook made by hipnb export (it has no hidden {STATE_SHEET!r} sheet, "
            f"or the program that saved it dropped that sheet); {hint}"
        )
    ws = wb[STATE_SHEET]
    rows = [list(r) for r in ws.iter_rows(values_only=True) if r and r[0] is not None]
    marks = [str(r[0]) for r in rows]
    below = marks.index(_HOLDS_BELOW) + 1 if _HOLDS_BELOW in marks else len(rows)
    meta = {str(r[0]): (r[1] if len(r) > 1 else None) for r in rows[:below]}
    if meta.get(MARK) != VERSION or "book" not in meta or "folder" not in meta:
        raise LogError(f"{book}: its {STATE_SHEET!r} sheet is not one hipnb export wrote; {hint}")
    state = _State(str(meta["book"]), str(meta["folder"]))
    try:
        for row in rows[below:]:
            for line in str(row[0]).splitlines():
                texts = json.loads(line)
                if not {"ref", "file", "athlete", "hold_id", *EXPORT_COLUMNS} <= set(texts):
                    raise ValueError("a hold without its file, identity or values")
                state.rows[texts["ref"]] = texts
    except (ValueError, KeyError, TypeError):
        raise LogError(f"{book}: its {STATE_SHEET!r} sheet was changed; {hint}") from None
    if len(state.rows) != meta.get("holds"):
        raise LogError(f"{book}: its {STATE_SHEET!r} sheet was changed; {hint}")
    return state


def _key(was: dict[str, str]) -> tuple[str, str]:
    """A hold's identity, as the state sheet keeps it: its athlete and its ``hold_id``."""
    return (was["athlete"], was["hold_id"])


def _same_squad(book: Path, folder: Path, state: _State, current: pd.DataFrame) -> None:
    """Refuse a workbook made from other logs: a file it names is missing, or none of its holds is."""
    if not state.rows:
        return
    made = state.folder
    files = {r["file"] for r in state.rows.values()}
    missing = sorted(f for f in files if not (folder / f).is_file())
    if missing:
        raise LogError(
            f"{book} was made from the logs in {made}; {folder} has no "
            f"{', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}: import it into the "
            "folder it was exported from"
        )
    if not any(_key(was) in current.index for was in state.rows.values()):
        raise LogError(
            f"{book} was made from the logs in {made}; none of its {len(state.rows)} holds is in "
            f"{folder}: import it into the folder it was exported from"
        )


def _sheet_rows(
    book: Path, ws: Any, state: _State
) -> tuple[_Sheet, list[tuple[int, dict[str, Any]]], list[str]]:
    """The sheet's rows that are not empty, each as ``(row number, {column: value})``, the values
    typed (numbers, text, aware stamps); and what cannot be used, by row and column."""
    from openpyxl.utils import get_column_letter

    it = ((r, list(row)) for r, row in enumerate(ws.iter_rows(values_only=True), start=1))
    try:
        _, header = next(it)
    except StopIteration:
        header = []
    names = [str(h).strip() if h is not None else "" for h in header]
    missing = [c for c in SHEET_COLUMNS if c not in names]
    if missing:
        raise LogError(
            f"{book}: the sheet {HOLDS_SHEET!r} has no column {', '.join(missing)} in its first "
            "row; put the header back as exported"
        )
    where = {name: names.index(name) for name in SHEET_COLUMNS}
    sheet = _Sheet(book, {n: get_column_letter(i + 1) for n, i in where.items()})
    errors: list[str] = []
    out: list[tuple[int, dict[str, Any]]] = []
    first: dict[str, int] = {}
    for r, raw in it:
        raw += [None] * (len(names) - len(raw))
        if all(_blank(v) for v in raw):
            continue
        cells: dict[str, Any] = {}
        said = len(errors)
        for name, i in where.items():
            try:
                cells[name] = _value(name, raw[i])
            except ValueError as exc:
                errors.append(f"{sheet.cell(r, name)}: {exc}")
        ref = cells.get("ref") or ""
        if ref and ref not in state.rows:
            errors.append(
                f"{sheet.cell(r, 'ref')}: {ref!r} is not a hold this workbook was made with; "
                "leave column A as exported"
            )
            continue
        if ref in first:
            errors.append(
                f"{_where(book, r)}: hold {ref} is also on row {first[ref]}; a hold is one row "
                "(copy a row to add a hold, then clear its column A)"
            )
            continue
        if ref:
            first[ref] = r
        try:
            cells["started_at"] = _stamp(cells.get("started_at"), cells.get(OFFSET))
        except ValueError as exc:
            errors.append(f"{sheet.cell(r, 'started_at')}: {exc}")
        if len(errors) == said:  # a row with a cell that cannot be used is said once, by its cells
            out.append((r, cells))
    return sheet, out, errors


@dataclass(frozen=True)
class _Sheet:
    """The workbook being read and the letter of each of its columns (a coach may move them)."""

    book: Path
    letters: dict[str, str]

    def cell(self, row: int, column: str) -> str:
        """Where a cell is, for a person: workbook, sheet, row, column and its letter."""
        return _cell_name(self.book, row, column, self.letters[column])


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _value(name: str, v: Any) -> Any:
    """A cell as the log's value: numbers for seconds and scores, a flag, text for the rest."""
    if _blank(v):
        return None
    kind = SPEC_BY_NAME[name].kind if name in SPEC_BY_NAME else "text"
    if name == "started_at":
        if isinstance(v, datetime):
            return v
        if isinstance(v, date):
            return datetime.combine(v, time())
        if isinstance(v, str):
            try:
                return datetime.fromisoformat(v.strip())
            except ValueError:
                raise ValueError(f"{v!r} is not a date and time (write 2026-11-24 07:15)") from None
        raise ValueError(f"{v!r} is not a date and time")
    if name == OFFSET:
        if isinstance(v, time):  # "+01:00" typed into a cell that took it for a time of day
            v = f"+{v.hour:02d}:{v.minute:02d}"
        m = _OFFSET_TEXT.match(str(v).strip())
        if not m or int(m.group(3)) > 59:
            raise ValueError(f"{v!r} is not a UTC offset (write it like +01:00 or -05:00)")
        return f"{m.group(1)}{m.group(2)}:{m.group(3)}"
    if kind in ("seconds", "score"):
        if isinstance(v, bool) or not isinstance(v, int | float | str):
            raise ValueError(f"{v!r} is not a number")
        if isinstance(v, str):
            text = v.strip().replace("\u00a0", "")
            if text.count(",") == 1 and "." not in text:
                text = text.replace(",", ".")  # a decimal comma typed into a text cell
            try:
                v = float(text)
            except ValueError:
                raise ValueError(f"{v!r} is not a number") from None
        return float(v)
    if kind == "flag":
        if isinstance(v, bool):
            return v
        word = str(v).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"{v!r} is not true or false")
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # an id typed as a number
    return str(v) if kind == "note" else str(v).strip()


def _stamp(when: Any, offset: Any) -> datetime | None:
    """The aware start of a row: its local date and time and its offset (or a stamp with one)."""
    if when is None:
        return None
    if when.tzinfo is not None:
        return when  # type: ignore[no-any-return]
    if offset is None:
        raise ValueError("needs its utc_offset (like +01:00) beside it")
    m = _OFFSET_TEXT.match(offset)
    assert m is not None  # _value checked it
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    span = timedelta(minutes=-minutes if m.group(1) == "-" else minutes)
    return when.replace(tzinfo=timezone(span))  # type: ignore[no-any-return]


def _where(book: Path, row: int | None) -> str:
    return f"{book.name}, sheet {HOLDS_SHEET}, row {row}" if row else f"{book.name}"


def _cell_name(book: Path, row: int, column: str, letter: str) -> str:
    return f"{book.name}, sheet {HOLDS_SHEET}, row {row}, column {column} ({letter}{row})"


def _same(name: str, was: str, now: Any) -> bool:
    """Whether the sheet's value ``now`` is the exported text ``was`` (digits lost in the
    spreadsheet, line ends and a start within a millisecond are no change)."""
    if name == "started_at":
        if now is None or not was:
            return now is None and not was
        then = datetime.fromisoformat(was)
        close = abs(now - then) < timedelta(milliseconds=1)
        return bool(close and now.utcoffset() == then.utcoffset())
    if now is None:
        return was == ""
    column = SPEC_BY_NAME.get(name)
    if column is not None and column.numeric:
        try:
            old = float(was)
        except ValueError:
            return False
        return f"{old:.{DIGITS}g}" == f"{float(now):.{DIGITS}g}"
    if isinstance(now, bool):
        return was == ("true" if now else "false")
    return str(now).replace("\r\n", "\n") == was.replace("\r\n", "\n")


def _label(ref: str, texts: dict[str, str]) -> str:
    """A hold as a person finds it: whose, what, when, and its REF."""
    stamp = texts.get("started_at", "")[:16].replace("T", " ")
    seconds = _shown("actual_s", texts.get("actual_s", ""))
    return (
        f"{texts.get('athlete', '')}'s {texts.get('exercise', '')} ({texts.get('side', '')}, "
        f"{seconds} s) of {stamp} [{ref}]"
    )


def _patch_of(
    sheet: _Sheet,
    folder: Path,
    r: int,
    cells: dict[str, Any],
    was: dict[str, str],
    current: pd.DataFrame,
) -> tuple[SheetChange | None, list[str]]:
    """The patch a row asks for: each cell that differs from the value exported and from the hold
    as the log has it now (a field already so is no change); a cell that may not change is an error."""
    errors: list[str] = []
    asked: list[tuple[str, Any]] = []
    for name in EXPORT_COLUMNS:
        now = cells.get(name)
        if _same(name, was.get(name, ""), now):
            continue
        if name not in SHEET_EDITABLE:
            errors.append(
                f"{sheet.cell(r, name)}: {name} may not change on a hold already logged (it was "
                f"{was.get(name) or 'empty'}); delete the row and add a new one instead"
            )
            continue
        asked.append((name, now))
    ref = str(cells["ref"])
    if not asked or _key(was) not in current.index:
        return (SheetChange("patch", r, folder / was["file"], was["athlete"], ref, was["hold_id"], tuple(asked),
                            _label(ref, was)) if asked else None), errors  # fmt: skip
    hold = _hold(current, _key(was))
    fields = [(n, v) for n, v in asked if not _same(n, _now_text_of(hold, n), v)]
    words = f"{_label(ref, was)}, row {r}: " + ", ".join(
        f"{n} {_shown(n, _now_text_of(hold, n))} -> {_shown(n, v)}" for n, v in fields
    )
    typed = tuple((n, v.isoformat() if isinstance(v, datetime) else v) for n, v in fields)
    change = SheetChange(
        "patch", r, folder / was["file"], was["athlete"], ref, was["hold_id"], typed, words
    )
    return (change if fields else None), errors


def _hold(current: pd.DataFrame, key: tuple[str, str]) -> pd.Series:
    """The current hold whose identity is ``key`` (one: a squad's holds are merged by identity)."""
    return cast(pd.Series, current.loc[key])


def _now_text_of(hold: pd.Series, name: str) -> str:
    from hipnb.log.identity import plain
    from hipnb.log.stamps import local_stamp

    if name == "started_at":
        return local_stamp(hold["started_at"], hold["local_time"])
    return SPEC_BY_NAME[name].text(plain(hold.get(name)))


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if name == "started_at":
        return (value.isoformat() if isinstance(value, datetime) else str(value)).replace("T", " ")
    return SPEC_BY_NAME[name].shown(value)


def _add_of(
    sheet: _Sheet, folder: Path, r: int, cells: dict[str, Any], state: _State, now: pd.DataFrame
) -> tuple[SheetChange | None, list[str]]:
    """A new hold from a row without a REF; its session id, when the row gives none, comes from
    the workbook and the hold's start, exercise and side, so importing the workbook again finds
    the hold already logged instead of adding it twice."""
    from hipnb.names import athlete_path, normalize_name

    needed = ("athlete", "started_at", "exercise", "side", "actual_s")
    errors = [
        f"{sheet.cell(r, name)}: a new hold needs its {name}"
        for name in needed
        if cells.get(name) is None
    ]
    if errors:
        return None, errors
    try:
        athlete = normalize_name(str(cells["athlete"]))
    except LogError as exc:
        return None, [f"{sheet.cell(r, 'athlete')}: {exc}"]
    start: datetime = cells["started_at"]
    hold: dict[str, Any] = {name: cells.get(name) for name in EXPORT_COLUMNS}
    hold["athlete"] = athlete
    hold["started_at"] = start.isoformat()
    hold["routine"] = cells.get("routine") or "manual"
    if not hold.get("session_id"):
        seed = f"{state.book}\x1f{athlete}\x1f{hold['started_at']}\x1f{hold['exercise']}\x1f{hold['side']}"
        hold["session_id"] = "sheet-" + hashlib.sha256(seed.encode()).hexdigest()[:12]
    files = now.loc[now["athlete"] == athlete, "file"]
    known = {r["athlete"]: r["file"] for r in state.rows.values()}
    if len(files):
        path = folder / str(files.iloc[-1])
    elif athlete in known:
        path = folder / known[athlete]
    else:
        path = athlete_path(folder, athlete)
    label = (
        f"{athlete}'s {hold['exercise']} ({hold['side']}, {_shown('actual_s', hold['actual_s'])} s)"
        f" of {start:%Y-%m-%d %H:%M}, row {r}"
    )
    return SheetChange("add", r, path, athlete, "", "", tuple(hold.items()), label), []


def _logged(change: SheetChange, now: pd.DataFrame) -> bool:
    """Whether the new hold ``change`` adds is in the logs already (the workbook imported before)."""
    from hipnb.log.identity import hold_keys

    hold = dict(change.fields)
    one = pd.DataFrame(
        {
            "session_id": [hold["session_id"]],
            "exercise": [hold["exercise"]],
            "side": [hold["side"]],
            "started_at": pd.to_datetime([hold["started_at"]], utc=True),
        }
    )
    key = hold_keys(one).iloc[0]
    return bool(((now["athlete"] == hold["athlete"]) & (now["hold_id"] == key)).any())


def _gate(plan: SheetPlan, sheet: _Sheet, current: pd.DataFrame) -> list[str]:
    """Each change through the door's gate, without writing: what it would refuse, by row and
    column (the column a message names, or the one cell a patch changes)."""
    from hipnb.holds import hold_after

    errors: list[str] = []
    doors = _Doors(plan.routines)
    for change in plan.changes:
        if change.kind == "delete":
            continue
        log = doors[change.file]
        try:
            if change.kind == "patch":
                hold = _hold(current, (change.athlete, change.hold_id))
                log.check([hold_after(hold, **dict(change.fields))])
            else:
                log.check([dict(change.fields)], new_athlete=plan.new_athlete)  # type: ignore[list-item]
        except LogError as exc:
            text = str(exc)
            named = _column_named(text)
            if named is None and len(change.fields) == 1 and change.kind == "patch":
                named = change.fields[0][0]
            if named is not None and change.row:
                errors.append(f"{sheet.cell(change.row, named)}: {text}")
            else:
                errors.append(f"{_where(plan.book, change.row)}: {text}")
    return errors


#: A column's name as a word of a message (the gate's messages name the column before its value).
_NAMED = re.compile(r"\b(" + "|".join(sorted(SHEET_COLUMNS, key=len, reverse=True)) + r")\b")


def _column_named(text: str) -> str | None:
    """The column a message of the gate is about: the first column name it says, or None."""
    found = _NAMED.search(text)
    return found.group(1) if found else None
