"""Helpers the widget modules share (private to :mod:`hipnb.widgets`)."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w

from hipnb.routines import Routine, load_routine

STATIC = Path(__file__).resolve().parent.parent / "static"
WIDE = {"description_width": "initial"}  # labels shown whole, not cut at the default width
UNSET = -1  # the answer sliders' "not answered" position: logged as empty (unknown), never 0


def effort_sliders() -> tuple[w.SelectionSlider, w.SelectionSlider]:
    """The 0-10 effort and hip-discomfort sliders every form asks with; untouched, they say
    "not set" and :func:`_answer` gives None (unknown), never 0."""
    options = [("not set", UNSET)] + [(str(i), i) for i in range(11)]
    return (
        w.SelectionSlider(options=options, value=UNSET, description="Effort (0-10)", style=WIDE),
        w.SelectionSlider(
            options=options, value=UNSET, description="Hip discomfort (0-10)", style=WIDE
        ),
    )


def answer(slider: w.SelectionSlider) -> int | None:
    return None if slider.value == UNSET else int(slider.value)


def error_html(text: str) -> str:
    return f"<span style='color:#b2182b'>{html.escape(text)}</span>"


def resolve_routine(routine: Routine | str | Path) -> Routine:
    return load_routine(routine) if isinstance(routine, str | Path) else routine
