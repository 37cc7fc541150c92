"""Report batch end to end: the sample squad over worker processes, every shape of data, names that
could collide, failures that never stop the batch, the page as a notebook, and `report` errors."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from hipnb import SessionLog, athlete_path
from hipnb.cli import main
from hipnb.log import manual_row
from hipnb.report import SQUAD_PAGE, page_path, render_reports
from hipnb.runs import RunLog, runs_path
from tests.rows import write_rows

from .conftest import SAMPLE

AS_OF = "2026-11-22"  # the bundled sample's last day
NOTE = "<script>alert(1)</script> & more, $x$ stays text"


@pytest.fixture(scope="module")
def sample_batch(tmp_path_factory):
    """The sample squad, a hostile note added to ana's log, rendered over two worker processes."""
    root = tmp_path_factory.mktemp("sample")
    logs = root / "logs"
    shutil.copytree(SAMPLE, logs)
    write_rows(SessionLog(logs / "ana.csv"),
        [manual_row("ana", "side_plank", "left", 33, started_at="2026-11-22T18:00:00+01:00", note=NOTE)]
    )  # fmt: skip
    out = root / "reports"
    batch = render_reports(logs, out, as_of=AS_OF, progress=False, workers=2)
    return out, batch


def _text(page: str) -> str:
    """The visible text of a page, one space between elements."""
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _table_text(page: str) -> str:
    return _text(" ".join(re.findall(r"<table.*?</table>", page, re.S)))


def test_every_sample_athlete_gets_a_page_beside_the_squad_page(sample_batch):
    out, batch = sample_batch
    names = sorted(p.stem for p in (SAMPLE).glob("*.csv"))
    assert batch.failed == {}
    assert sorted(batch.written) == names
    assert batch.summary == out / SQUAD_PAGE
    assert sorted(p.name for p in (out / "athletes").iterdir()) == [f"{n}.html" for n in names]


def test_an_athlete_page_has_the_report_content_escaped_and_dated(sample_batch):
    out, _ = sample_batch
    ana = (out / "athletes" / "ana.html").read_text()
    text = _text(ana)
    assert "ana: hip routine report" in text and "As of Sun 22 Nov 2026." in text
    for heading in ("Needs attention", "Progress", "Weekly adherence",
                    "Personal bests and next steps", "Recent notes", "Running load and hip care"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in ana
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ana and "<script" not in ana
    assert len(re.findall(r'<img src="data:image/png;base64,', ana)) == 2, "dashboard, load chart"
    tables = _table_text(ana)
    assert "Reclining Bound Angle Pose 5 min 23 s Fri 20 Nov 2026" in tables, "names, rounded"
    assert "Side plank left 53 s" in tables and "$x$ stays text" in tables
    for bad in ("NaN", "<NA>", "nan", "bound_angle", "side_plank", "best_s"):
        assert bad not in tables, f"{bad!r} in a report table"
    assert "row_heading" not in ana, "no pandas index"
    assert '<a href="../index.html">' in ana, "back to the squad page"
    assert "ATHLETE = 'ana', AS_OF = '2026-11-22'" in text, "the footer says how to reopen it"


def test_pages_are_self_contained_offline_and_small(sample_batch):
    out, _ = sample_batch
    pages = [out / SQUAD_PAGE, *(out / "athletes").iterdir()]
    for path in pages:
        page = path.read_text()
        assert page.count("<style>") == 1, "one stylesheet"
        assert "<script" not in page and "mathjax" not in page.lower()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "nothing remote"
        assert path.stat().st_size <= 300_000, f"{path.name}: {path.stat().st_size} bytes"


def test_flags_show_on_the_athlete_page_and_the_squad_page(sample_batch):
    out, _ = sample_batch
    dev = _text((out / "athletes" / "dev.html").read_text())
    assert "right side plank 31% weaker than left" in dev
    emma = (out / "athletes" / "emma.html").read_text()
    assert re.search(r'<li class="red">[^<]*discomfort', emma), "emma's red flag, first"
    squad = (out / SQUAD_PAGE).read_text()
    assert "plank right 31% weaker\u00a0(&gt;\u00a015%)" in squad
    assert '<a href="athletes/ana.html">ana</a>' in squad


def test_every_flag_record_is_rendered_on_its_athletes_page_and_the_squad_page(sample_batch):
    """The flag engine's records, raised once: each in its words on the athlete's page (RED
    first) and in its short words on the squad page; the running-load flag is one of them."""
    from hipnb.analysis import Kind, Level, flags
    from hipnb.report import read_squad

    out, _ = sample_batch
    holds, runs = read_squad(out.parent / "logs")
    raised = flags(holds, runs, as_of=AS_OF)
    assert {Kind.RUNNING_LOAD, Kind.DISCOMFORT_HIGH} <= {f.kind for f in raised}
    squad = _text((out / SQUAD_PAGE).read_text()).replace("\u00a0", " ")
    for athlete in sorted({f.athlete for f in raised}):
        page = page_path(out, athlete).read_text()
        items = re.findall(r'<li class="(red|amber)">([^<]*)</li>', page)
        mine = [f for f in raised if f.athlete == athlete]
        said = [(lv, html.unescape(words)) for lv, words in items]
        assert said == [(str(f.level), f.words) for f in mine], athlete
        assert [lv for lv, _ in items] == sorted(
            (lv for lv, _ in items), key=lambda lv: lv != Level.RED
        )
        for f in mine:
            assert f.short in squad, (athlete, f.short)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    """A squad of unusual shapes, rendered in this process (workers=1)."""
    root = tmp_path_factory.mktemp("shapes")
    logs = root / "logs"

    def holds(name, rows):
        write_rows(SessionLog(athlete_path(logs, name)), rows)

    stamp = "2026-11-{:02d}T07:00:00+01:00".format
    holds("plank", [manual_row("plank", "side_plank", side, 30 + d, started_at=stamp(10 + d))
                    | {"session_id": f"plank-{d}"}  # both sides of a day: one session
                    for d in range(5) for side in ("left", "right")])  # fmt: skip
    holds("once", [manual_row("once", "bound_angle", "both", 200, started_at=stamp(20))])
    holds("away", [manual_row("away", "bound_angle", "both", 200 + d,
                              started_at=f"2026-09-{1 + d:02d}T07:00:00+01:00") for d in range(9)])  # fmt: skip
    holds("squad", [manual_row("squad", "bound_angle", "both", 240, started_at=stamp(21))])
    holds("index", [manual_row("index", "glute_roll", "left", 60, started_at=stamp(21))])
    holds("Zoë", [manual_row("Zoë", "bound_angle", "both", 200, started_at=stamp(19))])
    runs = [
        {"run_id": f"r{i}", "athlete": "runner", "started_at": stamp(1 + 3 * i),
         "distance_m": 8000 + 100 * i, "duration_s": 2400, "sport": "run", "source": "csv",
         "name": "easy"}
        for i in range(7)
    ]  # fmt: skip
    RunLog(runs_path(logs, "runner")).append(runs)
    out = root / "out"
    batch = render_reports(logs, out, as_of=AS_OF, progress=False, workers=1)
    return out, batch


@pytest.mark.parametrize(
    ("athlete", "says"),
    [
        ("plank", ["Weekly adherence", "Mon 09 Nov 0 5 5", "Side plank left 34 s"]),
        ("index", ["Foam roll", "No notes written yet."]),
        (
            "runner",
            [
                "7 runs imported, but no hip-routine holds logged yet",
                "No holds logged yet: the charts start with the first session.",
                "km in the last 7 days",
            ],
        ),  # fmt: skip
        ("once", ["1 session.", "Reclining Bound Angle Pose 3 min 20 s"]),
        (
            "away",
            ["No hold in the last 28 days: the last was on Wed 09 Sep 2026", "no log for 74 days"],
        ),  # fmt: skip
    ],
)
def test_every_shape_of_data_gets_a_page_that_says_what_is_missing(shapes, athlete, says):
    out, batch = shapes
    assert athlete in batch.written, batch.failed.get(athlete)
    text = _text(page_path(out, athlete).read_text())
    for words in says:
        assert words in text


def test_athletes_named_squad_or_index_keep_their_pages_and_links(shapes):
    out, batch = shapes
    assert batch.failed == {}
    squad = (out / SQUAD_PAGE).read_text()
    assert squad.startswith("<!doctype html>") and "<h1>Squad summary</h1>" in squad
    for name in ("squad", "index", "Zoë", "runner"):
        href = page_path(out, name).relative_to(out).as_posix()
        assert f'<a href="{href}">{html.escape(name)}</a>' in squad, name
        assert f"{name}: hip routine report" in page_path(out, name).read_text()
    assert page_path(out, "index") != out / SQUAD_PAGE


def test_a_failing_athlete_is_named_and_the_rest_are_written(tmp_path, capsys):
    logs = tmp_path / "logs"
    shutil.copytree(SAMPLE, logs)
    out = tmp_path / "out"
    (out / "athletes" / "ben.html").mkdir(parents=True)  # ben's page cannot be written
    code = main(["report", "--log", str(logs), "--out", str(out), "--as-of", AS_OF, "--quiet",
                 "--athlete", "ana", "--athlete", "ben", "--athlete", "nobody", "--workers", "1"])  # fmt: skip
    assert code == 1, "a failed athlete makes the exit status 1"
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0].startswith("ben: FAILED: ")
    assert (
        captured.err.splitlines()[1]
        == "nobody: FAILED: no athlete 'nobody'; athletes: 'ana', 'ben', "
        "'chloe', 'dev', 'emma', 'femi', 'gus', 'hana'"
    )
    assert captured.out.splitlines()[-1] == (
        f"wrote 1 athlete page and the squad page {out / SQUAD_PAGE}; 2 failed"
    )
    assert (out / "athletes" / "ana.html").is_file()
    squad = _text((out / SQUAD_PAGE).read_text())
    assert "As of Sun 22 Nov 2026: 8 athletes" in squad
    assert "Pages that failed ben : " in squad and "nobody : no athlete 'nobody'" in squad


def _die_on_ben(task):
    """A worker's page function that kills its process for ben (a crash, not an exception)."""
    from hipnb.report.batch import _render_one

    if task.athlete == "ben":
        os._exit(3)
    return _render_one(task)


def test_a_worker_process_dying_loses_only_its_athlete(tmp_path):
    from hipnb.report import read_squad
    from hipnb.report.batch import _run, _Task

    holds, runs = read_squad(SAMPLE)
    day = __import__("pandas").Timestamp(AS_OF)
    (tmp_path / "athletes").mkdir()
    tasks = [
        _Task(a, holds[holds["athlete"] == a], runs[runs["athlete"] == a], day,
              page_path(tmp_path, a), "")
        for a in ("ana", "ben", "dev", "emma")
    ]  # fmt: skip
    ticks = []
    results = _run(tasks, _die_on_ben, workers=2, done=lambda: ticks.append(1))
    assert results["ben"] == "the process rendering this page died"
    assert {a: results[a] for a in ("ana", "dev", "emma")} == {
        "ana": None,
        "dev": None,
        "emma": None,
    }
    assert len(ticks) == 4, "the progress bar counts every athlete once"
    assert all(page_path(tmp_path, a).is_file() for a in ("ana", "dev", "emma"))


def test_the_closing_line_names_the_squad_page_and_the_count(tmp_path):
    """Run as a user would (real file descriptors): stdout ends with one line, stderr has the bar."""
    run = subprocess.run(
        [sys.executable, "-m", "hipnb", "report", "--log", str(SAMPLE), "--out",
         str(tmp_path / "r"), "--as-of", AS_OF],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"wrote 8 athlete pages and the squad page {tmp_path / 'r' / SQUAD_PAGE}\n"
    bar = [x for x in re.split(r"[\r\n]+", run.stderr) if x.strip()]
    assert bar and all(x.startswith("reports:") for x in bar) and "8/8" in bar[-1]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--out", "{file}/sub"], "hipnb: error: cannot make the folder {file}/sub/athletes: Not a directory"),
        (["--out", "{tmp}/o", "--log", "{tmp}/none"], "hipnb: error: {tmp}/none: no such log file or folder"),
    ],
)  # fmt: skip
def test_report_errors_found_after_parsing_get_one_error_line(tmp_path, capsys, args, error):
    """(--out a file, a bad --as-of or --workers: rows of the table in test_cli_errors.py.)"""
    file = tmp_path / "squad.html"
    file.write_text("not a folder")
    fill = {"file": str(file), "tmp": str(tmp_path)}
    argv = ["report", "--log", str(SAMPLE), *[a.format(**fill) for a in args]]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err == error.format(**fill) + "\n" and captured.out == ""
    assert file.read_text() == "not a folder"


@pytest.mark.slow
def test_a_page_reopens_as_its_notebook(tmp_path):
    """``--notebooks`` writes the report notebook with the athlete's parameters; run headless, it
    shows the page's sections."""
    from tests.execute import run_notebook

    out = tmp_path / "out"
    assert main(["report", "--log", str(SAMPLE), "--out", str(out), "--as-of", AS_OF,
                 "--athlete", "dev", "--notebooks", "--quiet"]) == 0  # fmt: skip
    notebook = out / "athletes" / "dev.ipynb"
    params = "".join(json.loads(notebook.read_text())["cells"][0]["source"])
    relative = os.path.relpath(SAMPLE.resolve(), notebook.parent.resolve())  # runs in its folder
    assert f"LOG = {relative!r}" in params and "ATHLETE = 'dev'" in params
    ran = run_notebook(notebook, timeout=300)
    shown = " ".join(
        o["data"]["text/html"] if isinstance(o["data"]["text/html"], str) else "".join(o["data"]["text/html"])
        for c in ran.cells if c.cell_type == "code" for o in c.outputs if "text/html" in o.get("data", {})
    )  # fmt: skip
    page = (out / "athletes" / "dev.html").read_text()
    assert re.findall(r"<h[12]>[^<]*</h[12]>", shown) == re.findall(r"<h[12]>[^<]*</h[12]>", page)
    assert _table_text(shown) == _table_text(page)
