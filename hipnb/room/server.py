"""The room's server: the big screen, the phones' join and socket, the writes (see :mod:`hipnb.room`)."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hipnb.analysis import BAND_HIGH_S, BAND_LOW_S
from hipnb.errors import HipnbError, WriteError
from hipnb.log import Hold, SessionLog, athlete_path, normalize_name
from hipnb.names import athlete_problem, close_names, known_athletes
from hipnb.phone import (
    PAGE_FILES,
    Served,
    answers_problem,
    base_handler,
    file_routes,
    hold_ref,
    note_max_chars,
    qr_png,
    score_range,
    serve,
)
from hipnb.room.clock import Room
from hipnb.routines import Routine, load_routine, routine_choices
from hipnb.timer import GET_READY_MAX_S, READY, checked_get_ready

__all__ = ["RoomServer", "run"]

#: How often the server looks at the room between its own deadlines (who still follows, writes
#: that waited), in seconds.
LOOK_S = 0.5
#: The phones that may join one room (each costs the server a socket and a few kilobytes).
MAX_PHONES = 200
#: How long a new socket may take to say who it is, in seconds.
HELLO_S = 10.0


def _routine_json(routine: Routine) -> dict[str, Any]:
    return {
        "name": routine.name,
        "title": routine.title,
        "steps": [
            {"exercise": s.exercise, "side": s.side, "label": s.label} for s in routine.steps
        ],
    }


class RoomServer(Served):
    """The room on ``host`` (default: the LAN address): the big screen, the phones, one clock.

    :attr:`screen_url` is the teacher's link (drives the room: keep it to the teacher's
    computer); :attr:`join_url` is the phones' link (the QR code on the big screen).
    """

    page_files = {**PAGE_FILES, "room.js": "text/javascript", "room.css": "text/css"}
    pages = {"room.html": ("hipnb room", "room.js", ("room.css",))}

    def __init__(
        self,
        logs: str | Path,
        routines: str | Path = "data/routines",
        routine: str | Path = "hip-basics",
        *,
        host: str | None = None,
        port: int | None = None,
        get_ready: float = 5.0,
        allow_new: bool = False,
        clock: Callable[[], float] = time.monotonic,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        folder = Path(logs).expanduser().resolve()
        if folder.exists() and not folder.is_dir():
            raise HipnbError(f"{logs}: is a file, not a folder (--logs takes the log folder)")
        get_ready = checked_get_ready(get_ready)
        self.join_token = secrets.token_urlsafe(18)
        self.teacher_token = secrets.token_urlsafe(18)
        self.token = self.join_token
        super().__init__(host, port, (self.join_token, self.teacher_token), echo)
        self.logs = folder
        self.routines = Path(routines)
        self.allow_new = allow_new
        self.room = Room(load_routine(routine), clock=clock, get_ready=get_ready)
        self.routine_ref = str(routine)
        self.bound_angle_s: int | None = None
        self.unsaved: list[Hold] = []  # holds a full disk (or the like) kept from the log
        self.problems: list[str] = []  # holds the log refused, said on the big screen
        #: (session, athlete) -> holds logged: what each page says of this session
        self.logged: dict[tuple[str, str], int] = {}
        self.sockets: dict[Any, str | None] = {}  # socket -> phone id (None: the big screen)
        self._deadline: asyncio.TimerHandle | None = None
        self._sent: Any = None
        self._retrying = False
        self._logs: dict[str, SessionLog] = {}

    @property
    def join_url(self) -> str:
        return f"{self.base}/#token={self.join_token}"

    @property
    def screen_url(self) -> str:
        return f"{self.base}/screen#token={self.teacher_token}"

    @property
    def shown_url(self) -> str:
        return f"{self.base}/screen#token=..."

    # -- the room's work, on the server's loop ------------------------------------------------------

    def routes(self) -> list[tuple[str, type, dict[str, Any]]]:
        return _room_handlers()

    def on_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        import tornado.ioloop

        tornado.ioloop.PeriodicCallback(self.look, LOOK_S * 1000).start()

    def look(self) -> None:
        """Between deadlines: who still follows, holds that waited for the disk."""
        self.after(self.room.tick())
        if self.unsaved and not self._retrying:
            self._retrying = True
            self.writer.submit(self._retry)
        self.broadcast()

    def _retry(self) -> None:
        kept, self.unsaved = self.unsaved, []
        self._retrying = False
        self._write(kept)

    def setup(self, data: dict[str, Any]) -> None:
        """The teacher's setup (while the room is ready): ``routine`` (a built-in name or a file
        of the routines folder), ``bound_angle_s``, ``get_ready``, ``allow_new``."""
        if "allow_new" in data:
            self.allow_new = data["allow_new"] is True
        room = self.room
        if room.timer.state != READY:
            self.broadcast(force=True)
            return
        ref = str(data.get("routine", self.routine_ref))
        choices, _ = routine_choices(self.routines)
        if ref not in [r for _, r in choices] and ref != self.routine_ref:
            raise HipnbError(f"no routine {ref!r} in this room")
        seconds = data.get("bound_angle_s", self.bound_angle_s)
        low, high = int(BAND_LOW_S), int(BAND_HIGH_S)  # the routine's 3-5 min
        if seconds is not None and (not isinstance(seconds, int) or not low <= seconds <= high):
            raise HipnbError(f"bound angle {seconds!r} s: must be {low}-{high} s")
        ready = checked_get_ready(data.get("get_ready", room.get_ready))
        routine = load_routine(ref)
        if seconds is not None and any(st.exercise == "bound_angle" for st in routine.holds):
            routine = routine.with_seconds("bound_angle", seconds)
        self.routine_ref, self.bound_angle_s = ref, seconds
        self.after(room.new(routine, ready))
        self.broadcast(force=True)

    def answers(self, phone: str, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A participant's answers (effort, discomfort, a note) for their holds of this session,
        or for one (``step``: the Pain score of the hold their Pain ended). Runs on the writer."""
        changes = data.get("changes")
        why = answers_problem(changes)
        if why or not isinstance(changes, dict):
            return 400, {"error": why or "answers without their hold"}
        p = self.room.participants[self.room.phones[phone][0]]
        step = data.get("step")
        rows = [h for i, h in sorted(p.written.items()) if step is None or i == step]
        if not rows:
            return 409, {"error": "no hold of yours is logged in this session yet"}
        log = SessionLog(athlete_path(self.logs, p.athlete))
        given = {k: v for k, v in changes.items() if v is not None and v != ""}
        done = 0
        try:
            for row in rows:
                keep = dict(given)
                if row["pain_at_s"] is not None and step is None:
                    keep.pop("discomfort", None)  # a Pain score is never replaced
                if keep and log.patch(hold_ref(row), missing_ok=True, **keep) is not None:
                    done += 1
        except WriteError as exc:
            return 503, {"error": f"not saved yet: {self.private(exc)}"}
        except HipnbError as exc:
            return 400, {"error": self.private(exc)}
        return 200, {"status": "saved", "holds": done}

    def act(self, action: str) -> None:
        self.after(self.room.command(action))
        self.broadcast()

    def after(self, holds: list[Hold]) -> None:
        """Write ``holds`` (on the writer thread) and set the next deadline."""
        if holds:
            self.write(holds)
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        t = self.room.timer
        if t.state in ("running", "get_ready") and self._loop is not None:
            self._deadline = self._loop.call_later(t.remaining + 0.002, self._on_deadline)

    def _on_deadline(self) -> None:
        self._deadline = None
        self.after(self.room.tick())
        self.broadcast()

    def write(self, holds: list[Hold]) -> None:
        self.writer.submit(self._write, holds)

    def _write(self, holds: list[Hold]) -> None:
        for hold in holds:
            name = hold["athlete"]
            p = self.room.participants.get(name)
            log = self._logs.get(name)
            if log is None:
                log = SessionLog(athlete_path(self.logs, name))
                self._logs[name] = log
            try:
                log.running(self.room.routine).add([hold], new_athlete=bool(p and p.new_athlete))
            except WriteError as exc:
                logging.getLogger("hipnb.phone").warning("a hold waits for the disk: %s", exc)
                self.unsaved.append(hold)
                continue
            except HipnbError as exc:
                self.problems.append(self.private(f"{name}: {exc}"))
                continue
            key = (str(hold["session_id"]), name)
            self.logged[key] = self.logged.get(key, 0) + 1
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.broadcast, True)

    def private(self, text: object) -> str:
        folder = str(self.logs)
        return str(text).replace(folder + "/", "").replace(folder, "the log folder")

    def instructions(self) -> str:
        """What the teacher reads in the terminal."""
        return (
            f"The room is open on {self.base} (logs: {self.logs})\n"
            "\n"
            "Open the big screen on this computer (the link above, with its token: it drives the\n"
            "room; share it with no one) and put it on the projector. The big screen shows the QR\n"
            "code that participants scan to follow the room on their phones, each hold in their\n"
            "own log.\n"
            "\n"
            "Keep this computer awake and on the room's Wi-Fi. Phones must be on the same network\n"
            "(not mobile data); guest Wi-Fi often keeps devices apart: use a hotspot then; a\n"
            f"firewall must let in TCP port {self.port}.\n"
        )

    def stop(self) -> None:
        """Close the room: the holds still waiting for a phone that was away are written with
        what is known, then the server stops."""
        loop = self._loop
        if loop is not None and self.running():

            async def flush() -> None:
                self.after(self.room.flush())

            asyncio.run_coroutine_threadsafe(flush(), loop).result(timeout=60)
        super().stop()

    # -- what goes to the pages -----------------------------------------------------------------------

    def hello(self, phone: str | None) -> dict[str, Any]:
        """What a page needs once: the routine, the scales, and for the screen the setup."""
        low, high = score_range()
        out: dict[str, Any] = {
            "type": "hello",
            "scores": [low, high],
            "note_max": note_max_chars(),
            "grace": self.room.grace,
        }
        if phone is None:
            choices, problems = routine_choices(self.routines)
            ref = self.routine_ref
            if ref not in [r for _, r in choices]:
                choices.insert(0, (self.room.routine.title, ref))
            out.update(
                choices=choices,
                not_offered=problems,
                qr="data:image/png;base64," + _b64(qr_png(self.join_url, scale=8)),
                join=self.join_url,
                bound_angle=[int(BAND_LOW_S), int(BAND_HIGH_S)],
                get_ready_max=GET_READY_MAX_S,
            )
        else:
            out["keep_awake"] = self._keep_awake
        return out

    def _shared(self) -> dict[str, Any]:
        """What every page is sent of the room (the same for all)."""
        room = self.room
        shown = room.shown()
        del shown["pains"]  # who pressed Pain is for the big screen only
        return {
            "type": "room",
            **shown,
            "clock": room.clock(),  # this room's clock now: a page's away time is said in it
            "routine": _routine_json(room.routine),
        }

    def _own(self, phone: str | None) -> dict[str, Any]:
        """What one page is sent besides: the screen its setup and who is there, a phone its own."""
        room = self.room
        session = room.timer.session_id
        if phone is None:
            return {
                "setup": {
                    "routine": self.routine_ref,
                    "bound_angle_s": self.bound_angle_s,
                    "bound_angle": any(s.exercise == "bound_angle" for s in room.routine.holds),
                    "get_ready": room.get_ready,
                    "allow_new": self.allow_new,
                },
                "pains": list(room.pains),
                "people": sorted(room.participants),
                "unsaved": len(self.unsaved),
                "problems": self.problems[-5:],
                "logged": sum(n for (s, _), n in self.logged.items() if s == session),
            }
        athlete = room.phones.get(phone, [None])[0]
        p = room.participants.get(athlete) if athlete else None
        return {
            "athlete": athlete,
            "out": bool(p and p.out),
            "logged": self.logged.get((session, athlete or ""), 0),
            "held": len(p.written) if p else 0,
            "pain_step": max(p.pain) if p and p.pain else None,
            "log": f"{athlete}'s log" if athlete else "",
        }

    def state(self, phone: str | None) -> dict[str, Any]:
        """The room as the page of ``phone`` (None: the big screen) is sent it."""
        return {**self._shared(), **self._own(phone)}

    def broadcast(self, force: bool = False) -> None:
        """Send the room to every page when it changed (or who follows did): the shared part is
        made and encoded once, each page's own part added to it."""
        key = (self.room.version, len(self.room.following()), len(self.sockets))
        if key == self._sent and not force:
            return
        self._sent = key
        shared = json.dumps(self._shared())[:-1]
        for socket, phone in list(self.sockets.items()):
            socket.send_text(f"{shared},{json.dumps(self._own(phone))[1:]}")

    # -- joining ------------------------------------------------------------------------------

    def join(self, name: str, meant: bool = False) -> tuple[int, dict[str, Any]]:
        """A participant's name: the phone id when it passes the gate, else why and the
        names it may have meant."""
        if len(self.room.phones) >= MAX_PHONES:
            return 503, {"error": "this room is full"}
        try:
            athlete = normalize_name(name)
        except (HipnbError, ValueError) as exc:
            return 400, {"error": self.private(exc)}
        known = known_athletes(self.logs)
        new = False
        if not athlete_path(self.logs, athlete).is_file() and athlete not in known:
            close = close_names(athlete, known)
            why = athlete_problem(athlete, known, new_athlete=True)  # unusable, or a case twin
            if why:
                return 409, {"error": why, "suggest": close, "new": False}
            if not (meant and self.allow_new):
                if close:
                    then = ": is one of these you?"
                elif self.allow_new:
                    then = " yet"
                else:
                    then = " yet: new names are not open, ask your coach"
                return 409, {
                    "error": f"no athlete {athlete!r} in this room's logs{then}",
                    "suggest": close,
                    "new": self.allow_new,
                }
            new = True
        phone = secrets.token_urlsafe(12)
        self.room.join(phone, athlete, new_athlete=new)
        return 200, {"phone": phone, "athlete": athlete}


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def _room_handlers() -> list[tuple[str, type, dict[str, Any]]]:
    import tornado.web
    import tornado.websocket

    Base = base_handler()

    class Page(Base):  # type: ignore[misc, valid-type]
        def get(self) -> None:
            self.page("room.html")

    class Join(Base):  # type: ignore[misc, valid-type]
        def post(self) -> None:
            if not self.allowed(self.server.join_token):
                return
            data = self.body()
            if data is None:
                return
            name = data.get("name")
            if not isinstance(name, str) or not name.strip():
                self.reply(400, {"error": "type your name"})
                return
            status, out = self.server.join(name, meant=data.get("new") is True)
            self.reply(status, out)

    class Phone(Base):  # type: ignore[misc, valid-type]
        """A phone's Pain, rejoin, or answers."""

        async def post(self, what: str) -> None:
            if not self.allowed(self.server.join_token):
                return
            data = self.body()
            if data is None:
                return
            server: RoomServer = self.server
            phone = data.get("phone")
            room = server.room
            if not isinstance(phone, str) or phone not in room.phones:
                self.reply(404, {"error": "this phone is not in the room: join again"})
                return
            if what == "pain":
                server.after(room.pain(phone))
            elif what == "rejoin":
                room.rejoin(phone)
            elif what == "answers":
                loop = asyncio.get_running_loop()
                status, out = await loop.run_in_executor(server.writer, server.answers, phone, data)
                self.reply(status, out)
                return
            else:
                raise tornado.web.HTTPError(404)
            server.broadcast()
            self.reply(200, {"status": "ok"})

    class Command(Base):  # type: ignore[misc, valid-type]
        def post(self, what: str) -> None:
            if not self.allowed(self.server.teacher_token):
                return
            data = self.body()
            if data is None:
                return
            server: RoomServer = self.server
            try:
                if what == "setup":
                    server.setup(data)
                else:
                    server.act(str(data.get("action")))
            except HipnbError as exc:
                self.reply(400, {"error": server.private(exc)})
                return
            self.reply(200, {"status": "ok"})

    class Socket(tornado.websocket.WebSocketHandler):
        server: RoomServer

        def initialize(self, server: RoomServer) -> None:
            self.server = server
            self.known = False

        def open(self) -> None:
            loop = asyncio.get_running_loop()
            self.timeout = loop.call_later(HELLO_S, self.close)

        def send(self, message: dict[str, Any]) -> None:
            self.send_text(json.dumps(message))

        def send_text(self, text: str) -> None:
            try:
                sent = self.write_message(text)
            except tornado.websocket.WebSocketClosedError:
                self.server.sockets.pop(self, None)
                return
            sent.add_done_callback(lambda f: f.cancelled() or f.exception())  # closed meanwhile

        def on_message(self, message: str | bytes) -> None:
            server = self.server
            try:
                data = json.loads(message)
            except ValueError:
                data = None
            if not isinstance(data, dict):
                self.close()
                return
            if not self.known:
                token = str(data.get("token", "")).encode()
                phone = data.get("phone")
                if phone is None and secrets.compare_digest(token, server.teacher_token.encode()):
                    who = None
                elif (
                    isinstance(phone, str)
                    and phone in server.room.phones
                    and secrets.compare_digest(token, server.join_token.encode())
                ):
                    who = phone
                else:
                    self.send({"type": "refused", "error": "this link is not valid any more"})
                    self.close()
                    return
                self.known = True
                self.timeout.cancel()
                server.sockets[self] = who
                if who is not None:
                    server.room.heard(who)
                self.send(server.hello(who))
                self.send(server.state(who))
                server.broadcast()
                return
            phone = server.sockets.get(self)
            if data.get("type") == "heartbeat":
                if phone is not None:
                    server.room.heard(phone)
                self.send({"type": "beat"})  # the page (the big screen too) knows its link lives
            elif phone is not None and data.get("type") == "was_here":
                server.after(server.room.was_here(phone, data.get("spans")))
                server.broadcast(force=True)

        def on_close(self) -> None:
            self.server.sockets.pop(self, None)
            self.server.broadcast()

    return [
        (r"/", Page, {}),
        (r"/screen", Page, {}),
        (r"/api/room/join", Join, {}),
        (r"/api/room/phone/(pain|rejoin|answers)", Phone, {}),
        (r"/api/room/(command|setup)", Command, {}),
        (r"/api/room/socket", Socket, {}),
        *file_routes(),
    ]


def run(server: RoomServer, out: Callable[[str], None] = print) -> int:
    """Start the room, print both links, serve until Ctrl-C (or SIGTERM)."""
    return serve(
        server,
        lambda: [
            "The big screen (open it on this computer; it drives the room):",
            server.screen_url,
            "The phones' link (the QR code on the big screen):",
            server.join_url,
            "",
            server.instructions(),
            "Press Ctrl-C to close the room (holds already logged stay in the logs).",
        ],
        ("opening the room", "closing the room", "closed."),
        out,
    )
