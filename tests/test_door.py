"""The log's face is the one door: add, patch and delete run the gate under the lock; nothing public
skips it; a hold's identity is unique and adding is idempotent; every limit of the gate holds at the
limit and fails one unit past it."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest

import hipnb
from hipnb import LogError, SessionLog
from hipnb.cli import main
from hipnb.log import NOTE_MAX, manual_row
from hipnb.log.gate import Catalog, door_problems
from hipnb.log.spec import MAX_HOLD_S
from hipnb.names import athlete_problem, known_athletes

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def hold(seconds: float = 30.0, **more) -> dict:
    """ana's left side plank at 07:15 New York time on 24 Nov 2026, one session of its own."""
    row = manual_row("ana", "side_plank", "left", seconds, target_s=30, started_at=STAMP)
    return row | more


STAMP = "2026-11-24T07:15:03-05:00"


def log_at(tmp_path, name: str = "ana.csv") -> SessionLog:
    return SessionLog(tmp_path / name, now=lambda: NOW)


# -- one door ---------------------------------------------------------------------------------------


def test_the_face_has_no_write_that_skips_the_gate():
    public = {n for n in dir(SessionLog) if not n.startswith("_")}
    assert {"add", "patch", "delete", "read", "holds"} <= public
    assert "append" not in public, "SessionLog.append would write what hipnb log refuses"
    assert "append" not in hipnb.__all__ and not hasattr(hipnb, "append_rows")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"exercise": "bound_angle", "target_s": 240, "actual_s": 4000.0}, "plausible maximum"),
        ({"started_at": "2062-09-13T07:00:00-04:00"}, "more than a day in the future"),
    ],
)
def test_a_script_that_adds_gets_the_refusals_of_hipnb_log(tmp_path, change, words):
    log = log_at(tmp_path)
    with pytest.raises(LogError, match=words):
        log.add([hold() | change])
    assert not log.path.exists()


def test_a_correction_row_is_not_a_new_hold(tmp_path):
    log = log_at(tmp_path)
    log.add([hold()])
    with pytest.raises(LogError, match="change a logged hold with patch or delete"):
        log.add([hold() | {"action": "delete", "hold_id": "x|y|z|w"}])


# -- identity and idempotence ----------------------------------------------------------------------


def test_two_cli_holds_alike_are_two_holds(tmp_path, capsys):
    path = tmp_path / "ana.csv"
    base = ["log", "--log", str(path), "--athlete", "ana", "--exercise", "side_plank",
            "--side", "left", "--when", STAMP]  # fmt: skip
    assert main([*base, "--seconds", "35"]) == 0
    assert main([*base, "--seconds", "40"]) == 0
    assert capsys.readouterr().out.count("logged 1 hold") == 2
    df = SessionLog(path).read(errors="raise")
    assert sorted(df["actual_s"]) == [35.0, 40.0] and df["session_id"].nunique() == 2


def test_a_hold_sent_again_is_acknowledged_not_written_twice(tmp_path):
    log = log_at(tmp_path)
    first = hold(note="felt good") | {"session_id": "phone-1"}
    assert len(log.add([first]).written) == 1
    size = log.path.stat().st_size
    again = log.add([dict(first)])  # a retry: same identity, same values
    assert again.written == () and len(again.already) == 1
    assert log.path.stat().st_size == size
    log.patch(hipnb.log.hold_keys(hipnb.log.to_frame([first])).iloc[0], rpe=6)
    assert log.add([dict(first)]).already, "a retry after a patch of its answers is the same hold"
    with pytest.raises(LogError, match="already logged with other values"):
        log.add([first | {"actual_s": 12.0}])
    assert len(log.read()) == 1 and log.read()["rpe"].iloc[0] == 6


def test_a_retry_is_acknowledged_by_another_process_too(tmp_path):
    """The door's view of the file is checked against the file: a log another process appended to
    is read again, so its holds are known."""
    first = hold() | {"session_id": "phone-2"}
    log_at(tmp_path).add([first])
    with open(tmp_path / "ana.csv", "a", encoding="utf-8") as f:  # another writer, another hold
        f.write("s9,ana,2026-11-25T07:00:00-05:00,manual,side_plank,right,30,30,true,,,,,,\r\n")
    other = hold() | {
        "session_id": "s9",
        "side": "right",
        "started_at": "2026-11-25T07:00:00-05:00",
    }
    done = log_at(tmp_path).add([first, other])
    assert done.written == () and len(done.already) == 2


def test_a_deleted_hold_sent_again_stays_deleted(tmp_path):
    log = log_at(tmp_path)
    first = hold() | {"session_id": "phone-3"}
    log.add([first])
    ref = log.holds()["ref"].iloc[0]
    assert log.delete(ref) is not None
    assert log.add([dict(first)]).already and log.read().empty


# -- patch and delete ------------------------------------------------------------------------------


def test_patch_and_delete_take_a_ref_or_an_identity_and_say_what_changed(tmp_path):
    log = log_at(tmp_path)
    log.add([hold()])
    ref = log.holds()["ref"].iloc[0]
    done = log.patch(ref, actual_s=40, started_at="06:50")
    assert done is not None and [c[0] for c in done.changes] == ["started_at", "actual_s"]
    assert log.read().iloc[0]["local_time"].strftime("%H:%M") == "06:50"
    assert log.patch(ref, actual_s=40).changes == ()  # already so: nothing written
    with pytest.raises(LogError, match="plausible maximum"):
        log.patch(ref, actual_s=400)
    gone = log.delete(ref)
    assert gone is not None and log.read().empty
    assert log.patch(ref, actual_s=20, missing_ok=True) is None
    with pytest.raises(LogError, match="no current hold"):
        log.delete(ref)


# -- the athletes ----------------------------------------------------------------------------------


def test_known_athletes_reads_every_row_of_a_squad_file(tmp_path):
    header = "session_id,athlete,started_at,routine,exercise,side,target_s,actual_s,completed\r\n"
    filler = "".join(
        f"s{i},ana,2026-11-24T07:15:03-05:00,manual,side_plank,left,30,30,true\r\n"
        for i in range(2000)
    )
    deep = "s9,Zoë,2026-11-24T07:15:03-05:00,manual,side_plank,left,30,30,true\r\n"
    (tmp_path / "squad.csv").write_text(header + filler + deep, encoding="utf-8")
    assert len(filler) > 1 << 16
    assert known_athletes(tmp_path) == {"ana", "Zoë"}
    from hipnb.runs.athletes import check_athlete

    check_athlete(tmp_path, "Zoë", new_athlete=False)  # deep in a shared file, still known
    with pytest.raises(hipnb.HipnbError, match="did you mean 'Zoë'"):
        check_athlete(tmp_path, "Zoe", new_athlete=True)


def test_a_new_name_beside_known_ones_is_started_only_on_purpose(tmp_path):
    log_at(tmp_path).add([hold()])
    typo = log_at(tmp_path, "anaa.csv")
    with pytest.raises(LogError, match="no athlete 'anaa'.*did you mean 'ana'.*new_athlete=True"):
        typo.add([hold() | {"athlete": "anaa"}])
    assert typo.athlete_problem("anaa") and not typo.path.exists()
    assert typo.add([hold() | {"athlete": "anaa"}], new_athlete=True).written
    assert athlete_problem("Ana", {"ana"}, new_athlete=True), "case alone never starts an athlete"


def test_the_phone_button_passes_the_name_gate(tmp_path):
    from hipnb.widgets import PhoneButton

    log_at(tmp_path).add([hold()])
    button = PhoneButton("anaa", tmp_path)
    button.start()
    assert button.server is None and "did you mean 'ana'" in html.unescape(button.info.value)


# -- the timer: the gate before the queue ----------------------------------------------------------


def test_a_refused_hold_never_blocks_the_others(tmp_path):
    from hipnb.widgets import TimerPanel

    panel = TimerPanel("hip-basics", athlete="ana", log=tmp_path / "ana.csv")
    bad = hold(4000.0) | {"exercise": "bound_angle", "target_s": 240, "session_id": "t1"}
    good = hold() | {"session_id": "t1", "side": "right"}
    panel._log(bad)
    panel._log(good)
    panel._sync(announce="")
    assert panel.unsaved == [] and [r for r, _ in panel.refused] == [bad]
    assert "plausible maximum" in panel.status.value and "Retry" in panel.retry_button.description
    assert panel.save_problem.layout.display == "flex"
    assert SessionLog(tmp_path / "ana.csv").read()["side"].tolist() == ["right"]


def test_the_note_box_holds_the_note_columns_maximum(tmp_path):
    from hipnb.widgets import TimerPanel

    panel = TimerPanel("hip-basics", athlete="ana", log=tmp_path / "ana.csv")
    panel.note.value = "n" * (NOTE_MAX + 1)
    assert len(panel.note.value) == NOTE_MAX


# -- every limit of the gate at the limit and one unit each side ------------------------------------


@pytest.mark.parametrize(
    ("exercise", "field", "limit"),
    [("bound_angle", "actual_s", 1200.0), ("side_plank", "target_s", 300.0)],
)
@pytest.mark.parametrize("step", [-1, 0, 1])
def test_the_plausible_maximum_holds_at_its_limit(tmp_path, exercise, field, limit, step):
    value = limit + step
    row = hold() | {"exercise": exercise, "target_s": 240, "actual_s": 200} | {field: value}
    if step <= 0:
        assert log_at(tmp_path).add([row]).written
    else:
        with pytest.raises(LogError, match=f"plausible maximum of {limit:g} s"):
            log_at(tmp_path).add([row])
        assert log_at(tmp_path).add([row], override=True).written


@pytest.mark.parametrize("step", [-1, 0, 1])
def test_the_absolute_maximum_holds_at_its_limit_for_a_custom_exercise(tmp_path, step):
    row = hold(MAX_HOLD_S + step) | {"exercise": "clam", "target_s": 30}
    if step <= 0:
        assert log_at(tmp_path).add([row], custom=True).written
    else:
        with pytest.raises(LogError, match="absurd for one hold"):
            log_at(tmp_path).add([row], custom=True, override=True)


@pytest.mark.parametrize("step", [-1, 0, 1])
def test_a_start_a_day_ahead_holds_at_its_limit(tmp_path, step):
    when = NOW + timedelta(days=1, seconds=step)
    row = hold() | {"started_at": when.isoformat()}
    if step <= 0:
        assert log_at(tmp_path).add([row]).written
    else:
        with pytest.raises(LogError, match="more than a day in the future"):
            log_at(tmp_path).add([row])


@pytest.mark.parametrize("step", [-1, 0, 1])
def test_the_1990_floor_holds_at_its_limit(tmp_path, step):
    when = datetime(1990, 1, 1, tzinfo=UTC) + timedelta(seconds=step)
    row = hold() | {"started_at": when.isoformat()}
    if step >= 0:
        assert log_at(tmp_path).add([row]).written
    else:
        with pytest.raises(LogError, match="starts before 1990-01-01"):
            log_at(tmp_path).add([row])


@pytest.mark.parametrize("length", [NOTE_MAX - 1, NOTE_MAX, NOTE_MAX + 1])
def test_the_note_limit_holds_at_its_limit(tmp_path, length):
    row = hold(note="n" * length)
    if length <= NOTE_MAX:
        assert log_at(tmp_path).add([row]).written
    else:
        with pytest.raises(LogError, match=f"notes hold at most {NOTE_MAX:,}"):
            log_at(tmp_path).add([row])


@pytest.mark.parametrize(("value", "ok"), [(-1, False), (0, True), (10, True), (11, False)])
@pytest.mark.parametrize("field", ["rpe", "discomfort"])
def test_scores_hold_at_their_limits(tmp_path, field, value, ok):
    row = hold() | {field: value}
    if ok:
        assert log_at(tmp_path).add([row]).written
    else:
        with pytest.raises(LogError, match="whole number from 0 to 10"):
            log_at(tmp_path).add([row])


@pytest.mark.parametrize("step", [-1, 0, 1])
def test_validate_reports_a_late_start_and_a_long_hold_past_their_limits(tmp_path, step):
    """``hipnb validate`` applies the same limits to holds already in a log."""
    when = NOW + timedelta(days=1, seconds=step)
    late = hold() | {"started_at": when.isoformat(), "session_id": "late"}
    long = hold(1200.0 + step) | {"exercise": "bound_angle", "target_s": 240, "session_id": "l"}
    log = log_at(tmp_path)
    hipnb.log.append.append_rows(log.path, [late, long])
    found, checks = door_problems(log.path, log.read(), catalog=Catalog.load(), now=NOW)
    assert bool(found) == (step > 0) and bool(checks) == (step > 0)


@pytest.mark.parametrize(
    ("stamp", "ok"),
    [
        ("2026-11-24T07:15:03+18:00", True),
        ("2026-11-24T07:15:03+18:01", False),
        ("2026-11-24T07:15:03-17:59", True),
        ("2026-11-24T07:15:03-18:01", False),
        ("2026-11-24T07:15:03+05:59", True),
        ("2026-11-24T07:15:03+05:60", False),
        ("2026-11-24T23:59:59-05:00", True),
        ("2026-11-24T24:00:00-05:00", False),
        ("2026-11-24T23:60:00-05:00", False),
        ("2026-11-24T23:59:60-05:00", False),
    ],
)
def test_offsets_and_times_of_day_hold_at_their_limits(tmp_path, stamp, ok):
    row = hold() | {"started_at": stamp}
    if ok:
        assert log_at(tmp_path).add([row]).written
    else:
        with pytest.raises(LogError, match="^start "):
            log_at(tmp_path).add([row])


@pytest.mark.parametrize("step", [-1, 0, 1])
def test_the_date_rule_holds_at_both_limits(step):
    """:func:`start_problem`, the date rule of every door (holds and runs), a second each side."""
    from hipnb.log.stamps import EARLIEST_START, FUTURE_SLACK, start_problem

    floor = EARLIEST_START + timedelta(seconds=step)
    assert (start_problem(floor) is None) == (step >= 0)
    ahead = NOW + FUTURE_SLACK + timedelta(seconds=step)
    assert (start_problem(ahead, now=NOW) is None) == (step <= 0)


def test_one_hold_refused_is_not_called_row_1(tmp_path):
    with pytest.raises(LogError) as one:
        log_at(tmp_path).add([hold(-5.0)])
    assert str(one.value).startswith("time held -5 s is negative")
    with pytest.raises(LogError, match=r"^row 2: time held -5 s is negative"):
        log_at(tmp_path).add([hold(), hold(-5.0) | {"session_id": "two"}])


def test_a_custom_exercise_is_refused_for_the_rule_it_breaks(tmp_path):
    late = hold() | {"exercise": "clam", "started_at": "2062-09-13T07:00:00-04:00"}
    with pytest.raises(LogError, match="more than a day in the future"):
        log_at(tmp_path).add([late], custom=True)
    long = hold(700.0) | {"exercise": "clam", "target_s": 30}  # no routine: the 2 h ceiling only
    assert log_at(tmp_path).add([long], custom=True).written


@pytest.mark.parametrize(("seconds", "ok"), [(179, False), (180, True), (300, True), (301, False)])
def test_the_phone_takes_the_bound_angle_band_from_the_routine(tmp_path, seconds, ok):
    from hipnb.phone import PhoneSettings

    if ok:
        assert (
            PhoneSettings.checked("ana", tmp_path, bound_angle_s=seconds).bound_angle_s == seconds
        )
    else:
        with pytest.raises(hipnb.RoutineError, match="held 180 s to 300 s"):
            PhoneSettings.checked("ana", tmp_path, bound_angle_s=seconds)


def test_a_routine_time_the_door_would_refuse_is_refused_when_set():
    routine = hipnb.load_routine("hip-basics")
    assert routine.with_seconds("side_plank", 300).holds
    with pytest.raises(hipnb.RoutineError, match="plausible maximum of 300 s"):
        routine.with_seconds("side_plank", 301)
