"""Every flag threshold, once: a frozen :class:`Thresholds` value the flag engine and the views share.

Flags are coaching guidance, never a diagnosis. A view that wants other thresholds makes one value
(``Thresholds(min_adherence=0.5)`` or ``thresholds.replace(inactive_days=10)``) and passes it on;
nothing copies the defaults.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from hipnb.analysis.days import BAND_LOW_S

#: Thresholds that are shares (0-1) and scores (0-10), checked when a value is made.
_SHARES = ("min_adherence", "max_asymmetry", "load_adherence_low")
_SCORES = ("discomfort_high", "discomfort_mean_high")


@dataclass(frozen=True)
class Thresholds:
    """The thresholds of every flag, with their defaults.

    * ``target_s``: the daily Reclining Bound Angle Pose target (seconds held in a day) behind
      every adherence figure (default: the bottom of the 3-5 min band, 180 s);
    * ``discomfort_high`` (RED): a hold in the last 7 days scored this or more (7/10);
    * ``discomfort_mean_high`` (RED): a 14-day mean score of this or more (5/10);
    * ``inactive_days``: no log for this many days or more (7);
    * ``min_adherence``: target met on under this share of the last 28 days (40 %), once the
      athlete has logged for 28 days;
    * ``max_asymmetry``: side-plank asymmetry above this share (15 %);
    * ``discomfort_rise``: discomfort rising this many points or more per two weeks (0.75);
    * ``hold_drop_s``: bound-angle holds falling this many seconds or more a week (20 s);
    * ``load_ratio_high``, ``load_change_high``, ``load_adherence_low``: running load over this
      ratio of the 28-day weekly average (1.5x) or up more than this share on the 7 days before
      (30 %), while the hip routine's target was met on under this share of 28 days (50 %).

    Example::

        Thresholds(min_adherence=0.5).replace(inactive_days=10)
    """

    target_s: float = BAND_LOW_S
    discomfort_high: float = 7
    discomfort_mean_high: float = 5.0
    inactive_days: int = 7
    min_adherence: float = 0.40
    max_asymmetry: float = 0.15
    discomfort_rise: float = 0.75
    hold_drop_s: float = 20.0
    load_ratio_high: float = 1.5
    load_change_high: float = 0.30
    load_adherence_low: float = 0.5

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"threshold {f.name} must be a number, not {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"threshold {f.name} must be a number 0 or more, not {value!r}")
            if f.name in _SHARES and value > 1:
                raise ValueError(f"threshold {f.name} is a share from 0 to 1, not {value!r}")
            if f.name in _SCORES and value > 10:
                raise ValueError(f"threshold {f.name} is a score from 0 to 10, not {value!r}")
        if self.inactive_days != int(self.inactive_days) or self.inactive_days < 1:
            raise ValueError(f"threshold inactive_days is whole days, not {self.inactive_days!r}")

    def __str__(self) -> str:
        """The thresholds in words, as a coach reads them."""
        return (
            f"RED: a hold scored {self.discomfort_high:g}/10 or more in 7 days, or a 14-day mean of "
            f"{self.discomfort_mean_high:g}/10 or more. AMBER: no log for {self.inactive_days:g} "
            f"days; the daily {self.target_s / 60:g}-min target met on under "
            f"{self.min_adherence:.0%} of 28 days; side planks over {self.max_asymmetry:.0%} "
            f"apart; discomfort up {self.discomfort_rise:g} points per two weeks; bound-angle "
            f"holds down {self.hold_drop_s:g} s a week; running over {self.load_ratio_high:g}x "
            f"the 28-day average or up {self.load_change_high:.0%} a week with the routine under "
            f"{self.load_adherence_low:.0%}."
        )

    def replace(self, **changes: Any) -> Thresholds:
        """A copy with ``changes``; an unknown name is refused with the known ones."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            known = ", ".join(f.name for f in dataclasses.fields(self))
            raise TypeError(
                f"unknown {'threshold' if len(unknown) == 1 else 'thresholds'} {', '.join(unknown)}; known: {known}"
            )
        return dataclasses.replace(self, **changes)
