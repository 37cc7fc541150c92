"""Tables people read: exercise names instead of ids, human headers, no index, no NaN, rounded
seconds. Each function takes an analysis frame and returns a pandas Styler (HTML-escaped)."""

from __future__ import annotations

import functools

import pandas as pd

from hipnb.routines import load_routine

_TABLE_STYLES = [
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


def seconds_text(seconds: float) -> str:
    """Seconds rounded as a person says them: ``45 s``, ``4 min 50 s``; '' when unknown."""
    if pd.isna(seconds):
        return ""
    s = round(float(seconds))
    return f"{s} s" if s < 90 else f"{s // 60} min {s % 60:02d} s"


def _table(frame: pd.DataFrame):
    return (
        frame.style.hide(axis="index")
        .format(na_rep="", escape="html")
        .set_table_styles(_TABLE_STYLES)
    )


def weekly_table(weekly: pd.DataFrame, weeks: int = 8):
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


def bests_table(bests: pd.DataFrame):
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


def next_steps_table(suggestions: pd.DataFrame):
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


def notes_table(log: pd.DataFrame, last: int = 10):
    """The ``last`` holds of one athlete's log that carry a note, newest last."""
    rows = log[log["note"].fillna("").str.strip() != ""].sort_values("started_at").tail(last)
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
