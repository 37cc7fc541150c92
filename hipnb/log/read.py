"""The one reader: a log file or a folder of them into a typed, validated DataFrame."""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from hipnb.errors import LogError, LogWarning
from hipnb.log.rows import _header_names
from hipnb.log.schema import COLUMNS, DUPLICATE_KEY, REQUIRED, Problem, _validate, empty_log

_BLANK = re.compile(rb"(?:\s|\xef\xbb\xbf)*\Z")  # stops at the first character that is not blank


def _read_file(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    name = str(path)
    if not path.exists():
        return empty_log(), []
    with open(path, "rb") as f:
        head = f.read(1 << 16)
        size = os.fstat(f.fileno()).st_size
        f.seek(max(size - 1, 0))
        last = f.read(1)
    if size <= len(head) and _BLANK.match(head):
        return empty_log(), [
            Problem(name, 1, "empty file: expected a header row: " + ",".join(COLUMNS))
        ]
    fast = _fast_parse(path, head, last)
    if fast is not None:
        typed, reason = _validate(fast)
        if reason.isna().all():
            return typed.reset_index(drop=True), []
    return _careful_read(path.read_bytes(), name)


def _fast_parse(path: Path, head: bytes, last: bytes) -> pa.Table | None:
    """Parse with pyarrow (memory-mapped) when the file looks clean: it ends with a line end and its
    first line is a complete header. None means 'use the careful parser'."""
    import pyarrow.csv as pacsv

    end = head.find(b"\n")
    if last != b"\n" or end < 0:
        return None
    header = head[:end].decode("utf-8-sig", errors="replace").rstrip("\r")
    names = _header_names(header)
    if names is None or any(c not in names for c in REQUIRED) or len(set(names)) != len(names):
        return None
    try:  # a row with the wrong number of fields raises: the careful parser then reports it
        return pacsv.read_csv(
            pa.memory_map(str(path)),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=4 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                include_columns=[c for c in COLUMNS if c in names],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException, UnicodeDecodeError):
        return None


def _careful_read(data: bytes, name: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The authoritative parser: Python's csv module, tracking the line where each record starts."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LogError(
            f"{name}:{line}: the file is not UTF-8 text (byte {data[exc.start]:#04x}); "
            "save it as 'CSV UTF-8'"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    found: list[Problem] = []
    records, lines = [], []
    prev = 0
    try:
        for record in reader:
            start, prev = prev + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # a blank line is not a row
            records.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise LogError(f"{name}:{reader.line_num}: unreadable CSV: {exc}") from None
    if not records:
        return empty_log(), [Problem(name, 1, "empty file: expected a header row")]
    header, header_line = [c.strip() for c in records[0]], lines[0]
    body, body_lines = records[1:], lines[1:]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        if len(header) == 1 and ";" in header[0]:
            reason = (
                "the file is separated by semicolons; hipnb logs use commas "
                "(save as CSV with ',' as the field delimiter)"
            )
        else:
            reason = (
                f"missing required column(s) {', '.join(missing)}; "
                f"expected a header like: {','.join(COLUMNS)}"
            )
        raise LogError(f"{name}:{header_line}: {reason}")
    keep = [i for i, c in enumerate(header) if c]  # drop unnamed (trailing empty) columns
    width = len(header)
    torn = body_lines[-1] if body_lines and not text.endswith(("\n", "\r")) else None
    good_rows, good_lines = [], []
    for record, line in zip(body, body_lines, strict=True):
        extra = record[width:]
        if len(record) < width or any(v.strip() for v in extra):
            found.append(Problem(name, line, f"row has {len(record)} fields, expected {width}"))
            continue
        good_rows.append([record[i] for i in keep])
        good_lines.append(line)
    raw = pd.DataFrame(good_rows, columns=[header[i] for i in keep], dtype="str")
    if raw.columns.duplicated().any():
        raise LogError(f"{name}:{header_line}: the header repeats a column name")
    raw = raw.reindex(columns=[c for c in COLUMNS if c in raw.columns])
    typed, reason = _validate(raw)
    bad = reason.notna().to_numpy()
    found += [Problem(name, good_lines[i], str(reason.iloc[i])) for i in np.flatnonzero(bad)]
    found = [
        p._replace(reason=p.reason + " (the last line is incomplete: a write was cut off)")
        if p.line == torn
        else p
        for p in sorted(found, key=lambda p: p.line)
    ]
    return typed[~bad].reset_index(drop=True), found


def read_logs(
    path_or_folder: str | Path | Iterable[str | Path],
    errors: Literal["report", "raise"] = "report",
) -> pd.DataFrame:
    """Read one log file, a folder of ``*.csv`` logs (a squad) or a list of files, combined.

    Rows logged twice (same ``session_id``, ``exercise``, ``side`` and ``started_at``: the same
    session in two files, or a hold re-appended with the end-of-session answers) are kept once, the
    later copy winning. Problems from every file are in ``df.attrs["problems"]``;
    a file that cannot be read at all is reported there too (with ``errors="report"``) and the rest
    still load.
    """
    if isinstance(path_or_folder, str | Path):
        p = Path(path_or_folder)
        if p.is_dir():
            files = sorted(p.glob("*.csv"))
        elif p.exists():
            files = [p]
        else:
            raise LogError(f"{p}: no such log file or folder")
    else:
        files = [Path(f) for f in path_or_folder]
    frames, found = [], []
    for f in files:
        try:
            df, probs = _read_file(f)
        except LogError as exc:
            if errors == "raise":
                raise
            found.append(Problem(str(f), 1, f"file not read: {exc}"))
            continue
        if probs and errors == "raise":
            raise LogError(str(probs[0]))
        frames.append(df)
        found += probs
    if frames:
        df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        df.attrs = {}
    else:
        df = empty_log()
    # the later copy of a hold wins: that is how end-of-session answers attach to a hold
    df = df.drop_duplicates(subset=DUPLICATE_KEY, keep="last")
    df = df.sort_values(["athlete", "started_at"], kind="stable").reset_index(drop=True)
    if found:
        warnings.warn(
            f"{len(found)} problem(s) reading logs; first: {found[0]}", LogWarning, stacklevel=2
        )
    df.attrs["problems"] = found
    return df
