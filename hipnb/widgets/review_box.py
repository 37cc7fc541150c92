"""ReviewBox: what changed since the last review, and a button that records today's review.

A thin skin over :mod:`hipnb.analysis` and :mod:`hipnb.review`; nothing here computes a number.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w
import pandas as pd

from hipnb import analysis, charts
from hipnb.analysis import ReviewDay
from hipnb.review import last_review, mark_reviewed, review_path


class ReviewBox(w.VBox):
    """What needs attention now and what changed since the last review (from
    ``.hipnb-review.json`` beside the logs), and a button that records today's review.

    Every standing RED flag comes first, then new, cleared and acknowledged flags, streaks and bests.
    ``review`` is the review day (:meth:`hipnb.analysis.ReviewDay.on`); the button records its day.
    """

    def __init__(self, review: ReviewDay, log: str | Path) -> None:
        self.review, self.df, self.log_path = review, review.holds, Path(log)
        self.heading = w.HTML()
        self.table = w.HTML(layout=w.Layout(max_width="100%"))
        self.button = w.Button(
            description="Mark reviewed",
            icon="check",
            tooltip=f"record {review.day:%a %d %b %Y} in {review_path(self.log_path)}",
            layout=w.Layout(width="auto"),
        )
        self.status = w.HTML()
        self.button.on_click(lambda _b: self.mark())
        super().__init__([self.heading, self.table, w.HBox([self.button, self.status])])
        self.refresh()

    @property
    def as_of(self) -> pd.Timestamp:
        """The review day."""
        return self.review.day

    def _period(self) -> tuple[pd.Timestamp, str]:
        last = self.df["local_time"].max() if len(self.df) else None
        return analysis.review_period(last_review(self.log_path), self.as_of, last)

    def changes(self) -> pd.DataFrame:
        """Standing RED flags, then the changes since the recorded review (the last 7 days when
        none is recorded)."""
        since, _head = self._period()
        return self.review.changes(since)

    def refresh(self) -> None:
        """Redraw the heading and the changes."""
        _since, head = self._period()
        self.heading.value = f"<b>{html.escape(head)}</b>"
        ch = self.changes()
        if ch.empty:
            self.table.value = "<p>Nothing needs attention and nothing changed.</p>"
            return
        red = ch["change"] == "red flag"
        view = ch[["athlete", "change", "detail"]].rename(
            columns={"athlete": "Athlete", "change": "Change", "detail": "What"}
        )
        color = f"color: {charts.LEVEL_COLORS['red']}; font-weight: bold"
        self.table.value = (
            view.style.hide(axis="index")
            .format(escape="html")
            .apply(lambda col: [color if r else "" for r in red], axis=0)
            .set_table_styles(
                [
                    {
                        "selector": "",
                        "props": "border-collapse: collapse; font-size: 0.9em; line-height: 1.3",
                    },
                    {"selector": "th", "props": "text-align: left; padding: 2px 6px"},
                    {"selector": "td", "props": "padding: 2px 6px; white-space: normal"},
                ]
            )
            .to_html()
        )

    def mark(self) -> Path:
        """Record the review day as the last review; return the file written."""
        path = mark_reviewed(self.log_path, self.review.date)
        self.status.value = (
            f"Review of {self.review.day:%a %d %b %Y} recorded in {html.escape(str(path))}."
        )
        self.refresh()
        return path
