"""Real browser: the phone page of `hipnb phone`, in Chromium's mobile emulation (Playwright's
iPhone 13 and Pixel 7 descriptors and a 360x640 small phone: is_mobile, has_touch), served on this
machine's own non-loopback address, where a plain-http page is not a secure context (as on a LAN).

Without the token the page, the kernel API and the websocket refuse; with it a tapped routine step
is logged within SHOWN_VS_LOGGED_S of what the page showed, a page frozen 25 s is credited no more
than it counted, and the layout holds at each viewport (screenshots kept). No request leaves the
machine, the token reaches no log, and the answers form is usable by touch."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from hipnb import athlete_path
from hipnb.errors import HipnbError
from hipnb.phone import PhoneServer, PhoneSettings, lan_address

from .browser import CAP_S, CHROMIUM_ARGS, SHOWN_VS_LOGGED_S, require_chromium, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

HEARTBEAT_S = 1  # the page sends one a second while it counts (hipnb/static/timer.js)
FREEZE_S = 25  # the scenario: a phone whose page stops running this long (screen off, app away)
QUICK = """
name = "quick phone"
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
exercise = "side_plank"
side = "right"
seconds = 45
"""
SMALL = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (Linux; Android 13; small) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36",
}
DEVICES = ["iPhone 13", "Pixel 7", "small 360x640"]
# Every change of the display, stamped with the page's own clock; and a 100 ms page timer whose
# stamps show when the page itself stopped running.
OBSERVE = """() => {
  window.hipnbSeen = [];
  const box = document.querySelector('.hipnb-timer');
  const q = (s) => box.querySelector(s).textContent;
  const note = () => window.hipnbSeen.push({t: performance.now(), state: box.dataset.state,
      side: q('.hipnb-side'), count: q('.hipnb-count')});
  new MutationObserver(note).observe(box, {attributes: true, subtree: true, childList: true,
      characterData: true});
  note();
  window.hipnbTicks = [];
  setInterval(() => window.hipnbTicks.push(performance.now()), 100);
}"""


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    """The phone page for "Zoë" on this machine's network address, and a Playwright browser."""
    from playwright.sync_api import sync_playwright

    path = require_chromium()
    try:
        host = lan_address()
    except HipnbError as exc:
        pytest.skip(f"no non-loopback address to serve on: {exc}")
    tmp = tmp_path_factory.mktemp("phone")
    (tmp / "quick.toml").write_text(QUICK)
    settings = PhoneSettings.checked(
        "Zoë", tmp / "logs", tmp / "quick.toml", new_athlete=True, get_ready=2
    )
    server = PhoneServer(settings, host=host)
    shots = Path(os.environ.get("HIPNB_SHOTS", tmp / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
            yield p, browser, server, settings, shots
            browser.close()
    finally:
        server.stop()
        assert server.token not in server.output(), "the token is in Voila's log"


@contextlib.contextmanager
def device_page(phone, device: str):
    """A page in the emulated ``device``; every request's URL kept on ``page.requests``."""
    p, browser, *_ = phone
    options = dict(SMALL) if device.startswith("small") else dict(p.devices[device])
    options.pop("default_browser_type", None)
    assert options["is_mobile"] and options["has_touch"], device
    context = browser.new_context(**options)
    page = context.new_page()
    page.requests, page.errors = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    try:
        yield page
    finally:
        context.close()


def open_page(page, server: PhoneServer) -> None:
    page.goto(server.url)
    page.wait_for_selector(".hipnb-timer", timeout=CAP_S * 1000)
    page.wait_for_selector(".hipnb-main", timeout=CAP_S * 1000)


def wait_state(page, state: str) -> None:
    page.wait_for_selector(f".hipnb-timer[data-state='{state}']", timeout=CAP_S * 1000)


def tap(page, label: str) -> None:
    page.locator(".hipnb-controls .widget-button:visible", has_text=label).first.tap()


def left_the_machine(page, server: PhoneServer) -> list[str]:
    own = (server.base, "blob:" + server.base, "data:", "ws://" + server.base.split("//")[1])
    return [u for u in page.requests if not u.startswith(own)]


def log_rows(settings: PhoneSettings) -> pd.DataFrame:
    path = athlete_path(settings.logs, settings.athlete)
    return pd.read_csv(path) if path.exists() else pd.DataFrame({"session_id": []})


def sessions(settings: PhoneSettings) -> set[str]:
    return set(log_rows(settings)["session_id"])


def new_session_rows(settings: PhoneSettings, before: set[str]) -> pd.DataFrame | None:
    """The rows of the one session started since ``before`` (None until it has holds)."""
    log = log_rows(settings)
    rows = log[~log["session_id"].isin(before)]
    assert rows["session_id"].nunique() <= 1, rows
    return rows if len(rows) else None


# -- the token -------------------------------------------------------------------------------------


def _status(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """Status and Location of a GET that follows no redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=60) as r:
            return r.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def _websocket_status(server: PhoneServer, path: str) -> int:
    """The status of a websocket handshake (101 when accepted)."""
    host, port = server.host, server.port
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request(
        "GET",
        path,
        headers={
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    status = conn.getresponse().status
    conn.close()
    return status


def test_without_the_token_the_page_the_kernel_api_and_the_websocket_refuse(phone):
    _, _, server, _, _ = phone
    assert not server.host.startswith("127."), "served on a non-loopback address"
    # with the token, the page starts a kernel: its id is in the page
    with urllib.request.urlopen(server.url, timeout=CAP_S) as r:
        assert r.status == 200
        kernel = re.search(r'"kernelId": *"([0-9a-f-]{36})"', r.read().decode()).group(1)
    refused = {
        "page": _status(server.base + "/"),
        "page, wrong token": _status(server.base + "/?token=" + "x" * len(server.token)),
        "kernel list": _status(server.base + "/api/kernels"),
        "kernel": _status(f"{server.base}/api/kernels/{kernel}"),
        "kernel, wrong token": _status(
            f"{server.base}/api/kernels/{kernel}", {"Authorization": "token wrong"}
        ),
        "sessions": _status(server.base + "/api/sessions"),
    }
    for what, (status, location) in refused.items():
        assert status == 403 or (status == 302 and "/login" in location), (what, status)
    assert _websocket_status(server, f"/api/kernels/{kernel}/channels") == 403
    assert _websocket_status(server, f"/api/kernels/{kernel}/channels?token=wrong") == 403
    accepted = _websocket_status(server, f"/api/kernels/{kernel}/channels?token={server.token}")
    assert accepted == 101, "with the token the websocket opens"


# -- the routine on the phone ----------------------------------------------------------------------


def test_a_tapped_step_is_logged_as_the_phone_showed_it_and_the_answers_form_works(phone):
    _, _, server, settings, shots = phone
    with device_page(phone, "iPhone 13") as page:
        open_page(page, server)
        assert page.evaluate("window.isSecureContext") is False, "plain http on a LAN address"
        assert page.evaluate("'wakeLock' in navigator") is False
        assert page.title() == "quick phone", "the tab is titled after the routine"
        before = sessions(settings)
        page.evaluate(OBSERVE)
        tap(page, "Start")
        wait_state(page, "get_ready")
        box = page.locator(".hipnb-timer")
        # no Wake Lock on plain http: the muted looping video keeps the screen on
        wait_until(page, lambda: box.get_attribute("data-wakelock") == "video", "the video plays")
        wait_state(page, "running")
        page.wait_for_function(
            "document.querySelector('.hipnb-side').textContent === 'right'", timeout=CAP_S * 1000
        )
        assert int(box.get_attribute("data-vibrations")) >= 2, "a vibration at each change"
        page.screenshot(path=str(shots / "phone-running-iPhone13.png"))
        page.wait_for_timeout(1500)  # the scenario: 1.5 s of the right side
        tap(page, "Stop")
        wait_state(page, "stopped")
        seen = page.evaluate("window.hipnbSeen")
        first = lambda pred: next(e for e in seen if pred(e))  # noqa: E731
        left_on = first(lambda e: e["state"] == "running" and e["side"] == "left")["t"]
        rest_on = first(lambda e: e["t"] > left_on and e["side"] == "")["t"]
        right_on = first(lambda e: e["state"] == "running" and e["side"] == "right")["t"]
        stopped = first(lambda e: e["state"] == "stopped")["t"]
        wait_until(
            page, lambda: new_session_rows(settings, before) is not None, "the log is written"
        )
        log = new_session_rows(settings, before)
        assert log["athlete"].tolist() == ["Zoë", "Zoë"]
        left, right = log.to_dict("records")
        assert left["side"] == "left" and left["completed"] and left["actual_s"] == 3.0
        assert abs((rest_on - left_on) / 1000 - left["actual_s"]) <= SHOWN_VS_LOGGED_S
        assert right["side"] == "right" and not right["completed"]
        assert abs((stopped - right_on) / 1000 - right["actual_s"]) <= SHOWN_VS_LOGGED_S

        # the answers form, by touch: a slider tapped, a note typed, saved
        page.wait_for_selector(".widget-textarea textarea", timeout=CAP_S * 1000)
        note = page.locator(".widget-textarea textarea")
        assert float(note.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16, (
            "16 px or more: iOS Safari zooms into smaller inputs"
        )
        effort = page.locator(".widget-slider", has_text="Effort")
        track = effort.locator(".noUi-target").bounding_box()
        page.touchscreen.tap(track["x"] + track["width"] * 0.7, track["y"] + track["height"] / 2)
        wait_until(
            page,
            lambda: effort.locator(".widget-readout").inner_text() not in ("", "not set"),
            "the tapped slider moves",
        )
        note.tap()
        note.fill("felt good, Zoë")
        page.screenshot(path=str(shots / "phone-answers-iPhone13.png"))
        assert _overflow(page) == [], "the form fits the width: no zoom, no sideways scroll"
        page.locator(".widget-button", has_text="Save answers").tap()
        page.wait_for_selector(".hipnb-panel :text('Answers saved')", timeout=CAP_S * 1000)
        log = new_session_rows(settings, before)
        edits = log[log["action"].notna()]  # the answers, as corrections of the holds
        assert edits["note"].tolist() == ["felt good, Zoë"] * 2
        assert edits["rpe"].notna().all()
        assert left_the_machine(page, server) == []
        assert page.errors == []


def test_a_phone_page_frozen_25_s_is_credited_no_more_than_it_counted(phone):
    _, _, server, settings, shots = phone
    with device_page(phone, "Pixel 7") as page:
        open_page(page, server)  # a second phone on the same link and the same log
        before = sessions(settings)
        page.evaluate(OBSERVE)
        tap(page, "Start")
        page.wait_for_function(
            "document.querySelector('.hipnb-side').textContent === 'right'", timeout=CAP_S * 1000
        )
        page.wait_for_timeout(2500)  # the scenario: 2.5 s of the right side counted by the page
        cdp = page.context.new_cdp_session(page)
        cdp.send("Debugger.enable")
        cdp.send("Debugger.pause")  # the page stops running, as a phone's screen turned off
        time.sleep(FREEZE_S)  # the scenario: frozen this long (a wait on nothing else)
        cdp.send("Debugger.resume")
        cdp.send("Debugger.disable")
        wait_state(page, "paused")
        message = page.locator(".hipnb-message").text_content()
        assert message.startswith("Paused: the page was away for"), message
        page.screenshot(path=str(shots / "phone-away-Pixel7.png"))
        ticks = page.evaluate("window.hipnbTicks")
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        assert max(gaps) > (FREEZE_S - 1) * 1000, "the page's own timers stood still"
        frozen_at = ticks[gaps.index(max(gaps))]
        seen = page.evaluate("window.hipnbSeen")
        right_on = next(e for e in seen if e["side"] == "right" and e["state"] == "running")["t"]
        counted = (frozen_at - right_on) / 1000.0
        tap(page, "Stop")
        wait_state(page, "stopped")
        session = new_session_rows(settings, before)
        assert session["side"].tolist() == ["left", "right"], "a session of its own"
        right = session.to_dict("records")[-1]
        low, high = counted - HEARTBEAT_S - SHOWN_VS_LOGGED_S, counted + SHOWN_VS_LOGGED_S
        (shots / "phone-frozen.json").write_text(
            json.dumps({"counted": counted, "logged": right["actual_s"], "bounds": [low, high]})
        )
        assert right["actual_s"] <= high, ("credited more than the page counted", counted, right)
        assert low <= right["actual_s"], (counted, right)
        assert left_the_machine(page, server) == []


# -- the layout ------------------------------------------------------------------------------------


def _overflow(page) -> list[str]:
    """Visible controls wider than the page or sticking out of it sideways; a page scrolling
    sideways."""
    out = page.evaluate(
        """() => {
      const w = window.innerWidth, bad = [];
      if (document.scrollingElement.scrollWidth > w + 1) bad.push('the page scrolls sideways');
      for (const e of document.querySelectorAll('.hipnb-panel button, .hipnb-panel textarea,'
          + ' .hipnb-panel .widget-slider, .hipnb-timer')) {
        const r = e.getBoundingClientRect();
        if (r.width && (r.left < -0.5 || r.right > w + 0.5)) bad.push(e.className + ' ' + r.right);
      }
      return bad;
    }"""
    )
    return list(out)


def _small_targets(page) -> list[str]:
    """Visible buttons smaller than 48 x 48 CSS px (the touch-target size phones recommend)."""
    out = []
    for b in page.locator(".hipnb-panel .widget-button").all():
        if b.is_visible():
            box = b.bounding_box()
            if box["width"] < 48 or box["height"] < 48:
                out.append(f"{b.inner_text()!r} {box['width']:.0f}x{box['height']:.0f}")
    return out


def _inside(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 0.5


@pytest.mark.parametrize("device", DEVICES)
def test_the_phone_layout_at_each_viewport(phone, device):
    _, _, server, _, shots = phone
    name = device.replace(" ", "")
    with device_page(phone, device) as page:
        open_page(page, server)
        width = page.viewport_size["width"]
        page.screenshot(path=str(shots / f"phone-ready-{name}.png"))
        count_width = page.locator(".hipnb-count").evaluate(
            "e => { const r = document.createRange(); r.selectNodeContents(e);"
            " return r.getBoundingClientRect().width; }"
        )
        font = page.locator(".hipnb-count").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        at_most = 0.33 * page.viewport_size["height"]  # a third of the height: the rest must show
        assert count_width >= 0.75 * width or font >= at_most, (
            "the count fills the width",
            count_width,
            font,
        )
        main = page.locator(".hipnb-main:visible")
        assert main.count() == 1, "one large Start/Pause control"
        assert main.bounding_box()["width"] >= 0.8 * width
        assert main.bounding_box()["height"] >= 64
        assert _small_targets(page) == []
        assert _overflow(page) == []
        tap(page, "Start")
        wait_state(page, "running")
        page.wait_for_selector(".hipnb-main:visible:has-text('Pause')", timeout=CAP_S * 1000)
        page.screenshot(path=str(shots / f"phone-running-{name}.png"))
        assert page.locator(".hipnb-side").text_content() == "left"
        for selector in (
            ".hipnb-side",
            ".hipnb-next",
            ".hipnb-count",
            ".hipnb-main:visible",
            ".hipnb-pain",
        ):
            assert _inside(page, selector), (selector, "visible without scrolling")
        pain = page.locator(".hipnb-pain").bounding_box()
        assert pain["width"] >= 0.8 * width and pain["height"] >= 56, "Pain, large"
        assert pain["y"] > page.viewport_size["height"] / 2, "Pain in the thumb's half"
        assert _small_targets(page) == []
        tap(page, "Stop")
        wait_state(page, "stopped")
        page.wait_for_selector(".hipnb-main:visible:has-text('New session')", timeout=CAP_S * 1000)
        page.screenshot(path=str(shots / f"phone-ended-{name}.png"))
        assert _overflow(page) == []
        assert left_the_machine(page, server) == []
        assert page.errors == []
