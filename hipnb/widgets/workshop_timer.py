"""WorkshopTimer: the room's big-screen timer, set up from the page (no terminal, no code)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w

from hipnb.analysis import BAND_HIGH_S, BAND_LOW_S
from hipnb.routines import Routine, load_routine, routine_choices
from hipnb.timer import GET_READY_MAX_S
from hipnb.widgets.timer_panel import TimerPanel

#: After Pain the clicker answers the room's question (``hipnb/static/timer.js`` sends these):
#: its forward keys (PageDown, Right, Enter) go on, its back and blank-screen keys (PageUp, Left, B,
#: Escape) end the session.
AFTER_PAIN = {"go_on": True, "end": False}


class WorkshopTimer(w.VBox):
    """The room's timer: pick the routine (built-in, or a file in ``routines``), the Reclining
    Bound Angle Pose time (180-300 s) and the get-ready count on the page, then run it on the big
    screen (:class:`TimerPanel` with ``big=True``: a fullscreen button, a presentation clicker's
    keys, room words on Pain). The setup shows while no session runs. Nothing is logged.

    The clicker: PageDown or Right starts and goes to the next step, PageUp or Left pauses and
    resumes, B pauses, P is Pain. After Pain, PageDown, Right or Enter is **Go on** and PageUp,
    Left, B or Escape is **End session**.

    Example::

        WorkshopTimer(routines="data/routines", routine="hip-basics", get_ready=5)
    """

    def __init__(
        self,
        routines: str | Path = "data/routines",
        routine: str | Path = "hip-basics",
        bound_angle_s: int = 240,
        get_ready: float = 5.0,
    ) -> None:
        choices, problems = routine_choices(routines)
        first = str(routine)
        if first not in [ref for _, ref in choices]:
            loaded = load_routine(routine)  # a routine given by path: offered first
            first = str(Path(routine).resolve()) if Path(routine).suffix else first
            choices.insert(0, (f"{loaded.title} ({Path(first).name})", first))
        self.picker = w.Dropdown(options=choices, value=first, description="Routine")
        low, high = int(BAND_LOW_S), int(BAND_HIGH_S)  # the routine's 3-5 min
        self.bound_angle = w.IntSlider(
            value=min(max(bound_angle_s, low), high),
            min=low,
            max=high,
            step=15,
            description="Bound angle (s)",
            style={"description_width": "initial"},
        )
        self.get_ready = w.IntSlider(
            value=int(get_ready),
            min=0,
            max=GET_READY_MAX_S,
            description="Get ready (s)",
            style={"description_width": "initial"},
        )
        skipped = "".join(f"<div>not offered: {html.escape(p)}</div>" for p in problems)
        self.setup = w.HBox(
            [self.picker, self.bound_angle, self.get_ready, w.HTML(skipped)],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        self.setup.add_class("hipnb-setup")
        self.panel = TimerPanel(
            self._routine(), athlete="workshop", log=None, big=True, get_ready=get_ready
        )
        for control in (self.picker, self.bound_angle, self.get_ready):
            control.observe(self._on_setup, names="value")
        self.panel.display_widget.observe(self._on_state, names="state")
        self.panel.display_widget.on_msg(self._on_key)
        super().__init__([self.setup, self.panel])
        self.add_class("hipnb-workshop")
        self._on_state()

    def _routine(self) -> Routine:
        routine = load_routine(self.picker.value)
        has_bound_angle = any(s.exercise == "bound_angle" for s in routine.holds)
        self.bound_angle.disabled = not has_bound_angle
        if has_bound_angle:
            routine = routine.with_seconds("bound_angle", self.bound_angle.value)
        return routine

    def _on_setup(self, _change: Any = None) -> None:
        if self.panel.timer.state != "ready":
            return
        self.panel.get_ready = float(self.get_ready.value)
        self.panel._set_routine(self._routine())

    def after_pain_key(self, action: str) -> None:
        """A clicker's key while Pain asks: ``"go_on"`` presses Go on, ``"end"`` End session (each
        only when its button is shown and enabled, as a click would)."""
        panel = self.panel
        if action not in AFTER_PAIN or not panel.display_widget.pain:
            return
        button = panel.go_on_button if AFTER_PAIN[action] else panel.end_button
        if not button.disabled:
            panel.after_pain(go_on=AFTER_PAIN[action])

    def _on_key(self, _widget: Any, content: dict[str, Any], _buffers: list[bytes]) -> None:
        if content.get("event") == "clicker":
            self.after_pain_key(str(content.get("action")))

    def _on_state(self, _change: Any = None) -> None:
        ready = self.panel.timer.state == "ready"
        self.setup.layout.display = "flex" if ready else "none"
        if ready:  # a new session takes the setup as it stands
            self._on_setup()
