"""Real browser: `make workshop` serves the Voila big-screen timer; it counts down over real seconds,
pauses, and no JavaScript error reaches the console."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .browser import chromium_page, server
from .conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUICK = """
name = "quick"
[[steps]]
exercise = "side_plank"
side = "left"
seconds = 20
"""


def test_voila_workshop_page_counts_down_and_pauses(tmp_path, monkeypatch):
    routine = tmp_path / "quick.toml"
    routine.write_text(QUICK)
    monkeypatch.setenv("HIPNB_WORKSHOP_ROUTINE", str(routine))
    monkeypatch.setenv("HIPNB_WORKSHOP_GET_READY", "1")
    shots = Path(os.environ.get("HIPNB_SHOTS", tmp_path / "shots"))
    make = ["make", "-s", "workshop", "PORT={PORT}", "HOST=127.0.0.1"]
    with server(make, "/", ROOT, tmp_path / "voila.log") as base, chromium_page(shots) as page:
        page.goto(base + "/")
        page.wait_for_selector(".hipnb-timer.hipnb-big", timeout=90_000)
        assert page.locator(".hipnb-title").text_content() == "quick"
        page.locator(".widget-button[title='Start']").click()
        page.wait_for_selector(".hipnb-timer[data-state='running']", timeout=10_000)
        first = int(page.locator(".hipnb-count").text_content())
        page.wait_for_timeout(2500)
        later = int(page.locator(".hipnb-count").text_content())
        assert first - later >= 2, (first, later)
        page.screenshot(path=str(shots / "workshop-running.png"))
        page.locator(".widget-button[title='Pause']").click()
        page.wait_for_selector(".hipnb-timer[data-state='paused']", timeout=5_000)
        frozen = page.locator(".hipnb-count").text_content()
        page.wait_for_timeout(1500)
        assert page.locator(".hipnb-count").text_content() == frozen
        size = page.locator(".hipnb-count").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert size >= 200, "readable from the back of a room"
        assert page.errors == []
        (shots / "offline.txt").write_text("\n".join(page.offline))
