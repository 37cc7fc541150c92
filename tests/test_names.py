"""Athletes are people: names in any script, one gate from a name to a file, never leaving the folder."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipnb import LogError, SessionLog, athlete_path
from hipnb.log import athlete_file_stem, normalize_name
from tests.rows import write_rows

NAMES = ["ana", "Ana María", "Zoë", "O'Neil", "李娜", "Анна", "José-Luis", "Dr. K", "مريم", "ana_2"]


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_script_round_trip_through_append_and_read(tmp_path, name):
    path = athlete_path(tmp_path, name)
    log = SessionLog(path)
    write_rows(
        log,
        [
            {
                "session_id": "s1",
                "athlete": name,
                "started_at": "2026-11-24T07:15:03-05:00",
                "routine": "manual",
                "exercise": "side_plank",
                "side": "left",
                "target_s": 30,
                "actual_s": 30,
                "completed": True,
            }
        ],
    )
    df = log.read(errors="raise")
    assert df["athlete"].tolist() == [name]
    assert path.parent == tmp_path.resolve()
    assert path.read_text(encoding="utf-8").count(name) == 1


def test_plain_lower_case_ids_keep_their_file_names(tmp_path):
    for name in ("ana", "athlete007", "ana-2.b", "j_smith"):
        assert athlete_path(tmp_path, name) == (tmp_path / f"{name}.csv").resolve()


def test_decomposed_and_composed_names_are_one_athlete(tmp_path):
    composed, decomposed = "Zoë", unicodedata.normalize("NFD", "Zoë")
    assert composed != decomposed
    assert normalize_name(decomposed) == composed
    assert athlete_path(tmp_path, decomposed) == athlete_path(tmp_path, composed)
    assert normalize_name("  Zoë ") == "Zoë"


@pytest.mark.parametrize(
    "name, stem_start",
    [
        ("CON", "athlete-con~"),
        ("con", "athlete-con~"),
        ("nul.txt", "nul-txt~"),
        ("ana.", "ana~"),
        ("Ana", "ana~"),
        ("李娜", "athlete~"),
        ("Zoë", "zoe~"),
        (".hidden", "hidden~"),
    ],
)
def test_unsafe_or_non_plain_names_get_a_readable_stem_and_a_hash(tmp_path, name, stem_start):
    stem = athlete_file_stem(name)
    assert stem.startswith(stem_start)
    assert not stem.endswith((".", " "))
    assert athlete_path(tmp_path, name).name == f"{stem}.csv"


def test_names_that_differ_only_in_case_never_share_a_file(tmp_path):
    stems = {athlete_file_stem(n).lower() for n in ("ana", "Ana", "ANA", "aNa")}
    assert len(stems) == 4


@pytest.mark.parametrize(
    "bad, why",
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("a/b", "contains '/'"),
        ("..", "has no letter or digit"),
        ("ana\nbob", "contains '\\n'"),
        ("ana\x00", "contains"),
        ("a" * 65, "longer than 64"),
        ("ana;drop", "contains ';'"),
    ],
)
def test_bad_names_are_refused_with_the_reason(tmp_path, bad, why):
    with pytest.raises(LogError, match="cannot be used as a file name") as info:
        athlete_path(tmp_path, bad)
    assert why in str(info.value)


@settings(max_examples=300, deadline=None)
@given(name=st.text(max_size=70))
def test_no_name_ever_leaves_the_folder(tmp_path_factory, name):
    folder = tmp_path_factory.getbasetemp() / "squad"
    try:
        path = athlete_path(folder, name)
    except LogError:
        return
    assert path.parent == folder.resolve()
    assert path.suffix == ".csv" and not path.stem.endswith((".", " "))
    assert all(ord(c) < 128 for c in path.name)
