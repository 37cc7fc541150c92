"""Give back a log a spreadsheet saved: its bytes, delimiter, numbers, words and dates in the log's form.

A coach opens a log in Excel, LibreOffice Calc, Google Sheets or Numbers and saves it; the app writes
it back in its own region's form. :func:`repair_log` undoes what can be undone, cell by cell, and
names what cannot:

- the encoding: Windows-1252 or Mac Roman text becomes UTF-8 (which of the two, charset-normalizer's
  candidates and the spreadsheets' own, read as letters: :func:`detect_encoding`); a byte-order mark
  or UTF-16 ("Unicode Text") too; names and notes whose UTF-8 was read as Windows-1252 and saved
  again ("RamÃ³n") are mended by ftfy;
- the delimiter (``;`` in regions whose decimal mark is a comma, a tab) becomes ``,``, and decimal
  commas in the seconds and scores (``27,5``) become points;
- ``completed`` in the app's language (``WAHR``/``FALSCH``, ``VRAI``/``FAUX``, ``TRUE``) becomes
  ``true``/``false``;
- blank rows and rows of bare delimiters go, and empty cells after the last column;
- a start the app showed as a local date (``24.11.2026 07:15``, ``11/24/2026 7:15 AM``,
  ``2026-11-24 07:15:03``, an Excel serial number) gets its ISO form back, with the UTC offset of the
  same athlete's nearest row that still has one, or of the zone given (``tz``). Day first or month
  first is decided from the data (a day over 12); when the data cannot tell, the caller must say
  (``dayfirst``): it is never guessed. Seconds the app did not keep are named as lost.
- ids Excel wrote in scientific notation (``1.23457E+11``) cannot be given back: named as lost.

Nothing is changed silently: every change and every loss is listed, by line.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import charset_normalizer

from hipnb.errors import LogError
from hipnb.log.append import lock_of
from hipnb.log.spec import EOL, FALSE_WORDS, REQUIRED, SPEC_BY_NAME, TRUE_WORDS
from hipnb.log.stamps import STAMP, iso, zone
from hipnb.names import kept_name, mend_mojibake
from hipnb.seconds import plural

#: The words spreadsheets write for TRUE and FALSE in their interface's language (the names of the
#: TRUE() and FALSE() functions in Excel, LibreOffice Calc, Google Sheets and Numbers).
BOOLEAN_WORDS: dict[str, tuple[str, str]] = {
    "de": ("WAHR", "FALSCH"),
    "fr": ("VRAI", "FAUX"),
    "es": ("VERDADERO", "FALSO"),
    "it": ("VERO", "FALSO"),
    "pt": ("VERDADEIRO", "FALSO"),
    "nl": ("WAAR", "ONWAAR"),
    "sv": ("SANT", "FALSKT"),
    "da": ("SAND", "FALSK"),
    "nb": ("SANN", "USANN"),
    "fi": ("TOSI", "EPÄTOSI"),
    "pl": ("PRAWDA", "FAŁSZ"),
    "cs": ("PRAVDA", "NEPRAVDA"),
    "hu": ("IGAZ", "HAMIS"),
    "tr": ("DOĞRU", "YANLIŞ"),
    "ru": ("ИСТИНА", "ЛОЖЬ"),
}
_TRUE = {w.casefold() for w, _ in BOOLEAN_WORDS.values()} | set(TRUE_WORDS)
_FALSE = {w.casefold() for _, w in BOOLEAN_WORDS.values()} | set(FALSE_WORDS)

#: Encodings the spreadsheet apps save "CSV" in besides UTF-8: Excel for Windows in western regions
#: (Windows-1252) and Excel for Mac before 16 (Mac Roman). charset-normalizer's candidates are added.
LEGACY_ENCODINGS = ("cp1252", "mac_roman")
_ENCODING_NAMES = {"cp1252": "Windows-1252", "mac_roman": "Mac Roman", "utf_16": "UTF-16"}

_DELIMITERS = (",", ";", "\t", "|")
_NUMERIC = tuple(c.name for c in SPEC_BY_NAME.values() if c.numeric)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_SCIENTIFIC = re.compile(r"^[+-]?\d(?:[.,]\d+)?E[+-]?\d+$", re.IGNORECASE)
#: A date as a spreadsheet shows it: day and month in either order, then the time.
_LOCAL_DATE = re.compile(
    r"^(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<y>\d{4}|\d{2}),?\s+"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,6}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
#: Excel's serial date (days since 1899-12-30), as a cell formatted "General" shows it.
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


#: Each sort of change, as ``hipnb validate`` names the cause of a file's trouble.
KINDS = {
    "encoding": "its encoding",
    "bom": "a byte-order mark",
    "delimiter": "its delimiter",
    "blank": "blank rows",
    "cells": "empty cells after the last column",
    "mojibake": "mojibake in names or notes",
    "decimal": "decimal commas",
    "flag": "true/false in the app's words (TRUE, WAHR, VRAI...)",
    "eol": "no line end after the last row",
    "date": "dates in a local form without a UTC offset",
}


#: The changes only a spreadsheet's save makes: a file with one of them gets validate's hint (a
#: byte-order mark reads as it is, and a last line without its end may be a write cut off).
_SPREADSHEET_KINDS = {"encoding", "delimiter", "blank", "mojibake", "decimal", "flag", "date"}


@dataclass(frozen=True)
class Change:
    """One change :func:`repair_log` made: the original file's ``line`` (0: the whole file), the
    ``column`` ("" for a whole row or file), the text before and after, and why."""

    line: int
    column: str
    before: str
    after: str
    why: str
    #: What sort of change (a key of :data:`KINDS`).
    kind: str = "cells"

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        cell = f" {self.column}" if self.column else ""
        shown = f"{self.before!r} -> {self.after!r}" if self.before or self.after else ""
        return f"{where}{cell}: {shown}{': ' if shown else ''}{self.why}"


@dataclass(frozen=True)
class Lost:
    """A part of the log the app did not keep, which no repair can give back."""

    line: int
    column: str
    value: str
    why: str

    def __str__(self) -> str:
        return f"line {self.line} {self.column} {self.value!r}: lost: {self.why}"


@dataclass
class Repair:
    """What :func:`repair_log` made of a file: the log's text, each change and each loss."""

    path: Path
    text: str
    encoding: str
    delimiter: str
    changes: list[Change] = field(default_factory=list)
    lost: list[Lost] = field(default_factory=list)
    #: The original's bytes as read: an in-place write refuses a file changed since.
    source: bytes = b""
    #: What only the caller can say (day or month first, the zone of local starts): while any is
    #: open, those cells are left as they are and :func:`write_repair` refuses.
    questions: list[str] = field(default_factory=list)

    def causes(self) -> list[str]:
        """What the app changed, in words, one per sort of change (:data:`KINDS`)."""
        kinds = dict.fromkeys(c.kind for c in self.changes)
        if self.questions:  # every question is one about dates, left as they were
            kinds.setdefault("date")
        words = [KINDS[k] for k in kinds]
        if "encoding" in kinds and self.encoding != "utf_8":
            words[list(kinds).index("encoding")] += (
                f" ({_ENCODING_NAMES.get(self.encoding, self.encoding)})"
            )
        return words

    @property
    def target(self) -> Path:
        """Where the repaired log is written: ``repaired/NAME.csv`` in the original's folder. Out of
        the folder's own ``*.csv``, so no read of the folder takes both files for the athlete's log
        until the repaired one is put in the original's place."""
        return self.path.parent / "repaired" / self.path.name

    def report(self) -> str:
        """Every change and loss, one a line, by the original file's line."""
        found: list[Change | Lost] = [*self.changes, *self.lost]
        found.sort(key=lambda c: c.line)  # stable: a line's changes, then its losses
        return "\n".join(f"{self.path}: {c}" for c in found)


def repair_log(
    path: str | Path,
    *,
    tz: str | tzinfo | None = None,
    dayfirst: bool | None = None,
    encoding: str | None = None,
) -> Repair:
    """Read the log at ``path`` as a spreadsheet saved it and return its :class:`Repair` (nothing is
    written; :func:`write_repair` writes it).

    ``tz``: the zone of local starts the athlete's other rows give no offset for (an IANA name);
    ``dayfirst``: True or False when the dates cannot tell day from month (every day 12 or less);
    ``encoding``: the file's encoding when the reading of it is not the one wanted.

    Raises :class:`hipnb.LogError` when the file is no log (no header naming the columns). A
    question only the caller can answer (day or month first, the zone of a start) is listed in
    :attr:`Repair.questions`, never guessed.

    Example::

        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> header = "session_id;athlete;started_at;routine;exercise;side;target_s;actual_s;completed"
        >>> _ = (folder / "ana.csv").write_bytes(
        ...     (header + "\\r\\ns1;Zoë;24.11.2026 07:15;hip-basics;side_plank;left;30;27,5;FALSCH\\r\\n"
        ...     ).encode("cp1252"))
        >>> fixed = repair_log(folder / "ana.csv", tz="Europe/Berlin")
        >>> fixed.text.splitlines()[1]
        's1,Zoë,2026-11-24T07:15:00+01:00,hip-basics,side_plank,left,30,27.5,false'
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LogError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    changes: list[Change] = []
    text, enc, why = decode(data, encoding)
    if why:
        changes.append(Change(0, "", "", "", why, "bom" if enc == "utf_8" else "encoding"))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = _delimiter(text, path)
    if delimiter != ",":
        shown = {"\t": "tabs", ";": "semicolons", "|": "bars"}[delimiter]
        changes.append(
            Change(0, "", "", "", f"fields were separated by {shown}; now by commas", "delimiter")
        )
    header, rows = _rows(text, delimiter, changes)
    if rows and not text.endswith("\n"):
        why = (
            "the last row had no line end (Google Sheets saves so, and so does a write cut off): "
            "one is added; check that row is whole"
        )
        changes.append(Change(rows[-1][0], "", "", "", why, "eol"))
    fixer = _Fixer(header, rows, changes, tz=zone(tz) if tz else None, dayfirst=dayfirst)
    fixer.run()
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator=EOL)
    out.writerow(header)
    out.writerows(cells for _, cells in rows)
    return Repair(path, buf.getvalue(), enc, delimiter, changes, fixer.lost, data, fixer.questions)


def write_repair(repair: Repair, *, in_place: bool = False) -> Path:
    """Write ``repair``'s log beside the original (:attr:`Repair.target`), or in its place with
    the original kept as ``NAME.csv.bak`` (``in_place``). Returns the path written. The new file is
    written whole and fsynced before it takes its name, so a crash leaves the old one; in place,
    under the log's lock, and only when the file is still as the repair read it (a hold appended
    since is never lost), else :class:`hipnb.LogError`."""
    if repair.questions:
        raise LogError(f"{repair.path}: " + "; ".join(repair.questions))
    if not in_place:
        repair.target.parent.mkdir(exist_ok=True)
        _replace(repair.target, repair.text)
        return repair.target
    backup = repair.path.with_name(repair.path.name + ".bak")
    with lock_of(repair.path):
        if repair.path.read_bytes() != repair.source:
            raise LogError(f"{repair.path}: the file changed since it was read; repair it again")
        if backup.exists():
            raise LogError(f"{backup}: a backup is there already; move it away first")
        shutil.copy2(repair.path, backup)
        _replace(repair.path, repair.text)
    return repair.path


def _replace(target: Path, text: str) -> None:
    """``target`` holds ``text`` (UTF-8), written whole and fsynced before it takes the name."""
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


def repair_hint(path: str | Path) -> str | None:
    """``hipnb validate``'s file-level message for a log a spreadsheet saved: what the app changed
    (the encoding, the delimiter, the dates' form...) and the command that gives it back, or None
    when :func:`repair_log` would change nothing.

        >>> import tempfile
        >>> log = Path(tempfile.mkdtemp()) / "ana.csv"
        >>> header = "session_id;athlete;started_at;routine;exercise;side;target_s;actual_s;completed"
        >>> row = "s1;ana;2026-11-24T07:15:03+01:00;hip-basics;side_plank;left;30;27,5;WAHR"
        >>> _ = log.write_text(header + "\\n" + row + "\\n")
        >>> print(repair_hint(log).replace(str(log), "ana.csv"))  # doctest: +NORMALIZE_WHITESPACE
        ana.csv: a spreadsheet changed its delimiter, decimal commas, true/false in the app's words
        (TRUE, WAHR, VRAI...): hipnb repair ana.csv gives it back in the log's form
    """
    path = Path(path)
    try:
        fixed = repair_log(path)
    except LogError:
        return None
    causes = fixed.causes()
    kinds = {c.kind for c in fixed.changes} | ({"date"} if fixed.questions else set())
    if not kinds & _SPREADSHEET_KINDS:  # a BOM or a last line without its end reads, or is a cut
        return None
    asks = f" (it will ask: {'; '.join(fixed.questions)})" if fixed.questions else ""
    return (
        f"{path}: a spreadsheet changed {', '.join(causes)}: hipnb repair {path} gives it back "
        f"in the log's form{asks}"
    )


# --------------------------------------------------------------------------------------------------
# bytes to text


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str, str]:
    """``data`` as text, the encoding it was read with, and what was done in words ("" when it
    was UTF-8 already)."""
    if encoding:
        try:
            return data.decode(encoding), encoding, f"read as {encoding}, as asked; now UTF-8"
        except (LookupError, UnicodeDecodeError) as exc:
            raise LogError(f"the file cannot be read as {encoding}: {exc}") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "utf_16", "the file was UTF-16 text; now UTF-8"
    if data[:3] == b"\xef\xbb\xbf":
        try:
            return data[3:].decode("utf-8"), "utf_8", "a byte-order mark (BOM) was removed"
        except UnicodeDecodeError:
            data = data[3:]
    try:
        return data.decode("utf-8"), "utf_8", ""
    except UnicodeDecodeError as exc:
        bad = exc.start
    enc, others = detect_encoding(data)
    name = _ENCODING_NAMES.get(enc, enc)
    also = f" (it could also be {', '.join(others)}: say which with --encoding)" if others else ""
    why = f"the file was {name} text (byte {data[bad]:#04x} is not UTF-8){also}; now UTF-8"
    return data.decode(enc), enc, why


def detect_encoding(data: bytes) -> tuple[str, list[str]]:
    """The single-byte encoding ``data`` most likely has, and the others that read as well but
    differently. The candidates are charset-normalizer's and the spreadsheets' own
    (:data:`LEGACY_ENCODINGS`); each reading is scored by how its words look (a symbol or a capital
    inside a word counts against it: "Ram—n" and "RamÛn" are "Ramón" read in the wrong one).

        >>> detect_encoding("Ramón;José".encode("mac_roman"))[0]
        'mac_roman'
        >>> detect_encoding("Ramón;José".encode("cp1252"))[0]
        'cp1252'
    """
    found = [m.encoding for m in charset_normalizer.from_bytes(data)]
    readings: dict[str, str] = {}
    for enc in [*LEGACY_ENCODINGS, *found]:
        try:
            readings.setdefault(enc, data.decode(enc))
        except (UnicodeDecodeError, LookupError):
            continue
    if not readings:
        raise LogError("the file's encoding cannot be told: save it as 'CSV UTF-8'")
    scores = {enc: _oddness(text) for enc, text in readings.items()}
    best = min(scores, key=lambda e: scores[e])  # the first of equals: the spreadsheets' first
    others = [
        _ENCODING_NAMES.get(e, e)
        for e in readings
        if e != best
        and scores[e] == scores[best]
        and readings[e] != readings[best]
        and e in LEGACY_ENCODINGS
    ]
    return best, others


_WORD = re.compile(r"[^\s,;\t|\"'()\[\]/:.\-_0-9]+")


def _oddness(text: str) -> int:
    """How many characters of ``text``'s words look like a wrong reading: not letters, or capitals
    after small letters (outside ASCII, where ``McKay`` is a name)."""
    odd = 0
    for word in _WORD.findall(text):
        for i, ch in enumerate(word):
            if ch.isascii():
                continue
            kind = unicodedata.category(ch)
            if kind[0] not in "LM" or (kind == "Lu" and i and word[i - 1].islower()):
                odd += 1
    return odd


# --------------------------------------------------------------------------------------------------
# text to rows


def _delimiter(text: str, path: Path) -> str:
    first = text.split("\n", 1)[0]
    for d in _DELIMITERS:
        names = [c.strip() for c in next(csv.reader([first], delimiter=d), [])]
        if all(c in names for c in REQUIRED):
            return d
    raise LogError(
        f"{path}:1: the header names none of the log's columns with any delimiter "
        f"(',', ';', tab, '|'): expected {','.join(REQUIRED)}"
    )


Row = tuple[int, list[str]]


def _rows(text: str, delimiter: str, changes: list[Change]) -> tuple[list[str], list[Row]]:
    """The header and each row with the original line it starts on; blank rows dropped, and empty
    cells past the header's width."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [c.strip() for c in next(reader)]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows: list[Row] = []
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            raw = delimiter.join(cells)
            what = "a blank row" if not raw.strip() else "a row of bare delimiters"
            changes.append(Change(start, "", raw, "", f"{what}, removed", "blank"))
            continue
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            changes.append(
                Change(
                    start,
                    "",
                    "",
                    "",
                    f"{plural(len(cells) - width, 'empty cell')} after the last column removed",
                )
            )
            cells = cells[:width]
        rows.append((start, cells))
    return header, rows


# --------------------------------------------------------------------------------------------------
# cells


class _Fixer:
    """The cell repairs, column by column, over every row (dates last: they need the rest)."""

    def __init__(
        self,
        header: list[str],
        rows: list[Row],
        changes: list[Change],
        *,
        tz: tzinfo | None,
        dayfirst: bool | None,
    ) -> None:
        self.header, self.rows, self.changes = header, rows, changes
        self.at = {name: i for i, name in enumerate(header)}
        self.tz, self.dayfirst = tz, dayfirst
        self.lost: list[Lost] = []
        self.questions: list[str] = []

    def cell(self, cells: list[str], column: str) -> str | None:
        i = self.at.get(column)
        return cells[i] if i is not None and i < len(cells) else None

    def set(
        self, line: int, cells: list[str], column: str, value: str, why: str, kind: str
    ) -> None:
        i = self.at[column]
        self.changes.append(Change(line, column, cells[i], value, why, kind))
        cells[i] = value

    def run(self) -> None:
        for line, cells in self.rows:
            self.text(line, cells)
            self.numbers(line, cells)
            self.flag(line, cells)
            self.ids(line, cells)
        self.stamps()

    def text(self, line: int, cells: list[str]) -> None:
        for column in ("athlete", "note", "session_id", "routine"):
            value = self.cell(cells, column)
            fixed, read_as = mend_mojibake(value or "")
            if read_as:
                why = f"mojibake mended (its UTF-8 had been read as {read_as} and saved again)"
                self.set(line, cells, column, fixed, why, "mojibake")

    def numbers(self, line: int, cells: list[str]) -> None:
        for column in _NUMERIC:
            value = (self.cell(cells, column) or "").strip()
            if _DECIMAL_COMMA.match(value):
                self.set(line, cells, column, value.replace(",", "."), "decimal comma", "decimal")

    def flag(self, line: int, cells: list[str]) -> None:
        value = self.cell(cells, "completed")
        if value is None:
            return
        word = value.strip().casefold()
        if value.strip() in ("", "true", "false"):
            return
        if word in _TRUE or word in _FALSE:
            said = "true" if word in _TRUE else "false"
            self.set(line, cells, "completed", said, "true/false in the log's words", "flag")

    def ids(self, line: int, cells: list[str]) -> None:
        for column in ("session_id", "hold_id"):
            value = (self.cell(cells, column) or "").strip()
            if _SCIENTIFIC.match(value):
                self.lost.append(
                    Lost(
                        line,
                        column,
                        value,
                        "Excel showed a long number id in scientific "
                        "notation and saved it so: its digits are gone (take them from a copy "
                        "saved before, or set the cell's format to Text)",
                    )
                )

    # dates ----------------------------------------------------------------------------------

    def stamps(self) -> None:
        if "started_at" not in self.at:
            return
        local: list[tuple[int, list[str], datetime, str | None, bool]] = []
        order = self._order()
        for line, cells in self.rows:
            value = (self.cell(cells, "started_at") or "").strip()
            iso_form = STAMP.match(value)
            if not value or (iso_form and iso_form["tz"]):
                continue
            parsed = _parse_local(value, order)
            if parsed is None:
                continue
            when, offset, seconds = parsed
            local.append((line, cells, when, offset, seconds))
        if not local:
            return
        known = self._offsets()
        missing: list[int] = []
        for line, cells, when, offset, seconds in local:
            athlete = kept_name(self.cell(cells, "athlete") or "")
            original = self.cell(cells, "started_at") or ""
            if offset:
                aware = datetime.fromisoformat(when.isoformat() + offset)
                source = "its own UTC offset"
            elif self.tz is not None:
                aware = when.replace(tzinfo=self.tz)
                source = f"the offset of {self.tz} on that day"
            elif known.get(athlete):
                near = min(known[athlete], key=lambda k: abs(k[0] - when))
                aware = when.replace(tzinfo=near[1])
                source = f"the UTC offset of {athlete}'s row at line {near[2]}"
            else:
                missing.append(line)
                continue
            text = iso(aware)
            shown = {"dayfirst": "day first", "monthfirst": "month first"}.get(
                order or "", "year first"
            )
            self.set(
                line, cells, "started_at", text, f"a local date-time ({shown}); {source}", "date"
            )
            if not seconds:
                self.lost.append(
                    Lost(
                        line,
                        "started_at",
                        original,
                        "the app kept hours and minutes only: the start's seconds, if it had any, are gone (set as :00)",
                    )
                )
        if missing:
            self.questions.append(
                f"started_at at {'line' if len(missing) == 1 else 'lines'} {_lines(missing)} is a local time without a UTC offset, "
                "and no other row of the athlete gives one: say the zone the times are in with "
                "--tz (like --tz Europe/Berlin; for Numbers, the Mac's own zone)"
            )

    def _order(self) -> str | None:
        """ "dayfirst" or "monthfirst" from the data, or from the caller when it cannot tell ("iso"
        when no date has day and month; None, with a question, when it cannot be known)."""
        firsts, seconds = [], []
        for _, cells in self.rows:
            m = _LOCAL_DATE.match((self.cell(cells, "started_at") or "").strip())
            if m:
                firsts.append(int(m["a"]))
                seconds.append(int(m["b"]))
        if not firsts:
            return "iso"
        day_first = max(firsts) > 12
        month_first = max(seconds) > 12
        if day_first and month_first:
            self.questions.append(
                "started_at: some dates have a day over 12 first and others second: the dates mix "
                "day-first and month-first forms and cannot be read for sure"
            )
            return None
        if self.dayfirst is not None and (day_first or month_first) and self.dayfirst != day_first:
            said = "--dayfirst" if self.dayfirst else "--monthfirst"
            self.questions.append(f"started_at: the dates are not as {said} says (a day over 12)")
            return None
        if day_first or month_first:
            return "dayfirst" if day_first else "monthfirst"
        if self.dayfirst is None:
            self.questions.append(
                "started_at: every date's day and month are 12 or less, so the dates cannot tell "
                "day-first (24.11.2026) from month-first (11/24/2026): say which with --dayfirst "
                "or --monthfirst"
            )
            return None
        return "dayfirst" if self.dayfirst else "monthfirst"

    def _offsets(self) -> dict[str, list[tuple[datetime, tzinfo, int]]]:
        """Each athlete's rows that keep an ISO stamp with its offset: (wall time, zone, line)."""
        found: dict[str, list[tuple[datetime, tzinfo, int]]] = {}
        for line, cells in self.rows:
            value = (self.cell(cells, "started_at") or "").strip()
            m = STAMP.match(value)
            if not m or not m["tz"]:
                continue
            try:
                when = datetime.fromisoformat(value.replace(" ", "T"))
            except ValueError:
                continue
            if when.tzinfo is None:  # pragma: no cover - the pattern has an offset
                continue
            athlete = kept_name(self.cell(cells, "athlete") or "")
            found.setdefault(athlete, []).append((when.replace(tzinfo=None), when.tzinfo, line))
        return found


def _parse_local(value: str, order: str | None) -> tuple[datetime, str | None, bool] | None:
    """(wall time, its offset text if written, whether seconds were kept), or None when ``value``
    is no date a spreadsheet writes (the reader then reports it)."""
    m = _LOCAL_DATE.match(value)
    if m and order is None:
        return None  # day or month first: asked
    if m:
        a, b = int(m["a"]), int(m["b"])
        day, month = (a, b) if order == "dayfirst" else (b, a)
        year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
        hour = int(m["h"])
        if m["ampm"]:
            pm = m["ampm"][0] in "Pp"
            hour = hour % 12 + (12 if pm else 0)
        try:
            when = datetime(
                year,
                month,
                day,
                hour,
                int(m["mi"]),
                int(m["s"] or 0),
                int((m["f"] or "0").ljust(6, "0")),
            )
        except ValueError:
            return None
        offset = m["tz"]
        if offset and offset != "Z" and ":" not in offset:
            offset = offset[:3] + ":" + offset[3:]
        return when, ("+00:00" if offset == "Z" else offset), m["s"] is not None
    m = STAMP.match(value)
    if m:  # year first, no offset (LibreOffice, Google Sheets)
        try:
            when = datetime.fromisoformat(value.replace(" ", "T"))
        except ValueError:
            return None
        return when, None, m["s"] is not None
    if _SERIAL.match(value):
        days = float(value.replace(",", "."))
        when = _EXCEL_EPOCH + timedelta(days=days)
        when = (when + timedelta(milliseconds=500)).replace(microsecond=0)
        return when, None, True
    return None


def _lines(lines: Iterable[int]) -> str:
    shown = list(lines)
    return ", ".join(map(str, shown[:8])) + (
        f" and {len(shown) - 8} more" if len(shown) > 8 else ""
    )
