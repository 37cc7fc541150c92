"""`hipnb phone` and the room's setup without a browser: the settings fixed on the server (the name
gate, ranges, a routine that loads), the QR code, the command's errors and a clean Ctrl-C, the
notebook's Run on my phone button, and WorkshopTimer's routine picker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import hipnb
from hipnb.cli import main
from hipnb.errors import HipnbError
from hipnb.phone import ENV, PAGE, PhoneSettings, lan_address, qr_png, qr_text
from hipnb.widgets import PhoneButton, WorkshopTimer
from hipnb.widgets.workshop_timer import routine_choices
from tests.rows import write_rows

from .conftest import ROOT


def _log(folder: Path, athlete: str) -> None:
    write_rows(
        hipnb.SessionLog(hipnb.athlete_path(folder, athlete)),
        [hipnb.log.manual_row(athlete, "side_plank", "left", 30)],
    )


def test_settings_are_checked_as_at_every_door(tmp_path):
    _log(tmp_path, "ana")
    ok = PhoneSettings.checked("ana", tmp_path)
    assert ok.athlete == "ana" and ok.logs == tmp_path.resolve()
    with pytest.raises(HipnbError, match="differ|case|accent|same athlete|did you mean"):
        PhoneSettings.checked("Ana", tmp_path)
    with pytest.raises(HipnbError, match="new_athlete=True"):
        PhoneSettings.checked("bob", tmp_path)
    assert PhoneSettings.checked("李娜", tmp_path, new_athlete=True).athlete == "李娜"
    with pytest.raises(HipnbError, match="180-300"):
        PhoneSettings.checked("ana", tmp_path, bound_angle_s=179)
    with pytest.raises(HipnbError, match="180-300"):
        PhoneSettings.checked("ana", tmp_path, bound_angle_s=301)
    with pytest.raises(HipnbError):
        PhoneSettings.checked("ana", tmp_path, "no-such-routine")
    (tmp_path / "file").write_text("")
    with pytest.raises(HipnbError, match="not a folder"):
        PhoneSettings.checked("ana", tmp_path / "file")


def test_the_page_takes_its_settings_from_the_server_only(tmp_path):
    settings = PhoneSettings.checked("Zoë", tmp_path, new_athlete=True, bound_angle_s=240)
    env = settings.env()
    assert set(env) == set(ENV.values())
    assert env[ENV["athlete"]] == "Zoë" and env[ENV["logs"]] == str(tmp_path.resolve())
    code = "\n".join("".join(c["source"]) for c in json.loads(PAGE.read_text())["cells"])
    assert "QUERY_STRING" not in code and "voila" not in code.lower(), "nothing from the URL"
    for name in ENV.values():
        assert name in code


def test_the_qr_code_is_the_url_with_its_token():
    url = "http://192.0.2.2:8866/?token=abc"
    text = qr_text(url)
    assert text == qr_text(url) and text != qr_text(url + "d")
    assert "█" in text
    assert qr_png(url).startswith(b"\x89PNG")


def test_the_lan_address_is_not_loopback():
    try:
        address = lan_address()
    except HipnbError as exc:
        assert "network" in str(exc)
    else:
        assert not address.startswith("127.")


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--athlete", "Ana"], "ana"),
        (["--athlete", "bob"], "--new-athlete"),
        (["--athlete", "ana", "--bound-angle", "400"], "180-300"),
        (["--athlete", "ana", "--routine", "nope"], "nope"),
    ],
)
def test_phone_refuses_bad_settings_with_one_line(tmp_path, capsys, argv, words):
    _log(tmp_path, "ana")
    assert main(["phone", "--logs", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hipnb: error:") and err.count("\n") == 1 and words in err, err


def _status(url: str) -> int:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=120) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.slow
def test_hipnb_phone_prints_a_qr_code_and_stops_cleanly_on_ctrl_c(tmp_path):
    """The real console script: the QR code, the address with its token, what to check and how to
    stop; the page answers with the token only; Ctrl-C ends it and its server (exit 0)."""
    hipnb_bin = Path(sys.executable).parent / "hipnb"
    proc = subprocess.Popen(
        [str(hipnb_bin), "phone", "--athlete", "ana", "--logs", str(tmp_path), "--new-athlete"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:  # a wait on the command's own output
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    out = "".join(lines)
    url = next(line.strip() for line in lines if "?token=" in line and "..." not in line)
    assert qr_text(url) in out
    for words in ("Keep this computer awake", "client isolation", "firewall", "Ctrl-C"):
        assert words in out
    base = url.split("/?")[0]
    assert not base.startswith("http://127."), "the LAN address, as asked"
    assert _status(url) == 200
    assert _status(base + "/") == 302
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert rest.strip().endswith("stopped.")
    assert "Traceback" not in err
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/login", timeout=10)


@pytest.mark.slow
def test_the_notebook_button_starts_and_stops_the_phone_page(tmp_path):
    button = PhoneButton("ana", tmp_path, bound_angle_s=240, host="127.0.0.1")
    assert button.server is None
    button.start()
    try:
        assert button.server is not None, button.info.value
        assert bytes(button.qr.value).startswith(b"\x89PNG")
        assert button.server.url in button.info.value
        assert _status(button.server.url) == 200
        assert button.button.description == "Stop phone page"
    finally:
        base = button.server.base if button.server else ""
        button.stop()
    assert button.server is None and button.button.description == "Run on my phone"
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/login", timeout=10)


def test_the_notebook_has_the_phone_button():
    nb = json.loads((ROOT / "notebooks" / "01_routine_timer.ipynb").read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert any("PhoneButton(" in c for c in code)


def test_the_room_picks_from_the_built_in_routines_and_the_folder(tmp_path):
    (tmp_path / "quick.toml").write_text(
        'name = "quick"\n[[steps]]\nexercise = "side_plank"\nside = "left"\nseconds = 20\n'
    )
    (tmp_path / "broken.toml").write_text("name = \n")
    choices, problems = routine_choices(tmp_path)
    assert [label for label, _ in choices] == ["Hip basics (built in)", "quick (quick.toml)"]
    assert len(problems) == 1 and "broken.toml" in problems[0]
    room = WorkshopTimer(routines=tmp_path, get_ready=1, bound_angle_s=300)
    assert room.panel.routine.title == "Hip basics"
    bound = [s for s in room.panel.routine.holds if s.exercise == "bound_angle"]
    assert bound and all(s.seconds == 300 for s in bound)
    room.picker.value = str((tmp_path / "quick.toml").resolve())
    assert room.panel.routine.title == "quick" and room.bound_angle.disabled
    room.get_ready.value = 4
    assert room.panel.timer.get_ready == 4
    room.panel.start()
    assert room.setup.layout.display == "none", "no setup while the room trains"
    room.picker.value = "hip-basics"
    assert room.panel.routine.title == "quick", "a running session keeps its routine"
    room.panel.stop()
    room.panel.new_session()
    assert room.setup.layout.display == "flex"
    assert room.panel.routine.title == "Hip basics", "a new session takes the setup"
