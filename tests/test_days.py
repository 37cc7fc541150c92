"""A hold's day is the date of its start in the offset it was logged with, everywhere: an athlete who
logs late in New York and early in Tokyo on her own 1 Sep (31 Aug and 2 Sep in UTC) sees 1 Sep in
every figure, chart, widget and page, whatever this machine's zone."""

from __future__ import annotations

import datetime as dt
import time

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from hipnb import SessionLog, analysis, athlete_path, charts, read_logs
from hipnb.analysis import ReviewDay
from hipnb.holds import select_holds
from hipnb.log import manual_row
from hipnb.report import athlete_sections, read_squad

from .rows import write_rows

SEP_1 = pd.Timestamp("2026-09-01")

#: Her own 1 Sep: a bound angle just after midnight in Tokyo (31 Aug 15:30 UTC), planks and a
#: bound angle in the New York evening (2 Sep 00:30 and 03:30 UTC), a foam roll in its morning.
HOLDS = [
    ("glute_roll", "left", 60, "2026-09-01T06:30:00-04:00", None),
    ("bound_angle", "both", 120, "2026-09-01T00:30:00+09:00", 2),
    ("side_plank", "left", 40, "2026-09-01T20:30:00-04:00", None),
    ("side_plank", "right", 30, "2026-09-01T20:31:30-04:00", None),
    ("bound_angle", "both", 90, "2026-09-01T23:30:00-04:00", 4),
]


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Tokyo"])
def machine_zone(request, monkeypatch):
    """This machine's zone, which no day may depend on."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def logs(tmp_path):
    rows = [
        manual_row("ana", ex, side, s, target_s=s, started_at=at, discomfort=pain)
        for ex, side, s, at, pain in HOLDS
    ]
    write_rows(SessionLog(athlete_path(tmp_path, "ana")), rows)
    return tmp_path


def test_the_stamps_span_three_utc_dates(logs):
    utc = read_logs(logs)["started_at"].dt.date
    assert set(utc) == {dt.date(2026, 8, 31), dt.date(2026, 9, 1), dt.date(2026, 9, 2)}


def test_every_day_level_figure_is_her_own_day(logs, machine_zone):
    df = read_logs(logs)
    assert set(analysis.day_of(df)) == {SEP_1}
    assert set(analysis.daily_summary(df)["day"]) == {SEP_1}
    bound = analysis.bound_angle_progress(df)
    assert bound[["day", "total_s"]].values.tolist() == [[SEP_1, 210]], "one day, 3.5 min"
    assert analysis.plank_progress(df)["day"].tolist() == [SEP_1]
    assert analysis.discomfort_trend(df)[["day", "discomfort"]].values.tolist() == [[SEP_1, 3.0]]
    met = analysis.target_met_days(df, 180)
    assert met[["day", "met"]].values.tolist() == [[SEP_1, True]]
    assert len(select_holds(df, day="2026-09-01")) == len(HOLDS)
    assert select_holds(df, day="2026-08-31").empty and select_holds(df, day="2026-09-02").empty

    assert analysis.window(df, 1, "2026-09-01").shape[0] == len(HOLDS)
    assert analysis.up_to(df, "2026-08-31").empty
    next_day = ReviewDay(df, as_of="2026-09-02")
    figures = next_day.figures.loc["ana"]
    assert figures["last_day"] == SEP_1 and figures["days_since"] == 1
    assert figures["history_days"] == 2 and figures["days_met_28d"] == 1
    assert figures["bound_median_7d"] == 210
    said = ReviewDay(df, as_of="2026-09-01").summary("ana")
    assert "target met on 1 of the last 1 days" in said and "day logged on 01 Sep;" in said, said
    assert "no side plank since Tue 01 Sep 2026" in next_day.summary("ana")


def test_every_chart_and_page_says_her_own_day(logs, machine_zone):
    df = read_logs(logs)
    for chart in (charts.bound_angle_chart, charts.plank_chart, charts.discomfort_chart):
        ax = chart(df, "ana", ax=plt.figure().gca())
        drawn = [line for line in ax.lines if line.get_transform() == ax.transData]  # not a target
        xs = {mdates.num2date(x).date() for line in drawn for x in line.get_xdata(orig=False)}
        xs |= {mdates.num2date(x).date() for c in ax.collections for x, _ in c.get_offsets()}
        assert xs == {dt.date(2026, 9, 1)}, (chart.__name__, xs)
    cal = charts.adherence_calendar(df, "ana", ax=plt.figure().gca())
    assert cal.get_xticklabels()[0].get_text() == "31 Aug", "the week of Mon 31 Aug"
    assert cal.images[0].get_array().tolist()[1][0] == 2.0, "Tue 1 Sep: target met"
    title = charts.athlete_dashboard(df, "ana").get_suptitle()
    assert title == "ana: hip routine progress (01 Sep 2026 - 01 Sep 2026)"

    holds, runs = read_squad(logs)
    header = athlete_sections(holds, runs, "ana", as_of="2026-09-01")[0].to_html()
    assert "Holds from 01 Sep 2026 to 01 Sep 2026" in header


def test_the_progress_view_picks_her_own_first_day(logs, machine_zone):
    from hipnb.widgets import ProgressView

    ben = manual_row("ben", "side_plank", "left", 30, started_at="2026-08-31T22:00:00+02:00")
    write_rows(SessionLog(athlete_path(logs, "ben")), ben)  # the squad's first day, not hers
    view = ProgressView(ReviewDay(read_logs(logs), as_of="2026-09-01"), athlete="ana")
    assert view.start.value == view.end.value == dt.date(2026, 9, 1)
    assert len(view.selected()) == len(HOLDS)
    assert "(01 Sep 2026 - 01 Sep 2026)" in view.figure.get_suptitle()
    view.athlete.value = "ben"
    assert view.start.value == dt.date(2026, 8, 31) and len(view.selected()) == 1
    assert view.figure.get_suptitle() == "ben: hip routine progress (31 Aug 2026 - 31 Aug 2026)"
    view.athlete.value = "ana"
    assert view.start.value == dt.date(2026, 9, 1) and len(view.selected()) == len(HOLDS)
