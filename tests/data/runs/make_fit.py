"""Write the FIT fixtures of this folder (synthetic runs and a ride; no real person's data).

Needs fit-tool, which hipnb does not depend on: ``pip install fit-tool`` then
``python tests/data/runs/make_fit.py``. The files it writes are committed.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

HERE = Path(__file__).parent


def activity(
    start: datetime,
    seconds: float,
    metres: float,
    sport: Sport,
    utc_offset_h: float,
    records: int = 5,
):
    """FIT bytes of one activity: file id, a few records, a session and the activity summary."""
    ms = int(start.timestamp() * 1000)
    b = FitFileBuilder(auto_define=True, min_string_size=50)
    m = FileIdMessage()
    m.type = FileType.ACTIVITY
    m.manufacturer = Manufacturer.DEVELOPMENT.value
    m.product = 0
    m.time_created = ms
    m.serial_number = 0x12345678
    b.add(m)
    for i in range(records):
        r = RecordMessage()
        r.timestamp = ms + int(i * seconds * 1000 / (records - 1))
        r.distance = metres * i / (records - 1)
        r.position_lat = 40.4 + i * 0.001  # points exist in the file; hipnb never stores them
        r.position_long = -3.7
        b.add(r)
    s = SessionMessage()
    s.timestamp = ms + int(seconds * 1000)
    s.start_time = ms
    s.sport = sport
    s.total_elapsed_time = seconds
    s.total_timer_time = seconds
    s.total_distance = metres
    b.add(s)
    a = ActivityMessage()
    a.timestamp = ms + int(seconds * 1000)
    local = start + timedelta(seconds=seconds, hours=utc_offset_h)
    a.local_timestamp = int(local.timestamp()) - 631065600  # raw FIT seconds since 1989-12-31
    a.total_timer_time = seconds
    a.num_sessions = 1
    b.add(a)
    return b.build().to_bytes()


def main() -> None:
    run = activity(datetime(2026, 11, 3, 6, 45, 12, tzinfo=UTC), 3151, 10020.0, Sport.RUNNING, 1)
    (HERE / "fit" / "morning_run.fit").write_bytes(run)
    later = activity(datetime(2026, 11, 5, 17, 2, 0, tzinfo=UTC), 1800, 5200.0, Sport.RUNNING, 1)
    (HERE / "fit" / "easy_run.fit.gz").write_bytes(gzip.compress(later, mtime=0))
    ride = activity(datetime(2026, 11, 4, 8, 0, 0, tzinfo=UTC), 5400, 40000.0, Sport.CYCLING, 1)
    (HERE / "fit" / "ride.fit").write_bytes(ride)
    # a watch that died mid-write: the file stops half way through
    (HERE / "bad" / "truncated.fit").write_bytes(run[: len(run) // 2])
    # for make bench: an hour's run recorded every second
    hour = activity(
        datetime(2026, 11, 7, 7, 0, 0, tzinfo=UTC), 3600, 12000.0, Sport.RUNNING, 1, 3601
    )
    (HERE.parents[2] / "benchmarks" / "data" / "hour_run.fit").write_bytes(hour)


if __name__ == "__main__":
    main()
