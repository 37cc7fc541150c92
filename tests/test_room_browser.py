"""Real browser: the room of `hipnb room` (hipnb.room.RoomServer), its big screen in desktop
Chromium and its phones in Playwright's mobile emulation, on one server over a tmp log folder.

Phones join through the name gate (the QR code's link, a did-you-mean, new names only when the
teacher lets them), follow the teacher's Start, Pause, Resume and Pain, join late and drop off the
network and come back; each participant's holds land in their own log, read back with hipnb's
reader. Screenshots of the big screen (three projector sizes) and of a phone are kept under
HIPNB_SHOTS, with layout checks. No request leaves the machine and no token reaches a log line.

Every wait is on a state (a selector, a data- attribute, a log file); none is a fixed sleep."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import hipnb
from hipnb.room import RoomServer
from hipnb.timer_view import PAIN_WORDS

from .browser import CAP_S, CHROMIUM_ARGS, require_chromium, wait_until
from .routines import routine_toml
from .rows import write_rows

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

ROUTINE = routine_toml(
    "room test", "side_plank left 4", "rest 1 Switch to your right side.", "side_plank right 4"
)
LONG = routine_toml("one long hold", "side_plank left 12")
HOLDS = [("side_plank", "left", 4.0), ("side_plank", "right", 4.0)]
MS = CAP_S * 1000  # the safety net of every wait on a state, in Playwright's milliseconds
SCREEN_SIZES = [(1280, 800), (1280, 720), (1920, 1080)]
ROOM_PAUSED = PAIN_WORDS["room"][0]


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """The room on 127.0.0.1 over a log folder where "ana" has a log, and one Chromium."""
    from playwright.sync_api import sync_playwright

    path = require_chromium()
    tmp = tmp_path_factory.mktemp("room")
    logs = tmp / "logs"
    write_rows(
        hipnb.SessionLog(hipnb.athlete_path(logs, "ana")),
        [hipnb.log.manual_row("ana", "side_plank", "left", 30)],
    )
    (tmp / "routines").mkdir()
    routine = tmp / "routines" / "room-test.toml"
    routine.write_text(ROUTINE)
    (tmp / "routines" / "long.toml").write_text(LONG)
    server = RoomServer(logs, tmp / "routines", routine, host="127.0.0.1", get_ready=0)
    server.routine_ref_of_test = str(
        routine.resolve()
    )  # the module's routine, as the screen offers it
    shots = Path(os.environ.get("HIPNB_SHOTS", tmp / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
            yield Room(p, browser, server, shots)
            browser.close()
    finally:
        server.stop()
        out = server.output()
        assert server.join_token not in out and server.teacher_token not in out


class Room:
    def __init__(self, playwright, browser, server: RoomServer, shots: Path) -> None:
        self.p, self.browser, self.server, self.shots = playwright, browser, server, shots

    @contextlib.contextmanager
    def page(self, device: str | None = None):
        """A page on a context of its own: an emulated phone ``device``, or (None) the teacher's
        computer at 1280x800. Every request's URL is kept on ``page.requests``; page errors on
        ``page.errors``."""
        if device is None:
            options = {"viewport": {"width": 1280, "height": 800}}
        else:
            options = dict(self.p.devices[device])
            options.pop("default_browser_type", None)
            assert options["is_mobile"] and options["has_touch"], device
        context = self.browser.new_context(**options, bypass_csp=True)
        page = context.new_page()
        page.requests, page.errors, page.sockets = [], [], []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("websocket", lambda ws: page.sockets.append(ws.url))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("console", lambda m: _console(page, m))
        try:
            yield page
        finally:
            context.close()

    def left_the_machine(self, page) -> list[str]:
        own = (self.server.base, "data:", "blob:" + self.server.base)
        return [u for u in page.requests if not u.startswith(own)]

    def shot(self, page, name: str) -> None:
        page.screenshot(path=str(self.shots / f"room-{name}.png"))

    def holds(self, athlete: str, before: set[str]) -> pd.DataFrame:
        """``athlete``'s holds (hipnb's reader, corrections applied) of sessions not in ``before``."""
        path = hipnb.athlete_path(self.server.logs, athlete)
        if not path.exists():
            return pd.DataFrame({"session_id": []})
        rows = hipnb.read_logs(path)
        return rows[rows["session_id"].notna() & ~rows["session_id"].isin(before)]

    def sessions(self) -> set[str]:
        folder = self.server.logs
        return set(hipnb.read_logs(folder)["session_id"].dropna()) if folder.exists() else set()


#: A refused name is answered 409 on purpose; the browser logs every answer of 400 and above.
REFUSED = "Failed to load resource: the server responded with a status of 409"


def _console(page, message) -> None:
    if message.type == "error" and not message.text.startswith(REFUSED):
        page.errors.append(message.text)


# -- the pages, as their users drive them ----------------------------------------------------------


def open_screen(room: Room, screen, *, allow_new: bool = False) -> None:
    """The big screen, ready for a new session; new names let in or not."""
    screen.goto(room.server.screen_url)
    screen.wait_for_selector(".hipnb-room .hipnb-timer[data-state]", timeout=MS)
    state = screen.locator(".hipnb-timer").get_attribute("data-state")
    if state in ("finished", "stopped"):
        teacher(screen, "New session")
    screen.wait_for_selector(".hipnb-timer[data-state='ready']", timeout=MS)
    screen.wait_for_selector(".hipnb-setup:visible", timeout=MS)
    allow = screen.get_by_label("Let new names join")
    if allow.is_checked() != allow_new:
        allow.click()
        wait_until(screen, lambda: room.server.allow_new == allow_new, "the setup is sent")


def teacher(screen, label: str) -> None:
    screen.locator(".hipnb-room-controls .hipnb-button:visible", has_text=label).first.click()


def phones(screen, n: int) -> None:
    """Wait until the big screen says ``n`` phones follow."""
    screen.wait_for_selector(f".hipnb-count-phones[data-phones='{n}']", timeout=MS)


def no_phones(screen) -> None:
    """Phones of an earlier test stop counting once the grace has passed since they were heard."""
    phones(screen, 0)


def join(page, room: Room, name: str) -> None:
    """Open the QR code's link and type ``name``."""
    if "#token=" not in page.url:
        page.goto(room.server.join_url)
    page.wait_for_selector("[data-page='join'] input", timeout=MS)
    page.locator("[data-page='join'] input").fill(name)
    page.locator("[data-page='join'] button[type='submit']").tap()


def following(page, name: str) -> None:
    page.wait_for_selector("[data-page='follow'] .hipnb-who[data-linked='true']", timeout=MS)
    page.wait_for_selector("[data-page='follow'] .hipnb-timer[data-state]", timeout=MS)
    assert page.locator(".hipnb-who").inner_text().startswith(f"{name} ·")


def joined(page, room: Room, name: str) -> None:
    """Join as ``name``: a known athlete at once, a new one (new names let in) as new."""
    join(page, room, name)
    page.wait_for_selector("[data-page='follow'], [data-page='join'] .hipnb-problem", timeout=MS)
    if page.locator("[data-page='join']").count():
        choice(page, f"I am new: start a log as {name}").tap()
    following(page, name)


def refused(page) -> str:
    """The words of a refused name (after join)."""
    page.wait_for_selector("[data-page='join'] .hipnb-problem", timeout=MS)
    return page.locator("[data-page='join'] .hipnb-problem").inner_text()


def choice(page, text: str):
    return page.locator(".hipnb-choices .hipnb-button", has_text=text)


def wait_state(page, state: str) -> None:
    page.wait_for_selector(f".hipnb-timer[data-state='{state}']", timeout=MS)


def shown(page) -> tuple[str, str, str]:
    """(state, title, side) as the page's timer shows them."""
    box = page.locator(".hipnb-timer")
    return (
        box.get_attribute("data-state"),
        box.locator(".hipnb-title").text_content(),
        box.locator(".hipnb-side").text_content(),
    )


def in_hold(page, side: str) -> None:
    """Wait until the page counts down the hold of ``side`` (not a rest)."""
    page.wait_for_selector(
        f".hipnb-timer[data-state='running']:not(.hipnb-rest) .hipnb-side:text-is('{side}')",
        timeout=MS,
    )


def counted_a_while(page) -> None:
    """Wait until the page's count has moved on from the step's first second."""
    count = page.locator(".hipnb-timer .hipnb-count")
    first = count.text_content()
    wait_until(page, lambda: count.text_content() not in ("", first), "the count moves")


# -- 1. joining ---------------------------------------------------------------------------------


def test_joining_through_the_name_gate(room):
    with room.page() as screen, room.page("Pixel 5") as a, room.page("iPhone 13") as b:
        open_screen(room, screen, allow_new=False)
        no_phones(screen)
        assert screen.locator(".hipnb-count-phones").inner_text() == "No phone follows yet"

        # without the token: ask for the QR code, nothing else
        a.goto(room.server.base + "/")
        a.wait_for_selector("[data-page='ask']", timeout=MS)
        assert "Ask your coach for the QR code" in a.inner_text("body")
        assert a.locator("input").count() == 0

        # a near name: refused, with a did-you-mean that joins as ana
        join(a, room, "anaa")
        refused(a)
        assert choice(a, "I am ana").count() == 1
        assert choice(a, "I am new").count() == 0, "new names are closed"
        choice(a, "I am ana").tap()
        following(a, "ana")
        phones(screen, 1)

        # a new name: refused while new names are closed; the teacher opens them; it joins
        join(b, room, "Zoë")
        assert "new names are not open" in refused(b)
        assert choice(b, "I am new").count() == 0
        screen.get_by_label("Let new names join").click()
        wait_until(screen, lambda: room.server.allow_new, "new names are let in")
        join(b, room, "Zoë")
        refused(b)
        choice(b, "I am new: start a log as Zoë").tap()
        following(b, "Zoë")
        phones(screen, 2)

        with room.page("Pixel 5") as c:
            join(c, room, "李娜")
            refused(c)
            choice(c, "I am new: start a log as 李娜").tap()
            following(c, "李娜")
            phones(screen, 3)
            assert screen.locator(".hipnb-count-phones").inner_text() == "3 phones follow"
            assert room.server.room.participants.keys() >= {"ana", "Zoë", "李娜"}
            for page in (a, b, c, screen):
                assert room.left_the_machine(page) == []
                assert page.errors == []
        screen.get_by_label("Let new names join").click()  # closed again for the next tests
        wait_until(screen, lambda: not room.server.allow_new, "new names are closed")


# -- 2. following -------------------------------------------------------------------------------


def test_three_phones_follow_the_teachers_run_each_into_their_own_log(room):
    names = {"Pixel 5": "ana", "iPhone 13": "Ben", "Galaxy S9+": "Chloé"}
    before = room.sessions()
    with contextlib.ExitStack() as stack:
        screen = stack.enter_context(room.page())
        open_screen(room, screen, allow_new=True)
        no_phones(screen)
        pages = {}
        for device, name in names.items():
            page = stack.enter_context(room.page(device))
            joined(page, room, name)
            pages[name] = page
        phones(screen, 3)
        for page in pages.values():
            wait_state(page, "ready")

        teacher(screen, "Start")
        for page in pages.values():
            in_hold(page, "left")
        counted_a_while(screen)
        teacher(screen, "Pause")
        for page in pages.values():
            wait_state(page, "paused")
            assert page.locator(".hipnb-badge").text_content() == "PAUSED"
        teacher(screen, "Resume")
        for page in pages.values():
            wait_state(page, "finished")
        wait_state(screen, "finished")

        for name, page in pages.items():
            wait_until(
                page,
                lambda p=page: p.locator(".hipnb-status").get_attribute("data-logged") == "2",
                f"{name}'s two holds are logged",
            )
            assert f"2 holds logged to {name}'s log" in page.locator(".hipnb-status").inner_text()
        sessions = set()
        for name in names.values():
            rows = room.holds(name, before)
            got = list(zip(rows["exercise"], rows["side"], rows["target_s"], strict=True))
            assert got == HOLDS, (name, rows)
            assert rows["completed"].all(), rows
            assert (rows["actual_s"] == rows["target_s"]).all(), rows
            assert (rows["athlete"] == name).all()
            sessions |= set(rows["session_id"])
        assert len(sessions) == 1, "one session, the room's"
        for page in [screen, *pages.values()]:
            assert room.left_the_machine(page) == []
            assert page.errors == []


# -- 3. late and dropped phones -------------------------------------------------------------------


STATES = """() => {
  window.hipnbShown = [];
  new MutationObserver(() => {
    const box = document.querySelector('.hipnb-timer');
    if (!box || !box.querySelector('.hipnb-title').textContent) return;
    const now = [box.dataset.state, box.querySelector('.hipnb-title').textContent,
                 box.querySelector('.hipnb-side').textContent].join('|');
    if (window.hipnbShown.at(-1) !== now) window.hipnbShown.push(now);
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
}"""


def test_a_late_phone_starts_at_the_step_and_a_dropped_one_catches_up(room):
    before = room.sessions()
    with (
        room.page() as screen,
        room.page("Pixel 5") as on_time,
        room.page("iPhone 13") as dropped,
        room.page("Pixel 5") as late,
    ):
        open_screen(room, screen, allow_new=True)
        no_phones(screen)
        joined(on_time, room, "ana")
        joined(dropped, room, "Zoë")
        phones(screen, 2)
        late.add_init_script(f"({STATES})()")
        teacher(screen, "Start")
        in_hold(dropped, "left")
        counted_a_while(screen)

        # the Wi-Fi drops mid-hold; the teacher pauses and a late phone joins mid-hold
        dropped.context.set_offline(True)
        dropped.wait_for_selector(".hipnb-who[data-linked='false']", timeout=MS)
        assert "reconnecting" in dropped.locator(".hipnb-who").inner_text()
        teacher(screen, "Pause")
        wait_state(on_time, "paused")
        joined(late, room, "Late")
        wait_state(late, "paused")
        assert shown(late) == shown(screen) == ("paused", "Side plank", "left")
        assert late.evaluate("window.hipnbShown")[0] == "paused|Side plank|left", (
            "the late phone's first step shown is the room's"
        )
        phones(screen, 2)  # on time and late; the dropped one is past the grace
        teacher(screen, "Resume")
        wait_state(late, "running")
        wait_state(screen, "running")
        screen.wait_for_selector(
            ".hipnb-timer.hipnb-rest, .hipnb-timer[data-state='running'] .hipnb-side:text-is('right'),"
            " .hipnb-timer[data-state='finished']",
            timeout=MS,
        )  # the left hold is over while the phone is away

        # back online: the page shows the room as it is now
        dropped.context.set_offline(False)
        dropped.wait_for_selector(".hipnb-who[data-linked='true']", timeout=MS)
        wait_until(dropped, lambda: shown(dropped) == shown(screen), "the dropped phone caught up")
        phones(screen, 3)
        for page in (screen, on_time, dropped, late):
            wait_state(page, "finished")

        wait_until(screen, lambda: len(room.holds("Zoë", before)) == 2, "Zoë's holds")
        zoe = room.holds("Zoë", before).to_dict("records")
        assert [(h["side"], h["actual_s"], h["completed"]) for h in zoe] == [
            ("left", 4.0, True),
            ("right", 4.0, True),
        ], "her page kept counting while the Wi-Fi was down: a dropped network loses nothing"
        wait_until(screen, lambda: len(room.holds("Late", before)) == 2, "Late's holds")
        late_holds = room.holds("Late", before).to_dict("records")
        assert [(h["side"], h["completed"]) for h in late_holds] == [
            ("left", False),
            ("right", True),
        ]
        assert 0 < late_holds[0]["actual_s"] < 4.0, "credited from when it joined"
        wait_until(screen, lambda: len(room.holds("ana", before)) == 2, "ana's holds")
        assert room.holds("ana", before)["completed"].all()
        for page in (screen, on_time, dropped, late):
            assert room.left_the_machine(page) == []


def test_a_frozen_phone_is_credited_only_while_its_page_ran(room):
    """A page that stops running (a phone screen turned off) beats nothing: the time it was frozen
    is no one's hold, however the page counts when it runs again."""
    before = room.sessions()
    long = str(room.server.routines.resolve() / "long.toml")
    with room.page() as screen, room.page("Pixel 5") as ana, room.page("Pixel 5") as frozen:
        open_screen(room, screen, allow_new=True)
        try:
            screen.locator(".hipnb-setup select").select_option(long)
            screen.wait_for_selector(".hipnb-title:text-is('one long hold')", timeout=MS)
            joined(ana, room, "ana")
            joined(frozen, room, "Frost")
            phones(screen, 2)
            teacher(screen, "Start")
            in_hold(frozen, "left")
            # two seconds into the hold, so the page has beaten inside it before it freezes
            count = frozen.locator(".hipnb-timer .hipnb-count")
            wait_until(
                frozen,
                lambda: count.text_content().isdigit() and int(count.text_content()) <= 10,
                "2 s counted",
            )
            cdp = frozen.context.new_cdp_session(frozen)
            cdp.send("Debugger.enable")
            cdp.send("Debugger.pause")  # the page stops running
            phones(screen, 1)  # its last beat is older than the grace
            cdp.send("Debugger.resume")
            cdp.send("Debugger.disable")
            for page in (screen, ana, frozen):
                wait_state(page, "finished")
            wait_until(screen, lambda: len(room.holds("Frost", before)) == 1, "Frost's hold")
            (hold,) = room.holds("Frost", before).to_dict("records")
            grace = room.server.room.grace
            assert not hold["completed"] and 0 < hold["actual_s"] <= 12 - grace, hold
            wait_until(screen, lambda: len(room.holds("ana", before)) == 1, "ana's hold")
            assert room.holds("ana", before)["completed"].all()
        finally:
            open_screen(room, screen, allow_new=True)
            screen.locator(".hipnb-setup select").select_option(room.server.routine_ref_of_test)
            screen.wait_for_selector(".hipnb-title:text-is('room test')", timeout=MS)


# -- 4. Pain -------------------------------------------------------------------------------------


def test_a_phones_pain_and_the_teachers_pain(room):
    before = room.sessions()
    with room.page() as screen, room.page("Pixel 5") as ana, room.page("iPhone 13") as zoe:
        open_screen(room, screen, allow_new=True)
        joined(ana, room, "ana")
        joined(zoe, room, "Zoë")
        teacher(screen, "Start")
        in_hold(ana, "left")

        # ana's own Pain: her hold ends, the big screen names her
        ana.locator(".hipnb-controls .hipnb-pain").tap()
        screen.wait_for_selector(".hipnb-pain-name", timeout=MS)
        assert screen.locator(".hipnb-pain-name").inner_text() == "ana: Pain in Side plank (left)"
        box = ana.locator(".hipnb-pain-box")
        box.wait_for(state="visible", timeout=MS)

        # the teacher's Pain: P on the big screen (a clicker) pauses every phone with its words
        screen.keyboard.press("p")
        for page in (screen, ana, zoe):
            page.wait_for_selector(".hipnb-timer.hipnb-pain-open[data-state='paused']", timeout=MS)
            assert page.locator(".hipnb-message").text_content() == ROOM_PAUSED
        assert box.is_visible(), "her Pain box stays while the room waits"
        box.locator("select").select_option("6")
        box.locator(".hipnb-button", has_text="Rejoin the room").tap()
        box.wait_for(state="hidden", timeout=MS)

        screen.keyboard.press("PageDown")  # the clicker goes on
        for page in (screen, ana, zoe):
            wait_state(page, "running")
        for page in (screen, ana, zoe):
            wait_state(page, "finished")

        wait_until(screen, lambda: len(room.holds("ana", before)) == 2, "ana's holds")
        left, right = room.holds("ana", before).to_dict("records")
        assert left["side"] == "left" and not left["completed"]
        assert left["pain_at_s"] == left["actual_s"] < 4.0
        wait_until(
            screen,
            lambda: room.holds("ana", before)["discomfort"].tolist()[0] == 6,
            "her Pain score is logged",
        )
        assert right["side"] == "right" and right["completed"], "she rejoined"
        wait_until(screen, lambda: len(room.holds("Zoë", before)) == 2, "Zoë's holds")
        zl, zr = room.holds("Zoë", before).to_dict("records")
        assert not zl["completed"] and zl["actual_s"] < 4.0, "the room's Pain ended the hold"
        assert zr["completed"]
        for page in (screen, ana, zoe):
            assert room.left_the_machine(page) == []
            assert page.errors == []


# -- 5. screenshots and layout ------------------------------------------------------------------


def _overflow(page, below: bool = False) -> list[str]:
    """Visible controls or texts cut off or outside the window (``below``: a phone's page may go on
    below it, as it scrolls); a page that scrolls sideways."""
    out = page.evaluate(
        """(below) => {
      const w = window.innerWidth, h = window.innerHeight, bad = [];
      if (document.scrollingElement.scrollWidth > w + 1) bad.push('the page scrolls sideways');
      for (const e of document.querySelectorAll('button, select, input, textarea, .hipnb-qr')) {
        const r = e.getBoundingClientRect();
        if (!r.width || e.closest('[hidden]')) continue;
        if (r.left < -0.5 || r.right > w + 0.5 || (!below && (r.top < -0.5 || r.bottom > h + 0.5)))
          bad.push(`${e.tagName} ${e.className} ${e.textContent} outside: ${JSON.stringify(r)}`);
      }
      for (const e of document.querySelectorAll('.hipnb-timer *, .hipnb-room-side *, button')) {
        if (!e.getBoundingClientRect().width) continue;
        if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
          bad.push(`${e.className} cut off: ${e.textContent}`);
      }
      return bad;
    }""",
        below,
    )
    return list(out)


def _small_targets(page, least: float) -> list[str]:
    out = []
    for b in page.locator("button").all():
        if b.is_visible():
            box = b.bounding_box()
            if box["width"] < least or box["height"] < least:
                out.append(f"{b.inner_text()!r} {box['width']:.0f}x{box['height']:.0f}")
    return out


def _small_text(page, least: float) -> list[str]:
    """Visible texts in a font smaller than ``least`` CSS px."""
    out = page.evaluate(
        """(least) => {
      const bad = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const e = walker.currentNode.parentElement;
        if (!walker.currentNode.textContent.trim() || !e.getBoundingClientRect().width) continue;
        const size = parseFloat(getComputedStyle(e).fontSize);
        if (size < least) bad.push(`${e.className} ${size}px: ${e.textContent.slice(0, 40)}`);
      }
      return bad;
    }""",
        least,
    )
    return list(out)


def screen_shots(room: Room, screen, state: str) -> None:
    """The big screen at each projector size in ``state``, checked and kept."""
    for width, height in SCREEN_SIZES:
        screen.set_viewport_size({"width": width, "height": height})
        room.shot(screen, f"screen-{state}-{width}x{height}")
        assert _overflow(screen) == [], (state, width, height)
        assert _small_text(screen, 0.02 * height) == [], (state, width, height)
    screen.set_viewport_size({"width": 1280, "height": 800})


def phone_shot(room: Room, page, name: str) -> None:
    room.shot(page, f"phone-{name}")
    assert _overflow(page, below=True) == [], name
    assert _small_targets(page, 44) == [], name


def test_screenshots_of_the_screen_and_a_phone(room):
    before = room.sessions()
    with room.page() as screen, room.page("iPhone 13") as phone:
        open_screen(room, screen)
        no_phones(screen)
        screen.wait_for_function("document.querySelector('.hipnb-qr').naturalWidth > 0", timeout=MS)
        phone.goto(room.server.join_url)
        phone.wait_for_selector("[data-page='join'] input", timeout=MS)
        phone_shot(room, phone, "join")
        join(phone, room, "anaa")
        refused(phone)
        phone.locator("[data-page='join'] input").blur()
        phone_shot(room, phone, "did-you-mean")
        choice(phone, "I am ana").tap()
        following(phone, "ana")
        phones(screen, 1)
        screen_shots(room, screen, "ready")
        qr = screen.locator(".hipnb-qr").bounding_box()
        assert qr["width"] >= 200, "the QR code is big enough to scan across a room"

        teacher(screen, "Start")
        in_hold(phone, "left")
        phone_shot(room, phone, "following")
        phone.locator(".hipnb-controls .hipnb-pain").tap()
        phone.locator(".hipnb-pain-box").wait_for(state="visible", timeout=MS)
        screen.wait_for_selector(".hipnb-pain-name", timeout=MS)
        screen.keyboard.press("p")
        screen.wait_for_selector(".hipnb-timer.hipnb-pain-open", timeout=MS)
        phone.wait_for_selector(".hipnb-timer.hipnb-pain-open", timeout=MS)
        phone_shot(room, phone, "own-pain")
        screen_shots(room, screen, "teacher-pain")
        phone.locator(".hipnb-pain-box .hipnb-button", has_text="Rejoin").tap()
        screen.keyboard.press("PageDown")
        wait_state(screen, "running")
        screen_shots(room, screen, "running")
        wait_state(screen, "finished")
        wait_state(phone, "finished")
        screen_shots(room, screen, "finished")
        phone.wait_for_selector(".hipnb-answers:visible textarea", timeout=MS)
        phone_shot(room, phone, "answers")
        phone.locator(".hipnb-answers label", has_text="Effort").locator("select").select_option(
            "5"
        )
        phone.locator(".hipnb-answers .hipnb-button", has_text="Save answers").tap()
        status = phone.locator(".hipnb-panel > .hipnb-status")
        wait_until(phone, lambda: "Answers saved" in status.inner_text(), "the answers are saved")
        assert room.holds("ana", before)["rpe"].tolist() == [5, 5], "only the effort given"
        for page in (screen, phone):
            assert room.left_the_machine(page) == []
            assert page.errors == []
            assert len(page.sockets) == 1, "one socket all along: a quiet room is not a dead link"


# -- 6. privacy ---------------------------------------------------------------------------------


def _post(room: Room, path: str, token: str, body: dict) -> int:
    request = urllib.request.Request(
        room.server.base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=CAP_S) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _socket_says(url: str, hello: dict) -> list:
    """What the room's socket says to a first message ``hello`` before it closes (asked from a
    thread: Playwright's loop runs in this one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _socket_talk(url, hello)).result(timeout=CAP_S)


async def _socket_talk(url: str, hello: dict) -> list:
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(url)
    await ws.write_message(json.dumps(hello))
    said = []
    while (message := await ws.read_message()) is not None:
        said.append(json.loads(message))
    return said


def test_tokens_stay_private_and_a_join_token_cannot_drive_the_room(room):
    server = room.server
    state = server.room.timer.state
    assert _post(room, "/api/room/command", server.join_token, {"action": "start"}) == 403
    assert _post(room, "/api/room/setup", server.join_token, {"allow_new": True}) == 403
    assert _post(room, "/api/room/command", "", {"action": "start"}) == 403
    assert server.room.timer.state == state and not server.allow_new
    url = f"ws{server.base[4:]}/api/room/socket"
    said = _socket_says(url, {"token": "not-the-token"})
    assert [m["type"] for m in said] == ["refused"], said
    said = _socket_says(url, {"token": server.join_token})  # no phone: not the screen
    assert [m["type"] for m in said] == ["refused"], said
    out = server.output()
    assert "POST /api/room/command 403" in out
    assert server.join_token not in out and server.teacher_token not in out
