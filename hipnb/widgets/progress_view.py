"""ProgressView: one athlete's dashboard and summary over a chosen date range."""

from __future__ import annotations

import html
from datetime import date

import ipywidgets as w
import pandas as pd
from IPython.display import display

from hipnb.analysis import ReviewDay, as_day, day_of, up_to
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
        self.athlete = w.Dropdown(
            options=athletes, value=athlete or athletes[0], description="Athlete"
        )
        self.start = w.DatePicker(value=self.first_day(), description="From")
        self.end = w.DatePicker(value=review.date, description="To")
        self.summary = w.HTML()
        self.output = w.Output()
        self.athlete.observe(self._new_athlete, names="value")
        for control in (self.start, self.end):
            control.observe(lambda _change: self.refresh(), names="value")
        super().__init__([w.HBox([self.athlete, self.start, self.end]), self.summary, self.output])
        self.refresh()

    def first_day(self) -> date | None:
        """The chosen athlete's first day logged (:func:`hipnb.analysis.day_of`), where From starts."""
        days = day_of(self.df[self.df["athlete"] == self.athlete.value])
        return days.min().date() if len(days) else None

    def selected(self) -> pd.DataFrame:
        """The rows of the chosen athlete within the chosen dates."""
        d = self.df[self.df["athlete"] == self.athlete.value]
        if self.start.value:
            d = d[day_of(d) >= as_day(self.start.value)]
        if self.end.value:
            d = up_to(d, self.end.value)
        rows: pd.DataFrame = d
        return rows

    def _new_athlete(self, _change: object) -> None:
        """From moves to the new athlete's first day (which redraws); redraw if it stays."""
        first = self.first_day()
        if self.start.value == first:
            self.refresh()
        self.start.value = first

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
