"""The squad page: the roster with its flags, each name linked to the athlete's page, the athletes
whose page failed, and the small multiples of every athlete's Reclining Bound Angle Pose."""

from __future__ import annotations

import html

import pandas as pd

from hipnb.analysis.days import up_to
from hipnb.report.athlete import DISCLAIMER
from hipnb.report.page import Section, paragraph
from hipnb.seconds import plural


def squad_sections(
    holds: pd.DataFrame,
    runs: pd.DataFrame,
    day: pd.Timestamp,
    links: dict[str, str],
    failed: dict[str, str],
    *,
    roster: pd.DataFrame | None = None,
    grid: Section | None = None,
) -> list[Section]:
    """The squad page's sections on ``day``: ``links`` maps an athlete to the address of their
    page (relative to the squad page), ``failed`` an athlete to why their page is missing;
    ``roster`` (:attr:`hipnb.analysis.ReviewDay.roster`) and ``grid`` (:func:`grid_section`) when
    already made."""
    from hipnb import charts

    holds, runs = up_to(holds, day), up_to(runs, day)
    if roster is None:
        from hipnb.analysis import ReviewDay

        roster = ReviewDay(holds, runs, as_of=day).roster
    athletes = sorted(set(holds["athlete"]) | set(runs["athlete"]))
    head = [
        paragraph(
            f"As of {day:%a %d %b %Y}: {plural(len(athletes), 'athlete')}, "
            f"{plural(len(holds), 'hold')} logged. "
            f"Pages: {len(links)} written, {len(failed)} failed. Click a name for the athlete's "
            "page."
        ),
        paragraph(
            DISCLAIMER + " A red flag means: ease off and have it checked by a qualified "
            "professional.",
            "note",
        ),
    ]
    sections = [Section("Squad summary", "".join(head), level=1)]
    table = (
        charts.roster_table(roster, sort_by="level", links=links).to_html() if len(roster) else ""
    )
    sections.append(Section("Roster", table or paragraph("No athlete has logged anything yet.")))
    if failed:
        items = "".join(
            f"<li><b>{html.escape(a)}</b>: {html.escape(why)}</li>"
            for a, why in sorted(failed.items())
        )
        sections.append(Section("Pages that failed", f"<ul>{items}</ul>"))
    grid = grid or grid_section(holds, day, roster)
    if grid is not None:
        sections.append(grid)
    return sections


def grid_section(holds: pd.DataFrame, day: pd.Timestamp, roster: pd.DataFrame) -> Section | None:
    """Every athlete's Reclining Bound Angle Pose minutes per day, each framed in the colour of
    their flags' level (None when no hold is logged)."""
    import matplotlib.pyplot as plt

    from hipnb import charts

    holds = up_to(holds, day)
    if holds.empty:
        return None
    fig = charts.roster_grid(holds, roster)
    plt.close(fig)
    alt = "every athlete's Reclining Bound Angle Pose minutes per day, flagged ones framed"
    # a few flat colours: the 32 commonest keep it sharp at 3/4 of the bytes of 128 (it grows
    # with the squad)
    return Section("Reclining Bound Angle Pose per athlete", figure=fig, alt=alt, colors=32)
