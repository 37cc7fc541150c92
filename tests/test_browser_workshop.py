"""Real browser: `make workshop` serves the Voila big-screen timer. At 1280x720 and 1920x1080 every
control is on screen; it counts down over real seconds, pauses with an unmistakable label, takes the
P key for Pain, ends on a summary and starts a New session; no JavaScript error reaches the console."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .browser import CAP_S, chromium_page, outside_viewport, server
from .conftest import ROOT

# the per-test cap covers starting a server on a loaded machine; every wait inside is on a state
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

QUICK = """
name = "quick"
[[steps]]
exercise = "side_plank"
side = "left"
seconds = 20
"""
SIZES = [(1280, 720), (1920, 1080)]
CONTROLS = ".hipnb-timer, .hipnb-panel .widget-button, .hipnb-panel .widget-slider"


def state(page, name: str) -> None:
    page.wait_for_selector(f".hipnb-timer[data-state='{name}']", timeout=CAP_S * 1000)


def click(page, label: str) -> None:
    page.locator(".hipnb-controls .widget-button", has_text=label).first.click()


def at_each_size(page, shots: Path, name: str) -> None:
    """Every control inside the viewport at both sizes; a screenshot of each."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function(f"window.innerWidth === {width}")
        page.screenshot(path=str(shots / f"workshop-{name}-{width}x{height}.png"))
        assert outside_viewport(page, CONTROLS) == [], (name, width, height)


def test_voila_workshop_page_fits_counts_pauses_and_takes_pain(tmp_path, monkeypatch):
    routine = tmp_path / "quick.toml"
    routine.write_text(QUICK)
    monkeypatch.setenv("HIPNB_WORKSHOP_ROUTINE", str(routine))
    monkeypatch.setenv("HIPNB_WORKSHOP_GET_READY", "1")
    shots = Path(os.environ.get("HIPNB_SHOTS", tmp_path / "shots"))
    make = ["make", "-s", "workshop", "PORT={PORT}", "HIPNB_HOST=127.0.0.1"]
    with (
        server(make, "/", ROOT, tmp_path / "voila.log") as base,
        chromium_page(shots, *SIZES[0]) as page,
    ):
        page.goto(base + "/")
        page.wait_for_selector(".hipnb-timer.hipnb-big", timeout=CAP_S * 1000)
        assert page.locator(".hipnb-title").text_content() == "quick"
        at_each_size(page, shots, "ready")
        click(page, "Start")
        state(page, "running")
        first = int(page.locator(".hipnb-count").text_content())
        page.wait_for_function(
            f"Number(document.querySelector('.hipnb-count').textContent) <= {first - 2}",
            timeout=CAP_S * 1000,
        )
        at_each_size(page, shots, "running")
        click(page, "Pause")
        state(page, "paused")
        assert page.locator(".hipnb-badge").text_content() == "PAUSED"
        expect(page.locator(".hipnb-controls .widget-button", has_text="Pause")).to_be_disabled(
            timeout=CAP_S * 1000
        )
        opacity = page.locator(".hipnb-controls .widget-button", has_text="Pause").evaluate(
            "e => parseFloat(getComputedStyle(e).opacity)"
        )
        assert opacity <= 0.5, "a disabled button looks disabled"
        frozen = page.locator(".hipnb-count").text_content()
        page.wait_for_timeout(1500)
        assert page.locator(".hipnb-count").text_content() == frozen
        at_each_size(page, shots, "paused")
        size = page.locator(".hipnb-count").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert size >= 200, "readable from the back of a room"
        page.locator("body").press("p")  # Pain, from the keyboard
        page.wait_for_selector(".hipnb-message:has-text('Pain noted')", timeout=CAP_S * 1000)
        expect(page.locator(".widget-button", has_text="End session")).to_be_visible(
            timeout=CAP_S * 1000
        )
        at_each_size(page, shots, "pain")
        page.locator(".widget-button", has_text="End session").click()
        state(page, "finished")
        page.wait_for_selector(".hipnb-summary div", timeout=CAP_S * 1000)
        summary = page.locator(".hipnb-summary").inner_text()
        assert "0 of 1 hold done to target" in summary and "Pain noted" in summary, summary
        assert page.locator(".hipnb-next").text_content() == ""
        at_each_size(page, shots, "ended")
        click(page, "New session")
        state(page, "ready")
        assert page.locator(".hipnb-summary").inner_text() == ""
        expect(page.locator(".hipnb-controls .widget-button", has_text="Start")).to_be_enabled(
            timeout=CAP_S * 1000
        )
        assert page.errors == []
        (shots / "offline.txt").write_text("\n".join(page.offline))
