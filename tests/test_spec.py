"""The column spec is the one place a column's rule is written: everything else is checked against it."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pandas as pd
import pytest

from hipnb.holds import EDITABLE as HOLDS_EDITABLE
from hipnb.log import ALL_COLUMNS, EDITABLE, SPEC, Hold, to_frame
from hipnb.log.spec import SPEC_BY_NAME, column_table

ROOT = Path(__file__).resolve().parents[1]
GOOD = {
    "session_id": "s1",
    "athlete": "Zoë",
    "started_at": "2026-11-24T07:15:03-05:00",
    "routine": "manual",
    "exercise": "side_plank",
    "side": "left",
    "target_s": 30,
    "actual_s": 35.5,
    "completed": True,
    "rpe": 4,
    "discomfort": None,
    "note": "fine",
}


def test_the_readme_table_is_the_spec():
    assert column_table() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_hold_rows_have_the_spec_columns():
    keys = typing.get_type_hints(Hold)
    assert tuple(keys) == ALL_COLUMNS


def test_editable_is_one_list():
    assert HOLDS_EDITABLE is EDITABLE
    assert "athlete" not in EDITABLE and "session_id" not in EDITABLE


@pytest.mark.parametrize("column", SPEC, ids=lambda c: c.name)
def test_each_value_written_reads_back_as_itself(column):
    typed = to_frame([GOOD])
    again = to_frame([{name: SPEC_BY_NAME[name].text(typed.iloc[0][name]) if name != "started_at"
                       else GOOD["started_at"] for name in GOOD}])  # fmt: skip
    a, b = typed.iloc[0][column.name], again.iloc[0][column.name]
    assert (pd.isna(a) and pd.isna(b)) or a == b


@pytest.mark.parametrize(
    ("column", "bad", "words"),
    [
        ("side", "middle", "side 'middle' is not one of left, right, both"),
        ("actual_s", -1, "actual_s -1 s is negative"),
        ("actual_s", 9000, "actual_s 9000 s is absurd for one hold (over 2 h)"),
        ("rpe", 11, "rpe '11' is not a whole number from 0 to 10"),
        ("completed", "maybe", "completed 'maybe' is not true/false"),
        ("exercise", "Side Plank", "exercise 'Side Plank' is not an id"),
        ("started_at", "0000-01-01T07:00:00+00:00", "starts before 1990-01-01"),
        ("session_id", "", "session_id is empty"),
    ],
)
def test_the_words_come_from_the_spec(column, bad, words):
    with pytest.raises(Exception, match=re.escape(words)):
        to_frame([GOOD | {column: bad}])


def test_numbers_are_written_as_logs_have_them_and_shown_as_people_read_them():
    seconds = SPEC_BY_NAME["actual_s"]
    # new rows store seconds to 0.1 s (hipnb.seconds.stored), one rule for a value and a column
    assert [seconds.text(v) for v in (35, 35.0, 35.26, None)] == ["35.0", "35.0", "35.3", ""]
    assert seconds.texts(pd.Series([35.0, 35.26, None])).tolist() == ["35.0", "35.3", "nan"]
    assert [seconds.shown(v) for v in (35.0, 35.26)] == ["35 s", "35.3 s"]
    assert SPEC_BY_NAME["rpe"].texts(pd.Series([6.0, None])).tolist() == ["6", ""]
    pain = SPEC_BY_NAME["pain_at_s"]  # optional: missing is empty; required: a missing number is
    assert pain.texts(pd.Series([3.5, None])).tolist() == ["3.5", ""]  # reported as not a number
    assert SPEC_BY_NAME["actual_s"].words == "time held" and SPEC_BY_NAME["side"].words == "side"


def test_the_readme_lists_the_export_columns():
    from hipnb.log.export import EXPORT_COLUMNS

    listed = ", ".join(f"`{c}`" for c in EXPORT_COLUMNS)
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert listed in readme
