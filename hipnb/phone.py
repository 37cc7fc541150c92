"""The routine timer on the athlete's own phone: a Voila page on this machine's LAN address.

``hipnb phone --athlete NAME --logs DIR`` (and the "Run on my phone" button of notebook 01) start a
Voila server of ``hipnb/templates/phone_timer.ipynb`` bound to the LAN address, behind a random
token (Voila's ``--token``: without it the page, the kernel API and the websocket refuse), and show
a QR code of the URL with the token.

The athlete, the log folder and the routine are fixed here, on the server, and reach the page's
kernel as environment variables (:data:`ENV`): the page reads nothing from the URL, and no widget on
it names the athlete or the log. Voila refuses code execution to the page but passes widget
messages, so a widget value is never trusted for either. The token is printed once for the user
and kept out of every log: Voila logs the URL as ``?token=...``.
"""

from __future__ import annotations

import io
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hipnb.errors import HipnbError
from hipnb.log import athlete_path, normalize_name
from hipnb.names import athlete_problem, known_athletes
from hipnb.routines import load_routine
from hipnb.timer import GET_READY_MAX_S

__all__ = [
    "ENV",
    "PAGE",
    "PhoneServer",
    "PhoneSettings",
    "lan_address",
    "qr_png",
    "qr_text",
    "voila_env",
]

HERE = Path(__file__).resolve().parent
#: The phone page (a notebook shipped with the package; Voila shows its outputs only).
PAGE = HERE / "templates" / "phone_timer.ipynb"
#: A Jupyter data folder holding the Voila template ``hipnb``: the ``lab`` template without its
#: links to a CDN, so no request leaves this machine.
SHARE = HERE / "share" / "jupyter"
TEMPLATE = "hipnb"
#: The environment variables that carry the server's fixed settings to the page's kernel.
ENV = {
    "athlete": "HIPNB_PHONE_ATHLETE",
    "logs": "HIPNB_PHONE_LOGS",
    "routine": "HIPNB_PHONE_ROUTINE",
    "bound_angle_s": "HIPNB_PHONE_BOUND_ANGLE_S",
    "plank_s": "HIPNB_PHONE_PLANK_S",
    "get_ready": "HIPNB_PHONE_GET_READY",
    "new_athlete": "HIPNB_PHONE_NEW_ATHLETE",
}
#: An address on no network this machine is likely on; "connecting" a UDP socket to it sends
#: nothing, it only asks the system which local address would be used.
_PROBE = ("10.254.254.254", 1)


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
    #: The athlete's log may start here (checked by :meth:`checked`; the page's door asks again).
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
        if not 0 <= get_ready <= GET_READY_MAX_S:
            raise HipnbError(f"get-ready {get_ready} s: must be 0-{GET_READY_MAX_S} s")
        routine_ref = str(Path(routine).resolve()) if Path(routine).suffix else str(routine)
        loaded = load_routine(routine_ref)  # a bad routine is refused here, not on the phone
        holds = {s.exercise for s in loaded.holds}
        for exercise, seconds in (("bound_angle", bound_angle_s), ("side_plank", plank_s)):
            if seconds is not None and exercise in holds:
                loaded.with_seconds(exercise, seconds)  # the routine's own range, in its words
        return cls(name, folder, routine_ref, bound_angle_s, plank_s, get_ready, new_athlete)

    def env(self) -> dict[str, str]:
        """The settings as the page's kernel reads them (:data:`ENV`)."""
        values = {
            "athlete": self.athlete,
            "logs": str(self.logs),
            "routine": self.routine,
            "bound_angle_s": "" if self.bound_angle_s is None else str(self.bound_angle_s),
            "plank_s": "" if self.plank_s is None else str(self.plank_s),
            "get_ready": str(self.get_ready),
            "new_athlete": "1" if self.new_athlete else "",
        }
        return {ENV[k]: v for k, v in values.items()}


def voila_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with hipnb's Voila template on the Jupyter path."""
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(SHARE), env.get("JUPYTER_PATH", "")) if p)
    env.update(extra or {})
    return env


def qr_text(url: str) -> str:
    """A QR code of ``url`` drawn with block characters, for a terminal."""
    import segno

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def qr_png(url: str, scale: int = 6) -> bytes:
    """A QR code of ``url`` as PNG bytes (for the notebook's image)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class PhoneServer:
    """A Voila server of the phone page for one athlete, on ``host`` (default: the LAN address).

    ``start()`` returns once the server answers; ``stop()`` ends it (and its kernels). The URL with
    the token is :attr:`url`; :attr:`shown_url` hides the token, for anything that is kept.
    """

    def __init__(
        self,
        settings: PhoneSettings,
        host: str | None = None,
        port: int | None = None,
        token: str | None = None,
    ) -> None:
        self.settings = settings
        self.host = host or lan_address()
        self.port = port or _free_port(self.host)
        self.token = token or secrets.token_urlsafe(18)
        self.proc: subprocess.Popen[bytes] | None = None
        # Voila's output, read back when it fails; open while it runs (closed when collected)
        self._log = tempfile.TemporaryFile()  # noqa: SIM115

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The page's address with its token: give it only to the phone."""
        return f"{self.base}/?token={self.token}"

    @property
    def shown_url(self) -> str:
        return f"{self.base}/?token=..."

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "voila",
            str(PAGE),
            "--no-browser",
            f"--Voila.ip={self.host}",
            f"--port={self.port}",
            f"--token={self.token}",
            f"--template={TEMPLATE}",
            "--theme=dark",
            "--show_tracebacks=False",
        ]

    def start(self) -> None:
        """Start Voila and wait until it answers (Ctrl-C ends the wait)."""
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.settings.logs.parent if self.settings.logs.parent.is_dir() else None,
            env=voila_env(self.settings.env()),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches this process, which then stops Voila
        )
        while not self._answers():
            if self.proc.poll() is not None:
                raise HipnbError(f"the page's server stopped before it answered:\n{self.output()}")
            time.sleep(0.2)  # between two polls of a server still starting

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/login", timeout=2) as r:
                return int(r.status) < 500
        except urllib.error.HTTPError as exc:
            return exc.code < 500
        except OSError:
            return False

    def output(self) -> str:
        """What Voila printed (its log; the token never appears in it)."""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def wait(self) -> int:
        assert self.proc is not None
        return self.proc.wait()

    def stop(self) -> None:
        """End Voila and the page's kernel; a no-op when it is not running."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def instructions(self) -> str:
        """What the user reads in the terminal (and under the QR code in the notebook)."""
        s = self.settings
        return (
            f"The routine timer for {s.athlete} (log: {athlete_path(s.logs, s.athlete)})\n"
            f"is served to this network at {self.base}\n"
            "Scan the QR code with the phone's camera, or type the address with its token.\n"
            "Anyone with this link can use the timer and write to this log: share it with no one.\n"
            "\n"
            "Keep this computer awake and on the same Wi-Fi while you train (no sleep, lid open):\n"
            "the page runs here, the phone only shows it.\n"
            "\n"
            "If the phone cannot open the page:\n"
            "  - the phone and this computer must be on the same network (not mobile data);\n"
            "  - guest and public Wi-Fi often keep devices apart (client isolation): use a home\n"
            "    network, or this computer's or the phone's hotspot;\n"
            f"  - a firewall on this computer must let in TCP port {self.port} from the network;\n"
            "  - the address is http://, not https://; type it whole, with ?token=...\n"
        )


def run(server: PhoneServer, out: Callable[[str], None] = print) -> int:
    """Start ``server``, print the QR code and instructions, serve until Ctrl-C (or SIGTERM)."""
    stop = {"asked": False}

    def ask_stop(_sig: int, _frame: object) -> None:
        stop["asked"] = True
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, ask_stop)
    try:
        out(f"starting the phone page on {server.shown_url} ...")
        server.start()
        out(qr_text(server.url))
        out(server.url)
        out("")
        out(server.instructions())
        out("Press Ctrl-C to stop (holds already logged stay in the log).")
        code = server.wait()
        if code != 0:
            raise HipnbError(f"the page's server stopped (exit {code}):\n{server.output()}")
    except KeyboardInterrupt:
        out("stopping the phone page ...")
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
    out("stopped.")
    return 0
