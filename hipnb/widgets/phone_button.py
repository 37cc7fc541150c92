"""PhoneButton: "Run on my phone" in a notebook, the same as ``hipnb phone`` in a terminal."""

from __future__ import annotations

import atexit
import base64
import html
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as w

from hipnb.errors import HipnbError
from hipnb.widgets._common import error_html


class PhoneCode(anywidget.AnyWidget):
    """The QR code and the link with its token, shown in the notebook but never kept in it: they
    reach the page in a message (:meth:`show`), not in a trait, so a notebook saved with its
    widget state holds no token. A view drawn later (the page reloaded) asks for them again."""

    _esm = """
    function render({ model, el }) {
      const show = (msg) => {
        el.replaceChildren();
        if (!msg || !msg.url) return;
        const img = document.createElement("img");
        img.src = msg.png;
        img.alt = "QR code of the phone page";
        img.width = 240;
        const p = document.createElement("p");
        p.textContent = "Scan with the phone's camera, or open ";
        const a = document.createElement("a");
        a.href = msg.url;
        a.target = "_blank";
        a.rel = "noreferrer";
        a.textContent = msg.url;
        p.appendChild(a);
        el.append(img, p);
      };
      model.on("msg:custom", show);
      model.send({ event: "shown" });
    }
    export default { render };
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = ""
        self.png = b""
        self.on_msg(self._asked)

    def show(self, url: str, png: bytes) -> None:
        """Show ``url`` and its QR code ``png`` (empty: show nothing)."""
        self.url, self.png = url, png
        self._show()

    def _asked(self, _widget: object, content: dict[str, Any], _buffers: object) -> None:
        if content.get("event") == "shown":
            self._show()

    def _show(self) -> None:
        png = "data:image/png;base64," + base64.b64encode(self.png).decode() if self.png else ""
        self.send({"url": self.url, "png": png})


class PhoneButton(w.VBox):
    """A **Run on my phone** button: serves this routine's timer to a phone on the same network
    (:mod:`hipnb.phone`: a page and its endpoint on this computer's network address, behind a
    random token, served from this kernel: no process of its own) and shows the QR code to scan;
    **Stop phone page** ends it (so does stopping the kernel). The link with its token is shown
    but never kept in the notebook (:class:`PhoneCode`).

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
        self.code = PhoneCode()
        self.info = w.HTML()
        super().__init__([self.button, self.code, self.info])
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
        self.code.show(server.url, qr_png(server.url))
        self.info.value = (
            "<pre style='white-space:pre-wrap'>" + html.escape(server.instructions()) + "</pre>"
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
        self.code.show("", b"")
        self.info.value = "The phone page is stopped."
        self.button.description, self.button.icon = "Run on my phone", "mobile"
        self.button.button_style = "info"
