"""Torture, bounded in time: random kills of concurrent appenders (of the hold log and of the run
log: one engine), and fuzzed bytes for the reader."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import warnings

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipnb import LogError, SessionLog
from hipnb.log import problems
from tests.tables import HOLD_LOG, IDS, LOGS

APPENDER = """
import random, sys
from hipnb.log.append import append_rows
from hipnb.runs import RunLog
path = sys.argv[1]
rng = random.Random(sys.argv[2])
holds = sys.argv[3] == "hold log"
i = 0
while True:
    sid = f"{sys.argv[2]}-{i}"
    longest = 600 if holds else 160  # a note, a run's name (at most 500 characters)
    note = rng.choice(["", "plain", 'said "ouch", then\\nwent on', "x, " * rng.randint(1, longest)])
    if holds:
        rows = [dict(session_id=sid, athlete="ana", started_at="2026-11-24T07:15:03-05:00",
                     routine="hip-basics", exercise="side_plank", side=side, target_s=30,
                     actual_s=rng.randint(1, 60), completed=True, note=note)
                for side in ("left", "right")]
        append_rows(path, rows)
    else:
        rows = [dict(run_id=f"{sid}{side}", athlete="ana",
                     started_at="2026-11-24T07:15:03-05:00", distance_m=rng.randint(1, 9000),
                     duration_s=1800, sport="Run", source=sid, name=note)
                for side in ("left", "right")]
        RunLog(path).append(rows)
    print(sid, flush=True)
    i += 1
"""
#: A record cut off by a crash, often inside its quoted note (a run's name), in each log.
TORN = {
    "hold log": (
        "s{n},ana,2026-11-24T07:15:03-05:00,hip-basics,side_plank,left,30,30,true,,,"
        '"a note, cut off by a crash mid-write, with ""quotes"" and\r\na line break"\r\n'
    ),
    "run log": (
        "s{n},ana,2026-11-24T07:15:03-05:00,5000,1800,Run,s{n},"
        '"a name, cut off by a crash mid-write, with ""quotes"" and\r\na line break"\r\n'
    ),
}
ROUNDS = 6
APPENDERS = 4


def _wait_for(condition, what: str, limit_s: float = 300) -> None:
    """Wait until ``condition()`` holds; the limit only turns a hang into a clear failure."""
    give_up = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < give_up, f"gave up waiting for {what}"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.parametrize("log", LOGS, ids=IDS)
def test_random_sigkills_and_cut_off_writes_lose_no_acknowledged_session(tmp_path, log):
    """Rounds of 4 concurrent appenders killed at random, each round ending with a record cut off
    by a crash (often inside its quoted note); every acknowledged session must read back once."""
    path = tmp_path / "squad.csv"
    rng = random.Random(2026)
    acked: list[str] = []
    lock = threading.Lock()

    def reader(proc):
        for line in proc.stdout:
            with lock:
                acked.append(line.strip())

    torn = 0
    for generation in range(ROUNDS):
        with lock:
            target = len(acked) + 6
        procs = []
        for w in range(APPENDERS):
            proc = subprocess.Popen(
                [sys.executable, "-c", APPENDER, str(path), f"g{generation}w{w}", log.name],
                stdout=subprocess.PIPE,
                text=True,
            )
            threading.Thread(target=reader, args=(proc,), daemon=True).start()
            procs.append(proc)
        _wait_for(lambda t=target: len(acked) >= t, f"round {generation} to make progress")
        for proc in rng.sample(procs, len(procs)):
            os.kill(proc.pid, signal.SIGKILL)
            time.sleep(rng.uniform(0, 0.05))
        for proc in procs:
            proc.wait()
        record = TORN[log.name].format(n=f"torn{generation}").encode()
        cut = rng.randint(20, len(record) - 3)  # never a whole record
        with FileLock(str(path.with_name(f".{path.name}.lock"))), open(path, "ab") as f:
            f.write(record[:cut])  # what a crash leaves: a record cut off, often in its note
        torn += 1
    # one last clean append after the last cut-off record must read back too
    last = [dict(json.loads(LAST), side=side) for side in ("left", "right")]
    if log is not HOLD_LOG:
        last = [log.row(i, run_id=f"last{i}", source="last") for i in range(2)]
    log.append(path, last)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = log.read(path)
    counts = df.groupby(log.group).size()
    with lock:
        done = [a for a in acked if a] + ["last"]
    missing = [s for s in done if counts.get(s, 0) != 2]
    found = problems(df)
    print(
        f"torture: {ROUNDS} rounds x {APPENDERS} processes, {len(done)} acknowledged sessions, "
        f"{int((counts == 2).sum())} sessions found, {torn} cut-off records injected, "
        f"{len(found)} problems reported"
    )
    assert missing == [], f"acknowledged sessions not present exactly once: {missing[:5]}"
    assert not any(str(s).startswith("storn") for s in df[log.key]), "a cut-off row was read"
    assert len(found) >= torn, f"each cut-off record is reported: {found}"
    expected = ("fields, expected", "cut off", "never closes")
    assert all(any(e in p.reason for e in expected) for p in found), found[:3]


LAST = json.dumps(
    dict(
        session_id="last",
        athlete="ana",
        started_at="2026-11-24T08:00:00-05:00",
        routine="hip-basics",
        exercise="side_plank",
        target_s=30,
        actual_s=30,
        completed=True,
    )
)


HEADER = (
    b"session_id,athlete,started_at,routine,exercise,side,target_s,actual_s,completed,rpe,"
    b"discomfort,note\r\n"
)
GOOD = b's1,ana,2026-11-24T07:15:03-05:00,hip-basics,side_plank,left,30.0,31.5,true,5,2,"a, b"\r\n'


def _lines(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") + 1


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.binary(max_size=400),
        st.integers(0, len(HEADER + GOOD * 3)).map(lambda n: (HEADER + GOOD * 3)[:n]),
        st.tuples(st.integers(0, 300), st.binary(min_size=1, max_size=20)).map(
            lambda t: (HEADER + GOOD * 3)[: t[0]] + t[1] + (HEADER + GOOD * 3)[t[0] :]
        ),
        st.text(max_size=120).map(lambda s: HEADER + s.encode("utf-16")),
        st.text(max_size=120).map(lambda s: HEADER + GOOD + s.encode("latin-1", "replace")),
    )
)
def test_fuzzed_bytes_give_rows_or_log_errors_only(tmp_path_factory, body):
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_bytes(body)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = SessionLog(path).read()
    except LogError as exc:
        assert str(path) in str(exc)
        return
    found = problems(df)
    assert len(df) + len(found) <= _lines(body), "never more rows than the file has lines"
    for p in found:
        assert p.file == str(path) and 1 <= p.line <= _lines(body)
