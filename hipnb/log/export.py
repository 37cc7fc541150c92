"""Rows leaving for a spreadsheet, safe from formula injection."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pandas as pd

from hipnb.errors import LogError
from hipnb.log.rows import _csv_text, _to_text_frame
from hipnb.log.spec import COLUMNS, EOL, SPEC

#: The columns of a spreadsheet export: a hold's fields and its pain second (the correction columns
#: are left out: an export is the current state).
EXPORT_COLUMNS = (*COLUMNS, "pain_at_s")
#: Cells a spreadsheet may take for a formula: the text columns.
_TEXT_COLUMNS = tuple(
    c.name
    for c in SPEC
    if c.name in EXPORT_COLUMNS and c.kind in ("text", "name", "id", "choice", "note")
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
#: A formula character right after a character that can start a new cell: a list separator in a
#: ``;`` or ``,`` locale, or a tab or line break (pasted or split text).
_FORMULA_INSIDE = r"([;,\t\r\n])(?=[=+\-@])"


def spreadsheet_safe(text: str) -> str:
    """``text`` safe to open in a spreadsheet, by the rule :func:`export_for_spreadsheet` applies
    to every text cell: a cell starting with ``=``, ``+``, ``-``, ``@`` or a line break,
    or holding one after a separator, gets an apostrophe there and is shown as text, never run."""
    text = re.sub(_FORMULA_INSIDE, r"\1'", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_for_spreadsheet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a log frame to ``path`` as CSV for spreadsheets, safe from formula injection.

    Text cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a line break get a leading
    apostrophe, so a spreadsheet shows them as text instead of running them. Inside a cell, a
    formula character right after ``;``, ``,``, a tab or a line break gets one too (``a;=B1`` ->
    ``a;'=B1``): a spreadsheet set to a ``;`` locale, or text pasted or split there, would start a
    cell at that point (OWASP "CSV injection"). Numbers, times and booleans are written as they
    are. The rows are the log's current state (corrections applied, as any read gives them), in
    :data:`EXPORT_COLUMNS`; the correction columns are left out. The file has a UTF-8 BOM so Excel
    reads accents right. It is written beside ``path`` and renamed into place, so a failed export
    leaves no half-written file.
    """
    text = _to_text_frame(df)
    for name in _TEXT_COLUMNS:
        cells = text[name].str.replace(_FORMULA_INSIDE, r"\1'", regex=True)
        text[name] = cells.where(~cells.str.startswith(_FORMULA_START), "'" + cells)
    path = Path(path)
    part = path.with_name(f".{path.name}.part")
    body = ",".join(EXPORT_COLUMNS) + EOL + _csv_text(text, list(EXPORT_COLUMNS))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_text(body, encoding="utf-8-sig")
        os.replace(part, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        raise LogError(f"{path}: could not write the export: {exc.strerror or exc}") from None
    return path


def export_problem(source: str | Path, out: str | Path, *, force: bool = False) -> str | None:
    """Why exporting the logs at ``source`` (a file or a folder) to ``out`` must not happen, or None.

    An export never overwrites what it reads and is never written where it would be read as a log
    (inside the folder it reads, at any depth); an existing ``out`` is replaced only with ``force``.
    """
    src, dest = Path(source).resolve(), Path(out).resolve()
    if dest == src:
        return f"--out {out} is the log it reads: an export would replace it"
    if src.is_dir() and src in dest.parents:
        return (
            f"--out {out} is inside {source}, the folder it reads: the next read would take the "
            "export for a log; write it elsewhere"
        )
    if dest.is_dir():
        return f"--out {out} is a folder; give a .csv or .xlsx file"
    blocked = next((p for p in dest.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        return f"--out {out}: {blocked.name} is a file, not a folder"
    if dest.exists() and not force:
        return f"--out {out} exists; add --force to replace it"
    return None
