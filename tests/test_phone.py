"""`hipnb phone` and the room's setup without a browser: the settings fixed on the server (the name
gate, ranges, a routine that loads), the endpoint (the token, a retried post, nothing the page sends
naming another athlete or file), the page's routine timer on a fake clock, the QR code read back on
light and dark terminals, the command's errors and a clean Ctrl-C with the token on no command line
and in no log, the notebook's Run on my phone button, and WorkshopTimer's routine picker."""

from __future__ import annotations

import contextlib
import json
import os
import re
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
from hipnb.phone import QR_BG, QR_FG, PhoneServer, PhoneSettings, lan_address, qr_png, qr_text
from hipnb.routines import routine_choices
from hipnb.widgets import PhoneButton, WorkshopTimer
from tests.routines import routine_toml
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
    with pytest.raises(HipnbError, match="180 s to 300 s"):
        PhoneSettings.checked("ana", tmp_path, bound_angle_s=179)
    with pytest.raises(HipnbError, match="180 s to 300 s"):
        PhoneSettings.checked("ana", tmp_path, bound_angle_s=301)
    with pytest.raises(HipnbError):
        PhoneSettings.checked("ana", tmp_path, "no-such-routine")
    (tmp_path / "file").write_text("")
    with pytest.raises(HipnbError, match="not a folder"):
        PhoneSettings.checked("ana", tmp_path / "file")


QUICK = routine_toml(
    "quick phone", "side_plank left 3", "rest 1 Switch to your right side.", "side_plank right 3"
)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """The phone server for "Zoë" (a folder where "ana" has a log too), on this machine only."""
    tmp = tmp_path_factory.mktemp("endpoint")
    _log(tmp / "logs", "ana")
    (tmp / "quick.toml").write_text(QUICK)
    settings = PhoneSettings.checked("Zoë", tmp / "logs", tmp / "quick.toml", new_athlete=True)
    server = PhoneServer(settings, host="127.0.0.1")
    server.start()
    yield server
    server.stop()
    assert server.token not in server.output()


def _call(server, path, body=None, token=None, method="POST"):
    """(status, JSON or text) of one request; ``token`` None sends the server's own."""
    data = None if method == "GET" else json.dumps(body or {}).encode()
    request = urllib.request.Request(server.base + path, data=data, method=method)
    if token != "":
        request.add_header("Authorization", f"token {server.token if token is None else token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def _rows(server) -> list[dict[str, str]]:
    import csv

    path = hipnb.athlete_path(server.settings.logs, server.settings.athlete)
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _hold(run: str, step: int = 0, **extra):
    item = {"id": f"{run}:{step}", "kind": "hold", "session_id": run, "step": step}
    return {**item, "started_at": 1_796_000_000 + step, "actual_s": 3.0, "completed": True, **extra}


@pytest.mark.slow
def test_without_the_token_the_endpoint_refuses_and_the_page_holds_nothing(endpoint):
    status, page = _call(endpoint, "/", method="GET", token="")
    assert status == 200 and "Zoë" not in page and endpoint.token not in page
    assert "/static/phone.js" in page
    for token in ("", "wrong", endpoint.token[:-1]):
        assert _call(endpoint, "/api/open", token=token)[0] == 403
        status, said = _call(endpoint, "/api/phone/abcdefgh/log", {"items": []}, token=token)
        assert status == 403 and "QR code" in said["error"]
    assert _call(endpoint, "/static/phone.py", method="GET", token="")[0] == 404
    assert _call(endpoint, "/api", method="GET")[0] == 404
    assert _call(endpoint, "/api/phone/abcdefgh/log", {"items": []})[0] == 404, "no such session"


@pytest.mark.slow
def test_a_retried_post_is_acknowledged_as_already_and_logged_once(endpoint):
    status, session = _call(endpoint, "/api/open")
    assert status == 200 and session["athlete"] == "Zoë"
    assert str(endpoint.settings.logs) not in json.dumps(session), "no path on the phone"
    log = f"/api/phone/{session['phone']}/log"
    before = len(_rows(endpoint))
    hold = _hold("a1b2c3d4e5f6")
    assert _call(endpoint, log, {"items": [hold]})[1]["results"] == [
        {"id": hold["id"], "status": "written"}
    ]
    assert _call(endpoint, log, {"items": [hold]})[1]["results"] == [
        {"id": hold["id"], "status": "already"}
    ]
    rows = _rows(endpoint)[before:]
    assert len(rows) == 1
    row = rows[0]
    assert (row["athlete"], row["exercise"], row["side"]) == ("Zoë", "side_plank", "left")
    assert (row["actual_s"], row["completed"], row["session_id"]) == ("3.0", "true", "a1b2c3d4e5f6")
    other = {**hold, "actual_s": 2.0}
    result = _call(endpoint, log, {"items": [other]})[1]["results"][0]
    assert result["status"] == "refused" and "other values" in result["message"]
    answers = {
        "id": "x",
        "kind": "answers",
        "hold": hold,
        "changes": {"discomfort": 4, "note": "ok"},
    }
    for _ in range(2):  # the answers sent again: the hold already reads so, nothing written
        assert _call(endpoint, log, {"items": [answers]})[1]["results"][0]["status"] == "changed"
    rows = _rows(endpoint)[before:]
    assert len(rows) == 2 and rows[1]["action"] == "patch" and rows[1]["discomfort"] == "4"
    assert str(endpoint.settings.logs) not in result["message"], "the log named by its file only"


@pytest.mark.slow
def test_nothing_the_page_sends_names_another_athlete_or_file(endpoint):
    session = _call(endpoint, "/api/open")[1]
    log = f"/api/phone/{session['phone']}/log"
    ana = hipnb.athlete_path(endpoint.settings.logs, "ana")
    ana_before = ana.read_bytes()
    before = len(_rows(endpoint))
    sly = _hold(
        "0f0f0f0f0f0f",
        athlete="ana",
        exercise="glute_roll",
        side="right",
        target_s=900,
        actual_s=500.0,
        path="../ana.csv",
        logs="/tmp",
    )
    assert _call(endpoint, log, {"items": [sly]})[1]["results"][0]["status"] == "written"
    row = _rows(endpoint)[-1]
    assert (row["athlete"], row["exercise"], row["side"]) == ("Zoë", "side_plank", "left")
    assert (row["target_s"], row["actual_s"]) == ("3.0", "3.0"), "at most the step's time"
    assert ana.read_bytes() == ana_before
    bad = [
        _hold("0f0f0f0f0f0f", step=1),  # a rest
        _hold("0f0f0f0f0f0f", step=9),
        _hold("../../etc/x", step=0),
        _hold("0f0f0f0f0f0e", step=0, actual_s="3"),
        {"id": "a", "kind": "answers", "hold": sly, "changes": {"athlete": "ana"}},
        {"id": "b", "kind": "delete", "hold": sly},
    ]
    results = _call(endpoint, log, {"items": bad})[1]["results"]
    assert [r["status"] for r in results] == ["refused"] * len(bad), results
    assert all(str(endpoint.settings.logs) not in r["message"] for r in results)
    assert len(_rows(endpoint)) == before + 1 and ana.read_bytes() == ana_before
    assert _call(endpoint, log, {"items": "x"})[0] == 400


# The page's timer (hipnb/static/routine_timer.js) and hipnb.Timer run one scenario on one fake
# clock: each (operation, clock second) in turn; their records must agree.
SCENARIO = [
    ("start", 0),
    *[("heartbeat", s) for s in range(1, 6)],  # 2 s get-ready, 3 s of the left plank
    ("tick", 5.5),  # the rest
    ("heartbeat", 6),
    ("pain", 6.5),  # 1.5 s into the right plank
    ("resume", 20),
    ("stop", 21),
]
SCENARIO_AWAY = [
    ("start", 0),
    ("heartbeat", 1),
    ("heartbeat", 2),
    ("heartbeat", 3.5),
    ("tick", 90),
    ("stop", 91),
]


def _python_run(routine, ops):
    now = [0.0]
    t = hipnb.Timer(routine, clock=lambda: now[0], get_ready=2, grace=5)
    for op, at in ops:
        now[0] = float(at)
        getattr(t, op)()
    rows = [(r["actual_s"], r["completed"], r["pain_at_s"]) for r in t.results()]
    return {"state": str(t.state), "rows": rows, "away": t.away_s}


@pytest.mark.slow
@pytest.mark.parametrize("ops", [SCENARIO, SCENARIO_AWAY], ids=["pain", "away"])
def test_the_page_timer_records_what_hipnb_timer_records(tmp_path, ops):
    (tmp_path / "quick.toml").write_text(QUICK)
    routine = hipnb.load_routine(tmp_path / "quick.toml")
    steps = [
        {"exercise": s.exercise, "side": s.side, "seconds": s.seconds, "kind": s.kind}
        for s in routine.steps
    ]
    module = (ROOT / "hipnb" / "static" / "routine_timer.js").as_uri()
    script = f"""
    import {{ Timer }} from {json.dumps(module)};
    let now = 0;
    const t = new Timer({{ name: "q", steps: {json.dumps(steps)} }},
        {{ clock: () => now, getReady: 2, grace: 5 }});
    for (const [op, at] of {json.dumps(ops)}) {{ now = at; t[op](); }}
    const rows = t.results().map((r) => [r.actual_s, r.completed, r.pain_at_s]);
    console.log(JSON.stringify({{ state: t.state, rows, away: t.awayS }}));
    """
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    page = json.loads(out.stdout)
    assert page == json.loads(json.dumps(_python_run(routine, ops)))
    assert page["rows"], "something was recorded"


def _terminal_image(text: str, palette: dict[str, tuple[int, int, int]]):
    """The QR code's text as a terminal shows it: each character two pixels tall (its foreground
    above, its background below), colours from ``palette`` (ANSI code -> RGB), scaled up."""
    import numpy as np

    rows = []
    for line in text.splitlines():
        cells = re.findall(r"\x1b\[(\d+);(\d+)m\u2580", line)
        rows.append([palette[fg] for fg, _ in cells])
        rows.append([palette[bg] for _, bg in cells])
    image = np.array(rows, dtype=np.uint8)
    return np.kron(image, np.ones((8, 8, 1), dtype=np.uint8))


# Two terminals' ideas of black and (bright) white: a light theme and a dark one
LIGHT = {"30": (0, 0, 0), "40": (0, 0, 0), "97": (255, 255, 255), "107": (255, 255, 255)}
DARK = {"30": (46, 52, 54), "40": (46, 52, 54), "97": (238, 238, 236), "107": (238, 238, 236)}


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=["light", "dark"])
def test_the_terminal_qr_code_reads_back_as_the_link(palette):
    import zxingcpp

    url = "http://192.0.2.2:8866/#token=" + "t0k3n" * 5
    text = qr_text(url)
    assert set(re.findall(r"\x1b\[(\d+);(\d+)m", text)) <= {
        (f, b) for f in QR_FG.values() for b in QR_BG.values()
    }, "every cell sets both colours"
    found = zxingcpp.read_barcodes(_terminal_image(text, palette))
    assert [b.text for b in found] == [url]
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
        (["--athlete", "ana", "--bound-angle", "400"], "180 s to 300 s"),
        (["--athlete", "ana", "--routine", "nope"], "nope"),
    ],
)
def test_phone_refuses_bad_settings_with_one_line(tmp_path, capsys, argv, words):
    _log(tmp_path, "ana")
    assert main(["phone", "--logs", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hipnb: error:") and err.count("\n") == 1 and words in err, err


def _status(url: str | urllib.request.Request) -> int:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=120) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def serving(*args: str) -> tuple[subprocess.Popen, list[str]]:
    """The real console script ``hipnb ARGS...`` of a server, once it says how to stop it (a wait
    on its own output), and what it printed until then."""
    hipnb_bin = Path(sys.executable).parent / "hipnb"
    proc = subprocess.Popen(
        [str(hipnb_bin), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    return proc, lines


@pytest.mark.slow
def test_hipnb_phone_prints_a_qr_code_and_stops_cleanly_on_ctrl_c(tmp_path):
    """The real console script: the QR code, the address with its token, what to check and how to
    stop; the page answers with the token only; Ctrl-C ends it and its server (exit 0)."""
    proc, lines = serving("phone", "--athlete", "ana", "--logs", str(tmp_path), "--new-athlete")
    out = "".join(lines)
    url = next(line.strip() for line in lines if "#token=" in line and "..." not in line)
    token = url.split("#token=")[1]
    assert qr_text(url) in out
    for words in ("Keep this computer awake", "client isolation", "firewall", "Ctrl-C"):
        assert words in out
    base = url.split("/#")[0]
    assert not base.startswith("http://127."), "the LAN address, as asked"
    assert _status(base + "/") == 200, "the page (which holds nothing)"
    request = urllib.request.Request(base + "/api/open", data=b"{}", method="POST")
    assert _status(request) == 403, "the endpoint, without the token"
    request.add_header("Authorization", f"token {token}")
    assert _status(request) == 200
    assert not [p for p in _cmdlines() if token in p], "the token on a command line"
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert rest.strip().endswith("stopped.")
    assert "Traceback" not in err and token not in err and token not in rest
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/", timeout=10)


def _cmdlines() -> list[str]:
    """Every process's command line on this machine (as ``ps`` shows them to every user)."""
    out = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            out.append(path.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
    return out


@pytest.mark.slow
def test_the_notebook_button_starts_and_stops_the_phone_page(tmp_path):
    """The button serves the page from this process; the link with its token is shown in a
    message, never in the widgets' state a saved notebook keeps."""
    from ipywidgets.embed import embed_data

    button = PhoneButton("ana", tmp_path, bound_angle_s=240, host="127.0.0.1", new_athlete=True)
    assert button.server is None
    button.start()
    try:
        assert button.server is not None, button.info.value
        assert button.code.url == button.server.url
        assert bytes(button.code.png).startswith(b"\x89PNG")
        assert _status(button.server.base + "/") == 200
        assert button.button.description == "Stop phone page"
        saved = json.dumps(embed_data(views=[button])["manager_state"])
        assert "PhoneCodeModel" in saved or "anywidget" in saved, "the state was saved"
        assert button.server.token not in saved
        assert button.server.token not in button.info.value
    finally:
        base = button.server.base if button.server else ""
        button.stop()
    assert button.server is None and button.button.description == "Run on my phone"
    assert button.code.url == ""
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/", timeout=10)


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
