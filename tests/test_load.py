"""Running load beside hip care: weekly load in local weeks, the load ratio, the sharp-rise flag on
hand-built logs, discomfort after long runs, the chart, and the demo squad's runs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import hipnb
from hipnb import analysis, charts
from hipnb.demo import SAMPLE_END, demo_log, write_demo_data
from hipnb.log import manual_row, to_frame
from hipnb.runs import RunLog, read_runs, runs_path
from tests.conftest import SAMPLE
from tests.test_charts import inside_and_apart

START = pd.Timestamp("2026-09-07")  # a Monday


def _runs(tmp_path, km_by_day: dict[int, float], athlete: str = "ana", offset: str = "+02:00"):
    """Runs on days after START (7:00 local), written and read back through the run log."""
    log = RunLog(runs_path(tmp_path, athlete))
    log.append(
        [
            {
                "run_id": f"t:{athlete}:{d}",
                "athlete": athlete,
                "started_at": f"{START + pd.Timedelta(days=d):%Y-%m-%d}T07:00:00{offset}",
                "distance_m": km * 1000,
                "duration_s": km * 330,
                "sport": "Run",
                "source": "test",
                "name": "",
            }
            for d, km in km_by_day.items()
        ],
    )
    return read_runs(tmp_path)


def _holds(days, athlete: str = "ana", seconds: float = 200, discomfort=None) -> pd.DataFrame:
    """One bound-angle hold (``seconds``) on each day after START; optional discomfort by day."""
    discomfort = discomfort or {}
    return to_frame(
        [
            manual_row(
                athlete,
                "bound_angle",
                "both",
                seconds,
                target_s=180,
                started_at=f"{START + pd.Timedelta(days=d):%Y-%m-%d}T20:00:00+02:00",
                discomfort=discomfort.get(d),
            )
            for d in days
        ]
    )


def _steady_weeks(weeks: int, km: float = 40.0) -> dict[int, float]:
    """Four runs a week (Tue, Thu, Sat, Sun long) totalling ``km`` each week."""
    return {
        7 * w + d: km * s for w in range(weeks) for d, s in ((1, 0.2), (3, 0.2), (5, 0.2), (6, 0.4))
    }


def test_weekly_load_uses_local_monday_weeks_and_fills_gaps(tmp_path):
    # Sunday 23:30 in Los Angeles is Monday in UTC: it stays in Sunday's week
    log = RunLog(runs_path(tmp_path, "ana"))
    row = {"athlete": "ana", "duration_s": 1800, "sport": "Run", "source": "t", "name": ""}
    log.append(
        [
            {**row, "run_id": "a", "started_at": "2026-09-13T23:30:00-07:00", "distance_m": 10000},
            {**row, "run_id": "b", "started_at": "2026-09-14T07:00:00-07:00", "distance_m": 5000},
            {**row, "run_id": "c", "started_at": "2026-09-28T07:00:00-07:00", "distance_m": 6000},
        ],
    )
    w = analysis.weekly_load(read_runs(tmp_path))
    assert list(w["week"].dt.strftime("%Y-%m-%d")) == [
        "2026-09-07",
        "2026-09-14",
        "2026-09-21",
        "2026-09-28",
    ]
    assert list(w["distance_km"]) == [10.0, 5.0, 0.0, 6.0]
    assert list(w["runs"]) == [1, 1, 0, 1]
    assert w["change"].iloc[1] == pytest.approx(-0.5)
    assert np.isnan(w["change"].iloc[3])  # after an empty week: undefined, not infinite
    assert w["time_h"].iloc[0] == pytest.approx(0.5)


#: The last day of six weeks of runs (and holds) from START.
SIX_WEEKS = START + pd.Timedelta(days=41)


def test_load_ratio_is_undefined_before_28_days(tmp_path):
    runs = _runs(tmp_path / "a", _steady_weeks(3))
    s = analysis.load_status(runs, None, as_of=START + pd.Timedelta(days=20)).iloc[0]
    assert np.isnan(s["ratio"])
    assert "load ratio undefined until 28 days of runs (20 so far)" in s["words"]
    s = analysis.load_status(_runs(tmp_path / "b", _steady_weeks(6)), None, as_of=SIX_WEEKS)
    assert s["ratio"].iloc[0] == pytest.approx(1.0)
    assert s["weekly_avg_28d"].iloc[0] == pytest.approx(40.0)


def test_flag_fires_when_load_rises_sharply_while_the_routine_lapses(tmp_path):
    km = _steady_weeks(5)
    km.update({35 + d: 60 * s for d, s in ((1, 0.2), (3, 0.2), (5, 0.2), (6, 0.4))})  # +50 %
    runs = _runs(tmp_path, km)
    holds = _holds(range(0, 42, 3))  # target met on about 1 day in 3
    s = analysis.load_status(runs, holds, SIX_WEEKS).iloc[0]
    assert s["as_of"] == pd.Timestamp("2026-10-18")
    assert s["km_7d"] == pytest.approx(60) and s["km_prev_7d"] == pytest.approx(40)
    assert s["change_7d"] == pytest.approx(0.5)
    assert s["ratio"] == pytest.approx(60 / ((40 * 3 + 60) / 4))
    assert s["adherence_28d"] == pytest.approx(9 / 28)
    assert s["flag"]
    assert s["words"].startswith("load rising sharply while the hip routine lapses: 60.0 km")
    assert "+50% on the 7 days before (40.0 km)" in s["words"]
    assert "target met on 9 of the last 28 days (32%)" in s["words"]


def test_flag_stays_quiet_on_a_steady_load_or_a_kept_routine(tmp_path):
    lapsed = _holds(range(0, 42, 3))
    steady = analysis.load_status(_runs(tmp_path / "a", _steady_weeks(6)), lapsed, SIX_WEEKS)
    assert not steady["flag"].any()
    km = _steady_weeks(5)
    km.update({35 + d: 60 * s for d, s in ((1, 0.2), (3, 0.2), (5, 0.2), (6, 0.4))})
    kept = analysis.load_status(_runs(tmp_path / "b", km), _holds(range(42)), SIX_WEEKS)
    assert kept["change_7d"].iloc[0] == pytest.approx(0.5) and not kept["flag"].iloc[0]
    assert "target met on 28 of the last 28 days (100%)" in kept["words"].iloc[0]


def test_no_hold_log_counts_as_no_routine(tmp_path):
    km = _steady_weeks(5)
    km.update({35 + d: 60 * s for d, s in ((1, 0.2), (3, 0.2), (5, 0.2), (6, 0.4))})
    s = analysis.load_status(_runs(tmp_path, km), None, SIX_WEEKS).iloc[0]
    assert s["flag"] and "no hip routine logged" in s["words"]


def test_discomfort_after_long_runs_against_other_days(tmp_path):
    runs = _runs(tmp_path, _steady_weeks(6))  # Sunday long runs are 2x the median
    sundays = [7 * w + 6 for w in range(6)]
    scores = {d: (6 if d - 1 in sundays else 2) for d in range(42)}
    holds = _holds(range(42), discomfort=scores)
    r = analysis.long_run_discomfort(runs, holds).iloc[0]
    assert r["long_runs"] == 6  # every Sunday: the first is judged on the 3 runs before it
    assert r["after_days"] == 5  # the last Monday has no hold and r["after_mean"] == 6
    assert r["other_days"] == 37 and r["other_mean"] == 2
    assert (
        r["words"]
        == "discomfort the day after a long run: 6.0 on 5 days, against 2.0 on 37 other days"
    )


def test_discomfort_after_long_runs_says_when_there_is_not_enough_data(tmp_path):
    runs = _runs(tmp_path, _steady_weeks(2))
    holds = _holds(range(14), discomfort={d: 2 for d in range(14)})
    r = analysis.long_run_discomfort(runs, holds).iloc[0]
    assert r["words"].startswith("not enough data yet: 1 scored day after a long run")


def test_load_chart_draws_weekly_bars_and_adherence(tmp_path):
    km = _steady_weeks(5)
    km.update({35 + d: 60 * s for d, s in ((1, 0.2), (3, 0.2), (5, 0.2), (6, 0.4))})
    runs, holds = _runs(tmp_path, km), _holds(range(0, 42, 3))
    fig, ax = plt.subplots()
    assert charts.load_chart(runs, holds, "ana", ax=ax) is ax
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([40, 40, 40, 40, 40, 60])
    colors = {p.get_facecolor()[:3] for p in ax.patches[-1:]} | {ax.patches[0].get_facecolor()[:3]}
    assert len(colors) == 2  # the sharp rise stands out
    twin = next(a for a in fig.axes if a is not ax)
    line = twin.get_lines()[0]
    assert list(line.get_ydata()) == pytest.approx([3 / 7, 2 / 7, 2 / 7, 3 / 7, 2 / 7, 2 / 7])
    assert "km" in ax.get_ylabel() and "%" in twin.get_ylabel()
    assert ax.get_title() == "Weekly running distance and hip-routine adherence: ana"
    plt.close(fig)


def test_load_figure_keeps_title_labels_and_the_long_legend_inside(tmp_path):
    km = _steady_weeks(5)
    km.update({35 + d: 60 * s for d, s in ((1, 0.2), (3, 0.2), (5, 0.2), (6, 0.4))})
    fig = charts.load_figure(_runs(tmp_path, km), _holds(range(0, 42, 3)), "ana")
    assert tuple(fig.get_size_inches()) == (9, 4.5), "the size the report shows"
    (ax, _twin) = fig.axes
    assert len(ax.get_legend().get_texts()) == 3, "the rise's entry: the widest legend"
    inside_and_apart(fig)
    plt.close(fig)


def test_load_chart_without_runs_says_so(tmp_path):
    ax = charts.load_chart(read_runs(tmp_path), None, "ana")
    assert "no data yet" in [t.get_text() for t in ax.texts]


def test_demo_runs_leave_hold_logs_byte_identical(tmp_path):
    write_demo_data(tmp_path, athletes=8, weeks=12, seed=7)
    for sample in sorted(SAMPLE.glob("*.csv")):
        assert (tmp_path / sample.name).read_bytes() == sample.read_bytes(), sample.name
    for sample in sorted(SAMPLE.glob("runs/*/runs.csv")):
        assert (tmp_path / sample.relative_to(SAMPLE)).read_bytes() == sample.read_bytes()
    assert len(list(SAMPLE.glob("runs/*/runs.csv"))) == 8


def test_demo_squad_flags_only_the_athlete_who_ramps_up():
    runs, holds = read_runs(SAMPLE), hipnb.read_logs(SAMPLE)
    status = analysis.load_status(runs, holds, SAMPLE_END).set_index("athlete")
    assert list(status.index[status["flag"]]) == ["hana"]
    assert status.loc["hana", "adherence_28d"] < 0.5
    weekly = analysis.weekly_load(runs, "hana")["distance_km"].to_numpy()
    assert weekly[-1] > 3 * weekly[0]
    steady = analysis.weekly_load(runs[runs["athlete"] != "hana"])
    assert steady["change"].abs().max() < 0.3
    # the demo hold logs do not depend on the runs
    assert len(holds) == len(demo_log(athletes=8, weeks=12, seed=7))


def test_cli_summary_shows_running_load_and_its_flag(capsys):
    from hipnb.cli import main
    from hipnb.demo import SAMPLE_END

    assert main(["summary", str(SAMPLE), "--as-of", f"{SAMPLE_END}"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "squad on Sun 22 Nov 2026" and "run 7d" in out[1]
    hana = next(line for line in out if line.startswith("hana"))
    assert "121.1 km" in hana and "running +34% a week (> +30%), routine 18% (< 50%)" in hana
    assert not any("running " in line for line in out if not line.startswith("hana"))
    assert main(["summary", str(SAMPLE), "--athlete", "hana", "--as-of", f"{SAMPLE_END}"]) == 0
    said = capsys.readouterr().out
    assert "; load rising sharply while the hip routine lapses: 121.1 km" in said
    assert "Running:" not in said, "the flag is said once, among the flags"


@pytest.mark.slow
def test_athlete_report_shows_the_load_chart(tmp_path):
    from hipnb.report import render_reports

    batch = render_reports(SAMPLE, tmp_path, athletes=["hana"], as_of="2026-11-22", progress=False)
    assert not batch.failed
    page = batch.written["hana"].read_text()
    section = page[page.index("Running load and hip care") :]
    assert "data:image/" in section  # the load chart
    assert "load rising sharply while the hip routine lapses" in section
