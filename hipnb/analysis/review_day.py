"""A review day: one object for one day, one target, one set of thresholds, every view's figures.

:class:`ReviewDay` is built once at the edge where "today" is decided (:meth:`ReviewDay.on`), from
the holds, the runs, the day and one :class:`Thresholds`; it computes each athlete's figures once
and serves the roster, the standing flags, one athlete's summary, what changed since a review and
the running-load status. The CLI, the widgets, the notebooks and the reports take it; the functions
it calls stay pure and take the day as an argument.

Example::

    day = ReviewDay(holds, runs, as_of="2026-11-22", thresholds=Thresholds(target_s=240))
    day.roster                 # one row per athlete, flags as records
    day.summary("ana")         # a few sentences, on the same target
    day.changes(since="2026-11-08")
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

import pandas as pd

from hipnb.analysis.days import Day, as_day, up_to
from hipnb.analysis.figures import athlete_figures
from hipnb.analysis.flags import Flag, Kind
from hipnb.analysis.standing import (
    Acknowledged,
    acknowledged_flags,
    evidence_days,
    raised_flags,
)
from hipnb.analysis.thresholds import Thresholds


class ReviewDay:
    """The squad on one day: figures once, then the roster, the flags, summaries, changes, load.

    ``holds`` as :func:`hipnb.read_logs` returns them, ``runs`` as :func:`hipnb.runs.read_runs` does
    (None: no runs); rows after ``as_of`` are left out. ``acknowledged`` maps (athlete, kind) to the
    day the coach acknowledged that flag (:func:`hipnb.review.acknowledged`).
    """

    def __init__(
        self,
        holds: pd.DataFrame,
        runs: pd.DataFrame | None = None,
        *,
        as_of: Day,
        thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
        acknowledged: Acknowledged | None = None,
    ) -> None:
        self.day: pd.Timestamp = as_day(as_of)
        self.holds: pd.DataFrame = up_to(holds, self.day)
        self.runs: pd.DataFrame | None = (
            up_to(runs, self.day) if runs is not None and len(runs) else None
        )
        self.thresholds = thresholds
        self.acknowledged: dict[tuple[str, Kind], date] = dict(acknowledged or {})

    @classmethod
    def on(
        cls,
        holds: pd.DataFrame,
        runs: pd.DataFrame | None = None,
        *,
        as_of: Day | None = None,
        thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
        acknowledged: Acknowledged | None = None,
    ) -> ReviewDay:
        """The review day ``as_of``, or today in this machine's zone when None or '': the one place
        a view's missing day becomes today."""
        from hipnb.review import today

        day = as_of if as_of is not None and as_of != "" else today()
        return cls(holds, runs, as_of=day, thresholds=thresholds, acknowledged=acknowledged)

    def __repr__(self) -> str:
        return f"ReviewDay({self.day:%Y-%m-%d}, {len(self.athletes)} athletes)"

    @property
    def date(self) -> date:
        """The review day as a date."""
        return self.day.date()

    @cached_property
    def figures(self) -> pd.DataFrame:
        """Each athlete's figures on the day (:func:`~hipnb.analysis.figures.athlete_figures`)."""
        return athlete_figures(
            self.holds, self.runs, as_of=self.day, target_s=self.thresholds.target_s
        )

    @property
    def athletes(self) -> list[str]:
        """Every athlete with holds or runs on or before the day, by name."""
        return [str(a) for a in self.figures.index]

    @cached_property
    def evidence(self) -> pd.DataFrame:
        """Each athlete's last day with each kind of data (:func:`evidence_days`)."""
        return evidence_days(self.holds, self.runs, as_of=self.day)

    @cached_property
    def raised(self) -> list[Flag]:
        """The flags raised, each kind judged on its latest data, before acknowledgements."""
        return raised_flags(
            self.holds, self.runs, as_of=self.day, thresholds=self.thresholds,
            figures=self.figures,
        )  # fmt: skip

    @cached_property
    def acknowledged_flags(self) -> list[Flag]:
        """The raised flags the coach has acknowledged since their data (hidden from the views)."""
        return acknowledged_flags(
            self.raised, self.evidence, as_of=self.day, acknowledged=self.acknowledged
        )

    @cached_property
    def flags(self) -> list[Flag]:
        """The standing flags: raised and not acknowledged; athletes by name, RED first."""
        hidden = self.acknowledged_flags
        return [f for f in self.raised if f not in hidden]

    def flags_of(self, athlete: str) -> list[Flag]:
        """One athlete's standing flags, RED first."""
        return [f for f in self.flags if f.athlete == athlete]

    @cached_property
    def roster(self) -> pd.DataFrame:
        """One row per athlete: level, flags (records) and figures (:func:`hipnb.analysis.roster`)."""
        from hipnb.analysis.roster import roster_from

        return roster_from(self.figures, self.flags)

    def summary(self, athlete: str, days: int = 28) -> str:
        """One athlete's progress in a few sentences (:func:`hipnb.analysis.summary_text`), with
        this day's target and standing flags."""
        from hipnb.analysis.summary import summary_text

        return summary_text(
            self.holds, athlete, days, as_of=self.day, runs=self.runs,
            thresholds=self.thresholds, raised=self.flags_of(athlete),
        )  # fmt: skip

    def on_day(self, day: Day) -> ReviewDay:
        """The same logs, thresholds and acknowledgements on another (earlier) day."""
        return ReviewDay(
            self.holds, self.runs, as_of=day, thresholds=self.thresholds,
            acknowledged=self.acknowledged,
        )  # fmt: skip

    def changes(self, since: Day, *, min_streak: int = 3) -> pd.DataFrame:
        """What needs attention and what changed since the review on ``since``
        (:func:`hipnb.analysis.changes_since`)."""
        from hipnb.analysis.review import changes_between

        return changes_between(self.on_day(since), self, min_streak=min_streak)

    @cached_property
    def load(self) -> pd.DataFrame:
        """Running load against the hip routine per athlete with runs
        (:func:`hipnb.analysis.load_status`), its flag the standing one."""
        from hipnb.analysis.load import status_from

        return status_from(self.figures, self.runs, self.flags, self.day, self.thresholds)
