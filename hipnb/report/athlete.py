"""One athlete's report as sections: what needs attention, progress charts, weekly adherence, bests
and next steps, notes, and running load. Every shape of data gets a page: a section whose data is
missing (no holds yet, only runs, one exercise, nothing lately) says so instead of failing."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from hipnb.analysis.days import Day, up_to
from hipnb.analysis.review_day import ReviewDay
from hipnb.analysis.thresholds import Thresholds
from hipnb.errors import HipnbError
from hipnb.names import unknown_athlete
from hipnb.report.page import Section, missing, paragraph
from hipnb.seconds import plural

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from hipnb.analysis.flags import Flag

#: Days a hold counts as recent on the page: the roster's longest window.
RECENT_DAYS = 28

DISCLAIMER = "Coaching guidance, not medical advice. Stop at once on sharp pain."


def athlete_sections(
    holds: pd.DataFrame,
    runs: pd.DataFrame,
    athlete: str,
    as_of: Day | None = None,
    *,
    flags: Sequence[Flag] | None = None,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
) -> list[Section]:
    """The sections of ``athlete``'s report on ``as_of`` (default: today), from a hold log frame
    (:func:`hipnb.read_logs`) and a runs frame (:func:`hipnb.runs.read_runs`), either of which may
    hold other athletes too. Rows after ``as_of`` are left out. ``flags`` are the athlete's records
    from the flag engine (:func:`hipnb.analysis.flags`) when already raised, e.g. for a squad at
    once; by default they are those standing on the day (:class:`~hipnb.analysis.ReviewDay`), on
    ``thresholds``.

    Example::

        holds, runs = read_squad("data/sample")
        for section in athlete_sections(holds, runs, "ana", as_of="2026-11-22"):
            display(section)       # in a notebook; section.to_html() elsewhere
    """
    known = set(holds["athlete"]) | set(runs["athlete"])
    if athlete not in known:
        raise HipnbError(unknown_athlete(athlete, known, "the logs"))
    review = ReviewDay.on(
        holds[holds["athlete"] == athlete], runs[runs["athlete"] == athlete],
        as_of=as_of, thresholds=thresholds,
    )  # fmt: skip
    mine, my_runs = review.holds, up_to(runs[runs["athlete"] == athlete], review.day)
    raised = review.flags_of(athlete) if flags is None else flags
    return [
        _header(review, my_runs, athlete, raised),
        _attention(raised),
        _progress(mine, athlete),
        _weekly(mine, review.thresholds),
        _bests(mine),
        _notes(mine),
        _running(review, my_runs, athlete),
    ]


def _header(review: ReviewDay, runs: pd.DataFrame, athlete: str, raised: Sequence[Flag]) -> Section:
    from hipnb import analysis

    mine, day = review.holds, review.day
    lines = []
    if mine.empty:
        what = f"{plural(len(runs), 'run')} imported, but no" if len(runs) else "No"
        lines.append(paragraph(f"As of {day:%a %d %b %Y}. {what} hip-routine holds logged yet."))
    else:
        days = analysis.day_of(mine)
        first, last = days.min(), days.max()
        lines.append(
            paragraph(
                f"As of {day:%a %d %b %Y}. Holds from {first:%d %b %Y} to {last:%d %b %Y}, "
                f"{plural(mine['session_id'].nunique(), 'session')}."
            )
        )
        if (day - last).days >= RECENT_DAYS:
            lines.append(
                paragraph(
                    f"No hold in the last {RECENT_DAYS} days: the last was on {last:%a %d %b %Y}, "
                    f"{(day - last).days} days before this report. The figures below are from "
                    "then.",
                    "missing",
                )
            )
        text = analysis.summary_text(
            mine, athlete, as_of=day, runs=review.runs, thresholds=review.thresholds,
            raised=raised,
        )  # fmt: skip
        lines.append(paragraph(text))
    lines.append(paragraph(DISCLAIMER, "note"))
    return Section(f"{athlete}: hip routine report", "".join(lines), level=1)


def _attention(raised: Sequence[Flag]) -> Section:
    """Every flag record of the athlete, in its own words, RED first."""
    title = "Needs attention"
    if not raised:
        return Section(title, paragraph("Nothing: no flag is raised."))
    items = "".join(f'<li class="{f.level}">{html.escape(f.words)}</li>' for f in raised)
    return Section(title, f'<ul class="flags">{items}</ul>')


def _close(fig: Figure) -> Figure:
    """Take ``fig`` out of pyplot's list (a notebook would show it twice); it still draws."""
    import matplotlib.pyplot as plt

    plt.close(fig)
    return fig


def _progress(mine: pd.DataFrame, athlete: str) -> Section:
    from hipnb import charts

    title = "Progress"
    if mine.empty:
        return missing(title, "No holds logged yet: the charts start with the first session.")
    fig = _close(charts.athlete_dashboard(mine, athlete))
    alt = (
        f"{athlete}'s progress: Reclining Bound Angle Pose minutes per day, side plank holds per "
        "side, the adherence calendar and hip discomfort"
    )
    return Section(title, figure=fig, alt=alt)


def _weekly(mine: pd.DataFrame, thresholds: Thresholds) -> Section:
    from hipnb import analysis, charts

    title = "Weekly adherence"
    if mine.empty:
        return missing(title, "No sessions yet.")
    body = charts.weekly_table(analysis.weekly_adherence(mine, thresholds.target_s)).to_html()
    return Section(title, body)


def _bests(mine: pd.DataFrame) -> Section:
    from hipnb import analysis, charts

    title = "Personal bests and next steps"
    if mine.empty:
        return missing(title, "No holds yet, so no bests and no suggestion.")
    bests = charts.bests_table(analysis.personal_bests(mine)).to_html()
    steps = analysis.suggest_progression(mine)
    nxt = (
        charts.next_steps_table(steps).to_html()
        if len(steps)
        else paragraph("No change of target suggested yet.", "missing")
    )
    return Section(title, f'<div class="tables"><div>{bests}</div><div>{nxt}</div></div>')


def _notes(mine: pd.DataFrame) -> Section:
    from hipnb import charts

    title = "Recent notes"
    noted = mine["note"].fillna("").str.strip() != ""
    if not noted.any():
        return missing(title, "No notes written yet.")
    return Section(title, charts.notes_table(mine).to_html())


def _running(review: ReviewDay, runs: pd.DataFrame, athlete: str) -> Section:
    from hipnb import charts

    title = "Running load and hip care"
    if runs.empty:
        return missing(title, "No runs imported (hipnb runs import).")
    fig = charts.load_figure(runs, review.holds, athlete, thresholds=review.thresholds)
    status = review.load
    words = "".join(paragraph(w) for w in status["words"])
    alt = f"{athlete}'s weekly running distance with the hip routine's weekly adherence"
    return Section(title, figure=_close(fig), alt=alt, after=words)
