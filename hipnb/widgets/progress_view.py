"""ProgressView: one athlete's dashboard and summary over a chosen date range."""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd
from IPython.display import display

from hipnb.analysis import ReviewDay
from hipnb.errors import HipnbError
from hipnb.log import normalize_name
from hipnb.names import unknown_athlete


class ProgressView(w.VBox):
    """Pick an athlete and a date range; see the dashboard and a short summary in words.

    ``review`` is the review day (:meth:`hipnb.analysis.ReviewDay.on`: its logs, day, target and
    thresholds); the range ends on its day. The summary judges the range's last day, so a lapse
    since the last log shows.
    """

    def __init__(self, review: ReviewDay, athlete: str | None = None) -> None:
        import matplotlib.pyplot as plt

        from hipnb import charts

        self._plt, self._charts = plt, charts
        self.review = review
        self.df = df = review.holds
        athletes = sorted(df["athlete"].unique()) or [""]
        athlete = normalize_name(athlete) if athlete else None  # "Zoë" typed decomposed too
        if athlete is not None and athlete not in athletes:
            raise HipnbError(unknown_athlete(athlete, athletes, "the log"))
        days = df["local_time"].dt.date
        self.athlete = w.Dropdown(
            options=athletes, value=athlete or athletes[0], description="Athlete"
        )
        self.start = w.DatePicker(value=days.min() if len(df) else None, description="From")
        end = review.date
        self.end = w.DatePicker(value=end, description="To")
        self.summary = w.HTML()
        self.output = w.Output()
        for control in (self.athlete, self.start, self.end):
            control.observe(lambda _change: self.refresh(), names="value")
        super().__init__([w.HBox([self.athlete, self.start, self.end]), self.summary, self.output])
        self.refresh()

    def selected(self) -> pd.DataFrame:
        """The rows of the chosen athlete within the chosen dates."""
        d = self.df[self.df["athlete"] == self.athlete.value]
        day = d["local_time"].dt.date
        if self.start.value:
            d = d[day >= self.start.value]
        if self.end.value:
            d = d[d["local_time"].dt.date <= self.end.value]
        rows: pd.DataFrame = d
        return rows

    def refresh(self) -> None:
        """Redraw the summary and the dashboard for the current choices."""
        d = self.selected()
        day = self.review.on_day(self.end.value or self.review.day)
        runs = day.runs
        self.summary.value = html.escape(
            ReviewDay(d, runs, as_of=day.day, thresholds=day.thresholds).summary(self.athlete.value)
        )
        self.output.clear_output(wait=True)
        with self.output:
            fig = self._charts.athlete_dashboard(d, self.athlete.value)
            self.figure = fig
            display(fig)
            self._plt.close(fig)
