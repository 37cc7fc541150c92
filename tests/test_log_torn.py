"""No file is lost for a row: bytes that would take a file down, and rows torn inside their last
field, in the hold log and the run log alike (one engine)."""

from __future__ import annotations

import pytest

from hipnb import LogError
from hipnb.cli import main
from hipnb.log import ALL_COLUMNS, COLUMNS, problems
from hipnb.log.torn import sidecar
from tests.tables import HOLD_LOG, IDS, LOGS, RUN_LOG

both = pytest.mark.parametrize("log", LOGS, ids=IDS)


def _write(log, path, rows, columns=None) -> None:
    """``rows`` as ``log``'s text with LF line ends (a file some other tool saved)."""
    path.write_bytes(log.text_of(rows, columns).replace(b"\r\n", b"\n"))


@both
def test_a_field_longer_than_a_parse_block_is_read(tmp_path, log):
    path = tmp_path / "ana.csv"
    rows = [log.row(0), log.row(1, note="x" * (9 << 20)), log.row(2)]
    _write(log, path, rows, log.table.first)
    df = log.read(path)
    assert len(df) == 3, problems(df)
    assert len(df[log.text].iloc[1]) == 9 << 20


@both
def test_one_row_that_is_not_utf8_is_reported_and_the_others_read(tmp_path, log):
    path = tmp_path / "ana.csv"
    _write(log, path, [log.row(i) for i in range(5)], log.table.first)
    data = path.read_bytes().replace(b"s3,ana", b"s3,an\xe9", 1)
    path.write_bytes(data)
    df = log.read(path)
    assert sorted(df[log.key]) == ["s0", "s1", "s2", "s4"]
    [p] = problems(df)
    assert p.line == 5 and "not UTF-8" in p.reason and "hipnb repair" in p.reason


@both
def test_appending_to_a_file_that_is_not_utf8_is_refused_and_says_how_to_convert(tmp_path, log):
    path = tmp_path / "ana.csv"
    _write(log, path, [log.row(0, note="café")], log.table.first)
    path.write_bytes(path.read_bytes().decode().encode("cp1252"))  # saved by Excel on Windows
    before = path.read_bytes()
    with pytest.raises(
        LogError, match=r"ana.csv: cannot append: the file is not UTF-8 text \(its last line"
    ) as info:
        log.append(path, [log.row(1)])
    assert "hipnb repair" in str(info.value) and "--in-place" in str(info.value)
    assert path.read_bytes() == before


# --- a row torn inside its last field ------------------------------------------------------------


def _cut_inside_last_field(log, tmp_path, columns, last, cut):
    path = tmp_path / "ana.csv"
    rows = [log.row(0), log.row(1, **last), log.row(2)]
    _write(log, path, rows[:2], columns)
    data = path.read_bytes()
    assert data.endswith(cut + b"\n")
    path.write_bytes(data[: -len(cut) - 1])  # the write was cut off: the last bytes are lost
    return path, rows


@pytest.mark.parametrize(
    "log, columns, last, cut",
    [
        (HOLD_LOG, ALL_COLUMNS, {"pain_at_s": 28.75}, b".75"),
        (HOLD_LOG, COLUMNS, {"note": "sharp pain do not progress"}, b" not progress"),
        (RUN_LOG, RUN_LOG.table.names, {"name": "sharp pain do not progress"}, b" not progress"),
    ],
    ids=["15 columns, pain_at_s", "12 columns, note", "run log, name"],
)
def test_a_row_torn_inside_its_last_field_is_reported_before_and_after_an_append(
    tmp_path, log, columns, last, cut
):
    path, rows = _cut_inside_last_field(log, tmp_path, columns, last, cut)
    df = log.read(path)
    assert df[log.key].tolist() == ["s0"]
    [p] = problems(df)
    assert p.line == 3 and "no line end" in p.reason and f"--accept {path}:3" in p.reason

    log.append(path, [rows[2]])  # the append ends the torn line and remembers it
    assert sidecar(path).exists()
    df = log.read(path)
    assert df[log.key].tolist() == ["s0", "s2"], "never read as a plain 28 / 'sharp pain do'"
    [p] = problems(df)
    assert p.line == 3 and "next row was appended" in p.reason
    with pytest.raises(LogError, match=r"ana.csv:3: "):
        log.read(path, errors="raise")

    assert main(["validate", "--accept", f"{path}:3"]) == 0
    df = log.read(path)
    assert df[log.key].tolist() == ["s0", "s1", "s2"] and problems(df) == []


@both
def test_a_hand_saved_file_without_a_final_line_end_gives_one_notice_clearable(
    tmp_path, capsys, log
):
    path = tmp_path / "ana.csv"
    _write(log, path, [log.row(0), log.row(1)], log.table.first)
    path.write_bytes(path.read_bytes()[:-1])  # Google Sheets omits the final line end
    df = log.read(path)
    assert df[log.key].tolist() == ["s0"]
    assert [p.line for p in problems(df)] == [3]
    log.append(path, [log.row(2)])  # the timer's append never fails for it
    df = log.read(path)
    assert [p.line for p in problems(df)] == [3], "one notice, not two"
    if log is HOLD_LOG:  # validate reads hold logs
        assert main(["validate", "--accept", f"{path}:3", str(path)]) == 0
        out = capsys.readouterr().out
        assert "accepted" in out and "3 rows read, 0 problems" in out
    else:
        assert main(["validate", "--accept", f"{path}:3"]) == 0
        assert "accepted" in capsys.readouterr().out
    df = log.read(path)
    assert len(df) == 3 and problems(df) == []


@both
def test_an_acceptance_does_not_cover_a_line_changed_since(tmp_path, log):
    path, rows = _cut_inside_last_field(log, tmp_path, log.table.names, dict(log.last), b".75")
    assert main(["validate", "--accept", f"{path}:3"]) == 0
    assert len(log.read(path)) == 2
    path.write_bytes(path.read_bytes()[:-2])  # cut further: other bytes, reported again
    assert [p.line for p in problems(log.read(path))] == [3]


def test_accept_names_a_row_of_the_file(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    _write(HOLD_LOG, path, [HOLD_LOG.row(0)], COLUMNS)
    assert main(["validate", "--accept", f"{path}:9"]) != 0
    assert "ana.csv:9: no such row" in capsys.readouterr().err


@both
def test_a_carriage_return_inside_a_quoted_note_is_the_notes_own(tmp_path, log):
    """A note (a run's name) holding CR and LF is written quoted; reading it back keeps it whole,
    reports nothing."""
    path = tmp_path / "ana.csv"
    log.append(path, [log.row(0, note="a\nb"), log.row(1, note="c\rd", side="right")])
    df = log.read(path, errors="raise")
    assert sorted(df[log.text]) == ["a\nb", "c\rd"]
