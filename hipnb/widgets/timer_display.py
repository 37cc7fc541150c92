"""TimerDisplay: the browser-side countdown the TimerPanel drives."""

from __future__ import annotations

import anywidget
import traitlets as t

from hipnb.widgets._common import STATIC


class TimerDisplay(anywidget.AnyWidget):
    """The big countdown: a browser-side view that counts from a deadline, beeps and speaks.

    State comes from Python (:class:`TimerPanel` sets these traits). The browser sends back
    ``{"event": "expired"}`` when a countdown reaches zero, ``{"event": "heartbeat"}`` every second
    while it counts, ``{"event": "visibility", "hidden": bool}`` when the page is hidden or shown
    (both with ``sync_id``, the traits it counts from, and ``counted``, the seconds it has counted
    since they arrived),
    and ``{"event": "pain"}`` for the P key in presentation mode.
    """

    _esm = STATIC / "timer.js"
    _css = STATIC / "timer.css"
    state = t.Unicode("ready").tag(sync=True)
    kind = t.Unicode("hold").tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    side_label = t.Unicode("").tag(sync=True)
    cue = t.Unicode("").tag(sync=True)
    next_label = t.Unicode("").tag(sync=True)
    message = t.Unicode("").tag(sync=True)
    summary = t.List(t.Unicode()).tag(sync=True)
    announce = t.Unicode("").tag(sync=True)
    remaining = t.Float(0).tag(sync=True)
    step_seconds = t.Float(0).tag(sync=True)
    routine_seconds = t.Float(0).tag(sync=True)
    routine_remaining = t.Float(0).tag(sync=True)
    sync_id = t.Int(0).tag(sync=True)
    muted = t.Bool(False).tag(sync=True)
    big = t.Bool(False).tag(sync=True)
