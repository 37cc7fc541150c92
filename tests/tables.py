"""The logs the crash and fuzz tests run over: the hold log and the run log, one engine.

A test that takes ``log`` (parametrised with :data:`LOGS`) writes and reads either log through
the same few calls: a good row of it, the rows as text, an append through its door's durable
write, a read of one file. Rows are told apart by ``key`` (``s0``, ``s1``...) in both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from hipnb import SessionLog, read_logs
from hipnb.log.spec import HOLDS, RUNS, Table
from hipnb.runs import RunLog, read_runs
from tests.rows import write_rows

from .test_log import row as hold_row


@dataclass(frozen=True)
class Log:
    """One kind of log as the tests drive it."""

    name: str
    table: Table
    #: The column that names a row in the tests (``s0``, ``s1``...).
    key: str
    #: A free-text column, last but for columns added later, that may hold anything.
    text: str
    #: The column a test groups rows by (the hold log's session, the run log's source).
    group: str
    #: Values that end a row's text with ``.75`` (a crash that loses them misreads the row).
    last: tuple[tuple[str, Any], ...]

    def row(self, i: int = 0, **over: Any) -> dict[str, Any]:
        """A good row ``s<i>``, starting ``i`` minutes past 07:00 (as :func:`tests.test_log.row`)."""
        if self.table is HOLDS:
            return hold_row(i, **over)
        base = {
            "run_id": f"s{i}",
            "athlete": "ana",
            "started_at": f"2026-11-24T07:{i % 60:02d}:03-05:00",
            "distance_m": 5000.0 + i,
            "duration_s": 1800.0,
            "sport": "Run",
            "source": "test",
            "name": "",
        }
        if "note" in over:
            over["name"] = over.pop("note")
        return base | over

    def text_of(self, rows: list[dict[str, Any]], columns: tuple[str, ...] | None = None) -> bytes:
        """``rows`` as the log's CSV text, header first, CRLF line ends (cells as ``str``)."""
        columns = columns or self.table.names

        def cell(v: Any) -> str:
            return "" if v is None else str(v)

        lines = [",".join(columns)] + [",".join(cell(r.get(c)) for c in columns) for r in rows]
        return ("\r\n".join(lines) + "\r\n").encode()

    def append(self, path: Path, rows: Any, *, write: Any = os.write) -> int:
        """Append through the log's door (its durable write, under the lock)."""
        if self.table is HOLDS:
            return write_rows(SessionLog(path, write=write), rows)
        return RunLog(path, write=write).append(rows)

    def read(self, path: Path, errors: str = "report") -> pd.DataFrame:
        """One file's rows; problems in ``attrs["problems"]`` (raised with ``errors="raise"``)."""
        if self.table is HOLDS:
            return read_logs([path], errors=errors)  # type: ignore[arg-type]
        return read_runs(path, errors=errors)  # type: ignore[arg-type]

    def keys(self, path: Path) -> list[str]:
        return self.read(path)[self.key].tolist()

    def texts(self, df: pd.DataFrame) -> set[str]:
        """The ``n<dd>`` marks of the free-text column of a read."""
        return set(df[self.text].dropna().str.extract(r"(n\d\d)")[0].dropna())


HOLD_LOG = Log("hold log", HOLDS, "session_id", "note", "session_id", (("pain_at_s", 12.75),))
RUN_LOG = Log("run log", RUNS, "run_id", "name", "source", (("name", "tempo 12.75"),))
LOGS = [HOLD_LOG, RUN_LOG]
IDS = [log.name for log in LOGS]
