"""Rows leaving for a spreadsheet, safe from formula injection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hipnb.log.rows import _csv_text, _to_text_frame
from hipnb.log.spec import COLUMNS, EOL

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
#: A formula character right after a character that can start a new cell: a list separator in a
#: ``;`` or ``,`` locale, or a tab or line break (pasted or split text).
_FORMULA_INSIDE = r"([;,\t\r\n])(?=[=+\-@])"
_TEXT_COLUMNS = ("session_id", "athlete", "routine", "exercise", "side", "note")


def export_for_spreadsheet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a log frame to ``path`` as CSV for spreadsheets, safe from formula injection.

    Text cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a line break get a leading
    apostrophe, so a spreadsheet shows them as text instead of running them. Inside a cell, a
    formula character right after ``;``, ``,``, a tab or a line break gets one too (``a;=B1`` ->
    ``a;'=B1``): a spreadsheet set to a ``;`` locale, or text pasted or split there, would start a
    cell at that point (OWASP "CSV injection"). Numbers, times and booleans are written as they
    are. The rows are the log's current state (corrections applied, as any read gives them); the
    correction columns are left out. The file has a UTF-8 BOM so Excel reads accents right.
    """
    text = _to_text_frame(df)
    for name in _TEXT_COLUMNS:
        cells = text[name].str.replace(_FORMULA_INSIDE, r"\1'", regex=True)
        text[name] = cells.where(~cells.str.startswith(_FORMULA_START), "'" + cells)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(",".join(COLUMNS) + EOL + _csv_text(text, list(COLUMNS)), encoding="utf-8-sig")
    return path
