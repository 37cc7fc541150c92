"""A cut line never blocks the next append and never reads as good, whatever fails around it, in
the hold log and the run log alike (one engine).

The faults are real: a full tmpfs, a folder or a link where the sidecar goes, bytes cut inside a
character, old Mac line ends.
"""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from hipnb import LogError
from hipnb.cli import main
from hipnb.log import problems
from hipnb.log.append import lock_of
from hipnb.log.torn import sidecar
from tests.tables import IDS, LOGS

both = pytest.mark.parametrize("log", LOGS, ids=IDS)


def _cut_log(log, folder, cut: bytes = b".75"):
    """ana.csv whose last row lost its last bytes in a crash: the hold log's pain_at_s 12.75
    reads as 12, the run log's name 'tempo 12.75' as 'tempo 12'."""
    path = folder / "ana.csv"
    data = log.text_of([log.row(0), log.row(1, **dict(log.last))])
    assert data.endswith(cut + b"\r\n")
    path.write_bytes(data[: -len(cut) - 2])
    return path


@both
def test_a_character_cut_by_a_crash_is_a_cut_line_and_the_next_append_lands(tmp_path, log):
    path = tmp_path / "ana.csv"
    data = log.text_of([log.row(0), log.row(1, note="maría")])
    path.write_bytes(data[: data.index("í".encode()) + 1])  # the file ends "ma\xc3"
    log.append(path, [log.row(2)])  # the timer saves: no talk of another encoding
    df = log.read(path)
    assert df[log.key].tolist() == ["s0", "s2"]
    [p] = problems(df)
    assert p.line == 3 and "next row was appended" in p.reason and "repair" not in p.reason


@both
def test_a_foreign_encoding_on_the_last_line_is_still_refused(tmp_path, log):
    path = tmp_path / "ana.csv"
    path.write_bytes(log.text_of([log.row(0), log.row(1, note="café")]).decode().encode("cp1252"))
    with pytest.raises(LogError, match="not UTF-8 text .its last line has byte 0xe9.*hipnb repair"):
        log.append(path, [log.row(2)])


@pytest.fixture
def full_disk(tmp_path):
    """A 1 MB tmpfs, mounted for real (root only), and a function that fills what is left."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")

    def fill() -> None:
        with open(mount / "filler", "wb", buffering=0) as f:
            for size in (1 << 16, 4096, 1):
                try:
                    while True:
                        f.write(b"x" * size)
                except OSError:
                    pass

    try:
        yield mount, fill
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


@both
def test_full_disk_the_cut_line_mark_cannot_be_recorded_so_nothing_is_written(full_disk, log):
    mount, fill = full_disk
    path = _cut_log(log, mount)
    log.append(mount / "bea.csv", [log.row(5, athlete="bea")])  # the lock files exist
    lock_of(path).acquire()
    lock_of(path).release()
    before = path.read_bytes()
    assert os.stat(path).st_size % 4096, "the new row fits in the log's last page"
    fill()
    with pytest.raises(LogError, match=r"last line has no line end.*no space left") as info:
        log.append(path, [log.row(2)])
    assert str(sidecar(path)) in str(info.value)
    assert path.read_bytes() == before, "nothing was written"
    df = log.read(path)
    assert df[log.key].tolist() == ["s0"], "the cut row never reads as its first bytes"
    assert [p.line for p in problems(df)] == [3]


@both
@pytest.mark.parametrize("what", ["folder", "link to a missing file", "link to another log"])
def test_a_sidecar_that_is_not_a_plain_file_refuses_the_append_and_the_cut_row(tmp_path, what, log):
    path = _cut_log(log, tmp_path)
    other = tmp_path / "bea.csv"
    log.append(other, [log.row(7, athlete="bea")])
    theirs = other.read_bytes()
    if what == "folder":
        sidecar(path).mkdir()
    else:
        sidecar(path).symlink_to(other if what == "link to another log" else tmp_path / "gone")
    before = path.read_bytes()
    with pytest.raises(LogError, match="not a plain file"):
        log.append(path, [log.row(2)])
    assert path.read_bytes() == before
    assert other.read_bytes() == theirs, "never written through a link"
    assert main(["validate", "--accept", f"{path}:3"]) != 0
    assert other.read_bytes() == theirs
    assert not (tmp_path / "gone").exists()
    df = log.read(path)
    assert df[log.key].tolist() == ["s0"]
    assert [p.line for p in problems(df)] == [1, 3]
    assert "not a plain file" in problems(df)[0].reason


@both
def test_an_append_after_a_refused_one_lands_once_the_sidecar_is_moved_away(tmp_path, log):
    path = _cut_log(log, tmp_path)
    sidecar(path).mkdir()
    with pytest.raises(LogError):
        log.append(path, [log.row(2)])
    sidecar(path).rmdir()
    log.append(path, [log.row(2)])
    df = log.read(path)
    assert df[log.key].tolist() == ["s0", "s2"] and [p.line for p in problems(df)] == [3]


@both
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "byte order mark"])
def test_a_mark_made_by_the_append_names_its_line_through_a_byte_order_mark(tmp_path, bom, log):
    path = _cut_log(log, tmp_path)
    path.write_bytes(bom + path.read_bytes())
    log.append(path, [log.row(2)])
    df = log.read(path)
    assert df[log.key].tolist() == ["s0", "s2"] and [p.line for p in problems(df)] == [3]
    assert main(["validate", "--accept", f"{path}:3"]) == 0
    assert len(log.read(path)) == 3


@both
def test_a_file_with_cr_only_line_ends_takes_appends_and_keeps_its_line_ends(tmp_path, log):
    path = tmp_path / "ana.csv"
    old_mac = log.text_of([log.row(0), log.row(1)]).replace(b"\r\n", b"\r")  # old Mac Excel
    path.write_bytes(old_mac)
    log.append(path, [log.row(2, note=f"n{uuid.uuid4().hex[:6]}")])
    data = path.read_bytes()
    assert b"\n" not in data, "one file, one line end"
    df = log.read(path, errors="raise")
    assert df[log.key].tolist() == ["s0", "s1", "s2"]


@both
def test_a_cut_line_in_a_cr_only_file_is_marked_and_accepted(tmp_path, log):
    path = _cut_log(log, tmp_path)
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r"))
    log.append(path, [log.row(2)])
    df = log.read(path)
    assert df[log.key].tolist() == ["s0", "s2"] and [p.line for p in problems(df)] == [3]
    assert main(["validate", "--accept", f"{path}:3"]) == 0
    assert len(log.read(path)) == 3


@both
def test_the_append_reads_the_header_and_the_last_line_only(tmp_path, log):
    """The body is never read under the lock: a row in another encoding in the middle of a log
    (reported by every read) does not stop the next append, which stays O(1)."""
    path = tmp_path / "ana.csv"
    data = log.text_of([log.row(0), log.row(1, note="café"), log.row(2)])
    path.write_bytes(data.replace("café".encode(), "café".encode("cp1252")))
    log.append(path, [log.row(3)])
    df = log.read(path)
    assert df[log.key].tolist() == ["s0", "s2", "s3"]
    assert [(p.line, "not UTF-8" in p.reason) for p in problems(df)] == [(3, True)]


@both
def test_a_line_accepted_before_the_next_append_stays_accepted(tmp_path, log):
    path = _cut_log(log, tmp_path)  # saved without a final line end, say; checked by the coach
    assert main(["validate", "--accept", f"{path}:3"]) == 0
    log.append(path, [log.row(2)])  # the append marks the line it ends, as always
    df = log.read(path)
    assert df[log.key].tolist() == ["s0", "s1", "s2"] and problems(df) == []
