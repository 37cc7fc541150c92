"""hipnb repair: a corpus of logs as spreadsheet apps save them, each given back or its loss named.

Each app's save is built in code from one log, as the app's documented behaviour makes it: which app,
version, region (locale) and setting each models is said in its docstring. For every save, the
repaired file reads with no problem and holds the original's holds, except the parts the repair
names as lost (a start's seconds an app did not keep, an id Excel wrote in scientific notation).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from hipnb import LogError, read_logs
from hipnb.cli import main
from hipnb.log.repair import detect_encoding, repair_hint, repair_log, write_repair

BERLIN = ZoneInfo("Europe/Berlin")

#: The log a coach opened: three athletes (one plain, two with accents), notes with commas and
#: accents, half seconds, true and false, empty scores. Numeric session ids are an importer's.
ORIGINAL: list[dict[str, str]] = [
    {
        "session_id": "s-a1",
        "athlete": "ana",
        "started_at": "2026-11-24T07:15:03+01:00",
        "routine": "hip-basics",
        "exercise": "side_plank",
        "side": "left",
        "target_s": "30.0",
        "actual_s": "27.5",
        "completed": "false",
        "rpe": "6",
        "discomfort": "",
        "note": "stopped early, müde",
    },
    {
        "session_id": "s-a1",
        "athlete": "ana",
        "started_at": "2026-11-24T07:16:10+01:00",
        "routine": "hip-basics",
        "exercise": "side_plank",
        "side": "right",
        "target_s": "30.0",
        "actual_s": "30.0",
        "completed": "true",
        "rpe": "",
        "discomfort": "2",
        "note": "",
    },
    {
        "session_id": "s-z1",
        "athlete": "Zoë",
        "started_at": "2026-11-25T18:02:41+01:00",
        "routine": "hip-basics",
        "exercise": "bound_angle",
        "side": "both",
        "target_s": "180.0",
        "actual_s": "181.5",
        "completed": "true",
        "rpe": "4",
        "discomfort": "",
        "note": "café après",
    },
    {
        "session_id": "123456789012345",
        "athlete": "Ramón",
        "started_at": "2026-11-26T06:45:09+01:00",
        "routine": "hip-basics",
        "exercise": "glute_roll",
        "side": "left",
        "target_s": "60.0",
        "actual_s": "60.0",
        "completed": "true",
        "rpe": "",
        "discomfort": "",
        "note": "",
    },
]
HEADER = list(ORIGINAL[0])


def _when(row: dict[str, str]) -> datetime:
    return datetime.fromisoformat(row["started_at"])


@dataclass(frozen=True)
class Save:
    """How an app wrote the log back: cell by cell, then the file's bytes."""

    delimiter: str = ","
    encoding: str = "utf-8"
    eol: str = "\r\n"
    stamp: Callable[[datetime], str] | None = None  # None: the app kept the text
    boolean: tuple[str, str] | None = None  # the app's TRUE, FALSE
    decimal_comma: bool = False
    number_general: bool = True  # "General" format: 30.0 shown and saved as 30 (every app here)
    ids_scientific: str | None = None  # "E+" form of long number ids: "." or "," as the mark
    mojibake: bool = False  # the file was opened as Windows-1252, saved as UTF-8
    bom: bool = False
    blank_rows: bool = False  # rows a coach cleared: empty, or bare delimiters
    final_eol: bool = True

    def bytes(self, rows: list[dict[str, str]]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.delimiter, lineterminator=self.eol)
        writer.writerow(HEADER)
        for i, row in enumerate(rows):
            writer.writerow([self.cell(k, v, row) for k, v in row.items()])
            if self.blank_rows and i == 1:
                writer.writerow([""] * len(HEADER))
                out.write(self.eol)
        text = out.getvalue()
        if not self.final_eol:
            text = text.removesuffix(self.eol)
        if self.mojibake:
            text = text.encode("utf-8").decode("cp1252", errors="strict")
        data = text.encode(self.encoding)
        return (b"\xef\xbb\xbf" if self.bom else b"") + data

    def cell(self, column: str, value: str, row: dict[str, str]) -> str:
        if column == "started_at" and self.stamp is not None:
            return self.stamp(_when(row))
        if column == "completed" and self.boolean:
            return self.boolean[0] if value == "true" else self.boolean[1]
        if column in ("target_s", "actual_s", "rpe", "discomfort") and value:
            number = float(value)
            text = f"{number:g}" if self.number_general else value
            return text.replace(".", ",") if self.decimal_comma else text
        if column == "session_id" and value.isdigit() and self.ids_scientific:
            mantissa, exponent = f"{int(value):.5E}".split("E")
            return f"{mantissa.replace('.', self.ids_scientific)}E+{int(exponent):02d}"
        return value


#: The log as hipnb wrote it.
AS_WRITTEN = Save(number_general=False)


def _minutes(when: datetime) -> str:
    return when.strftime("%d.%m.%Y %H:%M")


#: app -> (how it saves, what `hipnb repair` is told, which parts are lost)
CORPUS: dict[str, tuple[Save, dict[str, object], set[str]]] = {
    # Excel 365 (16.0) for Windows, en-US region, File > Save As "CSV (Comma delimited)": the
    # system's ANSI code page (Windows-1252), "General" numbers (30.0 -> 30), TRUE/FALSE, the
    # ISO stamps kept as text (Excel parses no offset), long number ids shown as 1.23457E+14.
    "excel-365-win-en-US-csv": (
        Save(encoding="cp1252", boolean=("TRUE", "FALSE"), ids_scientific="."),
        {},
        {"session_id"},
    ),
    # Excel 365 (16.0) for Windows, en-GB, Data > From Text/CSV (Power Query) with type detection
    # on, then Save As "CSV (Comma delimited)": the stamp column typed Date/Time, shown as
    # dd/mm/yyyy hh:mm:ss with the offset dropped; Windows-1252.
    "excel-365-win-en-GB-from-text": (
        Save(encoding="cp1252", stamp=lambda t: t.strftime("%d/%m/%Y %H:%M:%S")),
        {"tz": "Europe/Berlin"},
        set(),
    ),
    # Excel 365 (16.0) for Windows, de-DE region, Save As "CSV (Trennzeichen-getrennt)": ';' as
    # the list separator, decimal commas, WAHR/FALSCH, Windows-1252, dates shown and saved as
    # TT.MM.JJJJ hh:mm (seconds not kept), long ids as 1,23457E+14; a row a coach cleared
    # leaves ';;;...'.
    "excel-365-win-de-DE-csv": (
        Save(
            delimiter=";",
            encoding="cp1252",
            stamp=_minutes,
            boolean=("WAHR", "FALSCH"),
            decimal_comma=True,
            ids_scientific=",",
            blank_rows=True,
        ),
        {"tz": "Europe/Berlin"},
        {"session_id", "started_at"},
    ),
    # Excel 365 (16.0) for Windows, fr-FR, Save As "CSV (séparateur : point-virgule)": ';',
    # decimal commas, VRAI/FAUX, Windows-1252, dates as jj/mm/aaaa hh:mm.
    "excel-365-win-fr-FR-csv": (
        Save(
            delimiter=";",
            encoding="cp1252",
            stamp=lambda t: t.strftime("%d/%m/%Y %H:%M"),
            boolean=("VRAI", "FAUX"),
            decimal_comma=True,
        ),
        {"tz": "Europe/Berlin"},
        {"started_at"},
    ),
    # Excel 365 (16.0) for Windows, en-US, a UTF-8 file without a BOM opened by double-click
    # (read as Windows-1252), then Save As "CSV UTF-8 (Comma delimited)": the names' UTF-8 read
    # as Windows-1252 and written again as UTF-8 (RamÃ³n), with a BOM.
    "excel-365-win-en-US-csv-utf8-mojibake": (
        Save(mojibake=True, bom=True, boolean=("TRUE", "FALSE")),
        {},
        set(),
    ),
    # Excel 2011 (14.x) for Mac, en-US, Save As "Comma Separated Values (.csv)": Mac Roman text,
    # CR line ends, TRUE/FALSE.
    "excel-2011-mac-en-US-csv": (
        Save(encoding="mac_roman", eol="\r", boolean=("TRUE", "FALSE")),
        {},
        set(),
    ),
    # Excel 365 (16.0) for Windows, en-US, Save As "Unicode Text (*.txt)" renamed to .csv:
    # UTF-16 LE with a byte-order mark, tabs between fields, TRUE/FALSE.
    "excel-365-win-en-US-unicode-text": (
        Save(delimiter="\t", encoding="utf-16", boolean=("TRUE", "FALSE")),
        {},
        set(),
    ),
    # LibreOffice Calc 24.8, de-DE, opened with "Detect special numbers" on and saved as
    # "Text CSV" with the filter's defaults (UTF-8, ',' kept, quotes as needed): dates as
    # TT.MM.JJ HH:MM (two-digit year, no seconds), decimal commas (quoted), WAHR/FALSCH.
    "libreoffice-24.8-de-DE-text-csv": (
        Save(
            stamp=lambda t: t.strftime("%d.%m.%y %H:%M"),
            boolean=("WAHR", "FALSCH"),
            decimal_comma=True,
        ),
        {"tz": "Europe/Berlin"},
        {"started_at"},
    ),
    # Google Sheets, spreadsheet locale United States, File > Import with "Convert text to
    # numbers, dates, and formulas", then File > Download > CSV: UTF-8, M/D/YYYY H:MM:SS without
    # the offset, TRUE/FALSE, a cleared row as ',,,', no line end after the last row.
    "google-sheets-en-US-download-csv": (
        Save(
            stamp=lambda t: f"{t.month}/{t.day}/{t.year} {t.hour}:{t:%M:%S}",
            boolean=("TRUE", "FALSE"),
            blank_rows=True,
            final_eol=False,
        ),
        {"tz": "Europe/Berlin"},
        set(),
    ),
    # Numbers 14 on macOS, region Germany, File > Export To > CSV with Text Encoding "Unicode
    # (UTF-8)": ';' (the region's decimal mark is a comma), decimal commas, WAHR/FALSCH, the
    # stamps shown in the Mac's own zone (here Europe/Berlin) as TT.MM.JJJJ HH:MM:SS.
    "numbers-14-mac-de-DE-export-csv": (
        Save(
            delimiter=";",
            stamp=lambda t: t.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M:%S"),
            boolean=("WAHR", "FALSCH"),
            decimal_comma=True,
        ),
        {"tz": "Europe/Berlin"},
        set(),
    ),
}

COMPARED = ["session_id", "athlete", "started_at", "routine", "exercise", "side"]
COMPARED += ["target_s", "actual_s", "completed", "rpe", "discomfort", "note"]


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("original") / "squad.csv"
    path.write_bytes(AS_WRITTEN.bytes(ORIGINAL))
    df = read_logs(path)
    assert df.attrs["problems"] == [] and len(df) == len(ORIGINAL)
    return df


@pytest.mark.parametrize("app", sorted(CORPUS))
def test_each_apps_save_is_repaired_to_the_original_or_names_what_was_lost(tmp_path, original, app):
    save, told, lost_columns = CORPUS[app]
    path = tmp_path / "squad.csv"
    path.write_bytes(save.bytes(ORIGINAL))
    try:  # as saved, the log cannot be used as it was
        before = read_logs(path)
        assert before.attrs["problems"] or _differs(before, original)
    except LogError as exc:
        assert "hipnb repair" in str(exc)

    fixed = repair_log(path, **told)  # type: ignore[arg-type]
    assert fixed.questions == []
    written = write_repair(fixed)
    assert written == tmp_path / "repaired" / "squad.csv" and path.read_bytes() == save.bytes(
        ORIGINAL
    )
    after = read_logs(written)
    assert after.attrs["problems"] == [], app
    assert {x.column for x in fixed.lost} == lost_columns
    expected, got = original[COMPARED].copy(), after[COMPARED].copy()
    lost_lines = {x.line for x in fixed.lost}
    if "started_at" in lost_columns:  # seconds not kept: named for every row, the minute holds
        assert len({x.line for x in fixed.lost if x.column == "started_at"}) == len(ORIGINAL)
        expected["started_at"] = expected["started_at"].dt.floor("min")
    if "session_id" in lost_columns:  # the long id: named, its row's other cells hold
        [gone] = [x for x in fixed.lost if x.column == "session_id"]
        assert gone.value.upper().startswith("1") and "E+14" in gone.value.upper()
        expected["session_id"] = expected["session_id"].where(
            ~expected["session_id"].str.isdigit(), got["session_id"]
        )
    assert not lost_lines & {c.line for c in fixed.changes if c.kind == "blank"}
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    local = after["local_time"].dt.strftime("%H:%M")
    assert local.tolist() == original["local_time"].dt.strftime("%H:%M").tolist()
    assert fixed.report().count("\n") + 1 == len(fixed.changes) + len(fixed.lost)


def _differs(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return len(a) != len(b) or not a[COMPARED].equals(b[COMPARED])


def test_each_kind_of_change_is_listed_by_line(tmp_path):
    save, told, _ = CORPUS["excel-365-win-de-DE-csv"]
    path = tmp_path / "ana.csv"
    path.write_bytes(save.bytes(ORIGINAL))
    fixed = repair_log(path, **told)  # type: ignore[arg-type]
    kinds = {c.kind for c in fixed.changes}
    assert kinds == {"encoding", "delimiter", "blank", "decimal", "flag", "date"}
    said = {(c.line, c.column): (c.before, c.after) for c in fixed.changes}
    assert said[(2, "actual_s")] == ("27,5", "27.5")
    assert said[(2, "completed")] == ("FALSCH", "false")
    assert said[(2, "started_at")] == ("24.11.2026 07:15", "2026-11-24T07:15:00+01:00")
    assert said[(4, "")] == (";" * 11, "")  # the cleared row, and the blank line after it
    assert said[(5, "")] == ("", "")
    assert fixed.causes()[0] == "its encoding (Windows-1252)"


def test_a_local_date_takes_the_offset_of_the_athletes_nearest_row(tmp_path):
    path = tmp_path / "ana.csv"
    rows = [dict(r) for r in ORIGINAL[:2]]
    rows.append({**rows[1], "started_at": "25.11.2026 07:20", "session_id": "typed"})
    rows.insert(0, {**rows[0], "started_at": "2026-07-01T07:00:00+02:00", "session_id": "summer"})
    path.write_bytes(Save(delimiter=";").bytes(rows))
    fixed = repair_log(path)  # no --tz: ana's rows give the offset (the nearest: November's)
    [date] = [c for c in fixed.changes if c.column == "started_at"]
    assert date.after == "2026-11-25T07:20:00+01:00" and "ana's row at line 4" in date.why
    assert [(x.line, x.column) for x in fixed.lost] == [(5, "started_at")]


def test_day_or_month_first_is_asked_when_the_data_cannot_tell_never_guessed(tmp_path):
    path = tmp_path / "ana.csv"
    rows = [{**ORIGINAL[0], "started_at": "03/04/2026 07:15:03"}]
    path.write_bytes(Save().bytes(rows))
    fixed = repair_log(path, tz="Europe/Berlin")
    assert fixed.questions and "--dayfirst or --monthfirst" in fixed.questions[0]
    assert "03/04/2026" in fixed.text  # left as it was
    with pytest.raises(LogError, match="--dayfirst or --monthfirst"):
        write_repair(fixed)
    assert not (tmp_path / "repaired" / "ana.csv").exists()
    day = repair_log(path, tz="Europe/Berlin", dayfirst=True)
    month = repair_log(path, tz="Europe/Berlin", dayfirst=False)
    assert "2026-04-03T07:15:03+02:00" in day.text and "2026-03-04T07:15:03+01:00" in month.text
    told_wrong = tmp_path / "bob.csv"
    told_wrong.write_bytes(Save().bytes([{**ORIGINAL[0], "started_at": "24/11/2026 07:15:03"}]))
    assert "not as --monthfirst says" in repair_log(told_wrong, dayfirst=False).questions[0]


def test_a_local_date_without_any_offset_asks_for_the_zone(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    path.write_bytes(CORPUS["excel-365-win-fr-FR-csv"][0].bytes(ORIGINAL))
    assert main(["repair", str(path)]) == 2
    err = capsys.readouterr().err
    assert "nothing written" in err and "--tz" in err and "lines 2, 3, 4, 5" in err
    assert not (tmp_path / "repaired" / "ana.csv").exists()


def test_the_command_writes_beside_or_in_place_with_a_backup(tmp_path, capsys):
    path = tmp_path / "squad.csv"
    saved = CORPUS["excel-2011-mac-en-US-csv"][0].bytes(ORIGINAL)
    path.write_bytes(saved)
    assert main(["repair", str(path)]) == 0
    out = capsys.readouterr().out
    assert "the file was Mac Roman text" in out and "repaired/squad.csv: " in out
    assert "0 problems" in out and path.read_bytes() == saved
    assert main(["repair", str(path), "--in-place"]) == 0
    assert (tmp_path / "squad.csv.bak").read_bytes() == saved
    assert path.read_bytes() == (tmp_path / "repaired" / "squad.csv").read_bytes()
    assert main(["repair", str(path), "--in-place"]) == 2  # the backup is never overwritten
    assert "a backup is there already" in capsys.readouterr().err
    lost = tmp_path / "lost.csv"
    lost.write_bytes(CORPUS["excel-365-win-en-US-csv"][0].bytes(ORIGINAL))
    assert main(["repair", str(lost)]) == 1  # repaired, but a part is lost: said, and not 0
    assert "session_id '1.23457E+14': lost" in capsys.readouterr().out


def test_validate_names_the_cause_and_points_at_repair(tmp_path, capsys):
    de = tmp_path / "de.csv"
    de.write_bytes(CORPUS["excel-365-win-de-DE-csv"][0].bytes(ORIGINAL))
    us = tmp_path / "us.csv"
    us.write_bytes(CORPUS["google-sheets-en-US-download-csv"][0].bytes(ORIGINAL))
    main(["validate", str(de)])
    out = capsys.readouterr().out
    assert "separated by semicolons" in out and f"hipnb repair {de}" in out
    assert "its encoding (Windows-1252), its delimiter" in out
    assert "dates in a local form" in out and "decimal commas" in out
    main(["validate", str(us)])
    out = capsys.readouterr().out
    assert "is not an ISO 8601 date-time" in out and "a spreadsheet changed" in out
    assert "dates in a local form without a UTC offset" in out and "--tz" in out
    assert repair_hint(tmp_path / "nothing.csv") is None


def test_a_good_log_needs_no_repair(tmp_path):
    path = tmp_path / "ana.csv"
    path.write_bytes(AS_WRITTEN.bytes(ORIGINAL))
    fixed = repair_log(path)
    assert fixed.changes == [] and fixed.lost == [] and repair_hint(path) is None
    assert fixed.text.encode() == path.read_bytes()


@pytest.mark.parametrize(
    "name", ["Ramón", "Zoë", "José-Luis", "Björn Müller", "Ana María", "François", "Renée"]
)
@pytest.mark.parametrize("encoding", ["cp1252", "mac_roman"])
def test_windows_1252_and_mac_roman_are_told_apart_by_how_names_read(name, encoding):
    data = f"s1,{name},2026-11-24T07:15:03+01:00\r\ns2,{name},café\r\n".encode(encoding)
    assert detect_encoding(data)[0] == encoding


def test_a_file_that_is_no_log_is_refused_with_the_columns_wanted(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("when;what\n24.11.2026;plank\n")
    with pytest.raises(LogError, match="header names none of the log's columns"):
        repair_log(path)


def test_validate_gives_no_repair_hint_for_a_cut_write(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    text = AS_WRITTEN.bytes(ORIGINAL[:2])
    path.write_bytes(text[: text.rindex(b",")])  # a crash cut the last row
    main(["validate", str(path)])
    out = capsys.readouterr().out
    assert "a write was cut off" in out and "hipnb repair" not in out
    fixed = repair_log(path)  # asked for, the repair says what it would do
    assert [c.kind for c in fixed.changes] == [
        "eol"
    ] and "check that row is whole" in fixed.report()


def test_in_place_never_loses_a_hold_appended_after_the_repair_read(tmp_path):
    path = tmp_path / "ana.csv"
    saved = CORPUS["excel-365-win-de-DE-csv"][0].bytes(ORIGINAL)
    path.write_bytes(saved)
    fixed = repair_log(path, tz="Europe/Berlin")
    with open(path, "ab") as f:  # a hold lands between the read and the write
        f.write(b"s9;ana;2026-11-27T07:00:00+01:00;hip-basics;side_plank;left;30;30;WAHR;;;\r\n")
    with pytest.raises(LogError, match="changed since it was read"):
        write_repair(fixed, in_place=True)
    assert path.read_bytes().startswith(saved) and not (tmp_path / "ana.csv.bak").exists()


def test_the_encoding_can_be_told_when_its_reading_is_not_the_one_wanted(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    path.write_bytes(AS_WRITTEN.bytes(ORIGINAL).decode().encode("cp1252"))
    assert "Zoë" in repair_log(path).text
    told = repair_log(path, encoding="mac_roman")  # as asked, though it reads worse
    assert (
        "Zoë" not in told.text and told.changes[0].why == "read as mac_roman, as asked; now UTF-8"
    )
    with pytest.raises(LogError, match="cannot be read as utf-8"):
        repair_log(path, encoding="utf-8")
    assert main(["repair", str(path), "--encoding", "no-such-codec"]) == 2
    assert "cannot be read as no-such-codec" in capsys.readouterr().err
