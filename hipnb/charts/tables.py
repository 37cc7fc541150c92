"""Tables people read: exercise names instead of ids, human headers, no index, no NaN, rounded
seconds. Each function takes an analysis frame and returns a pandas Styler (HTML-escaped)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pandas as pd

from hipnb.analysis.flags import Flag
from hipnb.routines import load_routine
from hipnb.seconds import seconds_text

if (
    TYPE_CHECKING
):  # Styler imports jinja2: only for type checkers here, `DataFrame.style` at run time
    from pandas.io.formats.style import Styler
    from pandas.io.formats.style_render import CSSDict

_TABLE_STYLES: list[CSSDict] = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 0.95em"},
    {
        "selector": "th",
        "props": "text-align: left; padding: 3px 8px; border-bottom: 1px solid #999",
    },
    {
        "selector": "td",
        "props": "padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: left",
    },
]


@functools.cache
def _names() -> dict[str, str]:
    return {k: v.name for k, v in load_routine("hip-basics").exercises.items()}


def exercise_name(exercise: str) -> str:
    """The display name of an exercise id (``side_plank`` -> ``Side plank``); unknown ids are made
    readable (``hip_airplane`` -> ``Hip airplane``)."""
    return _names().get(exercise, str(exercise).replace("_", " ").capitalize())


#: A wrapped text column: long words stay whole, the table fits a 1280 px screen.
_WRAP: list[CSSDict] = [
    {"selector": "td", "props": "white-space: normal; word-break: normal; max-width: 48em"}
]


def _table(frame: pd.DataFrame) -> Styler:
    return (
        frame.style.hide(axis="index")
        .format(na_rep="", escape="html")
        .set_table_styles(_TABLE_STYLES)
    )


def weekly_table(weekly: pd.DataFrame, weeks: int = 8) -> Styler:
    """The last ``weeks`` rows of :func:`~hipnb.analysis.weekly_adherence` for one athlete."""
    w = weekly.tail(weeks)
    return _table(
        pd.DataFrame(
            {
                "Week starting": w["week"].map(lambda d: f"{d:%a %d %b}"),
                "Days target met": w["days_met"].astype(int),
                "Days active": w["active_days"].astype(int),
                "Sessions": w["sessions"].astype(int),
            }
        )
    )


def bests_table(bests: pd.DataFrame) -> Styler:
    """:func:`~hipnb.analysis.personal_bests` for one athlete."""
    return _table(
        pd.DataFrame(
            {
                "Exercise": bests["exercise"].map(exercise_name),
                "Side": bests["side"].where(bests["side"] != "both", ""),
                "Longest hold": bests["best_s"].map(seconds_text),
                "On": bests["day"].map(lambda d: f"{d:%a %d %b %Y}"),
            }
        )
    )


def next_steps_table(suggestions: pd.DataFrame) -> Styler:
    """:func:`~hipnb.analysis.suggest_progression` for one athlete."""
    why = suggestions["reason"].str.split(": ", n=1).str[-1]
    return _table(
        pd.DataFrame(
            {
                "Exercise": suggestions["exercise"].map(exercise_name),
                "Target now": suggestions["target_s"].map(seconds_text),
                "Next target": suggestions["suggested_s"].map(seconds_text),
                "Why": why,
            }
        )
    )


def _in_time(log: pd.DataFrame) -> pd.DataFrame:
    """Holds oldest first; holds of one instant by athlete, each athlete's in the log's order."""
    return log.sort_values(["started_at", "athlete"], kind="stable")


def holds_table(log: pd.DataFrame) -> Styler:
    """Logged holds as people read them: the local time, the exercise's name, seconds rounded
    (``7 s``, ``3 min 05 s``), done or not, the 0-10 answers and the note; oldest first."""
    rows = _in_time(log)

    def score(v: float | None) -> str:
        return "" if pd.isna(v) else f"{v}"

    return _table(
        pd.DataFrame(
            {
                "When": rows["local_time"].map(lambda t: f"{t:%a %d %b %H:%M}"),
                "Exercise": rows["exercise"].map(exercise_name),
                "Side": rows["side"].where(rows["side"] != "both", ""),
                "Target": rows["target_s"].map(seconds_text),
                "Held": rows["actual_s"].map(seconds_text),
                "To target": rows["completed"].map({True: "yes", False: "no"}),
                "Effort (0-10)": rows["rpe"].map(score),
                "Discomfort (0-10)": rows["discomfort"].map(score),
                "Pain at": rows["pain_at_s"].map(seconds_text),
                "Note": rows["note"],
            }
        )
    ).set_table_styles(_WRAP, overwrite=False)


def notes_table(log: pd.DataFrame, last: int = 10) -> Styler:
    """The ``last`` holds of one athlete's log that carry a note, newest last."""
    rows = _in_time(log[log["note"].fillna("").str.strip() != ""]).tail(last)
    return _table(
        pd.DataFrame(
            {
                "When": rows["local_time"].map(lambda t: f"{t:%a %d %b %H:%M}"),
                "Exercise": rows["exercise"].map(exercise_name),
                "Side": rows["side"].where(rows["side"] != "both", ""),
                "Discomfort (0-10)": rows["discomfort"].map(lambda v: "" if pd.isna(v) else f"{v}"),
                "Note": rows["note"],
            }
        )
    )


def flags_table(flags: Iterable[Flag]) -> Styler:
    """Flag records (from :func:`hipnb.analysis.flags` or a roster's ``flags``) as a table people
    read: athlete, level (RED in dark red, AMBER in dark orange) and the flag in words."""
    from hipnb.charts.roster import LEVEL_COLORS

    rows = list(flags)
    frame = pd.DataFrame(
        {
            "Athlete": [f.athlete for f in rows],
            "Level": [f.level.upper() for f in rows],
            "Flag": [f.words for f in rows],
        }
    )
    color = [f"color: {LEVEL_COLORS[f.level]}; font-weight: bold" for f in rows]
    return (
        _table(frame)
        .apply(lambda _col: color, subset=["Level"], axis=0)
        .set_table_styles(_WRAP, overwrite=False)
    )


def load_table(status: pd.DataFrame) -> Styler:
    """:func:`~hipnb.analysis.load_status` as a table people read: distances in km with one decimal,
    the load ratio with two, shares as whole percents, and the running-load flag in words."""

    def num(fmt: str) -> Callable[[float], str]:
        return lambda v: "" if pd.isna(v) else fmt.format(v)

    frame = pd.DataFrame(
        {
            "Athlete": status["athlete"],
            "Last 7 days": status["km_7d"].map(num("{:.1f} km")),
            "7 days before": status["km_prev_7d"].map(num("{:.1f} km")),
            "Load ratio (28 d)": status["ratio"].map(num("{:.2f}x")),
            "Change": status["change_7d"].map(num("{:+.0%}")),
            "Hip routine (28 d)": status["adherence_28d"].map(num("{:.0%}")),
            "Flag": [w if f else "" for w, f in zip(status["words"], status["flag"], strict=True)],
        }
    )
    return _table(frame).set_table_styles(_WRAP, overwrite=False)
