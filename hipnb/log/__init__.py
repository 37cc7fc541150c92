"""The session log: an open CSV file, one row per hold, validated on the way in and on the way out.

* :class:`SessionLog` is the log's face and its one door: :meth:`~SessionLog.add` logs new holds,
  :meth:`~SessionLog.patch` and :meth:`~SessionLog.delete` correct them; each runs the gate under the
  log's lock, then writes one locked, flushed and fsynced append (an append that returned is
  durable; appending never rewrites the file).
* :func:`read_logs` reads one file or a folder of them (a squad) into a typed DataFrame, corrections
  (``hold_id`` + ``action``) applied and duplicated rows merged once; :meth:`SessionLog.read` gives the
  same frame for its file (a missing one is an empty log). Every row that cannot be used is reported as
  a :class:`Problem` (file, line, reason) in ``df.attrs["problems"]`` (or raised, with
  ``errors="raise"``). Rows read + rows rejected = rows in the file, always.

Each column's rules are declared once, in :data:`hipnb.log.spec.SPEC` (the README's table is made
from it). A log is a :class:`Table` of columns: :data:`HOLDS`, and :data:`RUNS`, the run log of
:mod:`hipnb.runs`, which the same reader, checks, append and torn-line rule serve. One module a job: ``spec`` (the columns), ``stamps`` (the date rule, stamps as text),
``check`` (the rules a row meets), ``identity`` (which hold a row is), ``rows`` (rows in),
``read``, ``append`` (the write under the lock), ``face`` (the door), ``export``; names and files are :mod:`hipnb.names`.
"""

from hipnb.log.check import Problem, empty_log, problems
from hipnb.log.export import export_for_spreadsheet
from hipnb.log.face import Added, Changed, SessionLog
from hipnb.log.identity import hold_ids, hold_keys
from hipnb.log.read import read_logs
from hipnb.log.rows import manual_row, to_frame
from hipnb.log.spec import (
    ALL_COLUMNS,
    COLUMNS,
    DUPLICATE_KEY,
    EDITABLE,
    EOL,
    HOLDS,
    MAX_HOLD_S,
    NOTE_MAX,
    OPTIONAL,
    REQUIRED,
    RUNS,
    SPEC,
    Column,
    Hold,
    Table,
    held_to_target,
)
from hipnb.names import athlete_file_stem, athlete_path, name_problem, normalize_name

__all__ = [
    "ALL_COLUMNS",
    "Added",
    "COLUMNS",
    "Changed",
    "Column",
    "DUPLICATE_KEY",
    "EDITABLE",
    "EOL",
    "HOLDS",
    "Hold",
    "MAX_HOLD_S",
    "NOTE_MAX",
    "OPTIONAL",
    "Problem",
    "REQUIRED",
    "RUNS",
    "SPEC",
    "SessionLog",
    "Table",
    "athlete_file_stem",
    "athlete_path",
    "empty_log",
    "export_for_spreadsheet",
    "held_to_target",
    "hold_ids",
    "hold_keys",
    "manual_row",
    "name_problem",
    "normalize_name",
    "problems",
    "read_logs",
    "to_frame",
]
