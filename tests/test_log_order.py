"""The order a read gives, and how much work a fault costs it."""

from __future__ import annotations

import warnings

import pyarrow.csv as pacsv
import pytest

from hipnb import SessionLog, read_logs
from hipnb.log import problems
from tests.rows import write_rows

from .test_log import row


def _squad(path, stamps):
    """One squad file: (athlete, minute) rows appended in the order given."""
    log = SessionLog(path)
    for i, (athlete, minute) in enumerate(stamps):
        write_rows(log, [row(minute, session_id=f"s{i}", athlete=athlete)])
    return log


def test_a_squad_file_in_time_order_reads_in_file_order(tmp_path):
    log = _squad(tmp_path / "squad.csv", [("bo", 1), ("ana", 2), ("bo", 3), ("ana", 4)])
    df = log.read()
    assert df["session_id"].tolist() == ["s0", "s1", "s2", "s3"]


def test_a_back_dated_row_moves_into_time_order_within_its_athletes_places(tmp_path):
    # bo's rows stand at places 0, 2 and 4; his row for minute 2 was entered last (back-dated)
    stamps = [("bo", 1), ("ana", 3), ("bo", 5), ("ana", 6), ("bo", 2)]
    df = _squad(tmp_path / "squad.csv", stamps).read()
    assert df["athlete"].tolist() == ["bo", "ana", "bo", "ana", "bo"]
    assert df["session_id"].tolist() == ["s0", "s1", "s4", "s3", "s2"]
    for _, rows in df.groupby("athlete"):
        assert rows["started_at"].is_monotonic_increasing


def test_a_folder_reads_file_after_file(tmp_path):
    _squad(tmp_path / "bo.csv", [("bo", 1), ("bo", 3)])
    _squad(tmp_path / "ana.csv", [("ana", 2), ("ana", 4)])
    df = read_logs(tmp_path)
    assert df["athlete"].tolist() == ["ana", "ana", "bo", "bo"]  # files by name


def _read_counting_parses(tmp_path, monkeypatch, mend):
    """A six-row squad file with its fourth line changed by ``mend``, read: (frame, parses)."""
    log = _squad(tmp_path / "squad.csv", [("bo", m) for m in range(6)])
    data = log.path.read_bytes().split(b"\r\n")
    data[3] = mend(data[3])
    log.path.write_bytes(b"\r\n".join(data))
    calls = []
    real = pacsv.read_csv
    monkeypatch.setattr(pacsv, "read_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return log.read(), len(calls)


def test_a_bad_value_costs_no_second_parse_and_only_its_row(tmp_path, monkeypatch):
    mend = lambda line: line.replace(b",31.5,", b",thirty,")  # noqa: E731
    df, parses = _read_counting_parses(tmp_path, monkeypatch, mend)
    assert parses == 1
    assert len(df) == 5
    [p] = problems(df)
    assert p.line == 4 and "actual_s 'thirty' is not a number of seconds" in p.reason


def test_a_row_cut_short_costs_one_more_parse_and_only_its_row(tmp_path, monkeypatch):
    mend = lambda line: line[:20]  # noqa: E731 (a row cut short, more rows appended after it)
    df, parses = _read_counting_parses(tmp_path, monkeypatch, mend)
    assert parses == 2  # the first fails; the second leaves the short row out and says so
    assert df["session_id"].tolist() == ["s0", "s1", "s3", "s4", "s5"]
    [p] = problems(df)
    assert p.line == 4 and "row has 3 fields, expected 15" in p.reason


def test_a_bare_cr_sends_the_file_line_by_line_and_costs_only_its_row(tmp_path, monkeypatch):
    mend = lambda line: line.replace(b",side_plank,", b",side\rplank,")  # noqa: E731
    df, parses = _read_counting_parses(tmp_path, monkeypatch, mend)
    assert parses == 3  # plain, leaving rows out (a split row does not add up), then the rest
    assert df["session_id"].tolist() == ["s0", "s1", "s3", "s4", "s5"]
    [p] = problems(df)
    assert p.line == 4 and "bare carriage return" in p.reason


@pytest.mark.parametrize(
    "stamps",
    [
        [("ana", 10), ("bo", 9), ("ana", 10)],  # each athlete in time order, the file not
        [("bo", 9), ("ana", 10), ("bo", 10), ("ana", 10)],  # in time order overall
        [("ana", 10), ("bo", 11), ("ana", 3), ("ana", 10)],  # neither
    ],
)
def test_a_hold_written_twice_is_kept_once_whatever_the_order(tmp_path, stamps):
    log = SessionLog(tmp_path / "squad.csv")
    for athlete, minute in stamps:  # the same session id: the same hold when the start matches
        write_rows(log, [row(minute, session_id="s", athlete=athlete, note=f"{athlete}{minute}")])
    df = log.read()
    assert len(df) == len(set(stamps))
    assert not df.duplicated(["athlete", "started_at"]).any()


def test_columns_checked_in_threads_give_what_one_thread_gives(monkeypatch):
    import pandas as pd
    import pyarrow as pa

    from hipnb.log import check
    from hipnb.log.spec import ALL_COLUMNS

    good = [row(i, session_id=f"s{i}", athlete=("Zoë", "李娜", "ana")[i % 3]) for i in range(30)]
    bad = [
        row(1, actual_s="thirty"),
        row(2, side="up"),
        row(3, started_at="2026-02-30T07:00:00+00:00"),
        row(4, rpe="11"),
        row(5, athlete=""),
        row(6, completed="maybe"),
    ]
    cells = [["" if r.get(c) is None else str(r.get(c)) for c in ALL_COLUMNS] for r in good + bad]
    table = pa.table(
        {
            c: pa.array([v[k] or None for v in cells] * 2000, pa.string())
            for k, c in enumerate(ALL_COLUMNS)
        }
    )
    assert table.num_rows > check._THREADED_ROWS
    threaded = check.check_rows(table, nulls=True, aside={7: "set aside"})
    monkeypatch.setattr(check, "_THREADED_ROWS", 10**9)
    single = check.check_rows(table, nulls=True, aside={7: "set aside"})
    pd.testing.assert_frame_equal(threaded[0], single[0])
    pd.testing.assert_series_equal(threaded[1], single[1])
    assert threaded[1].notna().sum() == 6 * 2000 + 1
