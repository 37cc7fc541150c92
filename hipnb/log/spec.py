"""The logs' columns, declared once: name, type, required or optional, range or choices, how a value
is written as text and how it reads, and whether a correction may change it.

A log is a :class:`Table`: its columns, read, checked and appended by one engine
(:mod:`hipnb.log.read`, :mod:`hipnb.log.check`, :mod:`hipnb.log.append`). Two are declared here:
:data:`HOLDS`, the hold log, and :data:`RUNS`, the run log (:mod:`hipnb.runs`).

Everything about the hold log derives from :data:`SPEC`: the reader's and the append's checks
(:mod:`hipnb.log.check`), the writer's text (:meth:`Column.text`), the fields a correction may
change (:data:`EDITABLE`), the column lists (:data:`COLUMNS`, :data:`REQUIRED`, ...) and the README's
table of columns (:func:`column_table`, which a test compares with the README).

Three kinds of row share the columns (``action`` tells them apart): a new hold (``action`` empty),
a whole-row edit (``edit``: every required cell filled, as the first corrections were written) and
a patch (``patch``: the hold's identity, ``athlete`` and ``hold_id``, and only the fields it
changes; an empty cell means "unchanged" and :data:`CLEAR` clears an optional field). So a column is
*required* of a new hold and an edit, and of a patch only when it is part of the identity.

pandera's ``DataFrameModel`` is the pattern, without the dependency: the checks run on the Arrow
columns the CSV reader returns, before any pandas frame exists, vectorised, with a message built
only for a failing row, reported as ``file:line: reason``; the spec also says how each value is
written and which rows a column is required in, which pandera does not model.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypedDict

import numpy as np
import pandas as pd

from hipnb.log.stamps import iso
from hipnb.routines import SIDES
from hipnb.seconds import seconds_text, stored

#: What sort of value a column holds; each kind is checked and written one way.
Kind = Literal[
    "text", "name", "stamp", "id", "choice", "seconds", "metres", "flag", "score", "note", "ref"
]

#: Longest hold a log accepts, in seconds. A 10-hour plank is a typo, not a record.
MAX_HOLD_S = 2 * 3600.0
#: Longest note :meth:`SessionLog.add` accepts, in characters. On read, a quoted field that runs
#: past this over several lines is taken for a quote that never closed.
NOTE_MAX = 2000
#: Rows end in CRLF (RFC 4180): Python's csv writer then quotes any field holding CR or LF, so a
#: stray carriage return in a note can never split a row.
EOL = "\r\n"
#: Spellings of true and false a ``completed`` cell may hold (any case); the log writes the first.
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")
#: What a patch row writes in a cell to clear an optional field (an empty cell means unchanged).
CLEAR = "-"


@dataclass(frozen=True)
class Column:
    """One column of the log: its rules, its text form and its place in the README's table."""

    name: str
    kind: Kind
    meaning: str
    #: Needed in a new hold and a whole-row edit (a patch needs only its identity).
    required: bool = False
    #: Part of a hold's identity: needed in every row, corrections included.
    identity: bool = False
    #: A correction may change it.
    editable: bool = False
    #: Added after the first files were written: a header may lack it (read as empty).
    added_later: bool = False
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    #: What is said of a value over ``high``.
    over_high: str = ""
    max_chars: int | None = None
    #: Numbers are written rounded to this many decimals (``6482.0``, ``5003.812``; an integer as
    #: one, ``1949``). None: seconds as floats (``35.0``), other numbers whole without ``.0``.
    places: int | None = None
    #: What an empty cell reads as: None (missing), or a text (the run log's ``""``).
    blank: str | None = None
    #: Written safe to open in a spreadsheet (:func:`hipnb.log.export.spreadsheet_safe`).
    safe: bool = False
    #: What a message for people calls it (the field's name on a form or a command line's words);
    #: empty: the column's name with spaces.
    label: str = ""

    @property
    def words(self) -> str:
        """The column as a message for people names it: ``actual_s`` -> ``time held``."""
        return self.label or self.name.replace("_", " ")

    @property
    def form(self) -> str:
        """The type as the README's table shows it, from the kind and its range or choices."""
        empty = "" if self.required else ", or empty"
        if self.kind in ("seconds", "metres"):
            return f"{self.kind}, {self.low:g} to {self.high:,g}{empty}"
        if self.kind == "score":
            return f"whole number {self.low:g}-{self.high:g}{empty}"
        if self.kind == "choice":
            words = [f"`{c}`" for c in self.choices if c]
            return ("empty, " if "" in self.choices else "") + " / ".join(words)
        if self.kind == "flag":
            return "`true` / `false`"
        if self.kind == "stamp":
            return "ISO 8601 with UTC offset"
        if self.kind == "id":
            return "id (lower_snake_case)"
        return "text" + empty

    @property
    def numeric(self) -> bool:
        """Whether the reader parses it as a number (seconds, metres and 0-10 scores)."""
        return self.kind in ("seconds", "metres", "score")

    def text(self, value: Any) -> str:
        """``value`` as the log writes it: ``""`` for missing, ``true``/``false``, seconds as
        floats rounded to 0.1 s (``35.0``, ``3.7``: :func:`hipnb.seconds.stored`), scores as whole
        numbers, stamps with their own UTC offset (an aware datetime; naive is refused).

            >>> SPEC_BY_NAME["actual_s"].text(35), SPEC_BY_NAME["actual_s"].text(3.7485391689999688)
            ('35.0', '3.7')
            >>> SPEC_BY_NAME["rpe"].text(6.0)
            '6'
        """
        if isinstance(value, float | np.floating) and math.isnan(value) and self.required:
            return "nan"  # not a number where one is required: reported as such, not as empty
        if value is None or (not isinstance(value, str) and _missing(value)):
            return ""
        if isinstance(value, bool | np.bool_):
            return "true" if value else "false"
        if isinstance(value, datetime):
            return iso(value)
        if isinstance(value, float | np.floating | int | np.integer):
            if self.places is not None:
                whole = isinstance(value, int | np.integer)
                return str(int(value)) if whole else repr(round(float(value), self.places))
            return (
                repr(stored(float(value))) if self.kind == "seconds" else _number_text(float(value))
            )
        if self.safe:
            from hipnb.log.export import spreadsheet_safe  # export reads the spec: imported late

            return spreadsheet_safe(str(value))
        return str(value)

    def shown(self, value: Any) -> str:
        """``value`` as a person reads it in a message: whole numbers without ``.0``, seconds with
        their unit (:func:`hipnb.seconds.seconds_text`, as stored).

        >>> SPEC_BY_NAME["actual_s"].shown(36000.0), SPEC_BY_NAME["rpe"].shown(6.0)
        ('36000 s', '6')
        """
        if self.kind == "seconds" and seconds_text(value, exact=True):
            return seconds_text(value, exact=True)
        if self.numeric and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return str(value)
        if isinstance(value, float | np.floating) and math.isfinite(value):
            return _number_text(float(value))
        return self.text(value)

    def texts(self, values: pd.Series) -> pd.Series:
        """A whole column as text (:meth:`text` of each value, vectorised for numbers and flags)."""
        if pd.api.types.is_bool_dtype(values):
            return values.map({True: "true", False: "false"}).astype("str").fillna("")
        if pd.api.types.is_numeric_dtype(values):
            num = values.astype("float64")
            if self.places is not None:
                num = num.round(self.places)
            elif self.kind == "seconds":
                num = num.round(1)  # as :func:`hipnb.seconds.stored`
            as_int = self.kind != "seconds" and self.places is None
            if self.places is not None and pd.api.types.is_integer_dtype(values):
                as_int = True
            whole = (num.round() == num) & as_int
            out = num.map(repr)
            if whole.any():
                out = out.where(~whole, num.where(whole, 0).astype("int64").astype("str"))
            return out.where(num.notna(), "nan" if self.required else "").astype("str")
        return values.map(self.text).astype("str")

    def too_long(self, text: str) -> bool:
        return self.max_chars is not None and len(text) > self.max_chars


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number_text(v: float) -> str:
    return str(int(v)) if math.isfinite(v) and v.is_integer() else repr(v)


#: Every column, in the order new files get them.
_ABSURD = "is absurd for one hold (over 2 h)"

SPEC: tuple[Column, ...] = (
    Column("session_id", "text", "groups the rows of one session", required=True),
    Column(
        "athlete",
        "name",
        'the athlete\'s name as written (any script; see "Names and files" below)',
        required=True,
        identity=True,
    ),
    Column(
        "started_at",
        "stamp",
        "when the hold started, athlete's local time: `2026-11-24T07:15:03-05:00`; "
        "never before 1990-01-01",
        required=True,
        editable=True,
        label="start",
    ),
    Column("routine", "text", "routine name, or `manual` for holds entered by hand", required=True),
    Column(
        "exercise",
        "id",
        "`glute_roll`, `bound_angle`, `side_plank`, or a coach's own",
        required=True,
        editable=True,
    ),
    Column(
        "side",
        "choice",
        "the side held; `both` for a hold of both sides at once",
        required=True,
        editable=True,
        choices=SIDES,
    ),
    Column(
        "target_s",
        "seconds",
        "planned seconds",
        required=True,
        editable=True,
        low=0.0,
        high=MAX_HOLD_S,
        over_high=_ABSURD,
        label="target",
    ),
    Column(
        "actual_s",
        "seconds",
        "seconds actually held (pauses excluded)",
        required=True,
        editable=True,
        low=0.0,
        high=MAX_HOLD_S,
        over_high=_ABSURD,
        label="time held",
    ),
    Column(
        "completed",
        "flag",
        "held to target, not skipped or stopped early",
        required=True,
        editable=True,
        label="done to target",
    ),
    Column(
        "rpe",
        "score",
        "effort; empty is unknown, never 0",
        editable=True,
        low=0.0,
        high=10.0,
        label="effort",
    ),
    Column(
        "discomfort",
        "score",
        "hip discomfort; empty is unknown, never 0",
        editable=True,
        low=0.0,
        high=10.0,
    ),
    Column(
        "note",
        "note",
        f"free text, at most {NOTE_MAX:,} characters",
        editable=True,
        max_chars=NOTE_MAX,
    ),
    Column(
        "hold_id",
        "ref",
        "the hold a correction row applies to (see below); empty on a new hold",
        identity=True,
        added_later=True,
    ),
    Column(
        "action",
        "choice",
        "empty: a new hold. `patch`: changes the fields it fills of the hold `hold_id`. `delete`: "
        "removes it. `edit` (written before patches): replaces the whole hold",
        added_later=True,
        choices=("", "edit", "patch", "delete"),
    ),
    Column(
        "pain_at_s",
        "seconds",
        "the second of the hold at which the athlete pressed Pain "
        "(the hold stopped there; its score is `discomfort`)",
        added_later=True,
        low=0.0,
        high=MAX_HOLD_S,
        over_high=_ABSURD,
        label="Pain at",
    ),
)


@dataclass(frozen=True)
class Table:
    """A log's columns, declared once: what the one engine reads, checks and appends by.

    ``name`` says what the file is in messages. A correction (``hold_id`` + ``action``) exists only
    in a table that has those columns. ``future_on_read``: a read refuses a row that starts more
    than a day after its clock (the run log: an import's start is checked with the clock only
    there); the hold log leaves that rule to its doors and ``hipnb validate``.

        >>> RUNS.required
        ('run_id', 'athlete', 'started_at', 'distance_m', 'duration_s')
    """

    name: str
    columns: tuple[Column, ...]
    future_on_read: bool = False

    @property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @property
    def names(self) -> tuple[str, ...]:
        """Every column, in the order new files get them."""
        return tuple(c.name for c in self.columns)

    @property
    def first(self) -> tuple[str, ...]:
        """The columns of the first files (a header must name the required ones)."""
        return tuple(c.name for c in self.columns if not c.added_later)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def corrections(self) -> bool:
        """Whether rows may correct earlier rows (``hold_id`` and ``action``)."""
        return "action" in self.names

    @property
    def longest(self) -> int:
        """The longest text a cell is meant to hold: past 4 times this over several lines, a
        quoted field is taken for a quote that never closed."""
        return max((c.max_chars or 0 for c in self.columns), default=0) or NOTE_MAX


#: The hold log: one row per hold, and the corrections of holds.
HOLDS = Table("hold log", SPEC)

SPEC_BY_NAME = HOLDS.by_name
#: Every column, in the order new files get them.
ALL_COLUMNS = tuple(c.name for c in SPEC)
#: The columns of the first files (a header must name the required ones).
COLUMNS = tuple(c.name for c in SPEC if not c.added_later)
#: Columns added for corrections and per-hold pain (optional: older files read as before).
EXTRA = tuple(c.name for c in SPEC if c.added_later)
REQUIRED = tuple(c.name for c in SPEC if c.required)
OPTIONAL = tuple(c.name for c in SPEC if not c.required)
#: Fields a correction may change (never the athlete: a hold is one athlete's).
EDITABLE = tuple(c.name for c in SPEC if c.editable)
#: What ``action`` may say: empty (a new hold), or a correction of the hold named by ``hold_id``.
ACTIONS = SPEC_BY_NAME["action"].choices
#: Corrections that need only the hold's identity (``athlete``, ``hold_id``): their other cells may be
#: empty. A ``patch`` fills only what it changes; a ``delete`` needs nothing more.
PARTIAL_ACTIONS = ("patch", "delete")
#: Keys that identify one hold (with the athlete) when it has no ``hold_id``.
DUPLICATE_KEY = ["session_id", "exercise", "side", "started_at"]


#: One run longer than this is a typo or a watch left running.
MAX_DISTANCE_M = 1_000_000.0
MAX_DURATION_S = 7 * 86400.0
_ABSURD_RUN = "is absurd for one run"

#: The run log's columns (:mod:`hipnb.runs`): one row per imported run, no GPS points.
RUN_SPEC: tuple[Column, ...] = (
    Column("run_id", "text", "the run's id in its source (`strava:123`, `gpx:<UTC start>`...)",
           required=True, identity=True, safe=True),
    Column("athlete", "name", "the athlete's name as written", required=True),
    Column("started_at", "stamp", "when the run started, the athlete's local time with its UTC "
           "offset", required=True),
    Column("distance_m", "metres", "distance run", required=True, low=0.0, high=MAX_DISTANCE_M,
           over_high=_ABSURD_RUN, places=3),
    Column("duration_s", "seconds", "elapsed time", required=True, low=0.0, high=MAX_DURATION_S,
           over_high=_ABSURD_RUN, places=3),
    Column("sport", "text", "the activity type as the source wrote it", blank="", safe=True),
    Column("source", "text", "the file and line it was imported from", blank="", safe=True),
    Column("name", "text", "the activity's name", max_chars=500, blank="", safe=True),
)  # fmt: skip
#: The run log: one row per run, checked at the import, on append and on every read by the same
#: rules; a run more than a day in the future is refused on read too.
RUNS = Table("run log", RUN_SPEC, future_on_read=True)


class _HoldRequired(TypedDict):
    session_id: str
    athlete: str
    started_at: datetime | str
    routine: str
    exercise: str
    side: str
    target_s: float | None
    actual_s: float
    completed: bool | None


class Hold(_HoldRequired, total=False):
    """One hold, as a row on its way into the log: what the timer, manual entry and corrections
    hand to :meth:`SessionLog.add` (a DataFrame with these columns works too). Its keys are
    :data:`ALL_COLUMNS` (a test keeps the two in step).

    ``started_at`` is an aware datetime or ISO 8601 text with a UTC offset. The optional keys may be
    left out or None (unknown, never 0); ``target_s`` None asks the door for the routine's target
    (and ``completed`` None for the one that follows).
    """

    rpe: int | None
    discomfort: int | None
    note: str | None
    hold_id: str | None
    action: str | None
    pain_at_s: float | None


#: What :meth:`SessionLog.add` and :func:`to_frame` take: one hold, an iterable of them, or a frame
#: with the log's columns (one returned by a read, for instance).
Rows = Hold | Iterable[Hold] | pd.DataFrame


def column_table() -> str:
    """The README's table of the log's columns (Markdown), made from :data:`SPEC`.

    >>> column_table().splitlines()[2]
    '| `session_id` | text | yes | no | groups the rows of one session |'
    """
    lines = [
        "| column | type | required | a correction may change it | meaning |",
        "|---|---|---|---|---|",
    ]
    for c in SPEC:
        need = "yes" if c.required else "no"
        edit = "yes" if c.editable else "no"
        lines.append(f"| `{c.name}` | {c.form} | {need} | {edit} | {c.meaning} |")
    return "\n".join(lines)


def held_to_target(actual_s: object, target_s: object) -> bool:
    """The one rule for ``completed``: the hold was held to its target. Raises ``TypeError`` or
    ``ValueError`` for a value that is not a number."""
    return float(actual_s) >= float(target_s)  # type: ignore[arg-type]
