"""Analysis on small hand-built logs with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from hipnb import SessionLog
from hipnb import analysis as a
from hipnb.log import empty_log


@pytest.fixture
def make_log(tmp_path):
    counter = iter(range(10_000))

    def make(rows):
        path = tmp_path / f"log{next(counter)}.csv"
        full = []
        for r in rows:
            base = {
                "session_id": r.get("session_id", r["started_at"][:10]),
                "athlete": "ana",
                "routine": "hip-basics",
                "side": "both",
                "target_s": 180.0,
                "completed": r.get("actual_s", 0) >= r.get("target_s", 180.0),
            }
            full.append({**base, **r})
        SessionLog(path).append(full)
        return SessionLog(path).read(errors="raise")

    return make


def bound(when, seconds, **kw):
    return {"started_at": when, "exercise": "bound_angle", "actual_s": seconds, **kw}


def plank(when, side, seconds, **kw):
    return {
        "started_at": when,
        "exercise": "side_plank",
        "side": side,
        "actual_s": seconds,
        "target_s": 30.0,
        **kw,
    }


def test_day_is_the_local_date_not_the_utc_date(make_log):
    # 23:30 in Madrid on 24 Nov is 22:30 UTC; 23:30 in New York on 24 Nov is 04:30 UTC on the 25th
    df = make_log(
        [bound("2026-11-24T23:30:00-05:00", 200), bound("2026-11-25T07:00:00-05:00", 100)]
    )
    days = a.daily_summary(df)
    assert days["day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-24", "2026-11-25"]
    assert days["total_s"].tolist() == [200.0, 100.0]


def test_dst_change_keeps_days_and_streaks(make_log):
    # Europe: clocks go back on 25 Oct 2026; offsets change from +02:00 to +01:00
    df = make_log(
        [
            bound("2026-10-24T23:30:00+02:00", 200),
            bound("2026-10-25T23:30:00+01:00", 200),
            bound("2026-10-26T00:10:00+01:00", 200),
        ]
    )
    prog = a.bound_angle_progress(df)
    assert prog["day"].dt.day.tolist() == [24, 25, 26]
    assert a.streaks(df)["current_streak"].tolist() == [3]


def test_band_under_in_over(make_log):
    df = make_log(
        [
            bound("2026-11-01T07:00:00+00:00", 120),
            bound("2026-11-02T07:00:00+00:00", 100),
            bound("2026-11-02T19:00:00+00:00", 100),  # two holds, 200 s that day
            bound("2026-11-03T07:00:00+00:00", 320),
        ]
    )
    prog = a.bound_angle_progress(df)
    assert prog["band"].tolist() == ["under", "in", "over"]
    assert prog["longest_s"].tolist() == [120.0, 100.0, 320.0]
    assert a.band_counts(prog).loc["ana"].tolist() == [1, 1, 1]


def test_plank_asymmetry_and_weaker_side(make_log):
    df = make_log(
        [
            plank("2026-11-01T07:00:00+00:00", "left", 40),
            plank("2026-11-01T07:01:00+00:00", "right", 30),
            plank("2026-11-02T07:00:00+00:00", "left", 30),
            plank("2026-11-02T07:01:00+00:00", "right", 30),
            plank("2026-11-03T07:00:00+00:00", "left", 20),
        ]
    )
    p = a.plank_progress(df)
    assert p["asymmetry"].tolist()[:2] == [0.25, 0.0]
    assert p["weaker"].tolist() == ["right", "even", "even"]
    assert pd.isna(p["right_s"].iloc[2]) and pd.isna(p["asymmetry"].iloc[2])


def test_streaks_with_a_gap_of_weeks(make_log):
    days = ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04", "2026-10-01", "2026-10-02"]
    df = make_log(
        [bound(f"{d}T07:00:00+00:00", 200) for d in days]
        + [
            bound("2026-10-03T07:00:00+00:00", 60)  # logged but under target: breaks nothing new
        ]
    )
    s = a.streaks(df).iloc[0]
    assert (s["longest_streak"], s["current_streak"]) == (4, 2)
    assert a.streaks(df, as_of="2026-10-20")["current_streak"].tolist() == [0]
    weekly = a.weekly_adherence(df)
    assert weekly["days_met"].sum() == 6 and weekly["active_days"].sum() == 7
    assert weekly["week"].dt.day_of_week.eq(0).all()


def test_discomfort_trend_rolls_over_calendar_days(make_log):
    rows = [
        bound("2026-11-01T07:00:00+00:00", 200, discomfort=2),
        bound("2026-11-02T07:00:00+00:00", 200, discomfort=4),
        bound("2026-11-20T07:00:00+00:00", 200, discomfort=6),
    ]
    t = a.discomfort_trend(make_log(rows), window="7D")
    assert t["rolling"].tolist() == [2.0, 3.0, 6.0]
    slope = a.trend_slope(t, "discomfort")
    assert slope["ana"] > 0


def test_personal_bests_and_progression(make_log):
    rows = []
    for i, d in enumerate(["2026-11-01", "2026-11-02", "2026-11-03"]):
        sid = f"s{i}"
        rows += [
            plank(f"{d}T07:00:00+00:00", "left", 30 + i, session_id=sid),
            plank(f"{d}T07:01:00+00:00", "right", 30, session_id=sid, discomfort=2),
            bound(f"{d}T07:05:00+00:00", 170, session_id=sid),
        ]
    df = make_log(rows)
    best = a.personal_bests(df).set_index(["exercise", "side"])
    assert best.loc[("side_plank", "left"), "best_s"] == 32
    sug = a.suggest_progression(df).set_index("exercise")
    assert sug.loc["side_plank", "suggested_s"] == 45
    assert "so add 15 s" in sug.loc["side_plank", "reason"]
    assert sug.loc["bound_angle", "suggested_s"] == 180
    assert "not every hold completed" in sug.loc["bound_angle", "reason"]
    two = a.suggest_progression(df[df["session_id"] != "s0"]).set_index("exercise")
    assert "fewer than 3 sessions" in two.loc["side_plank", "reason"]


def test_progression_holds_back_on_discomfort(make_log):
    rows = [
        plank(f"2026-11-0{i}T07:00:00+00:00", side, 30, session_id=f"s{i}", discomfort=5)
        for i in (1, 2, 3)
        for side in ("left", "right")
    ]
    sug = a.suggest_progression(make_log(rows))
    assert sug["suggested_s"].tolist() == [30.0]
    assert "discomfort above 3" in sug["reason"].iloc[0]


@pytest.mark.parametrize(
    "fn",
    [
        a.daily_summary,
        a.bound_angle_progress,
        a.plank_progress,
        a.streaks,
        a.weekly_adherence,
        a.discomfort_trend,
        a.personal_bests,
        a.suggest_progression,
    ],
)
def test_empty_and_one_day_logs_work(fn, make_log):
    assert fn(empty_log()).empty
    one = make_log(
        [
            bound("2026-11-01T07:00:00+00:00", 200, discomfort=1),
            plank("2026-11-01T07:05:00+00:00", "left", 30),
        ]
    )
    assert len(fn(one)) >= 1


def _squad(make_log):
    """Three athletes over four weeks ending 2026-11-28 (a Saturday), built to trip one flag each."""
    rows = []
    start = pd.Timestamp("2026-11-01")
    for i in range(28):
        day = (start + pd.Timedelta(days=i)).strftime("%Y-%m-%d")
        sid = f"{day}"
        # steady: every day, 200 s, planks even, discomfort 1
        rows += [
            bound(f"{day}T07:00:00+00:00", 200, athlete="steady", session_id="s" + sid),
            plank(f"{day}T07:05:00+00:00", "left", 30, athlete="steady", session_id="s" + sid),
            plank(
                f"{day}T07:06:00+00:00",
                "right",
                30,
                athlete="steady",
                session_id="s" + sid,
                discomfort=1,
            ),
        ]
        # lopsided: right plank much weaker, discomfort rising 1 point every 4 days
        rows += [
            bound(f"{day}T07:00:00+00:00", 200, athlete="lopsided", session_id="l" + sid),
            plank(f"{day}T07:05:00+00:00", "left", 40, athlete="lopsided", session_id="l" + sid),
            plank(
                f"{day}T07:06:00+00:00",
                "right",
                20,
                athlete="lopsided",
                session_id="l" + sid,
                discomfort=min(10, i // 4),
            ),
        ]
        # fading: holds fall 10 s a day, and stops logging after day 14
        if i < 14:
            rows.append(
                bound(f"{day}T07:00:00+00:00", 300 - 10 * i, athlete="fading", session_id="f" + sid)
            )
    return make_log(rows)


def test_roster_known_answers_and_flags(make_log):
    r = a.roster(_squad(make_log)).set_index("athlete")
    assert r.loc["steady", "days_since"] == 0 and r.loc["fading", "days_since"] == 14
    assert r.loc["steady", "adherence_7d"] == 1.0 and r.loc["steady", "adherence_28d"] == 1.0
    assert r.loc["fading", "adherence_7d"] == 0.0
    assert r.loc["steady", "bound_median_7d"] == 200
    assert r.loc["lopsided", "asymmetry"] == 0.5
    assert r.loc["lopsided", "plank_left_s"] == 40 and r.loc["lopsided", "plank_right_s"] == 20
    assert r.loc["lopsided", "discomfort_trend"] == pytest.approx(3.5, abs=0.3)
    assert r.loc["fading", "bound_trend"] == pytest.approx(-70, abs=1)
    assert r.loc["steady", "flags"] == ""
    assert r.loc["lopsided", "flags"] == (
        "side plank asymmetry 50 %; discomfort rising (+3.4 per 2 weeks)"
    )
    assert r.loc["fading", "flags"] == (
        "no log for 14 days; bound-angle holds falling (-70 s a week)"
    )
    strict = a.roster(_squad(make_log), max_asymmetry=0.6, inactive_days=30).set_index("athlete")
    assert "asymmetry" not in strict.loc["lopsided", "flags"]
    assert "no log" not in strict.loc["fading", "flags"]


def test_roster_as_of_and_empty(make_log):
    df = _squad(make_log)
    later = a.roster(df, as_of="2026-12-10").set_index("athlete")
    assert (
        later.loc["steady", "days_since"] == 12
        and "no log for 12 days" in later.loc["steady", "flags"]
    )
    assert a.roster(empty_log()).empty


def test_roster_table_colours_and_escapes(make_log):
    from hipnb.charts import AMBER, GREEN, RED, roster_table

    r = a.roster(_squad(make_log))
    r.loc[0, "flags"] = "<b>x</b>"
    html = roster_table(r, sort_by="adherence_7d").to_html()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert GREEN in html and RED in html
    assert "100%" in html and "3.3 min" in html
    assert AMBER in html, "fading met the target on half of 28 days: partly"
    order = roster_table(r, sort_by="adherence_7d").data["athlete"].tolist()
    assert order[0] == "fading"
