"""Helpers the widget modules share (private to :mod:`hipnb.widgets`)."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w

from hipnb.log.gate import in_door_words
from hipnb.routines import Routine, load_routine

STATIC = Path(__file__).resolve().parent.parent / "static"
WIDE = {"description_width": "initial"}  # labels shown whole, not cut at the default width
UNSET = -1  # the answer sliders' "not answered" position: logged as empty (unknown), never 0


def _scores() -> list[tuple[str, int]]:
    """The 0-10 scale of effort, discomfort and Pain, as the column spec bounds it."""
    from hipnb.log.spec import SPEC_BY_NAME

    column = SPEC_BY_NAME["discomfort"]
    return [(str(i), i) for i in range(int(column.low or 0), int(column.high or 0) + 1)]


#: The score choices every form offers (label, value), from the column spec.
SCORES = _scores()


def effort_sliders() -> tuple[w.SelectionSlider, w.SelectionSlider]:
    """The 0-10 effort and hip-discomfort sliders every form asks with; untouched, they say
    "not set" and :func:`_answer` gives None (unknown), never 0."""
    options = [("not set", UNSET), *SCORES]
    return (
        w.SelectionSlider(options=options, value=UNSET, description="Effort (0-10)", style=WIDE),
        w.SelectionSlider(
            options=options, value=UNSET, description="Hip discomfort (0-10)", style=WIDE
        ),
    )


def note_box(kind: type[w.Text] | type[w.Textarea] = w.Textarea, **kwargs: object) -> w.Text:
    """A note box that holds at most the note column's characters (its spec's ``max_chars``):
    text pasted past the limit is cut there, and the box says so."""
    from hipnb.log.spec import SPEC_BY_NAME

    column = SPEC_BY_NAME["note"]
    most = column.max_chars or 0
    box = kind(tooltip=f"at most {most:,} characters", **kwargs)

    def cap(change: dict[str, object]) -> None:
        text = str(change["new"])
        if column.too_long(text):
            box.value = text[:most]

    box.observe(cap, names="value")
    return box


def answer(slider: w.SelectionSlider) -> int | None:
    return None if slider.value == UNSET else int(slider.value)


def error_html(text: str) -> str:
    """A problem shown on a form, in red; a refusal of the log's face in the form's words."""
    return f"<span style='color:#b2182b'>{html.escape(in_door_words(text, 'form'))}</span>"


def resolve_routine(routine: Routine | str | Path) -> Routine:
    return load_routine(routine) if isinstance(routine, str | Path) else routine
