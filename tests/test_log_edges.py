"""Edges a differential fuzz of the reader found: each bad line is reported, every other row read."""

from __future__ import annotations

import pytest

from hipnb import read_logs
from hipnb.log import problems

H12 = (
    b"session_id,athlete,started_at,routine,exercise,side,target_s,actual_s,completed,rpe,"
    b"discomfort,note\n"
)
H15 = H12[:-1] + b",hold_id,action,pain_at_s\n"
R = b"s1,ana,2026-11-24T07:15:03-05:00,hip-basics,side_plank,left,30,30,true,,,"
R2 = b"s2,ana,2026-11-24T07:16:03-05:00,hip-basics,side_plank,right,30,30,true,,,"
R3 = b"s3,ana,2026-11-24T07:17:03-05:00,hip-basics,side_plank,left,30,30,true,,,"
DELETE = b",ana,,,,,,,,,,,s2|side_plank|right|2026-11-24T12:16:03Z,delete,"


def _read(tmp_path, data):
    path = tmp_path / "ana.csv"
    path.write_bytes(data)
    df = read_logs([path])
    return df, [(p.line, p.reason) for p in problems(df)]


@pytest.mark.parametrize(
    ("data", "sessions", "line", "words"),
    [
        # a row with a quoted extra field is reported, never the whole file
        (H12 + R + b'x,"y"\n' + R2 + b"\n", ["s2"], 2, "row has 13 fields, expected 12"),
        # a space before a quote: the quote is a plain character, as pyarrow reads it
        (H12 + R + b' "a, b"\n' + R2 + b"\n", ["s2"], 2, "row has 13 fields, expected 12"),
        # text in an optional number column
        (H15 + R + b",,,abc\n" + R2 + b",,,\n", ["s2"], 2, "pain_at_s 'abc' is not a number"),
        (H12 + R.replace(b"true,,", b"true,abc,") + b"\n" + R2 + b"\n", ["s2"], 2, "rpe 'abc'"),
        # a quote that never closes: the lines after it are read on their own
        (H12 + R + b'"oops\n' + R2 + b"\n", ["s2"], 2, "never closes"),
    ],
)
def test_the_bad_line_is_reported_and_the_rest_read(tmp_path, data, sessions, line, words):
    df, found = _read(tmp_path, data)
    assert sorted(df["session_id"]) == sessions
    assert found[0][0] == line and words in found[0][1], found


@pytest.mark.parametrize("blank", [b" ", b"\t", "\u00a0".encode(), "\u202f".encode()])
def test_an_action_of_spaces_is_a_new_hold(tmp_path, blank):
    df, found = _read(tmp_path, H15 + R + b",," + blank + b",\n")
    assert found == [] and df["session_id"].tolist() == ["s1"]


def test_a_correction_after_a_quote_that_never_closes_still_applies(tmp_path):
    data = H15 + R + b",,,\n" + R2 + b',,,\n"oops,,,\n' + DELETE + b"\n" + R3 + b",,,\n"
    df, found = _read(tmp_path, data)
    assert sorted(df["session_id"]) == ["s1", "s3"]  # s2 deleted by the line after the bad one
    assert [line for line, _ in found] == [4]


def test_two_rows_cut_alike_are_both_reported_at_their_own_lines(tmp_path):
    cut = R[:30] + b"\n"
    df, found = _read(tmp_path, H12 + R + b"\n" + cut + R2 + b"\n" + cut + R3 + b"\n")
    assert sorted(df["session_id"]) == ["s1", "s2", "s3"]
    assert [line for line, _ in found] == [3, 5]
    assert all("row has 3 fields, expected 12" in why for _, why in found)
