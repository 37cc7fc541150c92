"""Importing runs: each format from fixture files, idempotence, the same run from two sources, bad
files reported by name and line while the rest imports, the run log's durability and validation."""

from __future__ import annotations

import csv
import io
import json
import warnings

import pandas as pd
import pytest

import hipnb
from hipnb.cli import main
from hipnb.errors import HipnbError, LogError
from hipnb.runs import RUN_COLUMNS, RunLog, import_runs, read_runs, runs_path
from tests.conftest import DATA
from tests.rows import write_rows

from .test_log import one_channel

RUNS = DATA / "runs"
MADRID = "Europe/Madrid"


def _imported(path, tmp_path, **kw):
    kw.setdefault("tz", MADRID)
    kw.setdefault("new_athlete", True)
    return import_runs(RUNS / path, "ana", logs=tmp_path, **kw)


def _summary(result) -> list[tuple[str, float, float]]:
    a = result.added
    return list(zip(a["started_at"], a["distance_m"], a["duration_s"], strict=True))


def test_strava_export_reads_activities_csv_and_only_runs(tmp_path):
    result = _imported("strava_export", tmp_path)
    # the second Distance column (metres) wins; Strava's UTC becomes Madrid time
    assert _summary(result) == [
        ("2026-11-03T07:45:12+01:00", 10020.0, 3151.0),
        ("2026-11-05T08:00:00+01:00", 12503.5, 4000.0),
        ("2026-11-08T10:15:30+01:00", 21097.5, 7265.0),
    ]
    assert list(result.added["sport"]) == ["Run", "Trail Run", "Run"]
    assert list(result.added["run_id"]) == [
        "strava:9000000001",
        "strava:9000000003",
        "strava:9000000005",
    ]
    assert sorted(s.sport for s in result.skipped) == ["Ride", "Walk", "Yoga"]
    assert {s.line for s in result.skipped} == {3, 5, 7}
    # the activity file listed in the CSV is not read (it is not even a FIT file)
    assert result.problems == []


def test_strava_folder_without_csv_reads_its_gzipped_activity_files(tmp_path):
    result = _imported("strava_files", tmp_path)
    assert list(result.added["run_id"]) == ["gpx:2026-11-10T07:00:00Z", "tcx:2026-11-12T06:30:00Z"]
    # from the points: 0.045 degrees of latitude on the mean Earth sphere, plus 2 m of climbs
    assert result.added["distance_m"].iloc[0] == pytest.approx(5003.8, abs=1)
    assert result.added["distance_m"].iloc[1] == 8200.0  # two TCX laps
    assert result.added["duration_s"].iloc[1] == 2400.5
    assert [s.sport for s in result.skipped] == ["cycling"]


def test_fit_files_read_sport_distance_and_the_watch_offset(tmp_path):
    result = _imported("fit", tmp_path, tz=None)
    # the FIT activity carries its local time: no --tz, no hold log needed
    assert _summary(result) == [
        ("2026-11-03T07:45:12+01:00", 10020.0, 3151.0),
        ("2026-11-05T18:02:00+01:00", 5200.0, 1800.0),
    ]
    assert [(s.sport, s.why) for s in result.skipped] == [("cycling", "not a run")]


def test_garmin_csv_units_thousands_tenths_and_dashes(tmp_path):
    result = _imported("good/garmin_activities.csv", tmp_path, units="mi")
    a = result.added.set_index("name")
    assert a.loc["Madrid Running", "distance_m"] == pytest.approx(10.02 * 1609.344, abs=0.01)
    assert a.loc["Madrid Running", "started_at"] == "2026-11-03T07:45:12+01:00"  # local, as written
    assert a.loc["Treadmill", "duration_s"] == pytest.approx(2640.4)  # 00:44:00.4
    assert a.loc["Hills", "duration_s"] == 6010  # 1:40:10
    assert a.loc["Treadmill", "sport"] == "Treadmill Running"
    assert [s.sport for s in result.skipped] == ["Cycling"]


def test_garmin_csv_without_a_unit_asks_for_one(tmp_path):
    result = _imported("good/garmin_activities.csv", tmp_path)
    assert result.added.empty
    [problem] = result.problems
    assert problem.line == 1 and "--units km|mi" in problem.reason


def test_plain_csv_dates_with_and_without_offset(tmp_path):
    result = _imported("good/plain_runs.csv", tmp_path)
    assert _summary(result) == [
        ("2026-11-14T12:00:00+01:00", 6200.0, 1990.0),  # a bare date is taken as noon
        ("2026-11-15T08:00:00+01:00", 18000.0, 6300.0),
    ]
    assert [(s.sport, s.name) for s in result.skipped] == [("ride", "Spin")]


def test_untyped_gpx_is_skipped_unless_type_run(tmp_path):
    skipped = _imported("good/untyped.gpx", tmp_path)
    assert skipped.added.empty
    assert "--type run" in skipped.skipped[0].why
    counted = _imported("good/untyped.gpx", tmp_path, type="run")
    assert list(counted.added["name"]) == ["Untyped outing"]


def test_reimport_adds_nothing(tmp_path):
    first = _imported("good", tmp_path, units="km")
    log = runs_path(tmp_path, "ana")
    before = log.read_bytes()
    again = _imported("good", tmp_path, units="km")
    assert len(first.added) == 7 and again.added.empty
    assert again.already == 7
    assert log.read_bytes() == before


def test_the_same_run_from_two_sources_is_kept_once(tmp_path):
    _imported("strava_export", tmp_path)
    garmin = _imported("good/garmin_activities.csv", tmp_path, units="km")
    fit = _imported("fit", tmp_path)
    # Garmin's 07:45:12 in Madrid and the FIT file are Strava's morning run of 10.02 km
    assert "Madrid Running" not in set(garmin.added["name"])
    assert garmin.already == 1
    assert list(fit.added["run_id"]) == ["fit:2026-11-05T17:02:00Z"]
    runs = read_runs(tmp_path, "ana")
    assert (runs["local_time"].dt.date.astype(str) == "2026-11-03").sum() == 1


def test_a_strava_re_upload_counts_once_and_the_import_says_so(tmp_path, capsys):
    """Strava lists a run uploaded again (from the watch and by hand) under another activity id:
    the same start within 2 minutes and the same distance within 3 % is one run."""
    export = tmp_path / "export"
    export.mkdir()
    listing = (RUNS / "strava_export" / "activities.csv").read_text(encoding="utf-8")
    again = listing.splitlines()[1].replace("9000000001", "9000000009", 1)
    again = again.replace("6:45:12 AM", "6:46:02 AM").replace("10020.0", "10001.5")
    (export / "activities.csv").write_text(f"{listing}{again}\n", encoding="utf-8")
    args = ["runs", "import", str(export), "--athlete", "ana", "--logs", str(tmp_path / "logs")]
    assert main([*args, "--new-athlete", "--tz", MADRID]) == 0
    out = capsys.readouterr().out
    assert "3 runs added (43.6 km)" in out and "1 uploaded twice, counted once" in out
    assert f"{export / 'activities.csv'}:8: the same run as activities.csv:2" in out
    runs = read_runs(tmp_path / "logs", "ana")
    assert list(runs["run_id"]) == ["strava:9000000001", "strava:9000000003", "strava:9000000005"]
    week = hipnb.analysis.weekly_load(runs)
    assert list(week["distance_km"]) == [pytest.approx(10.02 + 12.5035 + 21.0975)]  # one week
    assert main([*args, "--tz", MADRID]) == 0  # importing again: each run already there
    assert "0 runs added (0.0 km)" in capsys.readouterr().out


def test_a_different_run_close_in_time_is_kept(tmp_path):
    log = RunLog(runs_path(tmp_path, "ana"))
    base = {"athlete": "ana", "duration_s": 1800, "sport": "Run", "source": "t", "name": ""}
    log.append(
        [{**base, "run_id": "a", "started_at": "2026-11-03T07:00:00+01:00", "distance_m": 5000}],
    )
    plain = tmp_path / "more.csv"
    plain.write_text(
        "date,distance_km,duration\n"
        "2026-11-03T07:01:00+01:00,5.1,00:30:00\n"  # 1 min, 2 %: the same run
        "2026-11-03T07:01:00+01:00,6.0,00:30:00\n"  # 1 min, 17 %: another run
        "2026-11-03T07:03:00+01:00,5.0,00:30:00\n",  # 3 min: another run
        encoding="utf-8",
    )
    result = import_runs(plain, "ana", logs=tmp_path, new_athlete=True)
    assert result.already == 1
    assert sorted(result.added["distance_m"]) == [5000.0, 6000.0]


def _expected():
    for line in (RUNS / "bad" / "EXPECTED").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, lineno, text = (p.strip() for p in line.split("|"))
            yield pytest.param(name, int(lineno), text, id=name)


@pytest.mark.parametrize("name, line, text", list(_expected()))
def test_bad_files_are_reported_by_name_and_line(tmp_path, name, line, text):
    result = _imported(f"bad/{name}", tmp_path)
    assert result.added.empty
    [problem] = result.problems
    assert problem.file.endswith(name) and problem.line == line
    assert text in problem.reason


def test_bad_files_and_rows_do_not_stop_the_rest(tmp_path):
    result = _imported("bad", tmp_path)
    # garmin_bad_rows.csv: lines 2 and 6 are fine; 3 (day-first date), 4 (decimal comma) and 5
    # (no distance) are reported; every bad file in the folder is reported too
    assert list(result.added["name"]) == ["Fine", "Fine too"]
    where = {(p.file.rsplit("/", 1)[-1], p.line) for p in result.problems}
    assert {
        ("garmin_bad_rows.csv", 3),
        ("garmin_bad_rows.csv", 4),
        ("garmin_bad_rows.csv", 5),
    } <= where
    named = {n for n, _ in where}
    assert named >= {"truncated.fit", "no_times.gpx", "broken.tcx", "german_activities.csv"}
    reasons = " ".join(p.reason for p in result.problems)
    assert "decimal comma" in reasons and "distance_m is empty" in reasons


def test_times_take_the_offset_of_the_athletes_holds(tmp_path):
    write_rows(
        hipnb.SessionLog(hipnb.athlete_path(tmp_path, "ana")),
        [
            hipnb.log.manual_row(
                "ana", "side_plank", "left", 30, started_at="2026-11-01T08:00:00-05:00"
            )
        ],
    )
    result = import_runs(RUNS / "strava_export", "ana", logs=tmp_path, new_athlete=True)
    assert result.added["started_at"].iloc[0] == "2026-11-03T01:45:12-05:00"


def test_runs_are_not_read_as_holds(tmp_path):
    _imported("strava_export", tmp_path)
    write_rows(
        hipnb.SessionLog(hipnb.athlete_path(tmp_path, "ana")),
        [
            hipnb.log.manual_row(
                "ana", "side_plank", "left", 30, started_at="2026-11-01T08:00:00+01:00"
            )
        ],
    )
    for folder in (tmp_path, tmp_path / "runs"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            holds = hipnb.read_logs(folder)
        assert holds.attrs["problems"] == []
    assert len(hipnb.read_logs(tmp_path)) == 1 and hipnb.read_logs(tmp_path / "runs").empty


def test_no_gps_points_are_stored(tmp_path):
    _imported("strava_files", tmp_path)
    _imported("fit", tmp_path)
    text = runs_path(tmp_path, "ana").read_text()
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == RUN_COLUMNS
    assert "40.4" not in text and "-3.7" not in text


def test_run_log_append_validates_all_or_nothing(tmp_path):
    log = RunLog(runs_path(tmp_path, "ana"))
    good = {"run_id": "a", "athlete": "ana", "started_at": "2026-11-03T07:00:00+01:00",
            "distance_m": 5000, "duration_s": 1800, "sport": "Run", "source": "t", "name": ""}  # fmt: skip
    with pytest.raises(LogError, match="row 2 of this append: started_at .* UTC offset"):
        log.append([good, {**good, "run_id": "b", "started_at": "2026-11-03T07:00:00"}])
    assert not log.path.exists()
    with pytest.raises(LogError, match="distance_m .* absurd"):
        log.append([{**good, "distance_m": 2e6}])
    assert log.append([good]) == 1
    assert list(log.read()["run_id"]) == ["a"]


def test_run_log_read_reports_bad_rows_by_line(tmp_path):
    path = runs_path(tmp_path, "ana")
    path.parent.mkdir(parents=True)
    path.write_text(
        ",".join(RUN_COLUMNS) + "\r\n"
        "a,ana,2026-11-03T07:00:00+01:00,5000,1800,Run,t,\r\n"
        "b,ana,yesterday,5000,1800,Run,t,\r\n"
        "c,ana,2026-11-04T07:00:00+01:00,-5,1800,Run,t,\r\n"
        "d,ana,2026-11-05T07:00:00+01:00,50",  # a write cut off
        encoding="utf-8",
    )
    with one_channel():
        df = RunLog(path).read()
    assert list(df["run_id"]) == ["a"]
    found = df.attrs["problems"]
    assert [p.line for p in found] == [3, 4, 5]
    assert "not an ISO 8601" in found[0].reason and "is negative" in found[1].reason
    assert "cut off" in found[2].reason
    assert df["local_time"].iloc[0] == pd.Timestamp("2026-11-03 07:00")


def test_a_run_log_written_before_the_one_engine_reads_as_before():
    """``logs/runs.csv`` was written by the run log's own writer, before the run log became a
    table of the hold log's engine (rows in every form it wrote, then rows it refused by hand);
    ``logs/runs.json`` holds what its own reader made of it. The engine reads the same runs, the
    same values and types, and sets aside the same lines (in its own words)."""
    expected = json.loads((RUNS / "logs" / "runs.json").read_text(encoding="utf-8"))
    with one_channel():
        df = RunLog(RUNS / "logs" / "runs.csv").read()
    assert list(df.columns) == [*RUN_COLUMNS[:3], "local_time", *RUN_COLUMNS[3:]]
    assert [str(t) for t in df.dtypes] == [
        "str", "str", "datetime64[us, UTC]", "datetime64[us]", "float64", "float64", "str", "str",
        "str",
    ]  # fmt: skip
    rows = [
        {k: v.isoformat() if isinstance(v, pd.Timestamp) else v for k, v in r.items()}
        for r in df.to_dict("records")
    ]
    assert rows == expected["rows"]
    assert [p.line for p in df.attrs["problems"]] == expected["problem_lines"]


def test_athlete_names_go_through_the_one_gate(tmp_path):
    with pytest.raises(LogError):
        import_runs(RUNS / "fit", "../eve", logs=tmp_path, new_athlete=True)
    assert runs_path(tmp_path, "ana") == (tmp_path / "runs" / "ana" / "runs.csv").resolve()


def test_bad_arguments_are_clear_errors(tmp_path):
    with pytest.raises(HipnbError, match="unknown time zone"):
        import_runs(RUNS / "fit", "ana", logs=tmp_path, new_athlete=True, tz="Mars/Olympus")
    with pytest.raises(HipnbError, match="no such file"):
        import_runs(tmp_path / "nothing", "ana", logs=tmp_path, new_athlete=True)


def test_cli_runs_import(tmp_path, capsys):
    args = [
        "runs",
        "import",
        str(RUNS / "strava_export"),
        "--athlete",
        "ana",
        "--logs",
        str(tmp_path),
        "--new-athlete",
    ]
    assert main([*args, "--tz", MADRID]) == 0
    out = capsys.readouterr().out
    assert "3 runs added (43.6 km)" in out and "skipped Ride 'Evening Ride'" in out
    assert main([*args, "--tz", MADRID]) == 0
    assert "0 runs added" in capsys.readouterr().out
    bad = ["runs", "import", str(RUNS / "bad"), "--athlete", "ana", "--logs", str(tmp_path)]
    assert main(bad) == 1
    err = capsys.readouterr().err
    assert "truncated.fit:1: not a readable FIT file" in err


def test_strava_dates_in_british_english(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "activities.csv").write_text(
        "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Distance\n"
        '1,"3 Nov 2026, 18:45:12",Evening Run,Run,1800,5.00,5003.0\n',
        encoding="utf-8",
    )
    result = import_runs(export, "ana", logs=tmp_path, new_athlete=True, tz=MADRID)
    assert _summary(result) == [("2026-11-03T19:45:12+01:00", 5003.0, 1800.0)]


@pytest.mark.slow
def test_concurrent_imports_add_each_run_once(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from hipnb.runs import import_runs; "
        "import_runs(sys.argv[1], 'ana', logs=sys.argv[2], new_athlete=True, tz='Europe/Madrid', units='km')"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(RUNS / "good"), str(tmp_path)])
        for _ in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    runs = read_runs(tmp_path, "ana")
    assert len(runs) == 7 and runs["run_id"].is_unique
    assert runs.attrs["problems"] == []


def test_long_imports_show_a_progress_bar(tmp_path, capsys):
    import_runs(
        RUNS / "strava_files", "ana", logs=tmp_path, new_athlete=True, tz=MADRID, progress=True
    )
    assert "reading activities" in capsys.readouterr().err
    import_runs(
        RUNS / "strava_files", "ana", logs=tmp_path, new_athlete=True, tz=MADRID
    )  # 3 files: no bar
    assert "reading activities" not in capsys.readouterr().err
