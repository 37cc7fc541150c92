"""Numbers, times and words as people read them: one seconds formatter, the countdown's rule, the
log's precision, ``hipnb holds`` on a real terminal, times that exist, pages without this
machine's paths, and each door's refusal in its own words."""

from __future__ import annotations

import ast
import json
import os
import pty
import select
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

import hipnb
from hipnb import analysis
from hipnb.cli import main
from hipnb.log import ALL_COLUMNS
from hipnb.log.gate import in_door_words
from hipnb.log.stamps import existing_time, parse_when
from hipnb.seconds import countdown_text, plural, seconds_text, stored
from tests.rows import write_rows

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
PACKAGE = ROOT / "hipnb"


def ana_hold(seconds=30.0, **kw):
    row = {
        "session_id": "s1",
        "athlete": "ana",
        "routine": "manual",
        "started_at": "2026-11-24T07:15:03-05:00",
        "exercise": "side_plank",
        "side": "left",
        "target_s": 30.0,
        "actual_s": seconds,
        "completed": True,
    }
    return row | kw


@pytest.fixture
def make_log(tmp_path):
    """Rows (ana's side planks unless they say otherwise) written to a file and read back."""
    counter = iter(range(1000))

    def make(rows):
        path = tmp_path / f"log{next(counter)}.csv"
        write_rows(path, [ana_hold() | dict(r) for r in rows])
        return hipnb.read_logs(path)

    return make


# -- 1. seconds once ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (7.49, "7 s"), (89.4, "89 s"), (89.5, "1 min 30 s"), (125.4, "2 min 05 s"),
     (180, "3 min"), (3599.4, "59 min 59 s"), (3600, "1 h"), (3900, "1 h 05 min"),
     (None, ""), (float("nan"), ""), ("x", "")],
)  # fmt: skip
def test_seconds_text_one_rule(seconds, text):
    assert seconds_text(seconds) == text


def test_exact_seconds_and_counts():
    assert seconds_text(125.44, exact=True) == "125.4 s"
    assert seconds_text(4000, exact=True) == "4000 s"
    assert plural(1, "hold") == "1 hold" and plural(0, "hold") == "0 holds"


def test_the_package_has_one_seconds_formatter():
    """No module but hipnb/seconds.py writes seconds with a unit from a format of its own: every
    ``... s`` / ``... min`` text in an f-string has its number from seconds_text."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "seconds.py" or "runs" in path.parts or path.name == "phone.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            parts = node.values
            for i, part in enumerate(parts[:-1]):
                after = parts[i + 1]
                if not (isinstance(part, ast.FormattedValue) and isinstance(after, ast.Constant)):
                    continue
                unit = str(after.value)
                formats_seconds = part.format_spec is not None and any(
                    isinstance(v, ast.Constant) and v.value in (".0f", "g", ".1f")
                    for v in part.format_spec.values
                )
                if formats_seconds and (unit.startswith(" s") or unit.startswith(" min")):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    # rates and thresholds, not times held: a trend in seconds a week (+12 s a week), the
    # thresholds' own numbers as a coach set them
    known = {"hipnb/analysis/flags.py", "hipnb/analysis/thresholds.py"}
    assert [o for o in offenders if o.split(":")[0] not in known] == []


def test_countdown_follows_the_pages_rule():
    """clockText in timer.js and countdown_text agree: the time left, rounded up."""
    cases = [125.4, 120, 119.2, 60, 59.01, 59, 1.5, 0.2, 0, -3]
    script = (ROOT / "hipnb/static/timer.js").read_text(encoding="utf-8")
    body = script[script.index("function clockText") :]
    body = body[: body.index("\n}\n") + 3]
    js = f"{body}\nconsole.log(JSON.stringify({cases}.map(clockText)));"
    out = subprocess.run(["node", "-e", js], capture_output=True, text=True, check=True).stdout
    assert out.strip() == str([countdown_text(s) for s in cases]).replace("'", '"').replace(" ", "")
    assert countdown_text(125.4) == "2:06" and seconds_text(125.4) == "2 min 05 s"


def test_the_phone_page_says_seconds_as_seconds_text_does():
    """duration in phone.js and seconds_text agree (the page has no kernel to ask)."""
    cases = [0, 7.2, 45, 89.4, 89.6, 90, 125.4, 180, 185, 3599.4, 3600, 3900, 7199, -3, -125]
    script = (ROOT / "hipnb/static/page.js").read_text(encoding="utf-8")
    body = script[script.index("function duration") :]
    body = body[: body.index("\n}\n") + 3]
    js = f"{body}\nconsole.log(JSON.stringify({cases}.map(duration)));"
    out = subprocess.run(["node", "-e", js], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [seconds_text(s) for s in cases]


def test_new_rows_store_seconds_to_a_tenth_old_rows_read_as_written(tmp_path):
    log = tmp_path / "ana.csv"
    old = ana_hold(3.7485391689999688, session_id="old", started_at="2026-11-23T07:15:03-05:00")
    cells = [str(old.get(c, "")).replace("True", "true") for c in ALL_COLUMNS]
    log.write_text(",".join(ALL_COLUMNS) + "\r\n" + ",".join(cells) + "\r\n", encoding="utf-8")
    hipnb.SessionLog(log).add([ana_hold(125.4449, session_id="new", pain_at_s=12.3456)])
    text = log.read_text(encoding="utf-8")
    assert ",125.4,true" in text and text.rstrip().endswith(",12.3")
    df = hipnb.read_logs(log).set_index("session_id")
    assert df.loc["old", "actual_s"] == 3.7485391689999688  # an old file reads as before
    assert df.loc["new", "actual_s"] == 125.4 and stored(125.4449) == 125.4


# -- 2. progression from what the athlete does ------------------------------------------------------


def test_suggestion_starts_from_the_held_times(make_log):
    rows = [
        {"started_at": f"2026-11-0{i}T07:00:00+00:00", "exercise": "bound_angle", "side": "both",
         "actual_s": held, "target_s": 180.0, "session_id": f"s{i}", "discomfort": 1}
        for i, held in ((1, 276), (2, 323), (3, 280))
    ]  # fmt: skip
    s = analysis.suggest_progression(make_log(rows)).iloc[0]
    assert s["held_s"] == 276 and s["suggested_s"] == 300  # 275 + 30, capped at the band's top
    assert "held 4 min 36 s or more in each of the last 3 sessions" in s["reason"]
    assert "(target 3 min)" in s["reason"] and "next 5 min" in s["reason"]
    rows[0]["actual_s"] = 200.0
    s = analysis.suggest_progression(make_log(rows)).iloc[0]
    assert s["suggested_s"] == 230  # the shortest recent hold, not the last target, is the start


# -- 3. hipnb holds on a real terminal --------------------------------------------------------------


def _on_pty(argv: list[str], cwd: Path) -> bytes:
    """Run ``argv`` with a pseudo-terminal as its stdout and stderr; return what it wrote."""
    main_fd, child_fd = pty.openpty()
    env = os.environ | {"COLUMNS": "200", "TERM": "xterm"}
    proc = subprocess.Popen(argv, stdout=child_fd, stderr=child_fd, cwd=cwd, env=env)
    os.close(child_fd)
    out = b""
    while True:
        ready, _, _ = select.select([main_fd], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(main_fd)
    return out


@pytest.mark.slow
def test_holds_on_a_terminal_shows_answers_and_escapes_the_log_s_text(tmp_path):
    log = tmp_path / "ana.csv"
    note = "fine\r\x1b[1A\x1b[2Kgone\u202e"
    hipnb.SessionLog(log).add(
        [
            ana_hold(12.4, completed=False, rpe=7, discomfort=6, pain_at_s=12.4, note=note),
            ana_hold(40, session_id="s2", side="right", target_s=30, rpe=4),
        ],
        new_athlete=True,
    )
    hipnb_cli = [sys.executable, "-m", "hipnb", "holds", "--log", str(log)]
    out = _on_pty(hipnb_cli, tmp_path)
    assert b"\x1b" not in out and b"\r\x1b" not in out  # nothing the terminal would act on
    lines = out.decode().replace("\r\n", "\n").splitlines()
    head = "ref athlete day time exercise side held target done effort discomfort Pain at"
    assert lines[0].split() == [*head.split(), "note"]
    pained = next(line for line in lines if "left" in line)
    assert "12 s" in pained and " 7 " in pained and " 6 " in pained
    assert "fine\\r\\x1b[1A\\x1b[2Kgone\\u202e" in pained
    assert "40 s" in next(line for line in lines if "right" in line)


def test_panel_totals_each_exercise_by_side():
    from hipnb.timer_view import totals as _totals

    rows = [
        {"exercise": "glute_roll", "side": "left", "actual_s": 60.0},
        {"exercise": "side_plank", "side": "left", "actual_s": 14.2},
        {"exercise": "glute_roll", "side": "right", "actual_s": 58.0},
        {"exercise": "side_plank", "side": "right", "actual_s": 12.0},
        {"exercise": "bound_angle", "side": "both", "actual_s": 185.0},
    ]
    names = {"glute_roll": "Foam roll", "side_plank": "Side plank"}
    assert _totals(rows, names) == [
        "Foam roll: left 60 s · right 58 s",
        "Side plank: left 14 s · right 12 s",
        "bound_angle: 3 min 05 s",
    ]


# -- 4. times that exist ----------------------------------------------------------------------------


def test_a_time_the_clocks_skipped_is_the_time_that_exists(tmp_path, capsys):
    madrid = ZoneInfo("Europe/Madrid")
    when, said = existing_time(datetime(2026, 3, 29, 2, 30), madrid)
    assert when.isoformat() == "2026-03-29T03:30:00+02:00" and "did not exist" in said
    assert existing_time(datetime(2026, 3, 29, 3, 30), madrid)[1] is None
    notes: list[str] = []
    assert parse_when("02:30", day="2026-03-29", tz="Europe/Madrid", notes=notes).hour == 3
    assert len(notes) == 1
    log = tmp_path / "ana.csv"
    argv = ["log", "--log", str(log), "--athlete", "ana", "--exercise", "side_plank",
            "--seconds", "30", "--when", "2026-03-29 02:30", "--tz", "Europe/Madrid",
            "--new-athlete"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "started 2026-03-29T03:30:00+02:00" in out
    assert "2026-03-29 02:30 did not exist in Europe/Madrid" in out
    assert "2026-03-29T03:30:00+02:00" in log.read_text(encoding="utf-8")


def test_the_runs_import_uses_the_same_rule(tmp_path):
    from hipnb.runs import import_runs, read_runs

    export = tmp_path / "runs.csv"
    export.write_text(
        "date,distance_km,duration\n2026-03-29 02:30:00,10,00:50:00\n", encoding="utf-8"
    )
    import_runs(export, "ana", logs=tmp_path / "logs", tz="Europe/Madrid")
    runs = read_runs(tmp_path / "logs", "ana")
    local = runs["local_time"] if "local_time" in runs else runs["started_at"]
    assert f"{local.iloc[0]:%H:%M}" == "03:30"


# -- 5. words for people, each door its own ------------------------------------------------------


def test_refusals_name_columns_by_label_in_the_door_s_words(tmp_path, capsys):
    log = tmp_path / "ana.csv"
    hipnb.SessionLog(log).add([ana_hold()], new_athlete=True)
    with pytest.raises(hipnb.LogError) as python_door:
        hipnb.SessionLog(log).add([ana_hold(4000, session_id="s9")])
    said = str(python_door.value)
    assert said.startswith("time held 4000 s is more than") and "override=True" in said
    argv = ["log", "--log", str(log), "--athlete", "ana", "--exercise", "side_plank",
            "--seconds", "4000"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "(--override)" in err and "box" not in err and "override=True" not in err
    form = in_door_words(said, "form")
    assert "the Override box" in form and "--override" not in form
    assert main([*argv[:-1], "30", "--rpe", "11"]) == 2
    assert "effort '11' is not a whole number" in capsys.readouterr().err


def test_the_form_says_it_in_its_own_words(tmp_path):
    from hipnb.widgets import ManualEntry

    form = ManualEntry(hipnb.SessionLog(tmp_path / "ana.csv"), athlete="ana")
    form.new_athlete.value = True
    form.exercise.value = "side_plank"
    form.seconds.value = 4000
    form.save.click()
    said = form.status.value
    assert "Not saved" in said and "time held 4000 s" in said
    assert "the Override box" in said and "--override" not in said and "=True" not in said


def test_report_pages_name_the_log_from_their_folder(tmp_path):
    import shutil

    from hipnb.report import render_reports

    logs = tmp_path / "data" / "logs"
    shutil.copytree(SAMPLE, logs)
    batch = render_reports(logs, tmp_path / "out", as_of="2026-11-22", workers=1, notebooks=True,
                           progress=False, athletes=["ana"])  # fmt: skip
    page = batch.written["ana"]
    text = Path(page).read_text(encoding="utf-8")
    assert str(tmp_path) not in text and "LOG = &#x27;../../data/logs&#x27;" in text
    nb = Path(page).with_suffix(".ipynb").read_text(encoding="utf-8")
    assert str(tmp_path) not in nb and "LOG = '../../data/logs'" in nb
    squad = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "(s)" not in squad and str(tmp_path) not in squad


def test_help_names_the_page_the_report_writes(capsys):
    from hipnb.report.batch import SQUAD_PAGE

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert f"reports/{SQUAD_PAGE}" in out and "squad.html" not in out


def test_holds_table_reads_seconds_as_people_do(make_log):
    from hipnb.charts import holds_table

    df = make_log([{"actual_s": 125.4, "pain_at_s": 12.0, "target_s": 130.0, "completed": False}])
    html = holds_table(df).to_html()
    assert "2 min 05 s" in html and "12 s" in html and pd.notna(df["actual_s"].iloc[0])
