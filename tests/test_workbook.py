"""The workbook a coach edits: ``hipnb export --out X.xlsx``, edits made with openpyxl as a
spreadsheet would save them, and ``hipnb import-sheet`` bringing exactly those edits back through
the log's door."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from hipnb import LogError, SessionLog
from hipnb.cli import main
from hipnb.log import athlete_path
from hipnb.log.workbook import (
    HOLDS_SHEET,
    OFFSET,
    README_SHEET,
    SHEET_COLUMNS,
    STATE_SHEET,
    plan_import,
)
from tests.rows import write_rows

#: An id Excel would turn into 5.27093E+11 in a CSV, a float past 15 significant digits, and a note
#: a spreadsheet would run as a formula if it were not a text cell.
LONG_ID = "527093123456"
PRECISE = 31.123456789012345
#: A start to the microsecond (a workbook's dates keep milliseconds: the rest is digits lost).
ZOE_START = "2026-11-24T18:00:00.250731+01:00"


def hold(athlete, start, exercise="side_plank", side="left", actual=30.0, **more):
    return {
        "session_id": f"s-{athlete}-{start}",
        "athlete": athlete,
        "started_at": start,
        "routine": "manual",
        "exercise": exercise,
        "side": side,
        "target_s": 30.0,
        "actual_s": actual,
        "completed": actual >= 30,
        "rpe": 5,
        "discomfort": None,
        "note": "",
    } | more


@pytest.fixture
def squad(tmp_path):
    """Three athletes' logs (two names beyond ASCII), each in the file the name gate gives it."""
    folder = tmp_path / "logs"
    folder.mkdir()
    rows = {
        "ana": [
            hold("ana", "2026-11-24T07:15:03-05:00", session_id=LONG_ID, note="=1+1"),
            hold("ana", "2026-11-24T07:16:00-05:00", side="right", actual=PRECISE),
            hold(
                "ana",
                "2026-11-25T07:15:00-05:00",
                exercise="bound_angle",
                side="both",
                actual=240.0,
            ),
        ],  # fmt: skip
        "Zoë": [hold("Zoë", ZOE_START, note="très bien; ça va")],
        "李娜": [hold("李娜", "2026-11-24T20:00:00+08:00", actual=25.5)],
    }
    for name, holds in rows.items():
        write_rows(athlete_path(folder, name), holds)
    # a log written before seconds were kept to 0.1 s: every digit of a float
    ana = athlete_path(folder, "ana")
    text = ana.read_text(encoding="utf-8")
    assert text.count(",31.1,") == 1
    ana.write_text(text.replace(",31.1,", f",{PRECISE!r},"), encoding="utf-8")
    return folder


def export(squad, tmp_path, capsys):
    book = tmp_path / "squad.xlsx"
    assert main(["export", str(squad), "--out", str(book)]) == 0
    assert "wrote 5 holds" in capsys.readouterr().out
    return book


def rows_by_athlete(ws):
    """{(athlete, exercise, side): row number} of the Holds sheet."""
    head = [c.value for c in ws[1]]
    col = {name: head.index(name) for name in head}
    return {
        (r[col["athlete"]].value, r[col["exercise"]].value, r[col["side"]].value): r[0].row
        for r in ws.iter_rows(min_row=2)
    }, {name: i + 1 for name, i in col.items()}


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def current(folder):
    """Every current hold of the folder as comparable tuples, keyed by athlete and session."""
    out = {}
    for f in sorted(folder.glob("*.csv")):
        for _, h in SessionLog(f).read(errors="raise").iterrows():
            out[(h["athlete"], h["session_id"], h["exercise"], h["side"])] = (
                h["actual_s"],
                h["note"],
                h["started_at"],
                h["rpe"],
            )
    return out


def test_the_workbook_has_typed_cells_a_hidden_ref_and_a_sheet_saying_what_to_edit(
    squad, tmp_path, capsys
):
    wb = openpyxl.load_workbook(export(squad, tmp_path, capsys))
    assert wb.sheetnames[0] == README_SHEET and wb.active.title == README_SHEET
    readme = "\n".join(str(c.value) for c in wb[README_SHEET]["A"] if c.value)
    assert "Remove a hold: delete its whole row" in readme
    assert f"hipnb import-sheet THIS.xlsx --logs {squad.name}" in readme
    assert str(squad.parent) not in readme, "no path of the coach's laptop travels with the book"
    assert wb[STATE_SHEET].sheet_state == "veryHidden"
    state = " ".join(str(v) for row in wb[STATE_SHEET].iter_rows(values_only=True) for v in row)
    assert str(squad.parent) not in state
    ws = wb[HOLDS_SHEET]
    assert tuple(c.value for c in ws[1]) == SHEET_COLUMNS
    assert ws.column_dimensions["A"].hidden and ws.freeze_panes == "D2"
    assert ws.column_dimensions["N"].width == 40  # the note
    rows, col = rows_by_athlete(ws)
    first = rows[("ana", "side_plank", "left")]
    cell = {name: ws.cell(first, c) for name, c in col.items()}
    assert cell["started_at"].value == datetime(2026, 11, 24, 7, 15, 3)
    assert cell["started_at"].is_date and cell[OFFSET].value == "-05:00"
    assert cell["session_id"].value == LONG_ID and cell["session_id"].data_type == "s"
    assert cell["note"].value == "=1+1" and cell["note"].data_type == "s"  # text, never run
    assert cell["actual_s"].data_type == "n" and cell["rpe"].value == 5
    assert cell["completed"].value is True
    assert len(cell["ref"].value) == 8
    names = {ws.cell(r, col["athlete"]).value for r in rows.values()}
    assert names == {"ana", "Zoë", "李娜"}
    zoe = rows[("Zoë", "side_plank", "left")]
    assert ws.cell(zoe, col["note"]).value == "très bien; ça va"
    assert ws.cell(zoe, col[OFFSET]).value == "+01:00"


def test_two_cells_a_new_row_and_a_removed_row_are_exactly_four_changes(squad, tmp_path, capsys):
    book = export(squad, tmp_path, capsys)
    # a hold logged between the export and the import: not in the workbook, never a deletion
    late = hold("ana", "2026-11-26T07:00:00-05:00", session_id="late")
    SessionLog(squad / "ana.csv").add([late])
    before = current(squad)

    wb = openpyxl.load_workbook(book)
    ws = wb[HOLDS_SHEET]
    rows, col = rows_by_athlete(ws)
    ws.cell(rows[("ana", "bound_angle", "both")], col["actual_s"]).value = 250
    ws.cell(rows[("Zoë", "side_plank", "left")], col["note"]).value = "Zoë: hip better"
    new = ws.max_row + 1
    for name, value in {
        "athlete": "李娜",
        "started_at": datetime(2026, 11, 25, 20, 0),
        OFFSET: "+08:00",
        "exercise": "side_plank",
        "side": "right",
        "actual_s": 28,
    }.items():
        ws.cell(new, col[name]).value = value
    ws.delete_rows(rows[("ana", "side_plank", "right")])
    wb.save(book)

    files = snapshot(squad)
    assert main(["import-sheet", str(book), "--logs", str(squad)]) == 0
    listed = capsys.readouterr().out
    assert snapshot(squad) == files, "without --yes nothing is written"
    lines = [line.strip() for line in listed.splitlines() if line.startswith("  ")]
    assert len(lines) == 4, listed
    assert any(
        x.startswith("patch ana's bound_angle") and "actual_s 240 s -> 250 s" in x for x in lines
    )
    assert any(
        x.startswith("patch Zoë's") and "note très bien; ça va -> Zoë: hip better" in x
        for x in lines
    )
    assert any(
        x.startswith("add 李娜's side_plank (right, 28 s) of 2026-11-25 20:00") for x in lines
    )
    assert any(x.startswith("delete ana's side_plank (right") for x in lines)
    assert "--yes" in listed

    assert main(["import-sheet", str(book), "--logs", str(squad), "--yes"]) == 0
    assert "wrote 4 changes" in capsys.readouterr().out
    after = current(squad)
    bound = ("ana", "s-ana-2026-11-25T07:15:00-05:00", "bound_angle", "both")
    zoe = ("Zoë", f"s-Zoë-{ZOE_START}", "side_plank", "left")
    gone = ("ana", "s-ana-2026-11-24T07:16:00-05:00", "side_plank", "right")
    added = {k: v for k, v in after.items() if k not in before}
    assert set(before) - set(after) == {gone}
    assert len(added) == 1
    ((key, value),) = added.items()
    assert key[0] == "李娜" and key[2:] == ("side_plank", "right") and value[0] == 28
    assert value[2] == datetime.fromisoformat("2026-11-25T20:00:00+08:00")
    assert after[bound][0] == 250 and after[zoe][1] == "Zoë: hip better"
    unchanged = set(before) - {bound, zoe, gone}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert ("ana", "late", "side_plank", "left") in after  # logged after the export: kept
    assert (squad / "李娜.csv").exists() is False  # the new hold went to her own gated file
    assert key in {
        (h["athlete"], h["session_id"], h["exercise"], h["side"])
        for _, h in SessionLog(athlete_path(squad, "李娜")).read().iterrows()
    }

    files = snapshot(squad)
    assert main(["import-sheet", str(book), "--logs", str(squad), "--yes"]) == 0
    assert "no changes" in capsys.readouterr().out  # imported twice: nothing doubled
    assert snapshot(squad) == files


def test_a_value_that_only_lost_digits_in_the_spreadsheet_is_no_change(squad, tmp_path, capsys):
    book = export(squad, tmp_path, capsys)
    wb = openpyxl.load_workbook(book)
    ws = wb[HOLDS_SHEET]
    rows, col = rows_by_athlete(ws)
    cell = ws.cell(rows[("ana", "side_plank", "right")], col["actual_s"])
    assert cell.value == pytest.approx(PRECISE, rel=1e-15)  # the writer itself keeps 16 digits
    cell.value = float(f"{PRECISE:.15g}")  # what a spreadsheet keeps
    assert cell.value != PRECISE
    for r in rows.values():  # a spreadsheet that saved every start again
        ws.cell(r, col["started_at"]).value = ws.cell(r, col["started_at"]).value
    wb.save(book)
    assert plan_import(book, squad).changes == ()
    cell.value = float(f"{PRECISE:.14g}") + 0.02  # stored alike: 31.1 s
    wb.save(book)
    assert plan_import(book, squad).changes == ()
    cell.value = 31.25  # a real change: 31.2 s as the log stores it
    wb.save(book)
    (change,) = plan_import(book, squad).changes
    assert change.kind == "patch" and change.fields == (("actual_s", 31.25),)


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("side", "up", "column side (H{row}): side 'up' is not one of left, right, both"),
        ("actual_s", "lots", "column actual_s (J{row}): 'lots' is not a number"),
        ("rpe", 11, "column rpe (L{row}): effort '11' is not a whole number from 0 to 10"),
        (OFFSET, "CET", "column utc_offset (E{row}): 'CET' is not a UTC offset"),
        ("session_id", "other", "column session_id (B{row}): session_id may not change"),
    ],
)
def test_a_bad_edit_is_refused_by_its_row_and_column_and_nothing_is_written(
    squad, tmp_path, capsys, column, value, says
):
    book = export(squad, tmp_path, capsys)
    wb = openpyxl.load_workbook(book)
    ws = wb[HOLDS_SHEET]
    rows, col = rows_by_athlete(ws)
    row = rows[("ana", "side_plank", "left")]
    ws.cell(row, col[column]).value = value
    ws.cell(rows[("Zoë", "side_plank", "left")], col["note"]).value = "a good edit"
    other = rows[("李娜", "side_plank", "left")]
    ws.cell(other, col["side"]).value = "up"  # said too: every refusal at once
    wb.save(book)
    files = snapshot(squad)
    assert main(["import-sheet", str(book), "--logs", str(squad), "--yes"]) == 2
    err = capsys.readouterr().err
    assert f"squad.xlsx, sheet Holds, row {row}, {says.format(row=row)}" in err, err
    assert f"row {other}, column side (H{other}): side 'up' is not one of" in err, err
    assert "nothing imported" in err
    assert snapshot(squad) == files


def test_a_workbook_from_another_squad_or_made_by_hand_is_refused(squad, tmp_path, capsys):
    book = export(squad, tmp_path, capsys)
    other = tmp_path / "other"
    other.mkdir()
    for name in ("ana", "Zoë", "李娜"):
        write_rows(athlete_path(other, name), [hold(name, "2026-11-20T07:00:00+00:00")])
    with pytest.raises(LogError, match=r"none of its 5 holds is in .*other: import it into the"):
        plan_import(book, other)
    (other / "ana.csv").unlink()
    with pytest.raises(LogError, match=r"made from the logs in .*logs; .*other has no ana.csv"):
        plan_import(book, other)

    wb = openpyxl.load_workbook(book)
    state = next(r[0] for r in wb[STATE_SHEET].iter_rows() if str(r[0].value).startswith("{"))
    state.value = state.value.split("\n", 1)[1]  # a hold's line cut out of the hidden sheet
    wb.save(book)
    with pytest.raises(LogError, match="its 'hipnb' sheet was changed; export one with"):
        plan_import(book, squad)

    by_hand = tmp_path / "by_hand.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = HOLDS_SHEET
    wb.active.append(list(SHEET_COLUMNS))
    wb.save(by_hand)
    with pytest.raises(LogError, match="not a workbook made by hipnb export .*hipnb export DIR"):
        plan_import(by_hand, squad)
    not_a_book = tmp_path / "log.xlsx"
    not_a_book.write_text("session_id,athlete\n")
    assert main(["import-sheet", str(not_a_book), "--logs", str(squad)]) == 2
    assert "not a workbook that can be read (.xlsx)" in capsys.readouterr().err


def test_an_export_never_lands_in_the_folder_it_reads(squad, capsys):
    assert main(["export", str(squad), "--out", str(squad / "squad.xlsx")]) == 2
    assert "inside" in capsys.readouterr().err
    assert not (squad / "squad.xlsx").exists()


def test_what_the_log_changed_since_the_export_stands_unless_the_sheet_changed_it(
    squad, tmp_path, capsys
):
    book = export(squad, tmp_path, capsys)
    log = SessionLog(squad / "ana.csv")
    refs = log.holds().set_index("side")["ref"]
    log.patch(refs["right"], rpe=9)  # an answer from the timer after the export
    log.delete(refs["both"])  # a hold removed with hipnb delete after the export
    wb = openpyxl.load_workbook(book)
    ws = wb[HOLDS_SHEET]
    rows, col = rows_by_athlete(ws)
    ws.cell(rows[("ana", "bound_angle", "both")], col["note"]).value = "edited, but it is gone"
    wb.save(book)
    plan = plan_import(book, squad)
    assert plan.changes == ()
    assert plan.notes == (
        f"row {rows[('ana', 'bound_angle', 'both')]}: hold "
        f"{ws.cell(rows[('ana', 'bound_angle', 'both')], 1).value} was deleted since the export; "
        "its edit is left out",
    )
    assert log.holds().set_index("side")["rpe"]["right"] == 9


def add_row(ws, col, athlete):
    new = ws.max_row + 1
    for name, value in {
        "athlete": athlete,
        "started_at": datetime(2026, 11, 25, 9, 0),
        OFFSET: "+00:00",
        "exercise": "glute_roll",
        "side": "left",
        "actual_s": 60,
    }.items():
        ws.cell(new, col[name]).value = value
    return new


def test_a_new_row_passes_the_name_gate_and_starts_an_athlete_only_on_purpose(
    squad, tmp_path, capsys
):
    book = export(squad, tmp_path, capsys)
    wb = openpyxl.load_workbook(book)
    ws = wb[HOLDS_SHEET]
    _, col = rows_by_athlete(ws)
    zoe = add_row(ws, col, "ZOE")
    wb.save(book)
    with pytest.raises(LogError) as caught:
        plan_import(book, squad)
    assert f"row {zoe}, column athlete (C{zoe}): " in str(caught.value)
    assert "Zoë" in str(caught.value)  # the athlete it looks like
    ws.delete_rows(zoe)
    kai = add_row(ws, col, "Kai")
    wb.save(book)
    with pytest.raises(
        LogError, match=rf"row {kai}, column athlete \(C{kai}\): .*new_athlete=True"
    ):
        plan_import(book, squad)
    assert main(["import-sheet", str(book), "--logs", str(squad)]) == 2
    assert "on purpose, say so: --new-athlete" in capsys.readouterr().err
    assert main(["import-sheet", str(book), "--logs", str(squad), "--new-athlete", "--yes"]) == 0
    assert "added Kai's glute_roll (left, 60 s)" in capsys.readouterr().out
    assert len(SessionLog(athlete_path(squad, "Kai")).read(errors="raise")) == 1


def test_a_start_moved_an_offset_typed_as_a_time_and_a_cleared_score_are_patches(
    squad, tmp_path, capsys
):
    from datetime import time

    book = export(squad, tmp_path, capsys)
    wb = openpyxl.load_workbook(book)
    ws = wb[HOLDS_SHEET]
    rows, col = rows_by_athlete(ws)
    left, right = rows[("ana", "side_plank", "left")], rows[("ana", "side_plank", "right")]
    ws.cell(left, col["started_at"]).value = datetime(2026, 11, 24, 6, 50)
    ws.cell(left, col["rpe"]).value = None
    ws.cell(right, col[OFFSET]).value = time(2, 0)  # "+02:00" typed where a sheet saw a time
    wb.save(book)
    fields = {c.row: c.fields for c in plan_import(book, squad).changes}
    assert fields == {
        left: (("started_at", "2026-11-24T06:50:00-05:00"), ("rpe", None)),
        right: (("started_at", "2026-11-24T07:16:00+02:00"),),
    }
    assert main(["import-sheet", str(book), "--logs", str(squad), "--yes"]) == 0
    assert "started_at 2026-11-24 07:15:03-05:00 -> 2026-11-24 06:50:00-05:00" in (
        capsys.readouterr().out
    )
    holds = SessionLog(squad / "ana.csv").holds().set_index("session_id")
    assert holds.loc[LONG_ID, "local_time"] == datetime(2026, 11, 24, 6, 50)
    assert holds.loc[LONG_ID, "rpe"] is pd.NA
    assert plan_import(book, squad).changes == ()  # the log now reads as the sheet


def test_an_export_that_cannot_be_written_says_why_and_leaves_nothing(squad, tmp_path, capsys):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the export's folder would be\n")
    assert main(["export", str(squad), "--out", str(blocker / "squad.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"hipnb: error: --out {blocker / 'squad.xlsx'}: not_a_folder is a file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs", "not_a_folder"]
