"""Faults injected for real: failed writes, full disks, cut-off records, odd files in a squad folder.

The crashes (failed writes, a full disk, a record cut inside a quoted field) hit the hold log and the
run log alike: one engine writes and reads both."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from hipnb import LogError, SessionLog, read_logs
from hipnb.cli import main
from hipnb.log import ALL_COLUMNS, NOTE_MAX, hold_keys, problems
from tests.rows import write_rows
from tests.tables import HOLD_LOG, IDS, LOGS

from .conftest import ROOT
from .test_log import one_channel, row

both = pytest.mark.parametrize("log", LOGS, ids=IDS)

LOGS = ROOT / "tests" / "data" / "logs"


def quiet_read(target):
    return read_logs(target)


# --- failed writes leave the file as it was ------------------------------------------------------


class FailingWriter:
    """os.write that writes part of the data, then fails as a full disk does."""

    def __init__(self, after: int, err: int = errno.ENOSPC):
        self.after, self.err, self.calls = after, err, 0

    def __call__(self, fd: int, data) -> int:
        self.calls += 1
        if self.after <= 0:
            raise OSError(self.err, os.strerror(self.err))
        n = os.write(fd, bytes(data[: self.after]))
        self.after -= n
        return n


@both
@pytest.mark.parametrize("after", [0, 1, 40, 200])
@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EIO])
def test_failed_write_raises_log_error_and_leaves_the_file_byte_identical(
    tmp_path, after, err, log
):
    path = tmp_path / "ana.csv"
    log.append(path, [log.row(1)])
    before = path.read_bytes()
    with pytest.raises(LogError, match="could not append") as info:
        log.append(
            path, [log.row(2, note="a note, " * 20), log.row(3)], write=FailingWriter(after, err)
        )
    assert path.read_bytes() == before
    if err == errno.ENOSPC:
        assert "no space left" in str(info.value)
    log.append(path, [log.row(4)])  # the next append works and reads back
    assert log.keys(path) == ["s1", "s4"]


@both
def test_failed_first_write_leaves_no_file_and_an_empty_file_as_it_was(tmp_path, log):
    path = tmp_path / "new.csv"
    with pytest.raises(LogError):
        log.append(path, [log.row(1)], write=FailingWriter(10))
    assert not path.exists()  # no 0-byte log for validate to report
    path.write_bytes(b"")
    with pytest.raises(LogError):
        log.append(path, [log.row(1)], write=FailingWriter(10))
    assert path.read_bytes() == b""  # an empty file the user made stays theirs
    log.append(path, [log.row(2)])
    assert log.keys(path) == ["s2"]


FULL_DISK = textwrap.dedent(
    """
    import sys
    from hipnb.cli import main
    from hipnb import SessionLog, LogError
    from hipnb.runs import RunLog
    path = sys.argv[1] + "/ana.csv"
    holds = sys.argv[2] == "hold log"
    log = SessionLog(path) if holds else RunLog(path)
    acked = 0
    for i in range(2000):
        if holds:
            row = dict(session_id=f"s{i}", athlete="ana", started_at="2026-11-24T07:15:03-05:00",
                       routine="hip-basics", exercise="side_plank", side="left", target_s=30,
                       actual_s=30, completed=True, note="n" * 1900)
        else:
            row = dict(run_id=f"s{i}", athlete="ana", started_at="2026-11-24T07:15:03-05:00",
                       distance_m=5000, duration_s=1800, sport="Run", source="t", name="n" * 500)
        try:
            log.add([row]) if holds else log.append([row])
        except LogError as exc:
            assert "no space left" in str(exc), exc
            break
        acked += 1
    else:
        raise SystemExit("the disk never filled")
    before = open(path, "rb").read()
    if holds:
        status = main(["log", "--log", path, "--athlete", "ana", "--exercise", "side_plank",
                       "--side", "left", "--seconds", "30", "--note", "m" * 1900])
        assert status != 0 and open(path, "rb").read() == before
    df = log.read(errors="raise")
    assert len(df) == acked, (len(df), acked)
    print("acked", acked)
    """
)


@both
def test_full_disk_for_real_on_a_small_tmpfs(tmp_path, log):
    """A true ENOSPC: a 256 KiB tmpfs in a private mount namespace (root only)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to mount a small tmpfs")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = tmp_path / "fill.py"
    script.write_text(FULL_DISK)
    cmd = (
        f"mount -t tmpfs -o size=256k tmpfs {mnt} && "
        f"{sys.executable} {script} {mnt} '{log.name}'; status=$?; umount {mnt}; exit $status"
    )
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -m refused here: {probe.stderr.decode().strip()}")
    done = subprocess.run(["unshare", "-m", "sh", "-c", cmd], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "acked" in done.stdout
    assert "Traceback" not in done.stderr
    if log is HOLD_LOG:
        assert done.stderr.count("hipnb: error:") == 1  # the CLI's one line


def test_a_failed_first_append_on_a_full_tmpfs_leaves_no_file(tmp_path):
    """A full disk on the first append: an error, and no 0-byte log left behind (root only)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to mount a small tmpfs")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -m refused here: {probe.stderr.decode().strip()}")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    log = ["-m", "hipnb", "log", "--log", f"{mnt}/ana.csv", "--athlete", "ana",
           "--exercise", "side_plank", "--seconds", "30"]  # fmt: skip
    cmd = (
        f"mount -t tmpfs -o size=64k tmpfs {mnt} && "
        f"(dd if=/dev/zero of={mnt}/filler bs=4096 2>/dev/null; true) && "
        f"{sys.executable} {' '.join(log)}; echo status=$?; ls -a {mnt}; umount {mnt}"
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", cmd], capture_output=True, text=True, cwd=ROOT
    )
    assert "status=2" in done.stdout, done.stdout + done.stderr
    assert "no space left on the device" in done.stderr
    assert done.stderr.count("hipnb: error:") == 1 and "Traceback" not in done.stderr
    listed = done.stdout.split()
    assert "filler" in listed and "ana.csv" not in listed


@pytest.mark.parametrize(
    "command",
    [
        ["log", "--log", "{p}", "--athlete", "ana", "--exercise", "side_plank", "--seconds", "30"],
        ["holds", "--log", "{p}"],
        ["edit", "--log", "{p}", "abcd", "--seconds", "3"],
        ["delete", "--log", "{p}", "abcd"],
        ["export", "{p}", "--out", "{out}"],
    ],
    ids=lambda c: c[0],
)
@pytest.mark.parametrize("kind", ["fifo", "proc", "device"])
def test_a_log_that_is_no_regular_file_is_refused_at_once(tmp_path, command, kind):
    """A FIFO, a /proc file or a device as --log: one error line, never a hang."""
    path = {"fifo": tmp_path / "ana.csv", "proc": Path("/proc/version"), "device": "/dev/null"}
    if kind == "fifo":
        os.mkfifo(path["fifo"])
    args = [a.format(p=path[kind], out=tmp_path / "x.csv") for a in command]
    done = subprocess.run(
        [sys.executable, "-m", "hipnb", *args], capture_output=True, text=True, cwd=ROOT,
        timeout=60,  # a hang fails the test instead of the suite
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("hipnb: error:") == 1 and "Traceback" not in done.stderr
    assert "not a log file" in done.stderr or "lock file" in done.stderr


def test_cli_prints_one_line_and_no_traceback_when_the_log_is_a_folder(tmp_path, capsys):
    status = main(
        ["log", "--log", str(tmp_path), "--athlete", "ana", "--exercise", "side_plank"]
        + ["--side", "left", "--seconds", "30"]
    )
    err = capsys.readouterr().err
    assert status != 0 and err.count("\n") == 1 and "is a folder" in err


# --- notes, big fields, headers ---------------------------------------------------------------


def test_the_door_refuses_a_note_over_the_limit(tmp_path):
    log = SessionLog(tmp_path / "a.csv")
    log.add([row(1, note="n" * NOTE_MAX)])
    with pytest.raises(
        LogError, match=f"the note has {NOTE_MAX + 1:,} characters; notes hold at most {NOTE_MAX:,}"
    ):
        log.add([row(2, note="n" * (NOTE_MAX + 1))])
    assert len(log.read()) == 1


def test_a_field_over_the_csv_modules_limit_never_makes_a_file_unreadable(tmp_path):
    path = tmp_path / "big.csv"
    write_rows(SessionLog(path), [row(1), row(2)])
    big = "x" * 200_000  # over Python csv's 128 KiB field limit
    with open(path, "a", encoding="utf-8") as f:
        f.write(
            f's3,ana,2026-11-24T08:00:03-05:00,hip-basics,side_plank,left,30,30,true,,,"{big}",,,\r\n'
        )
        f.write("s4,ana,2026-11-24T08:01:03-05:00,hip-basics,side_plank,left,30,30,true,,,,,,\r\n")
        f.write("s5,ana,2026-11-24T08:02:03-05:00,hip-basics,side_plank,left\r\n")  # a fault too
    df = quiet_read(path)
    assert df["session_id"].tolist() == ["s1", "s2", "s3", "s4"]
    assert df["note"].iloc[2] == big
    (p,) = problems(df)
    assert p.line == 6 and "fields" in p.reason


def test_append_refuses_values_the_header_has_no_column_for(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text(
        "session_id,athlete,started_at,routine,exercise,side,target_s,actual_s,completed\n"
    )
    before = path.read_bytes()
    with pytest.raises(LogError, match=r"no column for rpe='7' \(row 1\), note='felt it'"):
        write_rows(SessionLog(path), [row(1, rpe=7, discomfort=None, note="felt it")])
    assert path.read_bytes() == before
    write_rows(SessionLog(path), [row(2, rpe=None, discomfort=None)])  # nothing to lose: fine
    assert quiet_read(path)["session_id"].tolist() == ["s2"]


# --- cut-off records and quotes that never close -------------------------------------------------


@both
def test_appends_after_a_write_cut_off_inside_a_quoted_note_read_back(tmp_path, log):
    path = tmp_path / "ana.csv"
    log.append(path, [log.row(1)])
    text = log.text_of([log.row(2, note="Morning Run, easy")], log.table.first)
    record = text.split(b"\r\n")[1].replace(b"Morning Run, easy", b'"Morning Run, ea')
    with open(path, "ab") as f:
        f.write(record)  # the crash
    log.append(path, [log.row(3, note='with "quotes", commas\nand a line break')])
    log.append(path, [log.row(4), log.row(5)])
    with one_channel():
        df = log.read(path)
    assert df[log.key].tolist() == ["s1", "s3", "s4", "s5"]
    assert df[log.text].iloc[1] == 'with "quotes", commas\nand a line break'
    (p,) = problems(df)
    assert p.line == 3 and "never closes" in p.reason
    if log is HOLD_LOG:  # and the command line says so too
        assert main(["validate", str(path)]) == 1


def test_rows_that_share_a_session_and_start_time_keep_every_athlete(tmp_path):
    for name in ("ana", "bo", "Zoë"):
        write_rows(
            SessionLog(tmp_path / "class.csv"),
            [row(1, athlete=name, session_id="class-1", started_at="2026-11-24T18:00:00+01:00")],
        )
    df = quiet_read(tmp_path)
    assert sorted(df["athlete"]) == ["Zoë", "ana", "bo"]


# --- odd files in a squad folder ---------------------------------------------------------------


def _odd_squad(folder: Path) -> None:
    write_rows(SessionLog(folder / "ana.csv"), [row(1)])
    write_rows(SessionLog(folder / "bo.csv"), [row(2, athlete="bo")])
    (folder / "x.csv").mkdir()
    os.symlink(folder / "loop_b.csv", folder / "loop_a.csv")
    os.symlink(folder / "loop_a.csv", folder / "loop_b.csv")


def test_a_folder_named_csv_and_a_symlink_loop_are_reported_and_the_rest_loads(tmp_path, capsys):
    _odd_squad(tmp_path)
    df = quiet_read(tmp_path)
    assert sorted(df["athlete"]) == ["ana", "bo"]
    reasons = {Path(p.file).name: (p.line, p.reason) for p in problems(df)}
    assert reasons["x.csv"] == (1, "file not read: is a folder, not a log file")
    assert reasons["loop_a.csv"][0] == 1 and "cannot be read" in reasons["loop_a.csv"][1]
    for argv in (
        ["validate", str(tmp_path)],
        ["summary", str(tmp_path)],
        ["export", str(tmp_path), "--out", str(tmp_path.parent / "out.csv")],
    ):
        main(argv)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err, argv
    with pytest.raises(LogError, match="is a folder"):
        SessionLog(tmp_path / "x.csv").read()


UNREADABLE = textwrap.dedent(
    """
    import os, sys
    from hipnb import read_logs
    # Read once as root first: whatever the reader imports lazily (pyarrow.pandas_compat...) is
    # loaded while the checkout's .venv can still be read, wherever the checkout is (a mode-700
    # folder that the nobody user cannot enter).
    assert len(read_logs(sys.argv[1])) == 2
    os.setgid(65534); os.setuid(65534)  # nobody: file permissions apply again
    df = read_logs(sys.argv[1])
    print(sorted(df["athlete"]), [(os.path.basename(p.file), p.line, p.reason)
                                  for p in df.attrs["problems"]])
    """
)


def _open_to_everyone(folder: Path) -> bool:
    """Whether every folder from the root down to ``folder`` lets any user through (mode o+x)."""
    folder = folder.resolve()
    return all(p.stat().st_mode & 0o001 for p in (folder, *folder.parents))


def _shared_tmp() -> Path:
    """A temporary folder another user can reach (root's own TMPDIR may be private)."""
    for place in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
        if Path(place).is_dir() and _open_to_everyone(Path(place)):
            return Path(place)
    pytest.skip("no temporary folder that another user may enter")


def test_a_file_the_user_may_not_read_is_reported_and_the_rest_loads():
    if os.geteuid() != 0:
        pytest.skip("needs root to run the reader as another user")
    folder = Path(tempfile.mkdtemp(prefix="hipnb-squad-", dir=_shared_tmp()))
    try:
        folder.chmod(0o755)
        write_rows(SessionLog(folder / "ana.csv"), [row(1)])
        write_rows(SessionLog(folder / "secret.csv"), [row(2, athlete="bo")])
        (folder / "secret.csv").chmod(0o000)
        done = subprocess.run(
            [sys.executable, "-c", UNREADABLE, str(folder)],
            capture_output=True,
            text=True,
            cwd=folder,  # the checkout may be a folder the nobody user cannot enter
        )
    finally:
        shutil.rmtree(folder)
    assert done.returncode == 0, done.stderr
    assert "['ana']" in done.stdout
    assert "('secret.csv', 1, 'file not read: cannot be read: permission denied')" in done.stdout


# --- one reader, the same answer from both doors ----------------------------------------------------

READABLE = [
    p
    for p in sorted(LOGS.glob("*.csv"))
    if p.name not in {"semicolon.csv", "missing_columns.csv", "latin1.csv"}
]


@pytest.mark.parametrize("path", READABLE, ids=[p.name for p in READABLE])
def test_session_log_read_and_read_logs_return_the_same_frame(path):
    one, two = SessionLog(path).read(), read_logs(path)
    assert one.equals(two) and problems(one) == problems(two)


# --- corrections ---------------------------------------------------------------------------------


def test_edits_and_deletes_are_applied_in_file_order_and_the_history_stays(tmp_path):
    log = SessionLog(tmp_path / "ana.csv")
    write_rows(log, [row(1, actual_s=4000.0), row(2, side="left"), row(3)])
    first = log.read()
    keys = dict(zip(first["session_id"], hold_keys(first), strict=True))
    write_rows(log, [row(1, actual_s=40.0, hold_id=keys["s1"], action="edit")])
    write_rows(
        log,
        [
            row(2, side="right", started_at="2026-11-24T07:30:03-05:00", hold_id=keys["s2"])
            | {"action": "edit"}
        ],
    )
    write_rows(log, [row(3, hold_id=keys["s3"], action="delete")])
    write_rows(log, [row(2, side="both", hold_id=keys["s2"], action="edit")])  # an edit of the edit
    df = log.read(errors="raise")
    assert df["session_id"].tolist() == ["s1", "s2"]
    assert df["actual_s"].tolist() == [40.0, 31.5]
    assert df["side"].tolist() == ["left", "both"]
    assert df["action"].tolist() == ["edit", "edit"]
    assert len(log.path.read_text().splitlines()) == 1 + 3 + 4, "every row kept: the history"


def test_a_correction_needs_a_hold_id_and_a_known_action(tmp_path):
    log = SessionLog(tmp_path / "ana.csv")
    with pytest.raises(LogError, match="needs the hold_id"):
        write_rows(log, [row(1, action="delete")])
    with pytest.raises(
        LogError, match=r"action .undo. is not one of edit, patch, delete \(or empty\)"
    ):
        write_rows(log, [row(1, action="undo", hold_id="x")])


def test_old_files_without_the_new_columns_read_as_before(tmp_path):
    df = quiet_read(LOGS / "spreadsheet_saved.csv")
    assert set(ALL_COLUMNS) <= set(df.columns)
    assert df["hold_id"].isna().all() and df["pain_at_s"].isna().all()
