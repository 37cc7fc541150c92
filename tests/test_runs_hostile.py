"""Runs import with any export: damaged and hostile files (a fixed-seed fuzz over FIT, GPX, TCX and
CSV bytes), size caps and gzip bombs, the Strava zip, other languages, the date rule, clock
changes, content ids of plain CSV runs and the athlete name gate."""

from __future__ import annotations

import gzip
import io
import random
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

import hipnb
from hipnb.cli import main
from hipnb.errors import HipnbError
from hipnb.log import Problem
from hipnb.runs import RUN_COLUMNS, RunLog, formats, import_runs, read_runs, runs_path
from hipnb.runs.formats import read_activity
from tests.conftest import DATA
from tests.rows import write_rows

from .test_log import one_channel

RUNS = DATA / "runs"
MADRID = "Europe/Madrid"
FUZZ_SEED = 20261129
FUZZ_PER_FILE = 1500
FUZZED = {
    "morning_run.fit": RUNS / "fit" / "morning_run.fit",
    "track_session.gpx": RUNS / "good" / "track_session.gpx",
    "intervals.tcx": RUNS / "good" / "intervals.tcx",
    "plain_runs.csv": RUNS / "good" / "plain_runs.csv",
    "garmin_activities.csv": RUNS / "good" / "garmin_activities.csv",
    "activities.csv": RUNS / "strava_export" / "activities.csv",
}


def _imp(path, tmp_path, **kw):
    kw.setdefault("tz", MADRID)
    kw.setdefault("new_athlete", True)
    return import_runs(path, "ana", logs=tmp_path, **kw)


def _mutants(data: bytes, rng: random.Random, n: int):
    """``n`` damaged copies: 1-4 flipped bytes, a cut, a repeated or deleted slice, junk."""
    for i in range(n):
        b = bytearray(data)
        how = i % 4
        if how == 0:
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif how == 1:
            del b[rng.randrange(1, len(b)) :]
        elif how == 2:
            at, size = rng.randrange(len(b)), rng.randint(1, 64)
            b[at:at] = b[at : at + size] * rng.randint(1, 3)
            del b[rng.randrange(len(b)) :][: rng.randint(0, 8)]
        else:
            at = rng.randrange(len(b))
            b[at : at + rng.randint(1, 16)] = rng.randbytes(rng.randint(1, 16))
        yield bytes(b)


def _with_fit_crc(data: bytes) -> bytes:
    """``data`` with its last two bytes set to the FIT CRC of the rest."""
    from fitdecode.utils import compute_crc

    return data[:-2] + compute_crc(data[:-2]).to_bytes(2, "little")


@pytest.mark.parametrize("name", sorted(FUZZED))
def test_fuzzed_files_never_raise_and_always_say_where(name):
    rng = random.Random(f"{FUZZ_SEED}:{name}")
    data = FUZZED[name].read_bytes()
    problems = activities = 0
    for mutant in _mutants(data, rng, FUZZ_PER_FILE):
        variants = [(name, mutant), (name + ".gz", gzip.compress(mutant, mtime=0))]
        if name.endswith(".fit") and len(mutant) > 14:  # past the CRC check, into the decoder
            variants.append((name, _with_fit_crc(mutant)))
        for shown, blob in variants:
            found, probs = read_activity(shown, lambda blob=blob: io.BytesIO(blob), units="km")
            activities += len(found)
            problems += len(probs)
            for p in probs:
                assert isinstance(p, Problem) and p.file == shown
                assert isinstance(p.line, int) and p.line >= 1 and p.reason.strip()
                assert str(p).startswith(f"{shown}:{p.line}: ")
            for a in found:
                assert isinstance(a.start, datetime) and isinstance(a.distance_m, float)
    assert problems > 0  # the fuzz did damage files...
    assert activities > 0  # ...and some survived as readable


def test_a_damaged_file_does_not_stop_the_good_one_beside_it(tmp_path):
    folder = tmp_path / "watch"
    folder.mkdir()
    shutil.copy(RUNS / "fit" / "morning_run.fit", folder / "good.fit")
    data = bytearray((RUNS / "fit" / "morning_run.fit").read_bytes())
    data[161] ^= 0xFF  # the flip that used to escape as a TypeError
    (folder / "flipped.fit").write_bytes(bytes(data))
    rng = random.Random(FUZZ_SEED)
    for i, mutant in enumerate(_mutants((RUNS / "good" / "intervals.tcx").read_bytes(), rng, 40)):
        (folder / f"bad{i:02}.tcx").write_bytes(mutant)
    result = _imp(folder, tmp_path / "logs")
    assert "fit:2026-11-03T06:45:12Z" in set(result.added["run_id"])
    assert all(p.line >= 1 for p in result.problems)


def test_a_gzip_bomb_is_reported_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 1_000_000)
    bomb = tmp_path / "export" / "bomb.gpx.gz"
    bomb.parent.mkdir()
    bomb.write_bytes(gzip.compress(b"<gpx>" + b" " * 3_000_000))
    shutil.copy(RUNS / "good" / "track_session.gpx", bomb.parent)
    result = _imp(bomb.parent, tmp_path / "logs")
    [problem] = result.problems
    assert problem.file.endswith("bomb.gpx.gz") and problem.line == 1
    assert "more than 1 MB once decompressed" in problem.reason
    assert list(result.added["name"]) == ["Track session"]


def test_gpx_is_streamed_into_a_summary(tmp_path):
    points = "".join(
        f'<trkpt lat="{40 + i * 1e-4:.4f}" lon="-3.7"><time>2026-11-10T07:{i // 60:02}:{i % 60:02}Z'
        "</time></trkpt>\n"
        for i in range(3000)
    )
    gpx = tmp_path / "long.gpx"
    gpx.write_text(
        '<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Long</name><type>running</type>'
        f"<trkseg>\n{points}</trkseg></trk></gpx>",
        encoding="utf-8",
    )
    [activity], problems = formats.read_activity_file(gpx)
    assert problems == []
    assert activity.duration_s == 2999 and activity.distance_m == pytest.approx(33_347, rel=1e-3)
    evil = tmp_path / "evil.gpx"
    evil.write_text('<!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>', encoding="utf-8")
    [], [problem] = formats.read_activity_file(evil)
    assert "document type declaration" in problem.reason


# --------------------------------------------------------------------------------------------------
# the Strava zip, languages


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _strava_members(csv_path: Path) -> dict[str, bytes]:
    files = RUNS / "strava_files" / "activities"
    return {
        "activities.csv": csv_path.read_bytes(),
        **{f"activities/{p.name}": p.read_bytes() for p in sorted(files.iterdir())},
    }


def test_the_strava_zip_is_read_without_unzipping(tmp_path):
    export = _zip(
        tmp_path / "export_123.zip", _strava_members(RUNS / "strava_export" / "activities.csv")
    )
    result = _imp(export, tmp_path / "logs")
    assert list(result.added["run_id"]) == [
        "strava:9000000001",
        "strava:9000000003",
        "strava:9000000005",
    ]
    assert result.problems == [] and result.notes == []
    assert list(tmp_path.iterdir()) == [export, tmp_path / "logs"]  # nothing extracted
    assert _imp(export, tmp_path / "logs").added.empty


def test_zip_members_that_leave_the_export_are_refused(tmp_path):
    gpx = (RUNS / "good" / "track_session.gpx").read_bytes()
    export = _zip(tmp_path / "x.zip", {"../evil.gpx": gpx, "/abs.gpx": gpx, "ok/run.gpx": gpx})
    result = _imp(export, tmp_path / "logs")
    assert sorted(p.file.rsplit("/", 1)[-1] for p in result.problems) == ["abs.gpx", "evil.gpx"]
    assert all("leaves the export" in p.reason for p in result.problems)
    assert len(result.added) == 1 and not (tmp_path / "evil.gpx").exists()


def test_a_zip_member_bomb_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 1_000_000)
    export = _zip(tmp_path / "x.zip", {"a/big.gpx": b" " * 2_000_000})
    [problem] = _imp(export, tmp_path / "logs").problems
    assert problem.file.endswith("x.zip/a/big.gpx") and "more than 1 MB" in problem.reason


def test_a_folder_holding_only_a_zip_says_so(tmp_path):
    (tmp_path / "dl").mkdir()
    _zip(tmp_path / "dl" / "export_123.zip", {})
    with pytest.raises(HipnbError, match=r"only export_123\.zip: import the zip itself"):
        _imp(tmp_path / "dl", tmp_path / "logs")
    (tmp_path / "empty").mkdir()
    with pytest.raises(HipnbError, match="no activity files"):
        _imp(tmp_path / "empty", tmp_path / "logs")
    shutil.copy(RUNS / "good" / "track_session.gpx", tmp_path / "dl")
    result = _imp(tmp_path / "dl", tmp_path / "logs")
    assert len(result.added) == 1
    assert result.notes == [
        f"{tmp_path / 'dl'}: export_123.zip not read (import a zip by its name)"
    ]


@pytest.mark.parametrize("as_zip", [False, True])
def test_a_strava_csv_in_another_language_falls_back_to_the_activity_files(tmp_path, as_zip):
    members = _strava_members(RUNS / "bad" / "german_activities.csv")
    if as_zip:
        export = _zip(tmp_path / "export_de.zip", members)
    else:
        export = tmp_path / "export_de"
        for name, data in members.items():
            (export / name).parent.mkdir(parents=True, exist_ok=True)
            (export / name).write_bytes(data)
    result = _imp(export, tmp_path / "logs")
    assert list(result.added["run_id"]) == ["gpx:2026-11-10T07:00:00Z", "tcx:2026-11-12T06:30:00Z"]
    [note] = result.notes
    assert (
        "Aktivitäts-ID" in note and "not Strava's in English" in note and "3 activity file" in note
    )
    assert str(result).startswith("note: ")


# --------------------------------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(
    "stamp, reason",
    [
        ("3026-11-05T07:00:00Z", "more than a day in the future"),
        ("0001-01-01T00:00:00Z", "before 1990"),
        ("0001-01-01T00:00:00+01:00", "before 1990"),
        ("9999-12-31T23:00:00-05:00", "more than a day in the future"),
    ],
)
def test_the_one_date_rule_refuses_runs_out_of_time(tmp_path, stamp, reason):
    tcx = (RUNS / "good" / "intervals.tcx").read_text(encoding="utf-8")
    start = tcx.split("<Id>")[1].split("</Id>")[0]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "odd.tcx").write_text(tcx.replace(start, stamp), encoding="utf-8")
    shutil.copy(RUNS / "good" / "track_session.gpx", folder)
    result = _imp(folder, tmp_path / "logs")
    [problem] = result.problems
    assert problem.file.endswith("odd.tcx") and reason in problem.reason
    assert len(result.added) == 1
    assert _imp(RUNS / "fit", tmp_path / "logs").problems == []  # later imports are fine


def test_a_bad_row_already_in_the_run_log_is_reported_by_every_read_and_breaks_nothing(
    tmp_path, capsys
):
    path = runs_path(tmp_path, "ana")
    path.parent.mkdir(parents=True)
    path.write_text(
        ",".join(RUN_COLUMNS) + "\r\n"
        "x,ana,3026-11-05T07:00:00+01:00,5000,1800,Run,old.tcx:4,\r\n"
        "y,ana,1970-01-01T07:00:00+01:00,5000,1800,Run,old.tcx:9,\r\n",
        encoding="utf-8",
    )
    for good in (0, 2, 2):
        with one_channel():
            runs = read_runs(tmp_path, "ana")
        assert len(runs) == good
        assert [
            (p.line, "future" in p.reason, "1990" in p.reason) for p in runs.attrs["problems"]
        ] == [
            (2, True, False),
            (3, False, True),
        ]
        result = _imp(RUNS / "fit", tmp_path)
        assert result.problems == []
        assert [n.split(": ", 1)[0].rsplit(":", 1)[1] for n in result.notes] == ["2", "3"]
    with one_channel():
        assert len(RunLog(path).read()) == 2  # the two runs of the first import, once
    write_rows(
        hipnb.SessionLog(hipnb.athlete_path(tmp_path, "ana")),
        [
            hipnb.log.manual_row(
                "ana", "side_plank", "left", 30, started_at="2026-11-01T08:00:00+01:00"
            )
        ],
    )
    assert main(["summary", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert f"{path}:2: started_at" in err and f"{path}:3: started_at" in err


def test_a_local_time_in_a_clock_change_is_a_real_time(tmp_path):
    plain = tmp_path / "dst.csv"
    plain.write_text(
        "date,distance_km,duration\n"
        "2026-03-29T02:30:00,5,00:30:00\n"  # skipped by the spring-forward change in Madrid
        "2026-10-25T02:30:00,6,00:30:00\n",  # happened twice: the first (summer time) is taken
        encoding="utf-8",
    )
    result = _imp(plain, tmp_path / "logs")
    assert list(result.added["started_at"]) == [
        "2026-03-29T03:30:00+02:00",
        "2026-10-25T02:30:00+02:00",
    ]


# --------------------------------------------------------------------------------------------------
# identity


def test_two_runs_on_one_day_in_a_plain_csv_are_two_runs(tmp_path):
    plain = tmp_path / "day.csv"
    plain.write_text(
        "date,distance_km,duration\n2026-11-03,8,00:45:00\n2026-11-03,5,00:28:00\n"
        "2026-11-03,5,00:30:00\n2026-11-03,5,00:30:00\n"
        "2026-11-04T07:00:00+01:00,5,00:28:00\n2026-11-04T07:01:00+01:00,5.05,00:28:10\n",
        encoding="utf-8",
    )
    result = _imp(plain, tmp_path / "logs")
    # a date without a time: runs of one day differing in distance or duration are runs of their
    # own; the same date, distance and duration twice is one run; two timed rows a minute and 1 %
    # apart are one run uploaded twice, and the import says so
    assert list(result.added["source"]) == ["day.csv:2", "day.csv:3", "day.csv:4", "day.csv:6"]
    assert result.already == 0 and result.added["run_id"].is_unique
    assert [(s.line, s.other) for s in result.same] == [(5, "day.csv:4"), (7, "day.csv:6")]
    assert "2 uploaded twice, counted once" in str(result)
    again = _imp(plain, tmp_path / "logs")
    assert again.added.empty and again.already == 6 and again.same == []


def test_runs_imported_under_the_old_date_ids_are_recognised(tmp_path):
    log = RunLog(runs_path(tmp_path, "ana"))
    log.append(
        [
            {"run_id": "csv:2026-11-03", "athlete": "ana", "started_at": "2026-11-03T12:00:00+01:00",
             "distance_m": 8000, "duration_s": 2700, "sport": "run", "source": "day.csv:2", "name": ""}
        ]
    )  # fmt: skip
    plain = tmp_path / "day.csv"
    plain.write_text(
        "date,distance_km,duration\n2026-11-03,8,00:45:00\n2026-11-03,5,00:28:00\n",
        encoding="utf-8",
    )
    result = _imp(plain, tmp_path)
    assert result.already == 1 and list(result.added["distance_m"]) == [5000.0]
    assert _imp(plain, tmp_path).added.empty


# --------------------------------------------------------------------------------------------------
# athletes, spreadsheets


def test_athlete_names_go_through_the_one_gate(tmp_path):
    write_rows(
        hipnb.SessionLog(hipnb.athlete_path(tmp_path, "ana")),
        [
            hipnb.log.manual_row(
                "ana", "side_plank", "left", 30, started_at="2026-11-01T08:00:00+01:00"
            )
        ],
    )
    with pytest.raises(HipnbError, match="did you mean 'ana'"):
        import_runs(RUNS / "fit", "Ana", logs=tmp_path)
    with pytest.raises(HipnbError, match="did you mean 'ana'"):
        import_runs(RUNS / "fit", "Ana", logs=tmp_path, new_athlete=True)
    with pytest.raises(HipnbError, match="no athlete 'ben' .* new_athlete=True"):
        import_runs(RUNS / "fit", "ben", logs=tmp_path)
    assert not (tmp_path / "runs").exists()
    assert len(import_runs(RUNS / "fit", "ana", logs=tmp_path, tz=MADRID).added) == 2
    assert len(import_runs(RUNS / "fit", "Zoë", logs=tmp_path, new_athlete=True).added) == 2
    with pytest.raises(HipnbError, match="did you mean 'Zoë'"):
        import_runs(RUNS / "fit", "zoe", logs=tmp_path)  # known from her run log alone


def test_formula_cells_are_stored_as_text(tmp_path):
    plain = tmp_path / "f.csv"
    plain.write_text(
        'date,distance_km,duration,name\n2026-11-03,8,00:45:00,"=HYPERLINK(""http://x"")"\n'
        "2026-11-04,8,00:45:00,Tempo;@SUM(A1)\n",
        encoding="utf-8",
    )
    result = _imp(plain, tmp_path / "logs")
    assert list(result.added["name"]) == ['\'=HYPERLINK("http://x")', "Tempo;'@SUM(A1)"]
    text = runs_path(tmp_path / "logs", "ana").read_text(encoding="utf-8")
    assert ",=" not in text and ',"=' not in text
    log = RunLog(runs_path(tmp_path / "logs", "ana"))
    row = {"run_id": "+x", "athlete": "ana", "started_at": "2026-11-05T07:00:00+01:00",
           "distance_m": 1, "duration_s": 1, "sport": "@Run", "source": "-", "name": "=1+1"}  # fmt: skip
    log.append([row])
    last = log.read().iloc[-1]
    assert (last["run_id"], last["sport"], last["source"], last["name"]) == (
        "'+x",
        "'@Run",
        "'-",
        "'=1+1",
    )
