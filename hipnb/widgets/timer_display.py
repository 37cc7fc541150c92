"""TimerDisplay: the browser-side countdown the TimerPanel drives."""

from __future__ import annotations

import base64
from typing import Any

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
    ``{"event": "pain"}`` for the P key and ``{"event": "clicker", "action": "next" | "toggle" |
    "pause"}`` for a presentation clicker's keys in presentation mode (``big``).

    ``big`` is the room's projector layout (a fullscreen button, clicker keys, the tab titled after
    ``routine_title``); ``phone`` the phone layout (the count fitted to the width, the screen kept
    on, a vibration at each change). ``pain`` is true while the Pain dialog is open.
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
    phone = t.Bool(False).tag(sync=True)
    routine_title = t.Unicode("").tag(sync=True)
    pain = t.Bool(False).tag(sync=True)
    keep_awake = t.List(t.Unicode()).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.phone and not self.keep_awake:
            self.keep_awake = keep_awake_sources()


#: The keep-awake video (2 s, 16x16, dark, silent), as WebM and as MP4 for Safari: made with
#: chromium's MediaRecorder from a canvas by tests/keep_awake_media.py.
KEEP_AWAKE = (("keep_awake.webm", "video/webm"), ("keep_awake.mp4", "video/mp4"))


def keep_awake_sources() -> list[str]:
    """The keep-awake video as data URIs (the page plays it muted and looped while counting)."""
    return [
        f"data:{mime};base64," + base64.b64encode((STATIC / name).read_bytes()).decode()
        for name, mime in KEEP_AWAKE
    ]
