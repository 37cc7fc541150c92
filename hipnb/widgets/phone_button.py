"""PhoneButton: "Run on my phone" in a notebook, the same as ``hipnb phone`` in a terminal."""

from __future__ import annotations

import atexit
import html
from pathlib import Path

import ipywidgets as w

from hipnb.errors import HipnbError
from hipnb.widgets._common import error_html


class PhoneButton(w.VBox):
    """A **Run on my phone** button: serves this routine's timer to a phone on the same network
    (:mod:`hipnb.phone`: a Voila page on this computer's network address, behind a random token)
    and shows the QR code to scan; **Stop phone page** ends it (so does stopping the kernel).

    The athlete, the log folder and the routine are fixed when the button is made; nothing on the
    phone page changes them. The name passes the gate of every door
    (:func:`hipnb.names.athlete_problem`): a name the log folder does not know yet needs
    ``new_athlete=True``, so a typo is refused with the closest known name, never a new athlete.

    Example::

        PhoneButton("ana", "data/logs", "hip-basics", bound_angle_s=240)
    """

    def __init__(
        self,
        athlete: str,
        logs: str | Path,
        routine: str | Path = "hip-basics",
        *,
        bound_angle_s: int | None = None,
        plank_s: int | None = None,
        get_ready: float = 5.0,
        host: str | None = None,
        new_athlete: bool = False,
    ) -> None:
        from hipnb.phone import PhoneServer

        self._args = (athlete, logs, routine, bound_angle_s, plank_s, get_ready)
        self._host = host
        self._new_athlete = new_athlete
        self.server: PhoneServer | None = None
        self.button = w.Button(
            description="Run on my phone",
            icon="mobile",
            button_style="info",
            tooltip="Serve this timer to your phone on this Wi-Fi (a QR code to scan)",
            layout=w.Layout(width="auto", height="44px"),
        )
        self.button.on_click(lambda _b: self.stop() if self.server else self.start())
        self.qr = w.Image(format="png", layout=w.Layout(display="none", width="240px"))
        self.info = w.HTML()
        super().__init__([self.button, self.qr, self.info])
        self.add_class("hipnb-phone-button")

    def start(self) -> None:
        """Start the phone page and show its QR code (or say why it cannot start)."""
        from hipnb.phone import PhoneServer, PhoneSettings, qr_png

        athlete, logs, routine, bound_angle_s, plank_s, get_ready = self._args
        self.button.disabled = True
        self.info.value = "Starting the phone page..."
        try:
            settings = PhoneSettings.checked(
                athlete,
                logs,
                routine,
                new_athlete=self._new_athlete,
                bound_angle_s=bound_angle_s,
                plank_s=plank_s,
                get_ready=get_ready,
            )
            server = PhoneServer(settings, host=self._host)
            server.start()
        except (HipnbError, OSError) as exc:
            self.info.value = error_html(f"The phone page did not start: {exc}")
            self.button.disabled = False
            return
        self.server = server
        atexit.register(server.stop)
        self.qr.value = qr_png(server.url)
        self.qr.layout.display = None
        url = html.escape(server.url)
        self.info.value = (
            f"<p>Scan with the phone's camera, or open <a href='{url}' target='_blank'>{url}</a>"
            "</p><pre style='white-space:pre-wrap'>" + html.escape(server.instructions()) + "</pre>"
        )
        self.button.description, self.button.icon = "Stop phone page", "stop"
        self.button.button_style = "danger"
        self.button.disabled = False

    def stop(self) -> None:
        """Stop the phone page (holds already logged stay in the log)."""
        server, self.server = self.server, None
        if server is not None:
            server.stop()
            atexit.unregister(server.stop)
        self.qr.layout.display = "none"
        self.qr.value = b""
        self.info.value = "The phone page is stopped."
        self.button.description, self.button.icon = "Run on my phone", "mobile"
        self.button.button_style = "info"
