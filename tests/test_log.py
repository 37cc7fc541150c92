from __future__ import annotations

import contextlib
import csv
import io
import multiprocessing as mp
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hipnb
from hipnb import LogError, SessionLog, athlete_path, read_logs
from hipnb.cli import main
from hipnb.log import ALL_COLUMNS, COLUMNS, export_for_spreadsheet, manual_row, problems
from hipnb.seconds import stored
from tests.rows import write_rows

from .conftest import DATA

LOGS = DATA / "logs"


def row(i=0, **over):
    base = {
        "session_id": f"s{i}",
        "athlete": "ana",
        "started_at": f"2026-11-24T07:{i % 60:02d}:03-05:00",
        "routine": "hip-basics",
        "exercise": "side_plank",
        "side": "left",
        "target_s": 30.0,
        "actual_s": 31.5,
        "completed": True,
        "rpe": 5,
        "discomfort": 2,
        "note": "",
    }
    base.update(over)
    return base


@contextlib.contextmanager
def one_channel():
    """A read's problems are in ``df.attrs["problems"]`` only: nothing is warned."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _cases():
    for line in (LOGS / "EXPECTED").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, outcome, lineno, rows, text, *data = (p.strip() for p in line.split("|"))
            data_rows = int(data[0]) if data else None
            yield pytest.param(name, outcome, int(lineno), int(rows), text, data_rows, id=name)


def _data_lines(path) -> int:
    """Records after the header, counted independently of hipnb (blank lines are not rows)."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    records = [r for r in csv.reader(io.StringIO(text, newline="")) if any(f.strip() for f in r)]
    return max(len(records) - 1, 0)


@pytest.mark.parametrize("name, outcome, line, rows, text, data_rows", list(_cases()))
def test_malformed_files_get_clear_messages(name, outcome, line, rows, text, data_rows):
    path = LOGS / name
    log = SessionLog(path)
    if outcome == "raise":
        with pytest.raises(LogError, match=rf"{name}:{line}: .*") as info:
            log.read()
        assert text in str(info.value)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = log.read()
    found = problems(df)
    assert len(df) == rows
    if outcome == "ok":
        assert found == [] and not caught
        assert len(df) == (data_rows or _data_lines(path)), "every row read"
        return
    assert found[0].file == str(path) and found[0].line == line
    assert text in found[0].reason
    assert not caught, "problems travel in one channel: attrs, never also a warning"
    if name != "empty.csv":
        expected = data_rows or _data_lines(path)
        assert len(df) + len(found) == expected, "rows read + rejected = rows in the file"
    with pytest.raises(LogError, match=rf"{name}:{line}: "):
        log.read(errors="raise")


def test_spreadsheet_saved_file_reads_every_field():
    df = SessionLog(LOGS / "spreadsheet_saved.csv").read(errors="raise")
    assert df["note"].tolist()[:2] == [
        "tight, then fine",
        'two lines:\r\nsecond line with "quotes"',
    ]
    assert df["side"].tolist() == ["left", "right", "both"]
    assert df["completed"].tolist() == [True, False, True]
    assert df["rpe"].tolist()[:2] == [5, 5] and pd.isna(df["rpe"].iloc[2])
    late = df.iloc[2]
    assert late["local_time"] == pd.Timestamp("2026-11-25 23:30")
    assert late["started_at"] == pd.Timestamp("2026-11-25 22:30", tz="UTC")


def test_dtypes_of_a_read_log(tmp_path):
    log = SessionLog(tmp_path / "a.csv")
    write_rows(log, [row(1), row(2, rpe=None, discomfort=None, note="ok")])
    df = log.read()
    assert isinstance(df["started_at"].dtype, pd.DatetimeTZDtype)
    assert str(df["started_at"].dt.tz) == "UTC"
    assert df["target_s"].dtype == "float64" and df["actual_s"].dtype == "float64"
    assert df["completed"].dtype == bool
    assert df["rpe"].dtype == "Int64" and df["discomfort"].dtype == "Int64"
    assert df["pain_at_s"].dtype == "float64"
    for name in (
        "session_id",
        "athlete",
        "routine",
        "exercise",
        "side",
        "note",
        "hold_id",
        "action",
    ):
        assert isinstance(df[name].dtype, pd.StringDtype), name
    assert list(df.columns) == [*ALL_COLUMNS, "local_time"]


def test_append_validates_and_writes_nothing_on_error(tmp_path):
    log = SessionLog(tmp_path / "a.csv")
    write_rows(log, [row(1)])
    before = log.path.read_bytes()
    with pytest.raises(LogError, match=r"row 2 of this append: side 'up' is not one of"):
        write_rows(log, [row(2), row(3, side="up")])
    with pytest.raises(LogError, match=r"row 1 of this append: actual_s -1 s is negative"):
        write_rows(log, [row(4, actual_s=-1.0)])
    with pytest.raises(LogError, match="has no time zone"):
        write_rows(log, [row(5, started_at=datetime(2026, 1, 1, 7))])
    with pytest.raises(LogError, match="no 'actual_s' column"):
        write_rows(log, pd.DataFrame([row(6)]).drop(columns="actual_s"))
    assert log.path.read_bytes() == before


def test_append_accepts_a_frame_read_back_and_keeps_offsets(tmp_path):
    src = SessionLog(tmp_path / "a.csv")
    write_rows(src, [row(1), row(2, started_at="2026-07-01T23:30:00+02:00", note="=1+1")])
    dst = SessionLog(tmp_path / "b.csv")
    write_rows(dst, src.read())
    # read() puts an athlete's rows in time order: the July row comes first, every byte kept
    header, *lines = src.path.read_text().splitlines()
    assert dst.path.read_text().splitlines() == [header, lines[1], lines[0]]


def test_header_is_written_once_and_column_order_of_the_file_is_kept(tmp_path):
    path = tmp_path / "a.csv"
    reordered = ["note", *COLUMNS[:-1]]
    path.write_text(",".join(reordered) + "\n")
    write_rows(SessionLog(path), [row(1, note="hello")])
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(reordered) and lines[1].startswith("hello,s1,ana,")
    assert SessionLog(path).read(errors="raise")["note"].tolist() == ["hello"]


def test_append_after_a_torn_tail_starts_a_fresh_line(tmp_path):
    log = SessionLog(tmp_path / "a.csv")
    write_rows(log, [row(1)])
    with open(log.path, "ab") as f:
        f.write(b"s9,ana,2026-11-24T07:15:03-05:00,hip-ba")  # a crash mid-write
    write_rows(log, [row(2)])
    with one_channel():
        df = log.read()
    assert df["session_id"].tolist() == ["s1", "s2"]
    (p,) = problems(df)
    assert p.line == 3 and "row has 4 fields" in p.reason


def _bytes_read_by_this_process() -> int:
    """``rchar`` of /proc/self/io: every byte this process has read through any call."""
    text = Path("/proc/self/io").read_text()
    return int(next(line for line in text.splitlines() if line.startswith("rchar:")).split()[1])


@pytest.mark.skipif(
    not Path("/proc/self/io").exists(), reason="needs Linux's per-process I/O count"
)
def test_append_cost_does_not_read_the_file(tmp_path):
    log = SessionLog(tmp_path / "a.csv")
    write_rows(log, [row(i) for i in range(50)])
    header, _, body = log.path.read_bytes().partition(b"\n")
    log.path.write_bytes(header + b"\n" + body * 2000)  # about 8 MB of holds
    size = log.path.stat().st_size
    write_rows(log, [row(98)])  # warm: anything imported on first use is loaded now
    before = _bytes_read_by_this_process()
    write_rows(log, [row(99)])
    read = _bytes_read_by_this_process() - before
    assert read < 1_000_000 < size, f"append read {read:,} bytes of a {size:,}-byte log"


# --- round trips --------------------------------------------------------------------------------

text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
offsets = st.integers(-14 * 4, 14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q)))
rows = st.fixed_dictionaries(
    {
        "session_id": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ,\"'=-]{0,20}", fullmatch=True).filter(
            lambda s: s == s.strip()
        ),
        "athlete": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,10}", fullmatch=True),
        "started_at": st.builds(
            lambda dt, tz: dt.replace(tzinfo=tz),
            st.datetimes(datetime(1990, 1, 2), datetime(2090, 1, 1)).map(
                lambda d: d.replace(microsecond=0)
            ),
            offsets,
        ),
        "routine": st.from_regex(r"[a-z][a-z-]{0,12}", fullmatch=True),
        "exercise": st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True),
        "side": st.sampled_from(["left", "right", "both"]),
        "target_s": st.floats(0, 7200, allow_nan=False),
        "actual_s": st.floats(0, 7200, allow_nan=False),
        "completed": st.booleans(),
        "rpe": st.none() | st.integers(0, 10),
        "discomfort": st.none() | st.integers(0, 10),
        "note": text.filter(lambda s: s.strip() == s),
    }
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(rows, min_size=1, max_size=8, unique_by=lambda r: r["session_id"]))
def test_round_trip_any_valid_rows(tmp_path_factory, batch):
    log = SessionLog(tmp_path_factory.mktemp("rt") / "log.csv")
    write_rows(log, batch)
    df = log.read(errors="raise")
    assert len(df) == len(batch)
    got_rows = {r["session_id"]: r for r in df.to_dict("records")}
    for want in batch:
        got = got_rows[want["session_id"]]
        for key in ("session_id", "athlete", "routine", "exercise", "side", "completed"):
            assert got[key] == want[key]
        # seconds are stored to 0.1 s
        assert got["target_s"] == stored(want["target_s"])
        assert got["actual_s"] == stored(want["actual_s"])
        assert got["started_at"] == pd.Timestamp(want["started_at"]).tz_convert("UTC")
        assert got["local_time"] == pd.Timestamp(want["started_at"].replace(tzinfo=None))
        for key in ("rpe", "discomfort"):
            assert (pd.isna(got[key]) and want[key] is None) or got[key] == want[key]
        assert (pd.isna(got["note"]) and want["note"] == "") or got["note"] == want["note"]


# --- concurrency and crashes ---------------------------------------------------------------------


def _appender(path, worker, sessions):
    log = SessionLog(path)
    for s in range(sessions):
        write_rows(
            log, [row(s, session_id=f"w{worker}-s{s}", side=side) for side in ("left", "right")]
        )


@pytest.mark.slow
def test_eight_processes_append_concurrently(tmp_path):
    path = tmp_path / "squad.csv"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_appender, args=(path, w, 25)) for w in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    df = SessionLog(path).read(errors="raise")
    assert len(df) == 8 * 25 * 2
    assert df.groupby("session_id").size().eq(2).all()
    assert df["session_id"].nunique() == 200
    assert path.read_text().count("session_id,") == 1, "one header"


# --- folders, safety, export, manual entry -------------------------------------------------------


def test_read_logs_merges_duplicates_and_reports_per_file(tmp_path):
    write_rows(SessionLog(tmp_path / "ana.csv"), [row(1), row(2)])
    write_rows(SessionLog(tmp_path / "copy.csv"), [row(2), row(3)])  # s2 logged twice
    (tmp_path / "bad.csv").write_text("a;b;c\n1;2;3\n")
    (tmp_path / "notes.txt").write_text("not a log")
    with one_channel():
        df = read_logs(tmp_path)
    assert sorted(df["session_id"]) == ["s1", "s2", "s3"]
    (p,) = problems(df)
    assert p.file.endswith("bad.csv") and "semicolons" in p.reason
    with pytest.raises(LogError, match="semicolons"):
        read_logs(tmp_path, errors="raise")
    with pytest.raises(LogError, match="no such log"):
        read_logs(tmp_path / "missing")


@pytest.mark.parametrize(
    "bad", ["../ana", "a/b", "a\\b", "..", "", "ana/../../etc", "a" * 65, "a\nb", "ana\x00"]
)
def test_athlete_ids_never_leave_the_folder(tmp_path, bad):
    with pytest.raises(LogError, match="cannot be used as a file name"):
        athlete_path(tmp_path, bad)


def test_athlete_path_is_inside_the_folder(tmp_path):
    assert athlete_path(tmp_path, "ana-2.b") == (tmp_path / "ana-2.b.csv").resolve()


def test_export_neutralises_formulas_and_keeps_numbers(tmp_path):
    log = SessionLog(tmp_path / "a.csv")
    evil = ["=HYPERLINK(1)", "+1", "-2 felt good", "@SUM(A1)", "\tx", "fine"]
    write_rows(log, [row(i, note=n) for i, n in enumerate(evil)])
    out = export_for_spreadsheet(log.read(), tmp_path / "export.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert back["note"].tolist() == [
        "'=HYPERLINK(1)",
        "'+1",
        "'-2 felt good",
        "'@SUM(A1)",
        "'\tx",
        "fine",
    ]
    assert back["actual_s"].tolist() == [31.5] * 6
    assert back["target_s"].tolist() == [30.0] * 6


def test_manual_row_goes_through_validation(tmp_path):
    log = SessionLog(tmp_path / "a.csv")
    when = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    write_rows(log, [manual_row("ana", "side_plank", "left", 40, target_s=45, started_at=when)])
    (got,) = log.read(errors="raise").to_dict("records")
    assert got["routine"] == "manual" and got["completed"] is False and got["actual_s"] == 40
    with pytest.raises(LogError, match="side 'up'"):
        write_rows(log, [manual_row("ana", "side_plank", "up", 40)])


def test_cli_log_validate_and_export(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    args = ["log", "--log", str(path), "--athlete", "ana", "--exercise", "side_plank"]
    assert main([*args, "--side", "left", "--seconds", "35", "--discomfort", "2"]) == 0
    assert "logged 1 hold" in capsys.readouterr().out
    assert main([*args, "--side", "sideways", "--seconds", "35"]) == 2
    assert "side 'sideways'" in capsys.readouterr().err
    assert main(["validate", str(path)]) == 0
    assert "1 row read, 0 problems" in capsys.readouterr().out
    assert main(["validate", str(LOGS / "non_numeric.csv")]) == 1
    assert "non_numeric.csv:3: actual_s 'thirty'" in capsys.readouterr().out
    out = tmp_path / "x.csv"
    assert main(["export", str(path), "--out", str(out)]) == 0
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 1


def test_lazy_submodules_and_errors_share_a_base():
    assert issubclass(LogError, hipnb.HipnbError) and issubclass(
        hipnb.RoutineError, hipnb.HipnbError
    )


@pytest.mark.parametrize(
    "stamp, ok",
    [
        ("2028-02-29T07:00:00+01:00", True),  # leap year
        ("2027-02-29T07:00:00+01:00", False),
        ("2100-02-29T07:00:00+01:00", False),  # not a leap year
        ("2000-02-29T07:00:00+01:00", True),
        ("2026-04-31T07:00:00+01:00", False),
        ("2026-12-31T23:59:59-12:00", True),
        ("2026-11-24T24:00:00+00:00", False),
        ("2026-11-24T07:00:00+19:00", False),
    ],
)
def test_calendar_checks_on_the_fast_and_general_paths(tmp_path, stamp, ok):
    for other in ("2026-11-24T07:15:03-05:00", "2026-11-24T07:15:03Z"):  # fast path, general path
        path = tmp_path / "a.csv"
        path.unlink(missing_ok=True)
        body = [",".join(COLUMNS)] + [
            f"s{i},ana,{s},hip-basics,side_plank,left,30,30,true,,,"
            for i, s in enumerate([other, stamp])
        ]
        path.write_text("\n".join(body) + "\n")
        df = SessionLog(path).read()
        assert len(df) == (2 if ok else 1), (stamp, other)
        if ok:
            (got,) = df[df["session_id"] == "s1"].to_dict("records")
            assert got["started_at"] == pd.Timestamp(stamp).tz_convert("UTC")
            assert got["local_time"] == pd.Timestamp(stamp[:19])


def test_spaces_around_cells_are_trimmed_but_notes_are_kept():
    (row,) = SessionLog(LOGS / "padded.csv").read(errors="raise").to_dict("records")
    assert (row["session_id"], row["athlete"], row["side"]) == ("s1", "ana", "left")
    assert (row["target_s"], row["actual_s"], row["completed"], row["rpe"]) == (30, 31.5, True, 5)
    assert pd.isna(row["discomfort"]) and row["note"] == "  kept as typed "
    assert row["local_time"] == pd.Timestamp("2026-11-24 07:15:03")
