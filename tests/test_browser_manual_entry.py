"""Real browser: ManualEntry served by Voila. Choose side_plank, type 35 in "Held (s)", change
nothing else, press Save: the file says 35 (a default for the same exercise never overwrites it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

from hipnb import SessionLog

from .browser import CAP_S, SLOW_KERNEL_ARGS, VOILA_READY, chromium_page, server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

CELL = """from hipnb import SessionLog
from hipnb.widgets import ManualEntry

ManualEntry(SessionLog({path!r}), athlete="ana")"""


def test_manual_entry_saves_the_typed_value(tmp_path):
    path = tmp_path / "ana.csv"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL.format(path=str(path)))])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, tmp_path / "entry.ipynb")
    shots = Path(os.environ.get("HIPNB_SHOTS", tmp_path / "shots"))
    voila = [sys.executable, "-m", "voila", "entry.ipynb", "--no-browser", "--port={PORT}",
             "--Voila.ip=127.0.0.1", *SLOW_KERNEL_ARGS]  # fmt: skip
    with (
        server(voila, VOILA_READY, tmp_path, tmp_path / "voila.log", expect_kernels=1) as base,
        chromium_page(shots, watch=base) as page,
    ):
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(base + "/")
        save = page.locator("button", has_text="Save")
        save.wait_for(timeout=CAP_S * 1000)
        exercise = page.get_by_role("combobox", name="Exercise")
        exercise.fill("")
        exercise.press_sequentially("side_plank")  # key by key, as a person types it
        held = page.get_by_role("spinbutton", name="Held (s)")
        held.fill("35")  # at once, no Enter: the kernel's defaults for side_plank may come later
        save.click()
        page.wait_for_selector("text=Saved side_plank", timeout=CAP_S * 1000)
        page.screenshot(path=str(shots / "manual-entry.png"))
        assert page.errors == []
    df = SessionLog(path).read(errors="raise")
    assert df["actual_s"].tolist() == [35.0] and df["exercise"].tolist() == ["side_plank"]
    assert ",35.0,true," in path.read_text(encoding="utf-8").splitlines()[1]
