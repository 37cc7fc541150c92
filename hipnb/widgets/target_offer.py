"""TargetOffer: the athlete's suggested targets, to accept or keep before a session."""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w
import pandas as pd

from hipnb.routines import Routine
from hipnb.seconds import seconds_text


class TargetOffer(w.VBox):
    """The athlete's suggested targets (from :func:`hipnb.analysis.suggest_progression`), each with its
    reason, to accept or keep; :attr:`routine` is the routine with the accepted ones.

    Example::

        offer = TargetOffer(routine, analysis.suggest_progression(log.read()), athlete="ana")
    """

    def __init__(
        self,
        routine: Routine,
        suggestions: pd.DataFrame,
        athlete: str = "",
        on_change: Callable[[Routine], None] | None = None,
    ) -> None:
        self.base = routine
        self.on_change = on_change
        holds = {s.exercise: s for s in routine.holds}
        rows = suggestions
        if athlete and len(rows):
            rows = rows[rows["athlete"] == athlete]
        self.choices: dict[str, tuple[w.ToggleButtons, float]] = {}
        lines: list[w.Widget] = []
        for r in rows.to_dict("records") if len(rows) else []:
            step = holds.get(r["exercise"])
            if step is None:
                continue
            name = html.escape(step.name or step.exercise)
            reason = html.escape(str(r["reason"]))
            now, new = float(step.seconds), float(r["suggested_s"])
            if new == now:
                lines.append(w.HTML(f"<b>{name}</b>: keep {seconds_text(now)}. {reason}"))
                continue
            pick = w.ToggleButtons(
                options=[(f"Keep {seconds_text(now)}", now), (f"Use {seconds_text(new)}", new)],
                value=now,
            )
            pick.observe(lambda _change: self._changed(), names="value")
            self.choices[r["exercise"]] = (pick, now)
            lines.append(
                w.HTML(
                    f"<b>{name}</b>: suggested {seconds_text(new)} (now {seconds_text(now)}). {reason}"
                )
            )
            lines.append(pick)
        head = "<b>Suggested from your log</b>" if lines else "No suggestions yet from your log."
        super().__init__([w.HTML(head), *lines])

    @property
    def routine(self) -> Routine:
        """The routine with every accepted suggestion applied."""
        routine = self.base
        for exercise, (pick, _now) in self.choices.items():
            routine = routine.with_seconds(exercise, pick.value)
        return routine

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.routine)
