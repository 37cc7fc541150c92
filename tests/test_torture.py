"""Torture, bounded in time: random kills of concurrent appenders, and fuzzed bytes for the reader."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipnb import LogError, SessionLog
from hipnb.log import problems

APPENDER = """
import random, sys
from hipnb import SessionLog
log = SessionLog(sys.argv[1])
rng = random.Random(sys.argv[2])
i = 0
while True:
    sid = f"{sys.argv[2]}-{i}"
    rows = [dict(session_id=sid, athlete="ana", started_at="2026-11-24T07:15:03-05:00",
                 routine="hip-basics", exercise="side_plank", side=side, target_s=30,
                 actual_s=rng.randint(1, 60), completed=True, note="n" * rng.randint(0, 5000))
            for side in ("left", "right")]
    log.append(rows)
    print(sid, flush=True)
    i += 1
"""


@pytest.mark.slow
def test_random_sigkills_of_concurrent_appenders_lose_no_acknowledged_session(tmp_path):
    path = tmp_path / "squad.csv"
    rng = random.Random(2026)
    acked: list[str] = []
    lock = threading.Lock()

    def reader(proc):
        for line in proc.stdout:
            with lock:
                acked.append(line.strip())

    def acked_count() -> int:
        with lock:
            return len(acked)

    # Measured by counts, not by a deadline: each generation is killed after it acknowledged a
    # random number of sessions, and generations go on until enough sessions were acknowledged.
    generation = 0
    while acked_count() < 60 or generation < 4:
        assert generation < 200, "the appenders stopped making progress"
        procs, readers = [], []
        before = acked_count()
        for w in range(4):
            proc = subprocess.Popen(
                [sys.executable, "-c", APPENDER, str(path), f"g{generation}w{w}"],
                stdout=subprocess.PIPE,
                text=True,
            )
            readers.append(threading.Thread(target=reader, args=(proc,), daemon=True))
            readers[-1].start()
            procs.append(proc)
        wanted = before + rng.randint(3, 12)
        while acked_count() < wanted and all(p.poll() is None for p in procs):
            time.sleep(0.01)  # polling a count; the kill moment is random in appends, not in time
        for proc in rng.sample(procs, len(procs)):
            os.kill(proc.pid, signal.SIGKILL)
            time.sleep(rng.uniform(0, 0.05))
        for proc in procs:
            proc.wait()
        for thread in readers:
            thread.join()
        generation += 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = SessionLog(path).read()
    counts = df.groupby("session_id").size()
    with lock:
        done = [a for a in acked if a]
    assert len(done) >= 60, "the appenders made progress"
    missing = [s for s in done if counts.get(s, 0) != 2]
    assert missing == [], f"acknowledged sessions not present exactly once: {missing[:5]}"
    assert all("fields, expected" in p.reason for p in problems(df)), problems(df)[:3]


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
