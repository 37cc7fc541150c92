"""Real browser: `make workshop` serves the Voila big-screen timer. At 1280x720 and 1920x1080 every
control is on screen; it counts down over real seconds, pauses with an unmistakable label, takes the
P key for Pain (room words, the dialog as large as the count), ends on a summary and starts a New
session; the routine is picked and set up on the page, a presentation clicker's keys drive it (after
Pain too: Go on or End session), full screen grows the count to fill the screen, the tab is titled
after the routine, no request leaves the machine and no JavaScript error reaches the console.

One Voila server serves the module's tests; each test writes the routine the page opens with."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .browser import (
    CAP_S,
    SLOW_KERNEL_ARGS,
    VOILA_READY,
    chromium_page,
    outside_viewport,
    server,
    wait_until,
)
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


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """`make workshop` on a free port, its routine the file ``room.toml`` (each test writes it
    before the page opens: Voila runs the notebook afresh for each page)."""
    tmp = tmp_path_factory.mktemp("room")
    routine = tmp / "room.toml"
    routine.write_text(QUICK)
    env = {"HIPNB_WORKSHOP_ROUTINE": str(routine), "HIPNB_WORKSHOP_GET_READY": "1"}
    make = ["make", "-s", "workshop", "PORT={PORT}", "HIPNB_HOST=127.0.0.1"]
    make.append("WORKSHOP_ARGS=" + " ".join(SLOW_KERNEL_ARGS))
    with server(make, VOILA_READY, ROOT, tmp / "voila.log", env=env, expect_kernels=0) as base:
        yield base, routine


def open_room(page, room, text: str) -> str:
    """Open the room's page on the routine ``text``; return the base URL."""
    base, routine = room
    routine.write_text(text)
    base.watch.started_a_kernel()  # Voila runs the notebook in a kernel of this page's own
    page.goto(base + "/")
    page.wait_for_selector(".hipnb-timer.hipnb-big", timeout=CAP_S * 1000)
    return base


def shots_dir(tmp_path: Path) -> Path:
    return Path(os.environ.get("HIPNB_SHOTS", tmp_path / "shots"))


def at_each_size(page, shots: Path, name: str) -> None:
    """Every control inside the viewport at both sizes; a screenshot of each."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function(f"window.innerWidth === {width}")
        page.screenshot(path=str(shots / f"workshop-{name}-{width}x{height}.png"))
        assert outside_viewport(page, CONTROLS) == [], (name, width, height)


def test_voila_workshop_page_fits_counts_pauses_and_takes_pain(tmp_path, room):
    shots = shots_dir(tmp_path)
    with chromium_page(shots, *SIZES[0], watch=room[0]) as page:
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        base = open_room(page, room, QUICK)
        assert page.locator(".hipnb-title").text_content() == "quick"
        wait_until(page, lambda: page.title() == "quick", "the tab is titled after the routine")
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
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.wait_for_function("window.innerWidth === 1920")
        count_height = page.locator(".hipnb-count").bounding_box()["height"]
        page.locator("body").press("p")  # Pain, from the keyboard
        page.wait_for_selector(
            ".hipnb-message:has-text('Paused: take a moment')", timeout=CAP_S * 1000
        )
        expect(page.locator(".widget-button", has_text="End session")).to_be_visible(
            timeout=CAP_S * 1000
        )
        dialog = page.locator(".hipnb-message").bounding_box()
        assert dialog["height"] >= count_height, ("the Pain dialog as large as the count", dialog)
        assert "Pain noted" not in page.locator(".hipnb-panel").inner_text(), "words for a room"
        assert not page.locator(".widget-slider", has_text="Pain").is_visible(), "no score asked"
        at_each_size(page, shots, "pain")
        page.locator(".widget-button", has_text="End session").click()
        state(page, "finished")
        page.wait_for_selector(".hipnb-summary div", timeout=CAP_S * 1000)
        summary = page.locator(".hipnb-summary").inner_text()
        assert "0 of 1 hold done to target" in summary and "ended early" in summary, summary
        assert page.locator(".hipnb-next").text_content() == ""
        at_each_size(page, shots, "ended")
        click(page, "New session")
        state(page, "ready")
        assert page.locator(".hipnb-summary").inner_text() == ""
        expect(page.locator(".hipnb-controls .widget-button", has_text="Start")).to_be_enabled(
            timeout=CAP_S * 1000
        )
        assert page.errors == []
        assert [u for u in requests if not u.startswith((base, "blob:" + base, "data:"))] == []


CLICKER_ROUTINE = """
name = "clicker"
[[steps]]
exercise = "side_plank"
side = "left"
seconds = 60
[[steps]]
exercise = "side_plank"
side = "right"
seconds = 60
[[steps]]
exercise = "clamshell"
side = "left"
seconds = 60
"""


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_room_picks_its_routine_on_the_page_and_a_clicker_drives_it(tmp_path, room, size):
    shots = shots_dir(tmp_path)
    width, height = size
    with chromium_page(shots, width, height, watch=room[0]) as page:
        key = page.keyboard.press
        open_room(page, room, CLICKER_ROUTINE)
        title = page.locator(".hipnb-title")
        expect(title).to_have_text("clicker", timeout=CAP_S * 1000)
        picker = page.locator(".hipnb-setup select")
        labels = [t.replace("\xa0", " ") for t in picker.locator("option").all_inner_texts()]
        assert labels[0] == "clicker (room.toml)", labels
        assert "Hip basics (built in)" in labels and "Hip basics (hip-basics.toml)" in labels
        # the routine picker, by keyboard: the built-in Hip basics, then its bound-angle time
        picker.focus()
        key("ArrowDown")
        expect(title).to_have_text("Hip basics", timeout=CAP_S * 1000)
        wait_until(page, lambda: page.title() == "Hip basics", "the tab follows the routine")
        cue = page.locator(".hipnb-cue")
        before = cue.text_content()
        slider = page.locator(".hipnb-setup .widget-slider", has_text="Bound angle")
        slider.locator(".noUi-handle").first.focus()
        key("ArrowRight")  # 240 s -> 255 s: the routine grows by 15 s
        wait_until(page, lambda: cue.text_content() != before, "the routine takes the new time")
        assert slider.locator(".widget-readout").inner_text() == "255"
        page.screenshot(path=str(shots / f"workshop-setup-{width}x{height}.png"))
        assert outside_viewport(page, CONTROLS + ", .hipnb-setup") == []
        picker.focus()
        key("ArrowUp")
        expect(title).to_have_text("clicker", timeout=CAP_S * 1000)
        # the clicker: PageDown starts (the picker still has the focus: it gives the key up)
        picker.focus()
        key("PageDown")
        state(page, "running")
        expect(picker).not_to_be_visible(timeout=CAP_S * 1000)
        assert page.locator(".hipnb-side").text_content() == "left"
        key("ArrowRight")  # next step
        expect(page.locator(".hipnb-side")).to_have_text("right", timeout=CAP_S * 1000)
        key("PageUp")  # pause
        state(page, "paused")
        key("ArrowLeft")  # resume
        state(page, "running")
        key("b")  # pause, as a slideshow's black-screen key
        state(page, "paused")
        key("PageUp")
        state(page, "running")
        key(".")
        state(page, "paused")
        page.screenshot(path=str(shots / f"workshop-clicker-{width}x{height}.png"))
        key("PageDown")  # next step, from a pause
        expect(title).to_have_text("Clamshell", timeout=CAP_S * 1000)
        assert page.locator(".hipnb-count").bounding_box()["height"] >= 0.25 * height
        page.locator(".hipnb-fullscreen").click()
        wait_until(
            page,
            lambda: page.locator(".hipnb-timer").get_attribute("data-fullscreen") == "on",
            "full screen",
        )
        page.screenshot(path=str(shots / f"workshop-fullscreen-{width}x{height}.png"))
        assert page.errors == []


PAIN_ROUTINE = """
name = "after pain"
[[steps]]
exercise = "bound_angle"
side = "both"
seconds = 180
[[steps]]
exercise = "side_plank"
side = "left"
seconds = 30
[[steps]]
exercise = "side_plank"
side = "right"
seconds = 30
"""
#: What the room needs on screen once Pain is pressed: the words, the keys, Go on and End session.
AFTER_PAIN = ".hipnb-message, .hipnb-keys, .hipnb-pain-box .widget-button"


def pain_screen(page, shots: Path, name: str) -> None:
    """Pain is open: the words, the keys and both buttons inside the window; a screenshot."""
    expect(page.locator(".hipnb-pain-box .widget-button", has_text="End session")).to_be_visible(
        timeout=CAP_S * 1000
    )
    expect(page.locator(".hipnb-pain-box .widget-button", has_text="Go on")).to_be_enabled(
        timeout=CAP_S * 1000
    )
    size = page.viewport_size
    page.screenshot(path=str(shots / f"workshop-{name}-{size['width']}x{size['height']}.png"))
    assert outside_viewport(page, AFTER_PAIN) == [], name
    keys = page.locator(".hipnb-keys").inner_text()
    assert "PageDown" in keys and "PageUp" in keys, keys


def test_after_pain_the_clicker_goes_on_or_ends_and_the_choice_stays_on_screen(tmp_path, room):
    shots = shots_dir(tmp_path)
    with chromium_page(shots, *SIZES[0], watch=room[0]) as page:
        key = page.keyboard.press
        open_room(page, room, PAIN_ROUTINE)
        key("PageDown")  # start
        state(page, "running")
        key("p")
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function(f"window.innerWidth === {width}")
            pain_screen(page, shots, "after-pain")
        page.set_viewport_size({"width": 1280, "height": 720})
        page.wait_for_function("window.innerWidth === 1280")
        key("PageDown")  # Go on, from the clicker
        expect(page.locator(".hipnb-pain-box")).to_be_hidden(timeout=CAP_S * 1000)
        state(page, "running")
        assert page.locator(".hipnb-side").text_content() == "left", "on to the next hold"

        # full screen: the count grows into the screen, down to the buttons
        page.locator(".hipnb-fullscreen").click()
        wait_until(
            page,
            lambda: page.locator(".hipnb-timer").get_attribute("data-fullscreen") == "on",
            "full screen",
        )
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function(f"window.innerWidth === {width}")
            page.screenshot(path=str(shots / f"workshop-fullscreen-running-{width}x{height}.png"))
            count = page.locator(".hipnb-count").bounding_box()
            assert count["height"] >= 0.45 * height, ("the count fills the screen", count)
            controls = page.locator(".hipnb-controls").bounding_box()
            assert controls["y"] + controls["height"] >= 0.85 * height, ("no empty band", controls)
            assert outside_viewport(page, CONTROLS) == []
        key("p")
        for width, height in reversed(SIZES):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function(f"window.innerWidth === {width}")
            pain_screen(page, shots, "fullscreen-after-pain")
        key("PageUp")  # End session, from the clicker
        state(page, "stopped")
        summary = page.locator(".hipnb-summary").inner_text()
        assert "ended early" in summary, summary
        assert page.errors == []
