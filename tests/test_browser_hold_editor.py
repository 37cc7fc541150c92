"""Real browser: the hold editor served by Voila; a change made on the page reaches the log as an
edit row, the old row kept."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

from hipnb import SessionLog, athlete_path

from .browser import CAP_S, SLOW_KERNEL_ARGS, VOILA_READY, chromium_page, server
from .rows import write_rows

# the per-test cap covers starting a server on a loaded machine; every wait inside is on a state
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

CELL = """from hipnb import SessionLog
from hipnb.widgets import HoldEditor

HoldEditor(SessionLog({path!r}), athlete="Zoë", day="2026-11-24")"""


def hold(**over) -> dict:
    row = {"session_id": "s1", "athlete": "Zoë", "started_at": "2026-11-24T07:15:03+01:00",
           "routine": "hip-basics", "exercise": "side_plank", "side": "left", "target_s": 40,
           "actual_s": 4000, "completed": True, "rpe": 6}  # fmt: skip
    return row | over


def test_hold_editor_page_saves_an_edit(tmp_path):
    log = SessionLog(athlete_path(tmp_path, "Zoë"))
    write_rows(
        log,
        [
            hold(),
            hold(side="right", started_at="2026-11-24T07:16:30+01:00", actual_s=40),
            hold(
                exercise="bound_angle",
                side="both",
                started_at="2026-11-24T07:20:00+01:00",
                target_s=180,
                actual_s=185,
            ),  # fmt: skip
        ],
    )
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(CELL.format(path=str(log.path)))]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, tmp_path / "fix.ipynb")
    shots = Path(os.environ.get("HIPNB_SHOTS", tmp_path / "shots"))
    voila = [sys.executable, "-m", "voila", "fix.ipynb", "--no-browser", "--port={PORT}",
             "--Voila.ip=127.0.0.1", *SLOW_KERNEL_ARGS]  # fmt: skip
    with (
        server(voila, VOILA_READY, tmp_path, tmp_path / "voila.log", expect_kernels=1) as base,
        chromium_page(shots, watch=base) as page,
    ):
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(base + "/")
        save = page.locator("button", has_text="Save change")
        save.wait_for(timeout=CAP_S * 1000)
        held = page.locator(".widget-inline-hbox", has_text="Held (s)").locator("input")
        assert held.input_value() == "4000"
        held.fill("40")
        held.press("Enter")
        save.click()
        page.wait_for_selector("text=Saved:", timeout=CAP_S * 1000)
        page.screenshot(path=str(shots / "hold-editor.png"))
        assert page.errors == []
    df = log.read(errors="raise")
    assert sorted(df["actual_s"]) == [40, 40, 185] and len(df) == 3
    assert log.path.read_bytes().count(b"\r\n") == 5  # header, three holds, one edit
