"""ReviewBox: what changed since the last review, and a button that records today's review.

A thin skin over :mod:`hipnb.analysis` and :mod:`hipnb.review`; nothing here computes a number.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from hipnb import analysis
from hipnb.review import last_review, mark_reviewed, review_path


class ReviewBox(w.VBox):
    """What changed since the last review (from ``.hipnb-review.json`` beside the logs), and a
    button that records today's review.

    ``today`` gives the day a click records (a function, so tests can choose it).
    """

    def __init__(
        self,
        df: pd.DataFrame,
        log: str | Path,
        as_of: pd.Timestamp | str | None = None,
        today: Callable[[], date] = date.today,
        **thresholds: Any,  # passed on to hipnb.analysis
    ) -> None:
        self.df, self.log_path, self.as_of, self.today = df, Path(log), as_of, today
        self.thresholds = thresholds
        self.heading = w.HTML()
        self.table = w.HTML(layout=w.Layout(max_width="100%"))
        self.button = w.Button(
            description="Mark reviewed today",
            icon="check",
            tooltip=f"record today's date in {review_path(self.log_path)}",
            layout=w.Layout(width="auto"),
        )
        self.status = w.HTML()
        self.button.on_click(lambda _b: self.mark())
        super().__init__([self.heading, self.table, w.HBox([self.button, self.status])])
        self.refresh()

    def changes(self) -> pd.DataFrame:
        """The changes since the recorded review (the last 7 days when none is recorded)."""
        end = analysis.days.review_day(self.df, self.as_of)
        if end is None:
            return pd.DataFrame(columns=["athlete", "change", "detail"])
        since = last_review(self.log_path)
        since = since if since is not None else (end - pd.Timedelta(days=7)).date()
        return analysis.changes_since(self.df, since, as_of=end, **self.thresholds)

    def refresh(self) -> None:
        """Redraw the heading and the changes."""
        since = last_review(self.log_path)
        self.heading.value = (
            f"Last review: <b>{since:%a %d %b %Y}</b>."
            if since
            else "No review recorded yet: changes over the last 7 days."
        )
        ch = self.changes()
        if ch.empty:
            self.table.value = "<p>Nothing changed since then.</p>"
            return
        view = ch.rename(columns={"athlete": "Athlete", "change": "Change", "detail": "What"})
        self.table.value = (
            view.style.hide(axis="index")
            .format(escape="html")
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
        """Record today as the last review; return the file written."""
        path = mark_reviewed(self.log_path, self.today())
        self.status.value = (
            f"Review of {self.today():%a %d %b %Y} recorded in {html.escape(str(path))}."
        )
        self.refresh()
        return path
