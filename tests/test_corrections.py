"""Corrections that never undo each other: patches, checked under the lock, with real processes.

The race runs two real ``hipnb edit`` processes released together at a barrier (a file both wait
for), round after round, and counts what landed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import warnings

import pandas as pd
import pytest

from hipnb import LogError, SessionLog, read_logs
from hipnb.cli import main
from hipnb.holds import correction_row, hold_refs
from hipnb.log import ALL_COLUMNS, problems
from tests.rows import write_rows

from .conftest import ROOT
from .test_widgets import _panel, count

ROW = {"session_id": "s1", "athlete": "ana", "started_at": "2026-11-24T07:15:00-05:00",
       "routine": "hip-basics", "exercise": "side_plank", "side": "left", "target_s": 30,
       "actual_s": 35, "completed": True, "rpe": 5, "note": "first"}  # fmt: skip
ROUNDS = 8


def quiet(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_logs(path)


def the_ref(path) -> str:
    return str(hold_refs(quiet(path)).iloc[0])


CHILD = textwrap.dedent(
    """
    import os, sys, time
    ready, go = sys.argv[1], sys.argv[2]
    from hipnb.cli import main  # imported before the barrier: both start the edit together
    open(ready, "w").close()
    while not os.path.exists(go):  # the barrier: wait on the file, not on a clock
        time.sleep(0.001)
    sys.exit(main(sys.argv[3:]))
    """
)


def race(tmp_path, n: int, a: list[str], b: list[str]) -> list[subprocess.CompletedProcess]:
    """Run ``hipnb edit`` with arguments ``a`` and ``b`` in two processes released together."""
    folder = tmp_path / f"round{n}"
    folder.mkdir()
    script = folder / "child.py"
    script.write_text(CHILD)
    go = folder / "go"
    procs = []
    for i, args in enumerate((a, b)):
        ready = folder / f"ready{i}"
        procs.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, str(script), str(ready), str(go), *args],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                ),  # fmt: skip
            )
        )
    while not all(ready.exists() for ready, _ in procs):
        if any(p.poll() is not None for _, p in procs):
            break  # a child died before the barrier: its output says why
    go.touch()
    out = []
    for _, p in procs:
        stdout, stderr = p.communicate()
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


@pytest.mark.slow
def test_two_edits_at_once_both_land_or_the_later_wins_and_nothing_else_changes(tmp_path):
    landed = {"different fields": 0, "same field": 0}
    for n in range(ROUNDS):
        path = tmp_path / f"ana{n}.csv"
        write_rows(SessionLog(path), [ROW])
        ref = the_ref(path)
        edit = ["edit", "--log", str(path), ref]
        seconds, note = race(tmp_path, n, [*edit, "--seconds", "41"], [*edit, "--note", "x"])
        assert seconds.returncode == note.returncode == 0, seconds.stderr + note.stderr
        assert "time held: 35 s -> 41 s" in seconds.stdout and "note: first -> x" in note.stdout
        hold = quiet(path).iloc[0]
        assert (hold["actual_s"], hold["note"], hold["rpe"], hold["side"]) == (41, "x", 5, "left")
        landed["different fields"] += 2

        path = tmp_path / f"ben{n}.csv"
        write_rows(SessionLog(path), [ROW])
        edit = ["edit", "--log", str(path), the_ref(path)]
        first, second = race(tmp_path, 100 + n, [*edit, "--seconds", "41"], [*edit, "--seconds", "42"])  # fmt: skip
        assert first.returncode == second.returncode == 0, first.stderr + second.stderr
        last = path.read_text(encoding="utf-8").splitlines()[-1]
        later = 41 if ",41.0," in last else 42
        hold = quiet(path).iloc[0]
        assert hold["actual_s"] == later, "the later row wins"
        assert (hold["note"], hold["rpe"], hold["side"], hold["target_s"]) == (
            "first",
            5,
            "left",
            30,
        )
        landed["same field"] += 1
    print(f"race: {ROUNDS} rounds each; landed {landed}; refused 0")
    assert landed == {"different fields": 2 * ROUNDS, "same field": ROUNDS}


def test_a_patch_carries_only_what_it_changes_and_can_clear(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    write_rows(SessionLog(path), [ROW])
    ref = the_ref(path)
    assert main(["edit", "--log", str(path), ref, "--note", "", "--seconds", "20"]) == 0
    assert "note: first -> (empty)" in capsys.readouterr().out
    last = next(
        iter(pd.read_csv(path, dtype=str, keep_default_na=False).tail(1).to_dict("records"))
    )
    assert last["action"] == "patch" and last["note"] == "-" and last["actual_s"] == "20.0"
    assert last["session_id"] == last["side"] == last["rpe"] == ""  # unchanged: left empty
    hold = quiet(path).iloc[0]
    assert pd.isna(hold["note"]) and hold["actual_s"] == 20
    assert not hold["completed"], "completed derived when the patch is applied: 20 < 30"


def test_a_file_written_with_whole_row_edits_reads_as_before(tmp_path):
    """Files of the first two landings: action=edit rows carry the whole hold."""
    path = tmp_path / "ana.csv"
    log = SessionLog(path)
    write_rows(log, [ROW, ROW | {"side": "right", "started_at": "2026-11-24T07:16:00-05:00"}])
    left, right = log.read(errors="raise").to_dict("records")
    write_rows(log, [correction_row(pd.Series(left), "edit", actual_s=40, note="fixed")])
    write_rows(log, [correction_row(pd.Series(right), "edit", side="both")])
    write_rows(log, [correction_row(pd.Series(right), "edit", actual_s=12)])  # the last edit wins
    text = path.read_text(encoding="utf-8")
    assert text.count(",edit,") == 3 and ",patch," not in text
    df = log.read(errors="raise")
    got = sorted(zip(df["side"], df["actual_s"], df["note"], df["completed"], strict=True))
    assert got == [("left", 40, "fixed", True), ("right", 12, "first", False)]


def test_corrections_are_checked_under_the_lock(tmp_path):
    log = SessionLog(tmp_path / "ana.csv")
    write_rows(log, [ROW, ROW | {"athlete": "ana", "side": "right"}])
    before = log.path.read_bytes()
    hold = log.read(errors="raise").iloc[0]
    ghost = hold.copy()
    ghost["session_id"] = "never"
    with pytest.raises(LogError, match=r"row 1 of this append: patch of 'never\|side_plank"):
        write_rows(log, [correction_row(ghost, "patch", actual_s=300)])
    with pytest.raises(LogError, match=r"edit of 'never\|side_plank"):  # no new 300 s hold
        write_rows(log, [correction_row(ghost, "edit", actual_s=300)])
    ben = hold.copy()
    ben["athlete"] = "ben"  # a correction cannot move a hold to another athlete
    with pytest.raises(LogError, match="ben has no current hold so named"):
        write_rows(log, [correction_row(ben, "patch", note="mine now")])
    with pytest.raises(LogError, match="delete of 'never"):
        write_rows(log, [correction_row(ghost, "delete")])
    with pytest.raises(LogError, match="a patch cannot change routine"):
        write_rows(log, [correction_row(hold, "patch", note="x") | {"routine": "other"}])
    assert log.path.read_bytes() == before
    write_rows(log, [correction_row(hold, "delete")])
    with pytest.raises(LogError, match="has no current hold so named"):
        write_rows(log, [correction_row(hold, "patch", rpe=3)])  # deleted: never brought back
    assert len(log.read(errors="raise")) == 1


def test_a_bad_correction_written_by_hand_is_reported_at_its_line_and_changes_nothing(tmp_path):
    path = tmp_path / "ana.csv"
    write_rows(SessionLog(path), [ROW])
    empty = dict.fromkeys(ALL_COLUMNS, "")
    hand = [
        empty | {"athlete": "ana", "hold_id": "zz|side_plank|left|2026-11-24T12:15:00Z",
                 "action": "edit", **{k: str(v) for k, v in ROW.items() if k != "athlete"}},
        empty | {"athlete": "ana", "hold_id": "nope", "action": "delete"},
        empty | {"athlete": "ben", "hold_id": "s1|side_plank|left|2026-11-24T12:15:00Z",
                 "action": "patch", "actual_s": "300"},
    ]  # fmt: skip
    with open(path, "a", encoding="utf-8", newline="") as f:
        for row in hand:
            f.write(",".join(row[c] for c in ALL_COLUMNS) + "\r\n")
    df = quiet(path)
    assert df["actual_s"].tolist() == [35] and df["athlete"].tolist() == ["ana"]
    lines = {p.line: p.reason for p in problems(df)}
    assert sorted(lines) == [3, 4, 5]
    assert lines[3].startswith("edit of 'zz|side_plank") and "no current hold" in lines[3]
    assert lines[5].startswith("patch of 's1|side_plank") and "ben has no current hold" in lines[5]
    assert main(["validate", str(path)]) == 1


@pytest.mark.parametrize("session", ["a|b", 'x,"y"|z', "|||"])
def test_any_session_id_works_with_patch_delete_and_ref(tmp_path, capsys, session):
    path = tmp_path / "ana.csv"
    write_rows(SessionLog(path), [ROW | {"session_id": session}, ROW | {"session_id": session,
                             "side": "right", "started_at": "2026-11-24T07:16:00-05:00"}])  # fmt: skip
    refs = hold_refs(quiet(path))
    left = str(refs.iloc[0])
    assert main(["edit", "--log", str(path), left, "--when", "06:00", "--side", "both"]) == 0
    df = quiet(path)
    assert len(df) == 2 and hold_refs(df).is_unique and left in set(hold_refs(df))
    assert main(["delete", "--log", str(path), left]) == 0
    df = quiet(path)
    assert df["side"].tolist() == ["right"] and problems(df) == []
    capsys.readouterr()


def test_save_answers_never_restores_a_deleted_hold_nor_reverts_an_edit(tmp_path, capsys):
    """The notebook's answers form stays open while another door deletes one hold and edits
    another; pressing Save answers changes effort and note only."""
    panel, clock = _panel(tmp_path, get_ready=0)
    panel.start_button.click()
    count(panel, clock, 5)
    count(panel, clock, 2)
    count(panel, clock, 5)
    assert panel.answers.layout.display == "flex"
    path = panel.session_log.path
    df = quiet(path)
    refs = dict(zip(df["side"], hold_refs(df), strict=True))
    assert main(["delete", "--log", str(path), refs["left"]]) == 0
    assert main(["edit", "--log", str(path), refs["right"], "--seconds", "3"]) == 0
    panel.rpe.value, panel.note.value = 6, "tired"
    panel.save_button.click()
    assert "Answers saved" in panel.status.value and "1 hold had been deleted" in panel.status.value
    df = quiet(path)
    assert df["side"].tolist() == ["right"], "the deleted hold stays deleted"
    (hold,) = df.to_dict("records")
    assert (hold["actual_s"], hold["rpe"], hold["note"]) == (3, 6, "tired")
    assert not hold["completed"]
    capsys.readouterr()


@pytest.mark.parametrize("where", ["the log", "the folder", "below the folder"])
def test_export_never_overwrites_what_it_reads(tmp_path, capsys, where):
    folder = tmp_path / "logs"
    log = SessionLog(folder / "ana.csv")
    write_rows(log, [ROW])
    before = log.path.read_bytes()
    source, out = {
        "the log": (log.path, log.path),
        "the folder": (folder, folder / "squad-export.csv"),
        "below the folder": (folder, folder / "x" / "squad.csv"),
    }[where]
    for force in ([], ["--force"]):
        assert main(["export", str(source), "--out", str(out), *force]) == 2
        err = capsys.readouterr().err
        assert err.count("hipnb: error:") == 1 and re.search("is the log it reads|inside", err)
    assert log.path.read_bytes() == before and sorted(os.listdir(folder)) == [
        ".ana.csv.lock",
        "ana.csv",
    ]


def test_export_replaces_a_file_only_when_told(tmp_path, capsys):
    log = SessionLog(tmp_path / "logs" / "ana.csv")
    write_rows(log, [ROW | {"pain_at_s": 12.5}])
    out = tmp_path / "squad.csv"
    out.write_text("mine")
    assert main(["export", str(log.path), "--out", str(out)]) == 2
    assert "exists; add --force" in capsys.readouterr().err and out.read_text() == "mine"
    assert main(["export", str(log.path), "--out", str(out), "--force"]) == 0
    header, row = out.read_text(encoding="utf-8-sig").splitlines()
    assert header.endswith(",note,pain_at_s") and row.endswith(",12.5")
