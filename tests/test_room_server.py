"""The room's server without a browser: its tokens, its name gate, its socket, a full disk.

Each test starts a real RoomServer on this machine's loopback and talks to it as the pages do
(HTTP with the token in a header, one WebSocket per page)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import hipnb
from hipnb.room import RoomServer
from tests.routines import routine_toml
from tests.test_log_cut import full_disk  # noqa: F401  (a fixture)
from tests.test_phone import _log

QUICK = routine_toml("room quick", "side_plank left 1", "rest 1", "side_plank right 1")
#: The longest any wait here waits for a state (a loaded machine is slow, never this slow).
CAP_S = 120


def _room(tmp: Path, logs: Path | None = None, **kw) -> RoomServer:
    (tmp / "routines").mkdir(exist_ok=True)
    (tmp / "routines" / "quick.toml").write_text(QUICK)
    logs = logs or tmp / "logs"
    _log(logs, "ana")
    kw.setdefault("get_ready", 0)
    server = RoomServer(
        logs, tmp / "routines", tmp / "routines" / "quick.toml", host="127.0.0.1", **kw
    )
    server.start()
    return server


@pytest.fixture
def room(tmp_path):
    server = _room(tmp_path)
    try:
        yield server
    finally:
        server.stop()
        out = server.output()
        assert server.join_token not in out and server.teacher_token not in out


def post(server: RoomServer, path: str, body: dict, token: str | None) -> tuple[int, dict]:
    request = urllib.request.Request(
        server.base + path, data=json.dumps(body).encode(), method="POST"
    )
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=CAP_S) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def wait_for(check, what: str):
    deadline = time.monotonic() + CAP_S
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"never: {what}")


class Page:
    """A page's socket: the messages it has heard, in order."""

    def __init__(self, server: RoomServer, hello: dict) -> None:
        self.server, self.hello, self.heard = server, hello, []

    async def open(self):
        import tornado.websocket

        url = self.server.base.replace("http", "ws") + "/api/room/socket"
        self.ws = await tornado.websocket.websocket_connect(url)
        await self.ws.write_message(json.dumps(self.hello))
        return self

    async def until(self, check, what: str):
        """Read messages until one passes ``check``; returns it."""

        async def read():
            while True:
                message = await self.ws.read_message()
                if message is None:
                    return None
                data = json.loads(message)
                self.heard.append(data)
                if check(data):
                    return data

        got = await asyncio.wait_for(read(), CAP_S)
        assert got is not None, f"the socket closed before {what}"
        return got


def test_each_token_opens_only_its_own_doors(room):
    teacher, join = room.teacher_token, room.join_token
    assert post(room, "/api/room/command", {"action": "start"}, join)[0] == 403
    assert post(room, "/api/room/command", {"action": "start"}, None)[0] == 403
    assert post(room, "/api/room/setup", {"allow_new": True}, join)[0] == 403
    assert post(room, "/api/room/join", {"name": "ana"}, teacher)[0] == 403
    assert post(room, "/api/room/join", {"name": "ana"}, join)[0] == 200
    assert post(room, "/api/room/command", {"action": "dance"}, teacher)[0] == 400
    with urllib.request.urlopen(room.base + "/screen", timeout=CAP_S) as r:
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert teacher not in r.read().decode()

    async def sockets():
        wrong = await Page(room, {"token": join}).open()  # the join token is not the screen's
        refused = await wrong.until(lambda d: True, "an answer")
        assert refused["type"] == "refused"
        assert await wrong.ws.read_message() is None  # and closed
        stranger = await Page(room, {"token": join, "phone": "not-a-phone"}).open()
        assert (await stranger.until(lambda d: True, "an answer"))["type"] == "refused"

    asyncio.run(sockets())


def test_the_name_gate_offers_the_near_name_and_opens_to_new_names_on_the_teachers_word(room):
    join, teacher = room.join_token, room.teacher_token
    status, out = post(room, "/api/room/join", {"name": "anaa"}, join)
    assert status == 409 and out["suggest"] == ["ana"] and not out["new"]
    assert out["error"] == "no athlete 'anaa' in this room's logs: is one of these you?"
    status, out = post(room, "/api/room/join", {"name": "ANA"}, join)
    assert status == 409 and out["suggest"] == ["ana"] and "case" in out["error"]
    status, out = post(room, "/api/room/join", {"name": "Zoë", "new": True}, join)
    assert status == 409 and "not open" in out["error"] and not out["new"]
    assert post(room, "/api/room/setup", {"allow_new": True}, teacher)[0] == 200
    status, out = post(room, "/api/room/join", {"name": "Zoë"}, join)
    assert status == 409 and out["new"], "a new name is confirmed, never taken on a typo"
    status, out = post(room, "/api/room/join", {"name": "Zoë", "new": True}, join)
    assert status == 200 and out["athlete"] == "Zoë"
    status, out = post(room, "/api/room/join", {"name": "a/../b"}, join)
    assert status in (400, 409) and "error" in out
    assert "ana" not in json.dumps(post(room, "/api/room/join", {"name": "xavier"}, join)[1])


def test_the_teachers_start_reaches_every_phone_and_each_hold_goes_to_its_own_log(room):
    join, teacher = room.join_token, room.teacher_token
    assert post(room, "/api/room/setup", {"allow_new": True}, teacher)[0] == 200
    phones = {}
    for name in ("ana", "李娜"):
        status, out = post(room, "/api/room/join", {"name": name, "new": True}, join)
        assert status == 200, out
        phones[name] = out["phone"]

    async def follow():
        pages = {n: await Page(room, {"token": join, "phone": p}).open() for n, p in phones.items()}
        screen = await Page(room, {"token": teacher}).open()
        hello = await screen.until(lambda d: d["type"] == "hello", "the screen's hello")
        assert hello["qr"].startswith("data:image/png;base64,") and hello["join"] == room.join_url
        await screen.until(lambda d: d["type"] == "room" and d["phones"] == 2, "two phones follow")
        for page in pages.values():
            await page.until(lambda d: d["type"] == "room", "the room")

        async def beat():  # the pages' heartbeat, once a second
            while True:
                for page in pages.values():
                    await page.ws.write_message('{"type": "heartbeat"}')
                await asyncio.sleep(1)

        beating = asyncio.ensure_future(beat())
        assert post(room, "/api/room/command", {"action": "start"}, teacher)[0] == 200
        for page in pages.values():
            d = await page.until(lambda d: d.get("display", {}).get("state") == "running", "run")
            assert d["display"]["side_label"] == "left"
            assert "pains" not in d and "people" not in d, "a phone is told no one else's name"
        for name, page in pages.items():
            d = await page.until(lambda d: d.get("display", {}).get("state") == "finished", "end")
            await page.until(lambda d: d.get("logged") == 2, f"{name}'s 2 holds logged")
        beating.cancel()

    asyncio.run(follow())
    for name in ("ana", "李娜"):
        df = hipnb.SessionLog(hipnb.athlete_path(room.logs, name)).read()
        rows = df[df["routine"] == "room quick"]
        assert list(rows["side"]) == ["left", "right"] and rows["completed"].all(), name
        assert rows["session_id"].nunique() == 1


def test_a_full_disk_keeps_the_hold_and_writes_it_when_there_is_room(tmp_path, full_disk):  # noqa: F811
    mount, fill = full_disk
    server = _room(tmp_path, logs=mount / "logs", allow_new=True)
    try:
        # a new athlete: her log needs pages the disk no longer has
        status, out = post(
            server, "/api/room/join", {"name": "Zoë", "new": True}, server.join_token
        )
        assert status == 200
        phone = out["phone"]
        fill()
        server.room.heard(phone)
        post(server, "/api/room/command", {"action": "start"}, server.teacher_token)

        async def beat_until(check, what):
            page = await Page(server, {"token": server.join_token, "phone": phone}).open()
            while not check():
                await page.ws.write_message('{"type": "heartbeat"}')
                await asyncio.sleep(0.5)
            return page

        asyncio.run(asyncio.wait_for(beat_until(lambda: server.unsaved, "a hold kept"), CAP_S))
        assert server.room.timer.state in ("running", "finished")
        (mount / "filler").unlink()
        key = (server.room.timer.session_id, "Zoë")
        wait_for(lambda: server.logged.get(key) == 2 and not server.unsaved, "both written")
        df = hipnb.SessionLog(hipnb.athlete_path(server.logs, "Zoë")).read()
        assert list(df[df["routine"] == "room quick"]["side"]) == ["left", "right"]
        assert "waits for the disk" in server.output()
    finally:
        server.stop()


@pytest.mark.slow
def test_hipnb_room_prints_both_links_and_closes_on_sigterm(tmp_path):
    """The real console script, as `make workshop` runs it: the big screen's link and the phones'
    link, each token in its link only; SIGTERM closes the room (exit 0). A port in use is said."""
    import signal
    import subprocess
    import sys

    from tests.test_phone import _cmdlines, _status, serving

    args = ["room", "--logs", str(tmp_path / "logs"), "--host", "127.0.0.1"]
    proc, lines = serving(*args)
    screen = next(line.strip() for line in lines if "/screen#token=" in line and "..." not in line)
    join = next(line.strip() for line in lines if "/#token=" in line)
    teacher, joining = screen.split("#token=")[1], join.split("#token=")[1]
    assert teacher != joining
    base = join.split("/#")[0]
    assert _status(base + "/screen") == 200
    request = urllib.request.Request(base + "/api/room/command", data=b"{}", method="POST")
    request.add_header("Authorization", f"token {joining}")
    assert _status(request) == 403
    assert not [p for p in _cmdlines() if teacher in p or joining in p], "a token on a command line"
    port = base.rsplit(":", 1)[1]
    hipnb_bin = Path(sys.executable).parent / "hipnb"
    busy = subprocess.run(
        [str(hipnb_bin), *args, "--port", port], capture_output=True, text=True, timeout=CAP_S
    )
    assert busy.returncode == 2 and "give another with --port" in busy.stderr, busy.stderr
    proc.send_signal(signal.SIGTERM)
    rest, err = proc.communicate(timeout=CAP_S)
    assert proc.returncode == 0, err
    assert rest.strip().endswith("closed.")
    assert "Traceback" not in err and teacher not in err and teacher not in rest
