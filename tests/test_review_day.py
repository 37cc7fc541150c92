"""One review day: flags that silence cannot clear, acknowledgements, one target, and every threshold
of the flag engine at its limit and one unit each side."""

from __future__ import annotations

import datetime as dt
import shutil

import numpy as np
import pandas as pd
import pytest

import hipnb
from hipnb import analysis
from hipnb.analysis import Kind, ReviewDay, Thresholds
from hipnb.analysis.figures import FIGURE_COLUMNS, athlete_figures
from hipnb.analysis.flags import flags_from_figures
from hipnb.cli import main
from hipnb.review import acknowledge, acknowledged
from hipnb.runs import read_runs
from tests.rows import write_rows

from .conftest import SAMPLE

END = dt.date(2026, 11, 22)  # the sample's last day
LATER = dt.date(2026, 12, 5)  # 13 days on, nothing logged since


@pytest.fixture
def squad(tmp_path):
    logs = tmp_path / "logs"
    shutil.copytree(SAMPLE, logs)
    return logs


def _since_review(capsys, logs) -> list[str]:
    assert main(["summary", str(logs), "--as-of", f"{END}", "--mark-reviewed"]) == 0
    capsys.readouterr()
    assert main(["summary", str(logs), "--as-of", f"{LATER}", "--since-review"]) == 0
    return capsys.readouterr().out.splitlines()


def test_silence_clears_no_flag_since_the_review(squad, capsys):
    """The coach reviews on 22 Nov; on 5 Dec nobody has logged: emma's and hana's flags stand."""
    out = _since_review(capsys, squad)
    assert not any("cleared" in line for line in out), "\n".join(out)
    emma = [line for line in out if line.split()[:3] == ["emma", "RED", "FLAG"]]
    assert any(
        "9/10" in line and "no discomfort score since Sun 22 Nov 2026" in line for line in emma
    )
    assert any("mean hip discomfort 8.0/10" in line for line in emma)
    day = ReviewDay(hipnb.read_logs(squad), read_runs(squad), as_of=LATER)
    kinds = {(f.athlete, f.kind) for f in day.flags}
    assert {("emma", Kind.DISCOMFORT_RISING), ("hana", Kind.RUNNING_LOAD)} <= kinds
    assert ("hana", Kind.DISCOMFORT_RISING) not in kinds, "silence raises no trend either"
    load = day.load.set_index("athlete")
    assert load.loc["hana", "flag"] and "no run since Sun 22 Nov 2026" in load.loc["hana", "words"]


def _scored(day: dt.date, score: float, athlete: str = "emma") -> dict:
    return {
        "session_id": f"{athlete}-{day}",
        "athlete": athlete,
        "started_at": f"{day}T07:00:00+00:00",
        "routine": "hip-basics",
        "exercise": "bound_angle",
        "side": "both",
        "target_s": 180.0,
        "actual_s": 200.0,
        "completed": True,
        "discomfort": score,
    }


def test_newer_discomfort_scores_clear_the_flags_and_say_so(squad, capsys):
    low = [_scored(END + dt.timedelta(days=d), 1) for d in range(1, 14)]
    write_rows(hipnb.SessionLog(squad / "emma.csv"), low)
    out = _since_review(capsys, squad)
    cleared = [line for line in out if line.split()[:3] == ["emma", "cleared", "flag"]]
    assert len(cleared) == 3 and all("cleared by newer data" in line for line in cleared)
    assert not any(line.split()[:3] == ["emma", "RED", "FLAG"] for line in out)
    assert not any(line.startswith("  hana") and "cleared" in line for line in out)


def test_unscored_holds_are_not_evidence(squad):
    unscored = [{**_scored(END + dt.timedelta(days=d), 1), "discomfort": None} for d in (1, 2)]
    write_rows(hipnb.SessionLog(squad / "emma.csv"), unscored)
    day = ReviewDay(hipnb.read_logs(squad), as_of=LATER)
    high = [f for f in day.flags_of("emma") if f.kind is Kind.DISCOMFORT_HIGH]
    assert high and high[0].quiet and "no discomfort score since Sun 22 Nov" in high[0].words


def test_a_flag_clears_by_acknowledgement_per_athlete_and_kind(squad, capsys):
    _since_review(capsys, squad)
    assert main(["summary", str(squad), "--as-of", f"{LATER}", "--acknowledge",
                 "emma:discomfort_high"]) == 0  # fmt: skip
    assert acknowledged(squad) == {("emma", Kind.DISCOMFORT_HIGH): LATER}
    capsys.readouterr()
    assert main(["summary", str(squad), "--as-of", f"{LATER}", "--since-review"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.split()[:2] == ["emma", "acknowledged"] and "9/10" in line for line in out)
    reds = [line for line in out if line.split()[:3] == ["emma", "RED", "FLAG"]]
    assert len(reds) == 1 and "mean hip discomfort" in reds[0], "the other flag still stands"
    # newer data that raises it again shows it again
    write_rows(hipnb.SessionLog(squad / "emma.csv"), [_scored(LATER + dt.timedelta(days=1), 9)])
    holds = hipnb.read_logs(squad)
    again = ReviewDay(holds, as_of=LATER + dt.timedelta(days=1), acknowledged=acknowledged(squad))
    assert Kind.DISCOMFORT_HIGH in {f.kind for f in again.flags_of("emma")}


def test_a_review_date_alone_clears_nothing(squad):
    holds = hipnb.read_logs(squad)
    before = {(f.athlete, f.kind) for f in ReviewDay(holds, as_of=LATER).flags}
    hipnb.review.mark_reviewed(squad, LATER)
    acknowledge(squad, "dev", "asymmetry", LATER)
    after = ReviewDay(holds, as_of=LATER, acknowledged=acknowledged(squad))
    assert before - {(f.athlete, f.kind) for f in after.flags} == {("dev", Kind.ASYMMETRY)}
    with pytest.raises(hipnb.HipnbError, match="no kind of flag 'pain'"):
        acknowledge(squad, "dev", "pain", LATER)


def test_summary_text_with_a_custom_target_agrees_with_itself():
    holds = hipnb.read_logs(SAMPLE)
    text = analysis.summary_text(holds, "ana", as_of=END, thresholds=Thresholds(target_s=290))
    assert "target met on 4 of the last 28 days" in text, text
    assert text.count("target met on") == 1, "one fact, said once, in one wording"
    streak = analysis.streaks(holds[holds["athlete"] == "ana"], 290, as_of=END).iloc[0]
    assert f"urrent streak {streak.current_streak} days (best {streak.longest_streak})" in text
    assert streak.longest_streak < 7, "judged at 290 s, not at 180 s"
    day = ReviewDay(holds, as_of=END, thresholds=Thresholds(target_s=290))
    assert day.summary("ana") == text


def _fig(**values: float) -> pd.DataFrame:
    """One athlete's figures: logged today, 100 days of history, every other figure unknown."""
    row = dict.fromkeys(FIGURE_COLUMNS, np.nan)
    row.update(days_since=0, history_days=100, adherence_28d=1.0, holds_logged=True,
               weaker="left", plank_left_s=20.0, plank_right_s=30.0)  # fmt: skip
    row.update(values)
    return pd.DataFrame([row], index=pd.Index(["ana"], name="athlete"))


#: Each threshold at its limit and one unit each side: (figures, kind, raised?).
BOUNDARIES = [
    *[({"discomfort_max_7d": v}, Kind.DISCOMFORT_HIGH, v >= 7) for v in (6, 7, 8)],
    *[({"discomfort_14d": v}, Kind.DISCOMFORT_MEAN, v >= 5) for v in (4.9, 5.0, 5.1)],
    *[({"days_since": v}, Kind.INACTIVE, v >= 7) for v in (6, 7, 8)],
    *[({"adherence_28d": v}, Kind.LOW_ADHERENCE, v < 0.4) for v in (0.39, 0.40, 0.41)],
    *[
        ({"adherence_28d": 0.1, "history_days": v}, Kind.LOW_ADHERENCE, v >= 28)
        for v in (27, 28, 29)
    ],  # fmt: skip
    *[({"asymmetry": v}, Kind.ASYMMETRY, v > 0.15) for v in (0.14, 0.15, 0.16)],
    *[({"discomfort_trend": v}, Kind.DISCOMFORT_RISING, v >= 0.75) for v in (0.74, 0.75, 0.76)],
    *[({"bound_trend": v}, Kind.HOLDS_FALLING, v <= -20) for v in (-19, -20, -21)],
    *[
        ({"load_ratio": v, "adherence_28d": 0.1}, Kind.RUNNING_LOAD, v > 1.5)
        for v in (1.49, 1.5, 1.51)
    ],  # fmt: skip
    *[
        ({"load_change": v, "adherence_28d": 0.1}, Kind.RUNNING_LOAD, v > 0.3)
        for v in (0.29, 0.3, 0.31)
    ],  # fmt: skip
    *[
        ({"load_ratio": 2.0, "adherence_28d": v}, Kind.RUNNING_LOAD, v < 0.5)
        for v in (0.49, 0.5, 0.51)
    ],  # fmt: skip
]


@pytest.mark.parametrize(("figures", "kind", "raised"), BOUNDARIES)
def test_every_threshold_at_its_limit_and_one_unit_each_side(figures, kind, raised):
    got = flags_from_figures(_fig(**figures), as_of=END, thresholds=Thresholds())
    assert (kind in {f.kind for f in got}) is raised, figures


def _runs(first_ago: int) -> pd.DataFrame:
    """ana's runs: 5 km every day from ``first_ago`` days before END to END."""
    days = [END - dt.timedelta(days=d) for d in range(first_ago, -1, -1)]
    local = pd.to_datetime([f"{d}T07:00:00" for d in days])
    return pd.DataFrame({"athlete": "ana", "local_time": local, "distance_m": 5000.0})


@pytest.mark.parametrize(("first_ago", "defined"), [(26, False), (27, True), (28, True)])
def test_the_load_ratio_needs_28_days_of_runs(first_ago, defined):
    from hipnb.log import empty_log

    fig = athlete_figures(empty_log(), _runs(first_ago), as_of=END, target_s=180)
    assert fig.loc["ana", "run_days"] == first_ago + 1
    assert pd.notna(fig.loc["ana", "load_ratio"]) is defined


@pytest.mark.parametrize(("ago", "inside"), [(-1, False), (0, True), (6, True), (7, False)])
def test_the_window_rule_at_both_ends(ago, inside):
    assert bool(analysis.within(pd.Series([ago]), 7).iloc[0]) is inside


@pytest.mark.parametrize(("on", "hidden"), [(END - dt.timedelta(days=1), False), (END, True)])
def test_an_acknowledgement_covers_the_data_up_to_its_own_day(on, hidden):
    holds = hipnb.read_logs(SAMPLE)  # emma's last score is on END
    day = ReviewDay(holds, as_of=LATER, acknowledged={("emma", Kind.DISCOMFORT_HIGH): on})
    assert (Kind.DISCOMFORT_HIGH not in {f.kind for f in day.flags_of("emma")}) is hidden
