"""Real browser: the phone page of `hipnb phone`, in Chromium's mobile emulation (Playwright's
iPhone 13 and Pixel 7 descriptors and a 360x640 small phone: is_mobile, has_touch), served on this
machine's own non-loopback address, where a plain-http page is not a secure context (as on a LAN).

Without the token the page says to ask the coach for the QR code; with it a tapped routine step is
logged within SHOWN_VS_LOGGED_S of what the page showed, a page frozen 25 s is credited no more
than it counted, a phone offline for 60 s mid-routine keeps its holds and sends them once it is back
(a post whose answer was lost is sent again and acknowledged, not doubled), and the layout holds at
each viewport (screenshots kept). No request leaves the machine, the token reaches no log line, and
the answers form is usable by touch."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from hipnb import athlete_path
from hipnb.errors import HipnbError
from hipnb.phone import PhoneServer, PhoneSettings, lan_address
from tests.routines import routine_toml

from .browser import CAP_S, CHROMIUM_ARGS, SHOWN_VS_LOGGED_S, require_chromium, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

HEARTBEAT_S = 1  # the page sends one a second while it counts (hipnb/static/timer.js)
FREEZE_S = 25  # the scenario: a phone whose page stops running this long (screen off, app away)
OFFLINE_S = 60  # the scenario: the phone's Wi-Fi drops this long in the middle of a routine
QUICK = routine_toml(
    "quick phone", "side_plank left 3", "rest 1 Switch to your right side.", "side_plank right 45"
)
# the drop: the first hold is sent, then the Wi-Fi goes for the next 30 + 1 + 30 + 1 + 3 s
DROP = routine_toml(
    "the drop",
    "side_plank left 3",
    "rest 1",
    "side_plank right 30",
    "rest 1",
    "side_plank left 30",
    "rest 1",
    "side_plank right 3",
)
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
        assert "POST /api/open 200" in server.output(), "the server's log lines are kept"
        assert server.token not in server.output(), "the token is in the server's log"


@contextlib.contextmanager
def device_page(phone, device: str, bypass_csp: bool = True):
    """A page in the emulated ``device``; every request's URL kept on ``page.requests``.
    ``bypass_csp`` lets the test's own waits evaluate code (the page's policy forbids it)."""
    p, browser, *_ = phone
    options = dict(SMALL) if device.startswith("small") else dict(p.devices[device])
    options.pop("default_browser_type", None)
    assert options["is_mobile"] and options["has_touch"], device
    context = browser.new_context(**options, bypass_csp=bypass_csp)
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
    page.wait_for_selector(".hipnb-main:visible", timeout=CAP_S * 1000)


def wait_state(page, state: str) -> None:
    page.wait_for_selector(f".hipnb-timer[data-state='{state}']", timeout=CAP_S * 1000)


def tap(page, label: str) -> None:
    page.locator(".hipnb-controls .hipnb-button:visible", has_text=label).first.tap()


def left_the_machine(page, server: PhoneServer) -> list[str]:
    own = (server.base, "blob:" + server.base, "data:")
    return [u for u in page.requests if not u.startswith(own)]


def log_rows(settings: PhoneSettings) -> pd.DataFrame:
    path = athlete_path(settings.logs, settings.athlete)
    return pd.read_csv(path) if path.exists() else pd.DataFrame({"session_id": []})


def sessions(settings: PhoneSettings) -> set[str]:
    return set(log_rows(settings)["session_id"].dropna())


def new_session_rows(settings: PhoneSettings, before: set[str]) -> pd.DataFrame | None:
    """The holds of the one session started since ``before`` (None until it has some)."""
    log = log_rows(settings)
    rows = log[log["session_id"].notna() & ~log["session_id"].isin(before)]
    assert rows["session_id"].nunique() <= 1, rows
    return rows if len(rows) else None


def answers_of(settings: PhoneSettings, session: str) -> pd.DataFrame:
    """The corrections (answers, Pain scores) of the holds of ``session``."""
    log = log_rows(settings)
    return log[log["action"].notna() & log["hold_id"].astype(str).str.startswith(session + "|")]


# -- the token -------------------------------------------------------------------------------------


def test_without_the_token_the_page_asks_for_the_qr_code(phone):
    """The page's own content policy in force (no bypass): without the token, and with a wrong
    one, a plain page says where the link comes from; with it, Start. Screenshots at 1280x800 too."""
    _, _, server, _, shots = phone
    assert not server.host.startswith("127."), "served on a non-loopback address"
    with device_page(phone, "Pixel 7", bypass_csp=False) as page:
        page.goto(server.base + "/")
        page.wait_for_selector("[data-page='ask'] h1", timeout=CAP_S * 1000)
        assert page.locator("h1").inner_text() == "Ask your coach for the QR code"
        page.screenshot(path=str(shots / "phone-no-token-Pixel7.png"))
        page.goto(server.base + "/#token=" + "x" * len(server.token))
        page.wait_for_selector("[data-page='ask'] :text('not valid')", timeout=CAP_S * 1000)
        open_page(page, server)
        assert page.locator(".hipnb-main:visible").inner_text() == "Start"
        assert page.evaluate("window.hipnbPhone !== undefined")
        assert left_the_machine(page, server) == []
    p, browser, *_ = phone
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(server.base + "/")
        page.wait_for_selector("[data-page='ask'] h1", timeout=CAP_S * 1000)
        page.screenshot(path=str(shots / "phone-no-token-1280.png"))
        page.goto(server.url)
        page.wait_for_selector(".hipnb-main:visible", timeout=CAP_S * 1000)
        page.screenshot(path=str(shots / "phone-ready-1280.png"))
    finally:
        context.close()


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

        # the answers form, by touch: a score picked, a note typed, saved
        page.wait_for_selector(".hipnb-answers textarea", timeout=CAP_S * 1000)
        note = page.locator(".hipnb-answers textarea")
        assert float(note.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16, (
            "16 px or more: iOS Safari zooms into smaller inputs"
        )
        effort = page.locator(".hipnb-answers label", has_text="Effort").locator("select")
        effort.tap()
        effort.select_option("7")
        note.tap()
        note.fill("felt good, Zoë")
        page.screenshot(path=str(shots / "phone-answers-iPhone13.png"))
        assert _overflow(page) == [], "the form fits the width: no zoom, no sideways scroll"
        page.locator(".hipnb-answers .hipnb-button", has_text="Save answers").tap()
        page.wait_for_selector(".hipnb-status :text('Answers saved')", timeout=CAP_S * 1000)
        edits = answers_of(settings, left["session_id"])  # the answers, as corrections of the holds
        assert edits["note"].tolist() == ["felt good, Zoë"] * 2
        assert edits["rpe"].tolist() == [7, 7]
        assert "Zoë's log" in page.locator(".hipnb-status").inner_text()
        assert str(settings.logs) not in page.content(), "no path on the phone"
        assert left_the_machine(page, server) == []
        assert page.errors == []


def test_pain_ends_the_hold_pauses_and_its_score_is_logged(phone):
    _, _, server, settings, shots = phone
    with device_page(phone, "small 360x640") as page:
        open_page(page, server)
        before = sessions(settings)
        tap(page, "Start")
        wait_state(page, "running")
        tap(page, "Pain")
        wait_state(page, "paused")
        box = page.locator(".hipnb-pain-box")
        box.wait_for(state="visible", timeout=CAP_S * 1000)
        assert page.locator(".hipnb-main:visible").inner_text() == "Resume"
        assert page.locator(".hipnb-main:visible").is_disabled(), "Pain asks first"
        for selector in (".hipnb-pain-box select", ".hipnb-pain-box .hipnb-button"):
            assert _inside(page, selector), (selector, "on screen without scrolling")
        box.locator("select").select_option("6")
        page.screenshot(path=str(shots / "phone-pain-small360x640.png"))
        box.locator(".hipnb-button", has_text="End session").tap()
        wait_state(page, "stopped")
        status = page.locator(".hipnb-status")
        wait_until(page, lambda: status.get_attribute("data-waiting") == "0", "all sent")
        hold = new_session_rows(settings, before).to_dict("records")
        assert len(hold) == 1 and not hold[0]["completed"]
        assert hold[0]["pain_at_s"] == hold[0]["actual_s"] < 3
        score = answers_of(settings, hold[0]["session_id"])
        assert score["discomfort"].tolist() == [6]


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
        assert page.locator(".hipnb-message").text_content() == "", "no away banner at the end"
        page.wait_for_selector(".hipnb-status[data-waiting='0']", timeout=CAP_S * 1000)  # sent
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
          + ' .hipnb-panel select, .hipnb-timer')) {
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
    for b in page.locator(".hipnb-panel button").all():
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


# -- the Wi-Fi drops -------------------------------------------------------------------------------


def test_a_phone_offline_60_s_mid_routine_loses_nothing_and_doubles_nothing(phone, tmp_path):
    """The first hold is sent; the Wi-Fi then drops for the rest of the routine (over 60 s): the
    page keeps counting, keeps three holds and says so; back online, the first post of them reaches
    the server but its answer is lost, the page sends them again, the server says "already":
    four holds in the log, each once."""
    p, browser, _, _, shots = phone
    (tmp_path / "drop.toml").write_text(DROP)
    settings = PhoneSettings.checked(
        "Zoë", tmp_path / "logs", tmp_path / "drop.toml", new_athlete=True, get_ready=1
    )
    server = PhoneServer(settings, host=lan_address())
    server.start()
    try:
        with device_page(phone, "Pixel 7") as page:
            open_page(page, server)
            status = page.locator(".hipnb-status")
            tap(page, "Start")
            wait_until(page, lambda: status.get_attribute("data-logged") == "1", "one hold sent")
            page.context.set_offline(True)
            off = time.monotonic()
            wait_state(page, "finished")  # the routine goes on without the network
            wait_until(page, lambda: status.get_attribute("data-waiting") == "3", "three wait")
            assert "3 holds wait to be sent" in status.inner_text()
            page.screenshot(path=str(shots / "phone-offline-Pixel7.png"))
            kept = page.evaluate(
                "() => Object.keys(localStorage).filter((k) => k.startsWith('hipnb-phone-outbox'))"
                ".map((k) => JSON.parse(localStorage.getItem(k)).length)"
            )
            assert kept == [3], "kept on the phone, not only in the page's memory"
            assert len(log_rows(settings)) == 1, "nothing reached the server while offline"
            posts = []

            def lose_the_first_answer(route):
                posts.append(route.request.post_data_json)
                if len(posts) == 1:
                    route.fetch()  # the server takes it...
                    route.abort("connectionreset")  # ...and its answer never reaches the phone
                else:
                    route.continue_()

            page.route("**/log", lose_the_first_answer)
            offline_s = time.monotonic() - off
            page.context.set_offline(False)
            wait_until(page, lambda: status.get_attribute("data-waiting") == "0", "all sent")
            assert len(posts) >= 2 and posts[0] == posts[1], "the same holds, posted again"
            assert status.get_attribute("data-logged") == "4"
            page.screenshot(path=str(shots / "phone-back-online-Pixel7.png"))
            rows = log_rows(settings)
            keys = list(zip(rows["exercise"], rows["side"], rows["started_at"], strict=True))
            assert len(rows) == 4 and len(set(keys)) == 4, rows
            assert rows["side"].tolist() == ["left", "right", "left", "right"]
            assert rows["completed"].all() and (rows["actual_s"] == rows["target_s"]).all()
            page.reload()  # nothing left to send: nothing sent again
            open_page(page, server)
            assert len(log_rows(settings)) == 4
            (shots / "phone-offline.json").write_text(
                json.dumps({"offline_s": offline_s, "logged": len(rows), "lost": 0, "doubled": 0})
            )
            assert offline_s >= OFFLINE_S, ("the scenario: offline this long", offline_s)
            assert left_the_machine(page, server) == []
    finally:
        server.stop()
        assert server.token not in server.output()
