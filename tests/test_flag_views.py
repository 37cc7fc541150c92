"""Every view renders the same flags: a table of view x flag kind, each checked for the athlete who
has that flag, against the records of the one engine (``hipnb.analysis.flags``)."""

from __future__ import annotations

import datetime as dt
import html
import shutil
import warnings

import pytest

import hipnb
from hipnb import analysis, charts
from hipnb.analysis import Kind, ReviewDay, Thresholds
from hipnb.cli import main
from hipnb.review import mark_reviewed
from hipnb.runs import read_runs
from tests.rows import write_rows

from .conftest import SAMPLE

END = dt.date(2026, 11, 22)  # the bundled sample's last day
AS_OF = ["--as-of", f"{END}"]


def _row(athlete: str, day: dt.date, seconds: float) -> dict:
    return {
        "session_id": f"{athlete}-{day}",
        "athlete": athlete,
        "started_at": f"{day}T07:00:00+00:00",
        "routine": "hip-basics",
        "exercise": "bound_angle",
        "side": "both",
        "target_s": 180.0,
        "actual_s": seconds,
        "completed": seconds >= 180,
    }


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """The sample, plus ivo (no log for the last 10 days) and fay (bound-angle holds falling), so
    every kind of flag is raised for someone on the sample's last day."""
    logs = tmp_path_factory.mktemp("flags") / "logs"
    shutil.copytree(SAMPLE, logs)
    ivo = [_row("ivo", END - dt.timedelta(days=d), 200) for d in range(10, 40)]
    fay = [_row("fay", END - dt.timedelta(days=d), 150 + 8 * d) for d in range(28)]
    write_rows(hipnb.SessionLog(logs / "ivo.csv"), ivo)
    write_rows(hipnb.SessionLog(logs / "fay.csv"), fay)
    mark_reviewed(logs, "2026-08-01")  # before any log: every flag on END is new since then
    return logs


@pytest.fixture(scope="module")
def data(logs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hipnb.read_logs(logs), read_runs(logs)


@pytest.fixture(scope="module")
def expected(data):
    """The athlete who has each kind of flag, and that flag's record."""
    holds, runs = data
    found: dict[Kind, analysis.Flag] = {}
    for f in analysis.flags(holds, runs, as_of=END):
        found.setdefault(f.kind, f)
    assert set(found) == set(Kind), f"the data raise only {sorted(found)}"
    assert found[Kind.RUNNING_LOAD].athlete == "hana" and found[Kind.ASYMMETRY].athlete == "dev"
    assert found[Kind.DISCOMFORT_HIGH].athlete == "emma"
    return found


def _text(markup: str) -> str:
    """What a person reads in HTML: entities decoded, tags dropped, non-breaking spaces as spaces."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", markup)).replace("\u00a0", " ")


def _cli(capsys, *args: str) -> str:
    assert main(["summary", *args]) == 0
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def views(logs, data):
    """Each view's output, rendered once: the text a person reads."""
    from hipnb.widgets import ReviewBox, RosterView

    holds, runs = data
    roster = RosterView(ReviewDay(holds, runs, as_of=END))
    drill = {}
    for athlete in roster.roster["athlete"]:
        roster.athlete.value = athlete
        drill[athlete] = _text(roster.details.value)
    table = analysis.roster(holds, END, runs=runs)
    fig = charts.roster_grid(holds, table)
    frames = {ax.get_title().split(" - ")[0]: ax.spines["left"].get_edgecolor() for ax in fig.axes}
    box = ReviewBox(ReviewDay(holds, runs, as_of=END), logs)
    return {
        "roster table": _text(roster.table.value),
        "drill-down": drill,
        "grid frames": frames,
        "levels": dict(zip(table["athlete"], table["level"], strict=True)),
        "flags table": _text(charts.flags_table(analysis.flags(holds, runs, as_of=END)).to_html()),
        "review box": _text(box.table.value),
    }


VIEWS = [
    "cli summary",
    "cli summary --athlete",
    "cli since-review",
    "roster table",
    "drill-down",
    "grid frames",
    "flags table",
    "review box",
]


@pytest.mark.parametrize("kind", list(Kind), ids=[k.value for k in Kind])
@pytest.mark.parametrize("view", VIEWS)
def test_every_view_shows_the_flag_for_the_athlete_who_has_it(
    view, kind, expected, views, logs, capsys
):
    from matplotlib.colors import to_hex

    f = expected[kind]
    if view == "cli summary":
        out = _cli(capsys, str(logs), *AS_OF).splitlines()
        line = next(x for x in out if x.startswith(f.athlete))
        assert f.short in line and views["levels"][f.athlete].upper() in line.split()
    elif view == "cli summary --athlete":
        said = _cli(capsys, str(logs), "--athlete", f.athlete, *AS_OF)
        assert f.words[1:] in said  # the first word may open the sentence, capitalised
    elif view == "cli since-review":
        out = _cli(capsys, str(logs), "--since-review", *AS_OF).splitlines()
        change = "RED FLAG" if f.level == "red" else "new flag"
        assert any(x.split()[0] == f.athlete and change in x and f.words in x for x in out)
    elif view == "roster table":
        assert f.short in views["roster table"]
    elif view == "drill-down":
        assert f.words in views["drill-down"][f.athlete]
    elif view == "grid frames":
        level = views["levels"][f.athlete]  # the athlete's highest level
        assert level == "red" or f.level == "amber"
        assert to_hex(views["grid frames"][f.athlete]) == charts.LEVEL_COLORS[level]
    elif view == "flags table":
        assert f.words in views["flags table"]
    elif view == "review box":
        change = "red flag" if f.level == "red" else "new flag"
        assert change in views["review box"] and f.words in views["review box"]


def test_thresholds_change_the_words_in_every_view(data, logs, capsys):
    from hipnb.widgets import RosterView

    holds, runs = data
    strict = Thresholds(max_asymmetry=0.25, min_adherence=0.5)
    dev = next(
        f for f in analysis.flags(holds, runs, as_of=END, thresholds=strict) if f.athlete == "dev"
    )
    assert dev.short == "plank right 31% weaker (> 25%)" and "flag above 25%" in dev.words
    view = RosterView(ReviewDay(holds, runs, as_of=END, thresholds=strict))
    assert "plank right 31% weaker (> 25%)" in _text(view.table.value)
    assert "target met 21% of 28 d (< 50%)" in _text(view.table.value)
    view.athlete.value = "dev"
    assert "flag above 25%" in _text(view.details.value)
    text = analysis.summary_text(holds, "ben", as_of=END, thresholds=strict)
    assert "(21%; flag under 50%)" in text
    # a threshold no athlete crosses: the flag is gone from the words and the level
    lax = Thresholds(max_asymmetry=0.5)
    assert "weaker" not in _text(
        RosterView(ReviewDay(holds, as_of=END, thresholds=lax)).table.value
    )


def test_an_empty_log_raises_no_flag_and_a_late_starter_is_not_yet_logged():
    from hipnb.log import empty_log

    assert analysis.flags(empty_log(), as_of=END) == []
    assert analysis.roster(empty_log(), END).empty
    holds = hipnb.read_logs(SAMPLE)
    early = analysis.flags(holds, as_of="2026-08-30")  # the day before the sample starts
    assert {(f.kind, f.short) for f in early} == {(Kind.INACTIVE, "no log yet")}
    assert early[0].words == "no log on or before Sun 30 Aug 2026"
