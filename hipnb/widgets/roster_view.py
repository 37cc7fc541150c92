"""RosterView: the squad roster with drill-down.

A thin skin over :mod:`hipnb.analysis` and :mod:`hipnb.charts`; nothing here computes a number. The
flags are the records of :func:`hipnb.analysis.flags`, rendered with their own words.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from hipnb import analysis, charts
from hipnb.analysis import ReviewDay
from hipnb.widgets.progress_view import ProgressView

#: Sort choices: label -> (roster column, ascending). The worst comes first by default.
SORTS = {
    "needs attention first": ("level", True),
    "athlete": ("athlete", True),
    "last log, oldest first": ("last_day", True),
    "target met 7 d, lowest first": ("adherence_7d", True),
    "target met 28 d, lowest first": ("adherence_28d", True),
    "bound angle, shortest first": ("bound_median_7d", True),
    "L/R gap, widest first": ("asymmetry", False),
    "discomfort, highest first": ("discomfort_14d", False),
}


class RosterView(w.VBox):
    """The squad at a glance on a laptop screen: a roster table (flags first) that can be sorted and
    limited to flagged athletes, and a drill-down with one athlete's flags in full, suggestions and
    dashboard.

    ``review`` is the review day (:meth:`hipnb.analysis.ReviewDay.on`: the logs, the runs, the day
    and the thresholds); ``links`` maps athletes to pages.
    """

    def __init__(self, review: ReviewDay, links: dict[str, str] | None = None) -> None:
        self.review = review
        self.df = review.holds
        self.links = links
        self.as_of = review.day
        self.roster = review.roster
        self.sort = w.Dropdown(options=list(SORTS), description="Sort by")
        self.reverse = w.Checkbox(value=False, description="reverse", indent=False)
        self.only_flagged = w.Checkbox(value=False, description="only flagged", indent=False)
        names = self.roster["athlete"].tolist()
        self.athlete = w.Dropdown(
            options=[("(pick one)", ""), *[(a, a) for a in names]], description="Drill down"
        )
        self.count = w.HTML()
        self.table = w.HTML(layout=w.Layout(max_width="100%"))
        self.details = w.HTML()
        self.progress: ProgressView | None = None
        self.drill = w.VBox([self.details])
        for control in (self.sort, self.reverse, self.only_flagged):
            control.observe(lambda _change: self.refresh(), names="value")
        self.athlete.observe(lambda _change: self.show_athlete(), names="value")
        controls = w.HBox([self.sort, self.reverse, self.only_flagged, self.athlete])
        controls.layout.flex_flow = "row wrap"
        super().__init__([controls, self.count, self.table, self.drill])
        self.refresh()

    def shown(self) -> pd.DataFrame:
        """The roster rows on screen, filtered and sorted as chosen."""
        r = self.roster
        if self.only_flagged.value:
            r = r[r["level"] != ""]
        column, ascending = SORTS[self.sort.value]
        return charts.sort_roster(r, column, ascending != self.reverse.value)

    def refresh(self) -> None:
        """Redraw the table for the current choices."""
        r = self.shown()
        flagged = int((self.roster["level"] != "").sum())
        red = int((self.roster["level"] == "red").sum())
        self.count.value = (
            f"{len(self.roster)} athletes on {self.as_of:%a %d %b %Y}; {flagged} need attention"
            + (f", <b style='color:#7f0000'>{red} with a red flag</b>" if red else "")
            + ". Pick one below the table for the details."
        )
        self.table.value = charts.roster_table(r, links=self.links).to_html()

    def show_athlete(self) -> None:
        """Show the chosen athlete's flags in full, suggestions and dashboard."""
        athlete = self.athlete.value
        if not athlete:
            self.details.value = ""
            self.drill.children = [self.details]
            return
        row = self.roster.set_index("athlete").loc[athlete]
        items = "".join(
            f"<li style='color:{charts.LEVEL_COLORS[f.level]}'>{html.escape(f.words)}</li>"
            for f in row["flags"]
        )
        mine = self.df[self.df["athlete"] == athlete]
        reasons = analysis.suggest_progression(mine)["reason"]
        sugg = "".join(f"<li>{html.escape(str(s))}</li>" for s in reasons)
        self.details.value = (
            f"<h3>{html.escape(athlete)}</h3><b>Flags</b><ul>{items or '<li>no flags</li>'}</ul>"
            + (f"<b>Suggestions</b><ul>{sugg}</ul>" if sugg else "")
        )
        if self.progress is None:
            self.progress = ProgressView(self.review, athlete=athlete)
        else:
            self.progress.athlete.value = athlete
        self.drill.children = [self.details, self.progress]
