"""Real browser: JupyterLab runs notebook 01, the timer counts, pauses, resumes, stops, and the log
holds what the browser saw (within 0.3 s)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from .browser import chromium_page, jupyter_lab, open_and_run_notebook
from .conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUICK = """
name = "quick"
[[steps]]
exercise = "side_plank"
side = "left"
seconds = 3
[[steps]]
exercise = "rest"
kind = "rest"
seconds = 1
cue = "Switch to your right side."
[[steps]]
exercise = "clamshell"
side = "right"
seconds = 30
"""

OBSERVE = """() => {
  window.hipnbSeen = [];
  const box = document.querySelector('.hipnb-timer');
  const note = () => window.hipnbSeen.push({t: performance.now(), state: box.dataset.state,
      side: box.querySelector('.hipnb-side').textContent});
  new MutationObserver(note).observe(box, {attributes: true, subtree: true, childList: true,
      characterData: true});
  note();
}"""


def with_parameters(src: Path, dst: Path, **params) -> None:
    nb = nbformat.read(src, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = "\n".join(f"{k} = {v!r}" for k, v in params.items())
    nbformat.write(nb, dst)


def first(seen, pred):
    return next(e for e in seen if pred(e))


def test_timer_in_jupyterlab_logs_what_the_browser_saw(tmp_path):
    root = tmp_path / "lab"
    root.mkdir()
    (root / "quick.toml").write_text(QUICK)
    with_parameters(
        ROOT / "notebooks" / "01_routine_timer.ipynb",
        root / "timer.ipynb",
        ATHLETE="ana",
        ROUTINE=str(root / "quick.toml"),
        LOG_DIR=str(root / "logs"),
        BOUND_ANGLE_S=180,
        PLANK_S=3,
        GET_READY_S=1,
    )
    shots = Path(os.environ.get("HIPNB_SHOTS", tmp_path / "shots"))
    token = uuid.uuid4().hex
    with jupyter_lab(root, token, tmp_path / "lab.log") as base, chromium_page(shots) as page:
        open_and_run_notebook(
            page, f"{base}/lab/workspaces/t{token[:8]}/tree/timer.ipynb?reset&token={token}"
        )
        page.wait_for_selector(".hipnb-timer", timeout=60_000)
        page.evaluate(OBSERVE)
        page.locator(".widget-button[title='Start']").click()
        page.wait_for_selector(".hipnb-timer[data-state='running']", timeout=10_000)
        page.locator(".hipnb-timer").scroll_into_view_if_needed()
        page.locator(".hipnb-timer").screenshot(path=str(shots / "timer-running.png"))
        page.wait_for_function(
            "document.querySelector('.hipnb-timer').dataset.spoken === 'Switch to your right side.'",
            timeout=15_000,
        )
        page.wait_for_function(
            "document.querySelector('.hipnb-side').textContent === 'right'", timeout=15_000
        )
        box = page.locator(".hipnb-timer")
        assert box.get_attribute("data-audio") == "running", "the Start click unlocked audio"
        assert int(box.get_attribute("data-beeps")) >= 3, "3-2-1 and transition beeps"
        assert box.get_attribute("data-spoken").startswith("Clamshell (right)")
        page.wait_for_timeout(1000)
        page.locator(".widget-button[title='Pause']").click()
        page.wait_for_selector(".hipnb-timer[data-state='paused']", timeout=5_000)
        frozen = page.locator(".hipnb-count").text_content()
        page.wait_for_timeout(1500)
        assert page.locator(".hipnb-count").text_content() == frozen, "pause freezes the count"
        page.locator(".widget-button[title='Resume']").click()
        page.wait_for_selector(".hipnb-timer[data-state='running']", timeout=5_000)
        page.wait_for_timeout(1000)
        page.locator(".widget-button[title='Stop']").click()
        page.wait_for_selector(".hipnb-timer[data-state='stopped']", timeout=5_000)
        page.screenshot(path=str(shots / "timer-stopped.png"))
        seen = page.evaluate("window.hipnbSeen")
        errors = [e for e in page.errors if "hipnb" in e or "timer.js" in e]
    assert not errors, errors

    ms = 1000.0
    left_on = first(seen, lambda e: e["state"] == "running" and e["side"] == "left")["t"]
    rest_on = first(seen, lambda e: e["t"] > left_on and e["side"] == "")["t"]
    right_on = first(seen, lambda e: e["side"] == "right" and e["state"] == "running")["t"]
    paused = first(seen, lambda e: e["state"] == "paused")["t"]
    resumed = first(seen, lambda e: e["t"] > paused and e["state"] == "running")["t"]
    stopped = first(seen, lambda e: e["state"] == "stopped")["t"]
    observed_left = (rest_on - left_on) / ms
    observed_right = ((paused - right_on) + (stopped - resumed)) / ms

    log = pd.read_csv(root / "logs" / "ana.csv")
    assert log["side"].tolist() == ["left", "right"]
    left, right = log.to_dict("records")
    assert left["completed"] and left["actual_s"] == 3.0
    assert abs(observed_left - left["actual_s"]) < 0.3, (observed_left, left)
    assert not right["completed"]
    assert abs(observed_right - right["actual_s"]) < 0.3, (observed_right, right)
    (shots / "observed.json").write_text(
        json.dumps({"left": observed_left, "right": observed_right, "log": log.to_dict("records")})
    )
