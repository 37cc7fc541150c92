"""ipywidgets skins over the library: nothing here computes, it only wires widgets to functions.

One widget a module: :mod:`~hipnb.widgets.timer_panel` (with its :mod:`~hipnb.widgets.timer_display`
and :mod:`~hipnb.widgets.target_offer`), :mod:`~hipnb.widgets.manual_entry`,
:mod:`~hipnb.widgets.hold_editor`, :mod:`~hipnb.widgets.progress_view`,
:mod:`~hipnb.widgets.phone_button`, :mod:`~hipnb.widgets.workshop_timer`,
:mod:`~hipnb.widgets.roster_view` and :mod:`~hipnb.widgets.review_box`; helpers they share sit in
the private ``_common``. ipywidgets is imported here and nowhere in the logic modules, so analysis
works without it.
"""

from __future__ import annotations

from hipnb.widgets.hold_editor import HoldEditor
from hipnb.widgets.manual_entry import ManualEntry
from hipnb.widgets.phone_button import PhoneButton
from hipnb.widgets.progress_view import ProgressView
from hipnb.widgets.review_box import ReviewBox
from hipnb.widgets.roster_view import RosterView
from hipnb.widgets.target_offer import TargetOffer
from hipnb.widgets.timer_display import TimerDisplay
from hipnb.widgets.timer_panel import TimerPanel
from hipnb.widgets.workshop_timer import WorkshopTimer

__all__ = [
    "HoldEditor",
    "ManualEntry",
    "PhoneButton",
    "ProgressView",
    "ReviewBox",
    "RosterView",
    "TargetOffer",
    "TimerDisplay",
    "TimerPanel",
    "WorkshopTimer",
]
