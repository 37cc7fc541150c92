"""No file is lost for a row: bytes that would take a file down, and rows torn inside their last field."""

from __future__ import annotations

import pytest

from hipnb import LogError, SessionLog, read_logs
from hipnb.cli import main
from hipnb.log import ALL_COLUMNS, COLUMNS, problems
from hipnb.log.torn import sidecar
from tests.rows import write_rows

from .test_log import row


def quiet_read(target):
    return read_logs(target)


def _line(values: dict, columns) -> str:
    return ",".join(str(values.get(c, "") if values.get(c) is not None else "") for c in columns)


def _write(path, rows, columns) -> None:
    text = ",".join(columns) + "\n" + "".join(_line(r, columns) + "\n" for r in rows)
    path.write_bytes(text.encode())


def test_a_field_longer_than_a_parse_block_is_read(tmp_path):
    path = tmp_path / "ana.csv"
    rows = [row(0), row(1, note="x" * (9 << 20)), row(2)]
    _write(path, rows, COLUMNS)
    df = quiet_read(path)
    assert len(df) == 3, problems(df)
    assert len(df["note"].iloc[1]) == 9 << 20


def test_one_row_that_is_not_utf8_is_reported_and_the_others_read(tmp_path):
    path = tmp_path / "ana.csv"
    _write(path, [row(i) for i in range(5)], COLUMNS)
    data = path.read_bytes().replace(b"s3,ana", b"s3,an\xe9", 1)
    path.write_bytes(data)
    df = quiet_read(path)
    assert sorted(df["session_id"]) == ["s0", "s1", "s2", "s4"]
    [p] = problems(df)
    assert p.line == 5 and "not UTF-8" in p.reason and "hipnb repair" in p.reason


def test_appending_to_a_file_that_is_not_utf8_is_refused_and_says_how_to_convert(tmp_path):
    path = tmp_path / "ana.csv"
    _write(path, [row(0, note="café")], COLUMNS)
    path.write_bytes(path.read_bytes().decode().encode("cp1252"))  # saved by Excel on Windows
    before = path.read_bytes()
    with pytest.raises(
        LogError, match=r"ana.csv: cannot append: the file is not UTF-8 text \(its last line"
    ) as info:
        write_rows(SessionLog(path), [row(1)])
    assert "hipnb repair" in str(info.value) and "--in-place" in str(info.value)
    assert path.read_bytes() == before


# --- a row torn inside its last field ------------------------------------------------------------


def _cut_inside_last_field(tmp_path, columns, last, cut):
    path = tmp_path / "ana.csv"
    rows = [row(0), row(1, **last), row(2)]
    _write(path, rows[:2], columns)
    data = path.read_bytes()
    assert data.endswith(cut + b"\n")
    path.write_bytes(data[: -len(cut) - 1])  # the write was cut off: the last bytes are lost
    return path, rows


@pytest.mark.parametrize(
    "columns, last, cut",
    [
        (ALL_COLUMNS, {"pain_at_s": 28.75}, b".75"),
        (COLUMNS, {"note": "sharp pain do not progress"}, b" not progress"),
    ],
    ids=["15 columns, pain_at_s", "12 columns, note"],
)
def test_a_row_torn_inside_its_last_field_is_reported_before_and_after_an_append(
    tmp_path, columns, last, cut
):
    path, rows = _cut_inside_last_field(tmp_path, columns, last, cut)
    df = quiet_read(path)
    assert df["session_id"].tolist() == ["s0"]
    [p] = problems(df)
    assert p.line == 3 and "no line end" in p.reason and f"--accept {path}:3" in p.reason

    write_rows(SessionLog(path), [rows[2]])  # the append ends the torn line and remembers it
    assert sidecar(path).exists()
    df = quiet_read(path)
    assert df["session_id"].tolist() == ["s0", "s2"], "never read as a plain 28 / 'sharp pain do'"
    [p] = problems(df)
    assert p.line == 3 and "next row was appended" in p.reason
    with pytest.raises(LogError, match=r"ana.csv:3: "):
        read_logs(path, errors="raise")

    assert main(["validate", "--accept", f"{path}:3"]) == 0
    df = quiet_read(path)
    assert df["session_id"].tolist() == ["s0", "s1", "s2"] and problems(df) == []


def test_a_hand_saved_file_without_a_final_line_end_gives_one_notice_clearable(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    _write(path, [row(0), row(1)], COLUMNS)
    path.write_bytes(path.read_bytes()[:-1])  # Google Sheets omits the final line end
    df = quiet_read(path)
    assert df["session_id"].tolist() == ["s0"]
    assert [p.line for p in problems(df)] == [3]
    write_rows(SessionLog(path), [row(2)])  # the timer's append never fails for it
    df = quiet_read(path)
    assert [p.line for p in problems(df)] == [3], "one notice, not two"
    assert main(["validate", "--accept", f"{path}:3", str(path)]) == 0
    out = capsys.readouterr().out
    assert "accepted" in out and "3 rows read, 0 problems" in out


def test_an_acceptance_does_not_cover_a_line_changed_since(tmp_path):
    path, rows = _cut_inside_last_field(tmp_path, ALL_COLUMNS, {"pain_at_s": 28.75}, b".75")
    assert main(["validate", "--accept", f"{path}:3"]) == 0
    assert len(quiet_read(path)) == 2
    path.write_bytes(path.read_bytes()[:-2])  # cut further: other bytes, reported again
    assert [p.line for p in problems(quiet_read(path))] == [3]


def test_accept_names_a_row_of_the_file(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    _write(path, [row(0)], COLUMNS)
    assert main(["validate", "--accept", f"{path}:9"]) != 0
    assert "ana.csv:9: no such row" in capsys.readouterr().err


def test_a_carriage_return_inside_a_quoted_note_is_the_notes_own(tmp_path):
    """A note holding CR and LF is written quoted; reading it back keeps it whole, reports nothing."""
    from datetime import UTC, datetime

    from hipnb.log import SessionLog, manual_row

    log = SessionLog(tmp_path / "ana.csv")
    when = datetime(2026, 11, 24, 7, 15, tzinfo=UTC)
    rows = [
        manual_row("ana", "side_plank", "left", 30, target_s=30, started_at=when, note="a\nb"),
        manual_row("ana", "side_plank", "right", 30, target_s=30, started_at=when, note="c\rd"),
    ]
    write_rows(log, rows)
    df = log.read(errors="raise")
    assert sorted(df["note"]) == ["a\nb", "c\rd"]
