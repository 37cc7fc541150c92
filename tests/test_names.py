"""Athletes are people: names in any script, one gate from a name to a file, never leaving the folder."""

from __future__ import annotations

import html
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


# --------------------------------------------------------------------------------------------------
# names as tools mangle them, at every door and every read

CYRILLIC_A = "\u0430na"  # а (CYRILLIC SMALL LETTER A), then Latin n and a: prints as "ana"
#: (id, the name typed, words every door says)
MANGLED = [
    ("confusable", CYRILLIC_A, "prints the same with other characters"),
    ("confusable_hint", CYRILLIC_A, "did you mean 'ana'?"),
    ("mojibake", "RamÃ³n", "looks like 'Ramón' with its UTF-8 read as Windows-1252"),
    ("mojibake_zoe", "ZoÃ«", "looks like 'Zoë'"),
    ("mixed_script", "\u0412\u0435n", "mixes Cyrillic and Latin letters"),  # В, е, then Latin n
    ("mixed_script_hint", "\u0412\u0435n", "did you mean 'Ben'?"),
]


def _door_log(folder, name):
    from hipnb.cli import main

    args = ["log", "--log", str(folder / "new.csv"), "--athlete", name, "--new-athlete"]
    args += ["--exercise", "side_plank", "--side", "left", "--seconds", "30"]
    args += ["--when", "2026-11-24T07:15:00-05:00"]
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(args)
    return err.getvalue() if status else None


def _door_add(folder, name):
    from hipnb.log import manual_row

    row = manual_row(name, "side_plank", "left", 30, started_at="2026-11-24T07:15:00-05:00")
    try:
        SessionLog(folder / "new.csv").add(row, new_athlete=True)
    except LogError as exc:
        return str(exc)
    return None


def _door_manual_entry(folder, name):
    from hipnb.widgets import ManualEntry

    try:  # the form refuses a name it cannot use when it is made, or when it saves
        form = ManualEntry(SessionLog(folder / "new.csv"), athlete=name)
    except LogError as exc:
        return str(exc)
    form.new_athlete.value = True
    form.exercise.value = "side_plank"
    form.seconds.value = 30
    form.save.click()
    return None if "Saved" in form.status.value else form.status.value


def _door_runs_import(folder, name):
    from hipnb.cli import main

    export = folder / "runs-export.csv"
    export.write_text("date,distance_km,duration\n2026-11-20,5.0,00:30:00\n")
    import contextlib
    import io

    err = io.StringIO()
    args = ["runs", "import", str(export), "--athlete", name, "--logs", str(folder)]
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main([*args, "--new-athlete"])
    return err.getvalue() if status else None


def _door_phone(folder, name):
    from hipnb.errors import HipnbError
    from hipnb.phone import PhoneSettings

    try:
        PhoneSettings.checked(name, folder, new_athlete=True)
    except HipnbError as exc:
        return str(exc)
    return None


NAME_DOORS = {
    "hipnb log": _door_log,
    "SessionLog.add": _door_add,
    "ManualEntry": _door_manual_entry,
    "runs import": _door_runs_import,
    "phone settings": _door_phone,
}


@pytest.fixture
def squad(tmp_path):
    """A folder where ana has a log, so a name that prints like hers is known."""
    write_rows(SessionLog(tmp_path / "ana.csv"), [_row("ana")])
    return tmp_path


def _row(name, stamp="2026-11-23T07:00:00-05:00"):
    return {"session_id": "s0", "athlete": name, "started_at": stamp, "routine": "manual",
            "exercise": "side_plank", "side": "left", "target_s": 30, "actual_s": 30,
            "completed": True}  # fmt: skip


@pytest.mark.parametrize("door", NAME_DOORS)
@pytest.mark.parametrize(("name", "words"), [c[1:] for c in MANGLED], ids=[c[0] for c in MANGLED])
def test_every_door_knows_a_mangled_name_even_for_a_new_athlete(squad, door, name, words):
    before = _logs(squad)
    said = NAME_DOORS[door](squad, name)
    assert said is not None and words in html.unescape(said), said
    assert _logs(squad) == before  # nothing written


def _logs(folder):
    """Every log file in ``folder`` and its runs, with its bytes (locks and the export aside)."""
    return {
        p.relative_to(folder): p.read_bytes()
        for p in folder.rglob("*.csv")
        if p.name != "runs-export.csv"
    }


@pytest.mark.parametrize("door", NAME_DOORS)
@pytest.mark.parametrize("name", ["Zoë", "李娜", "Анна"])
def test_every_door_still_takes_a_real_new_name_in_any_script(squad, door, name):
    assert NAME_DOORS[door](squad, name) is None


def test_a_read_reports_each_row_of_a_mojibake_name_and_knows_no_such_athlete(tmp_path):
    from hipnb.names import known_athletes

    path = tmp_path / "squad.csv"
    write_rows(path, [_row("ana"), {**_row("Ramón"), "session_id": "s1"}])
    path.write_bytes(path.read_bytes().replace("Ramón".encode(), "RamÃ³n".encode()))
    df = SessionLog(path).read()
    assert df["athlete"].tolist() == ["ana"]
    [p] = df.attrs["problems"]
    assert p.line == 3 and "looks like 'Ramón'" in p.reason and "hipnb repair" in p.reason
    assert known_athletes(tmp_path) == {"ana"}


def test_confusables_come_from_unicode_data_not_a_few_letters():
    from hipnb.names import mixed_script_problem, same_athlete_problem, skeleton

    greek_o, cyrillic_o, latin_o = "\u03bf", "\u043e", "o"
    assert skeleton(f"t{greek_o}m") == skeleton(f"t{cyrillic_o}m") == skeleton(f"t{latin_o}m")
    assert skeleton("\u0441\u043e\u0441\u043e") == skeleton("coco")  # whole-script: Cyrillic сосо
    assert "did you mean 'coco'?" in same_athlete_problem("\u0441\u043e\u0441\u043e", ["coco"])
    assert skeleton("ana") != skeleton("ama") and skeleton("Zoë") == skeleton("ZOE")
    for ok in ("Ana María", "李娜", "山田たろう", "Kim 김민준", "Анна", "مريم", "O'Neil"):
        assert mixed_script_problem(ok) is None, ok
    assert same_athlete_problem("Анна", ["Anna"]) is None  # Cyrillic н is no Latin n: two people


@pytest.mark.parametrize("name", ["Ramón", "Zoë", "José-Luis", "Renée", "Ægir", "李娜", "Åsa"])
def test_real_names_are_never_taken_for_mojibake(name):
    from hipnb.names import mojibake_problem

    assert mojibake_problem(name) is None


def test_validate_names_two_athletes_whose_names_print_alike(tmp_path, capsys):
    from hipnb.cli import main

    write_rows(SessionLog(tmp_path / "ana.csv"), [_row("ana")])
    write_rows(SessionLog(athlete_path(tmp_path, CYRILLIC_A)), [_row(CYRILLIC_A)])  # by hand
    write_rows(SessionLog(athlete_path(tmp_path, "Zoe")), [_row("Zoe")])
    write_rows(SessionLog(athlete_path(tmp_path, "Zoë")), [_row("Zoë")])
    main(["validate", str(tmp_path)])
    out = capsys.readouterr().out
    assert f"athletes 'ana' and '{CYRILLIC_A}' print alike" in out
    assert "CYRILLIC SMALL LETTER A" in out
    assert "athletes 'Zoe' and 'Zoë' differ only in case or accents" in out
