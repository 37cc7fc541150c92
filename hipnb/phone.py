"""The routine timer on the athlete's own phone: a static page and one small endpoint, no kernel.

``hipnb phone --athlete NAME --logs DIR`` (and the "Run on my phone" button of notebook 01) serve
the phone page from this process on the LAN address, behind a random token, and show a QR code of
the link with the token. The page (``hipnb/static/page.html`` with ``phone.js``) runs the routine in the phone's
browser on the same clock-true timer as the notebook (``routine_timer.js``, the display of
``timer.js``) and posts each finished hold, a Pain score and the end-of-session answers to the
endpoint, which writes them through the log's face (:meth:`hipnb.SessionLog.add` and ``.patch``).
No kernel runs per phone: a phone costs the server a few kilobytes, not a process.

The server is plain tornado (the web server Jupyter itself runs on, already installed with it): the
page needs one static folder and one JSON endpoint, and a ``jupyter_server`` extension would bring
a contents API, kernels and terminals behind the same token for nothing, and its own token on the
command line of a second process. The token check is a constant-time compare of a header.

Privacy. The link carries the token in its fragment (``/#token=...``), which a browser never sends:
it is in no request line, no access log, no ``Referer``. The page sends it in a header with each
call to the endpoint; a page without it (or with a wrong one) says to ask the coach for the QR code.
The token is made in this process (never on a command line), and the server's log lines name the
method, the path and the status, never a query or a header; a filter blanks the token from any line
that would still carry it.

The athlete, the log folder and the routine are fixed here, on the server. The page opens a *phone
session* (:class:`PhoneSession`, a random id bound to the athlete on the server) and posts to it:
what it sends names a step of the server's routine, when it started and how long it was held, never
an athlete, a file or an exercise. A room of phones can bind more sessions, each to its own athlete.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import functools
import hmac
import io
import json
import logging
import math
import re
import secrets
import signal
import socket
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hipnb.errors import HipnbError, WriteError
from hipnb.log import Hold, SessionLog, athlete_path, held_to_target, normalize_name
from hipnb.names import athlete_problem, known_athletes
from hipnb.routines import Routine, load_routine
from hipnb.timer import checked_get_ready

__all__ = [
    "PhoneServer",
    "PhoneSession",
    "PhoneSettings",
    "lan_address",
    "qr_png",
    "qr_text",
    "run",
]

STATIC = Path(__file__).resolve().parent / "static"
#: The files the page is made of (served as they are, to anyone: they hold no data).
PAGE_FILES = {
    "page.js": "text/javascript",
    "phone.js": "text/javascript",
    "routine_timer.js": "text/javascript",
    "timer.js": "text/javascript",
    "timer.css": "text/css",
    "phone.css": "text/css",
}
#: The longest silence of the page's heartbeat that is still credited, in seconds (the notebook's
#: panel uses the same): a longer one pauses the session where the page stopped counting.
GRACE_S = 5.0
#: Phone sessions kept at once; the oldest is forgotten first (its page opens a new one).
MAX_SESSIONS = 500
#: The largest request body the endpoint reads (a page's whole queue of holds fits many times).
MAX_BODY = 256 * 1024
#: The answers a page may send for a logged hold (each checked by the log's gate as any patch).
ANSWERS = ("rpe", "discomfort", "note")
#: A session id as the page's timer makes it (12 hex digits).
_RUN = re.compile(r"[0-9a-f]{12}")
#: An address on no network this machine is likely on; "connecting" a UDP socket to it sends
#: nothing, it only asks the system which local address would be used.
_PROBE = ("10.254.254.254", 1)
#: Where the server's own log lines go (kept by :meth:`PhoneServer.output`).
_LOGGERS = ("tornado.access", "tornado.application", "tornado.general", "hipnb.phone")


def lan_address() -> str:
    """This machine's address on its local network (the one its default route uses).

    Raises :class:`HipnbError` when there is none (no network, or loopback only).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(_PROBE)
            address = str(s.getsockname()[0])
        except OSError:
            address = ""
    if not address or address.startswith("127.") or address == "0.0.0.0":
        raise HipnbError(
            "this machine has no local network address: join the Wi-Fi the phone is on, "
            "or give one with --host"
        )
    return address


@dataclass(frozen=True)
class PhoneSettings:
    """What the phone page runs, fixed on the server: whose log, where, which routine."""

    athlete: str
    logs: Path
    routine: str = "hip-basics"
    bound_angle_s: int | None = None
    plank_s: int | None = None
    get_ready: float = 5.0
    #: The athlete's log may start here (checked by :meth:`checked`; the log's door asks again).
    new_athlete: bool = False

    @classmethod
    def checked(
        cls,
        athlete: str,
        logs: str | Path,
        routine: str | Path = "hip-basics",
        *,
        new_athlete: bool = False,
        bound_angle_s: int | None = None,
        plank_s: int | None = None,
        get_ready: float = 5.0,
    ) -> PhoneSettings:
        """Settings after the same checks as every other door: the name gate
        (:func:`hipnb.names.athlete_problem`: a name that differs from a known athlete only by case
        or accents is refused; a new one needs ``new_athlete``, but in an empty folder), a log
        folder that is a folder, a routine that loads, times in range."""
        folder = Path(logs).expanduser().resolve()
        if folder.exists() and not folder.is_dir():
            raise HipnbError(f"{logs}: is a file, not a folder (--logs takes the log folder)")
        name = normalize_name(athlete)
        if not athlete_path(folder, name).is_file():
            why = athlete_problem(
                name, known_athletes(folder), new_athlete=new_athlete, where=folder
            )
            if why:
                raise HipnbError(why)
        get_ready = checked_get_ready(get_ready)
        routine_ref = str(Path(routine).resolve()) if Path(routine).suffix else str(routine)
        settings = cls(name, folder, routine_ref, bound_angle_s, plank_s, get_ready, new_athlete)
        settings.load()  # a bad routine or time is refused here (in its own words), not on the phone
        return settings

    def load(self) -> Routine:
        """The routine the phone runs: the routine file or built-in, with the times given here."""
        routine = load_routine(self.routine)
        holds = {s.exercise for s in routine.holds}
        for exercise, seconds in (
            ("bound_angle", self.bound_angle_s),
            ("side_plank", self.plank_s),
        ):
            if seconds is not None and exercise in holds:
                routine = routine.with_seconds(exercise, seconds)
        return routine


#: The terminal colours of a QR code's modules: black and bright white, as foreground and
#: background (ANSI), both always set, so the code reads the same on a light or a dark terminal.
QR_FG = {True: "30", False: "97"}
QR_BG = {True: "40", False: "107"}
#: Modules of light margin around the code (the quiet zone scanners need; the standard's 4).
QR_BORDER = 4


def qr_text(url: str) -> str:
    """A QR code of ``url`` for a terminal: dark modules on a light ground within its quiet zone,
    two rows of modules per line (the upper half block takes the upper one's colour as its
    foreground, the lower one's as its background), every colour set, never the terminal's own."""
    import segno

    rows = [list(r) for r in segno.make(url, error="m").matrix_iter(border=QR_BORDER)]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    lines = []
    for top, bottom in zip(rows[::2], rows[1::2], strict=True):
        cells = (
            f"\x1b[{QR_FG[bool(a)]};{QR_BG[bool(b)]}m\u2580"
            for a, b in zip(top, bottom, strict=True)
        )
        lines.append("".join(cells) + "\x1b[0m")
    return "\n".join(lines) + "\n"


def qr_png(url: str, scale: int = 6) -> bytes:
    """A QR code of ``url`` as PNG bytes (black on white, with its quiet zone)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="png", scale=scale, border=4, dark="#000000", light="#ffffff"
    )
    return out.getvalue()


def keep_awake_data() -> list[str]:
    """The keep-awake video the notebook's display plays (``static/keep_awake.*``, WebM before MP4
    so a browser takes the first it plays) as data URIs, read without loading the widgets."""
    files = sorted(STATIC.glob("keep_awake.*"), key=lambda f: f.suffix != ".webm")
    return [
        f"data:video/{f.suffix[1:]};base64," + base64.b64encode(f.read_bytes()).decode()
        for f in files
    ]


def score_range() -> tuple[int, int]:
    """The 0-10 scale of Pain, effort and discomfort, from the column spec."""
    from hipnb.log.spec import SPEC_BY_NAME

    column = SPEC_BY_NAME["discomfort"]
    return int(column.low or 0), int(column.high or 0)


def note_max_chars() -> int:
    """The longest note a page may send, from the column spec."""
    from hipnb.log.spec import SPEC_BY_NAME

    return int(SPEC_BY_NAME["note"].max_chars or 0)


class Refused(HipnbError):
    """Raised when something a page sent cannot be logged as it is (said back to the page)."""


@dataclass
class PhoneSession:
    """One phone's session: bound on the server to one athlete's log and one routine.

    The page knows it by :attr:`id`; what it posts names steps of :attr:`routine`, never an
    athlete or a file. :meth:`take` writes one item through the log's face.
    """

    athlete: str
    log: SessionLog
    routine: Routine
    new_athlete: bool = False
    id: str = field(default_factory=lambda: secrets.token_urlsafe(12))

    def hold(self, item: dict[str, Any]) -> Hold:
        """The log row of a hold the page sent: ``session_id`` (12 hex digits, the page's timer's),
        ``step`` (an index of a hold step of the routine), ``started_at`` (seconds since the epoch),
        ``actual_s``, ``completed``, ``pain_at_s``. The exercise, side and target are the step's;
        the held time is at most the step's, and a hold is completed only when held to its end."""
        run = item.get("session_id")
        if not isinstance(run, str) or not _RUN.fullmatch(run):
            raise Refused("a hold without its session")
        index = item.get("step")
        steps = self.routine.steps
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(steps):
            raise Refused(f"no step {index!r} in the routine {self.routine.title!r}")
        step = steps[index]
        if not step.is_hold:
            raise Refused(f"step {index + 1} of {self.routine.title!r} is a rest, not a hold")
        started, held = _number(item.get("started_at")), _number(item.get("actual_s"))
        if started is None or started < 0 or held is None:
            raise Refused("a hold without its start and its held time")
        held = min(max(held, 0.0), float(step.seconds))
        return Hold(
            session_id=run,
            athlete=self.athlete,
            started_at=datetime.fromtimestamp(int(started)).astimezone(),
            routine=self.routine.name,
            exercise=step.exercise,
            side=step.side,
            target_s=float(step.seconds),
            actual_s=held,
            completed=item.get("completed") is True and held_to_target(held, step.seconds),
            pain_at_s=held if item.get("pain_at_s") is not None else None,
        )

    def ref(self, item: dict[str, Any]) -> str:
        """The identity of the logged hold an item names (as :func:`hipnb.log.hold_keys` makes it)."""
        return hold_ref(self.hold({"actual_s": 0, **item}))

    def take(self, item: dict[str, Any]) -> str:
        """Write one item the page sent; returns what became of it: ``written``, ``already`` (a
        retry: logged before, not written again), ``changed`` (answers written, or already so) or
        ``gone`` (the hold was deleted meanwhile). Raises :class:`Refused` or the log's
        :class:`hipnb.LogError` when it cannot be logged, :class:`hipnb.errors.WriteError` when the
        file cannot be written now (the page keeps it and sends it again)."""
        kind = item.get("kind")
        if kind == "hold":
            added = self.log.add([self.hold(item)], new_athlete=self.new_athlete)
            return "already" if added.already else "written"
        if kind == "answers":
            hold = item.get("hold")
            changes = item.get("changes")
            if not isinstance(hold, dict) or not isinstance(changes, dict):
                raise Refused("answers without their hold")
            why = answers_problem(changes)
            if why:
                raise Refused(why)
            done = self.log.patch(self.ref(hold), missing_ok=True, **changes)
            return "gone" if done is None else "changed"
        raise Refused(f"nothing to do with {kind!r}")


def hold_ref(row: Hold) -> str:
    """The identity of a logged hold (as :func:`hipnb.log.hold_keys` makes it), for a patch."""
    import pandas as pd

    from hipnb.log import hold_keys

    one = pd.DataFrame(
        {
            "session_id": [row["session_id"]],
            "exercise": [row["exercise"]],
            "side": [row["side"]],
            "started_at": pd.to_datetime(pd.Series([row["started_at"]])),
        }
    )
    return str(hold_keys(one).iloc[0])


def answers_problem(changes: object) -> str | None:
    """Why answers a page sent cannot be logged as they are (None: they can)."""
    if not isinstance(changes, dict):
        return "answers without their hold"
    for name, value in changes.items():
        if name not in ANSWERS:
            return f"{name!r} is not an answer the page may give"
        if name == "note" and not isinstance(value, str):
            return "a note is text"
        if name != "note" and (isinstance(value, bool) or not isinstance(value, int)):
            return f"{name} is a whole number"
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


class _Redact(logging.Filter):
    """Blanks the token from any log line that would carry it (the page never puts it in a URL)."""

    def __init__(self, *tokens: str) -> None:
        super().__init__()
        self.tokens = tokens

    def _blank(self, text: str) -> str:
        for token in self.tokens:
            text = text.replace(token, "...")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if any(token in text for token in self.tokens):
            record.msg, record.args = self._blank(text), ()
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self._blank(record.exc_text)
            record.exc_info = None
        return True


class _Lines(logging.Handler):
    """Keeps the server's last log lines (what :meth:`PhoneServer.output` returns)."""

    def __init__(self, redact: _Redact, echo: Callable[[str], None] | None) -> None:
        super().__init__(logging.INFO)
        self.lines: deque[str] = deque(maxlen=2000)
        self.echo = echo
        self.addFilter(redact)
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        self.lines.append(line)
        if self.echo is not None and record.levelno >= logging.WARNING:
            self.echo(line)


@functools.cache
def base_handler() -> type:
    """The request handler every page of this module builds on: no caching, no referrer, JSON
    replies, the token checked in a header, bodies read with a bound."""
    import tornado.web

    class Base(tornado.web.RequestHandler):
        server: Any

        def initialize(self, server: Any) -> None:
            self.server = server

        def set_default_headers(self) -> None:
            self.set_header("Cache-Control", "no-store")
            self.set_header("Referrer-Policy", "no-referrer")
            self.set_header("X-Content-Type-Options", "nosniff")

        def reply(self, status: int, body: dict[str, Any]) -> None:
            self.set_status(status)
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(json.dumps(body))

        def allowed(self, token: str | None = None) -> bool:
            """The request carries the token (``Authorization: token ...``; the server's own
            unless another is given); else it is answered 403 and nothing else happens."""
            scheme, _, given = self.request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() == "token" and hmac.compare_digest(
                given.strip().encode(), (token or self.server.token).encode()
            ):
                return True
            self.reply(403, {"error": "no token: ask your coach for the QR code"})
            return False

        def body(self) -> dict[str, Any] | None:
            if len(self.request.body) > MAX_BODY:
                self.reply(413, {"error": "too much at once"})
                return None
            try:
                data = json.loads(self.request.body or b"{}")
            except ValueError:
                data = None
            if not isinstance(data, dict):
                self.reply(400, {"error": "not a request of this page"})
                return None
            return data

        def write_error(self, status_code: int, **kwargs: Any) -> None:
            self.reply(status_code, {"error": self._reason})

        def page(self, name: str) -> None:
            """One of the server's HTML pages, with its content policy."""
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header(
                "Content-Security-Policy",
                "default-src 'self'; media-src 'self' data:; worker-src blob:; "
                "img-src 'self' data:; frame-ancestors 'none'",
            )
            self.finish(self.server.files[name])

    return Base


def _handlers() -> list[tuple[str, type, dict[str, Any]]]:

    Base = base_handler()

    class Page(Base):  # type: ignore[misc, valid-type]
        def get(self) -> None:
            self.page("phone.html")

    class Open(Base):  # type: ignore[misc, valid-type]
        def post(self) -> None:
            if self.allowed():
                self.reply(200, self.server.open_session())

    class Log(Base):  # type: ignore[misc, valid-type]
        async def post(self, phone: str) -> None:
            if not self.allowed():
                return
            data = self.body()
            if data is None:
                return
            session = self.server.sessions.get(phone)
            items = data.get("items")
            if session is None:
                self.reply(404, {"error": "this phone's session has ended: open it again"})
            elif not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                self.reply(400, {"error": "not a request of this page"})
            else:
                loop = asyncio.get_running_loop()
                status, out = await loop.run_in_executor(
                    self.server.writer, self.server.take, session, items
                )
                self.reply(status, out)

    return [
        (r"/", Page, {}),
        (r"/api/open", Open, {}),
        (r"/api/phone/([A-Za-z0-9_-]{8,64})/log", Log, {}),
        *file_routes(),
    ]


def file_routes() -> list[tuple[str, type, dict[str, Any]]]:
    """The page's static files (those in the server's ``page_files``), and 404 for anything else."""
    import tornado.web

    Base = base_handler()

    class File(Base):  # type: ignore[misc, valid-type]
        def get(self, name: str) -> None:
            if name not in self.server.page_files:
                raise tornado.web.HTTPError(404)
            self.set_header("Content-Type", f"{self.server.page_files[name]}; charset=utf-8")
            self.finish(self.server.files[name])

    class Missing(Base):  # type: ignore[misc, valid-type]
        def prepare(self) -> None:
            raise tornado.web.HTTPError(404)

    return [(r"/static/([a-z_]+\.(?:js|css))", File, {}), (r".*", Missing, {})]


class Served:
    """A small tornado server on a thread of this process, behind random tokens: what the phone
    page and the room (:mod:`hipnb.room`) share. ``start()`` returns once it listens; ``stop()``
    ends it. Its log lines (:meth:`output`) name method, path and status, never a token."""

    #: The static files its pages load (name -> content type).
    page_files: dict[str, str] = PAGE_FILES
    #: Its HTML pages: name -> (title, the script that makes it, stylesheets besides the phone's).
    pages: dict[str, tuple[str, str, tuple[str, ...]]] = {}

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        tokens: tuple[str, ...] = (),
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.host = host or lan_address()
        self.port = port or 0
        #: The one thread that writes to logs (a write blocks on the file's lock and fsync; the
        #: server keeps answering meanwhile).
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hipnb-log")
        self.files = {n: (STATIC / n).read_bytes() for n in self.page_files}
        template = (STATIC / "page.html").read_text(encoding="utf-8")
        for name, (title, script, styles) in self.pages.items():
            links = "".join(f'<link rel="stylesheet" href="/static/{css}">\n' for css in styles)
            html = template.replace("%TITLE%", title).replace("%SCRIPT%", script)
            self.files[name] = html.replace("%STYLES%", links).encode()
        self._redact = _Redact(*tokens)
        self._lines = _Lines(self._redact, echo)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._keep_awake = keep_awake_data()
        self._was: dict[str, tuple[int, bool]] = {}

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def shown_url(self) -> str:
        """The address to print where it may be kept: no token."""
        return self.base

    def routes(self) -> list[tuple[str, type, dict[str, Any]]]:
        raise NotImplementedError

    def on_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called on the server's thread once its loop runs (to schedule work of its own)."""

    # -- running ----------------------------------------------------------------------------------

    def _log_request(self, handler: Any) -> None:
        """One line per request: method, path (never a query or a header), status, time."""
        request = handler.request
        logging.getLogger("tornado.access").info(
            "%s %s %d %.1fms",
            request.method,
            request.path,
            handler.get_status(),
            1000.0 * request.request_time(),
        )

    def start(self) -> None:
        """Listen on ``host``:``port`` (a free port when none was given) and serve on a thread."""
        import tornado.httpserver
        import tornado.netutil
        import tornado.web

        try:
            sockets = tornado.netutil.bind_sockets(self.port, address=self.host)
        except OSError as exc:
            raise HipnbError(
                f"cannot serve on {self.host}:{self.port}: {exc.strerror or exc}"
                + (
                    " (another program has this port: give another with --port)"
                    if exc.errno == errno.EADDRINUSE
                    else ""
                )
            ) from None
        for name in _LOGGERS:  # into this server's lines only, not the host's log (a kernel's)
            logger = logging.getLogger(name)
            self._was[name] = (logger.level, logger.propagate)
            logger.addHandler(self._lines)
            logger.setLevel(logging.INFO)
            logger.propagate = False
        self.port = int(sockets[0].getsockname()[1])
        routes = [(path, cls, {"server": self, **kw}) for path, cls, kw in self.routes()]
        app = tornado.web.Application(routes, log_function=self._log_request)
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            http = tornado.httpserver.HTTPServer(app, xheaders=False)
            http.add_sockets(sockets)
            self._loop = loop
            self.on_loop(loop)
            loop.call_soon(ready.set)
            try:
                loop.run_forever()
            finally:
                http.stop()
                loop.run_until_complete(http.close_all_connections())
                loop.close()

        self._thread = threading.Thread(target=serve, name="hipnb-phone", daemon=True)
        self._thread.start()
        ready.wait()

    def output(self) -> str:
        """The server's log lines (the token never appears in them)."""
        return "\n".join(self._lines.lines)

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self) -> None:
        """Serve until :meth:`stop` (or Ctrl-C in the thread that waits)."""
        while self.running():
            assert self._thread is not None
            self._thread.join(timeout=0.5)  # a join that Ctrl-C can interrupt between two waits

    def stop(self) -> None:
        """Stop serving; a no-op when it is not running. Holds already logged stay."""
        thread, loop = self._thread, self._loop
        self._thread = self._loop = None
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        self.writer.shutdown(wait=True)
        for name, (level, propagate) in self._was.items():
            logger = logging.getLogger(name)
            logger.removeHandler(self._lines)
            logger.setLevel(level)
            logger.propagate = propagate


class PhoneServer(Served):
    """The phone page and its endpoint for one athlete, on ``host`` (default: the LAN address).

    ``start()`` returns once the server listens (it runs on a thread of this process: a notebook's
    kernel, or ``hipnb phone``); ``stop()`` ends it. :attr:`url` is the link with the token (give
    it only to the phone); :attr:`shown_url` hides the token, for anything that is kept. The token
    is made here unless given, and goes on no command line.
    """

    pages = {"phone.html": ("hipnb timer", "phone.js", ())}

    def __init__(
        self,
        settings: PhoneSettings,
        host: str | None = None,
        port: int | None = None,
        token: str | None = None,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.token = token or secrets.token_urlsafe(18)
        super().__init__(host, port, (self.token,), echo)
        self.settings = settings
        self.routine = settings.load()
        self.sessions: OrderedDict[str, PhoneSession] = OrderedDict()
        self._log = SessionLog(athlete_path(settings.logs, settings.athlete)).running(self.routine)

    def routes(self) -> list[tuple[str, type, dict[str, Any]]]:
        return _handlers()

    @property
    def url(self) -> str:
        """The page's address with its token (in the fragment, which a browser never sends)."""
        return f"{self.base}/#token={self.token}"

    @property
    def shown_url(self) -> str:
        return f"{self.base}/#token=..."

    # -- what the endpoint does ---------------------------------------------------------------------

    def open_session(self) -> dict[str, Any]:
        """A new phone session bound to this server's athlete, and what its page needs."""
        s = self.settings
        session = PhoneSession(s.athlete, self._log, self.routine, s.new_athlete)
        with self._lock:
            self.sessions[session.id] = session
            while len(self.sessions) > MAX_SESSIONS:
                self.sessions.popitem(last=False)
        low, high = score_range()
        r = self.routine
        return {
            "phone": session.id,
            "athlete": s.athlete,
            "log": f"{s.athlete}'s log",
            "routine": {
                "name": r.name,
                "title": r.title,
                "steps": [
                    {
                        "exercise": st.exercise,
                        "side": st.side,
                        "seconds": st.seconds,
                        "kind": st.kind,
                        "name": st.name,
                        "label": st.label,
                        "cue": st.cue,
                    }
                    for st in r.steps
                ],
            },
            "get_ready": s.get_ready,
            "grace": GRACE_S,
            "scores": [low, high],
            "note_max": note_max_chars(),
            "keep_awake": self._keep_awake,
            "problem": self.private(
                self._log.athlete_problem(s.athlete, new_athlete=s.new_athlete) or ""
            ),
        }

    def take(
        self, session: PhoneSession, items: list[dict[str, Any]]
    ) -> tuple[int, dict[str, Any]]:
        """Write the items a page sent, in order (answers follow their holds). Each result names
        its item's ``id``: ``written``, ``already``, ``changed``, ``gone`` or ``refused`` with the
        reason. A write that fails for the file (disk full, no permission) stops there: 503, and
        the page keeps that item and the rest to send again."""
        results: list[dict[str, Any]] = []
        for item in items:
            one = {"id": item.get("id")}
            try:
                one["status"] = session.take(item)
            except WriteError as exc:
                logging.getLogger("hipnb.phone").warning("the log could not be written: %s", exc)
                return 503, {"results": results, "error": f"not saved yet: {self.private(exc)}"}
            except (HipnbError, ValueError, TypeError) as exc:
                one.update(status="refused", message=self.private(exc))
            results.append(one)
        return 200, {"results": results}

    def private(self, text: object) -> str:
        """``text`` with the log folder's path taken out: a page names the log by its file name."""
        folder = str(self.settings.logs)
        return str(text).replace(folder + "/", "").replace(folder, "the log folder")

    def instructions(self) -> str:
        """What the user reads in the terminal (and under the QR code in the notebook)."""
        s = self.settings
        return (
            f"The routine timer for {s.athlete} (log: {athlete_path(s.logs, s.athlete)})\n"
            f"is served to this network at {self.base}\n"
            "Scan the QR code with the phone's camera, or type the address with its token.\n"
            "Anyone with this link can use the timer and write to this log: share it with no one.\n"
            "\n"
            "Keep this computer awake and on the same Wi-Fi while you train (no sleep, lid open).\n"
            "If the Wi-Fi drops, the phone keeps counting and keeps its holds: it sends them when\n"
            "the network is back, and says how many wait.\n"
            "\n"
            "If the phone cannot open the page:\n"
            "  - the phone and this computer must be on the same network (not mobile data);\n"
            "  - guest and public Wi-Fi often keep devices apart (client isolation): use a home\n"
            "    network, or this computer's or the phone's hotspot;\n"
            f"  - a firewall on this computer must let in TCP port {self.port} from the network;\n"
            "  - the address is http://, not https://; type it whole, with #token=...\n"
        )


def serve(
    server: Served,
    lines: Callable[[], list[str]],
    words: tuple[str, str, str],
    out: Callable[[str], None] = print,
) -> int:
    """Start ``server``, print ``lines()`` (links, instructions), serve until Ctrl-C or SIGTERM,
    then stop it. ``words``: what is said when starting, when stopping and once stopped."""

    def ask_stop(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    starting, stopping, stopped = words
    previous = signal.signal(signal.SIGTERM, ask_stop)
    try:
        out(f"{starting} on {server.shown_url} ...")
        server.start()
        for line in lines():
            out(line)
        server.wait()
    except KeyboardInterrupt:
        out(f"{stopping} ...")
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
    out(stopped)
    return 0


def run(server: PhoneServer, out: Callable[[str], None] = print) -> int:
    """Start ``server``, print the QR code and instructions, serve until Ctrl-C (or SIGTERM)."""
    return serve(
        server,
        lambda: [
            qr_text(server.url),
            server.url,
            "",
            server.instructions(),
            "Press Ctrl-C to stop (holds already logged stay in the log).",
        ],
        ("starting the phone page", "stopping the phone page", "stopped."),
        out,
    )
