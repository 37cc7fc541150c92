"""A fixed-seed fuzz: one row of a good multi-session log mutated at a time never costs another row."""

from __future__ import annotations

import random
import warnings

from hipnb import read_logs
from hipnb.log import ALL_COLUMNS, problems

from .test_log import row

SEED = 20261129
MUTANTS = 300


def _good_log() -> tuple[bytes, list[bytes]]:
    rows = []
    for i in range(24):
        values = row(
            i % 60,
            session_id=f"s{i // 6}",
            athlete="Zoë" if i % 2 else "李娜",
            side=("left", "right")[i % 2],
            note=f'"n{i:02d}, ""quoted"""' if i % 5 == 0 else f"n{i:02d}",
            pain_at_s=12.5 if i % 7 == 0 else None,
        )
        cells = ["" if values.get(c) is None else str(values.get(c)) for c in ALL_COLUMNS]
        rows.append(",".join(cells).encode() + b"\r\n")
    return ",".join(ALL_COLUMNS).encode() + b"\r\n", rows


def _mutate(line: bytes, rnd: random.Random) -> bytes:
    body, end = line[:-2], line[-2:]
    at = rnd.randrange(len(body) + 1)
    kind = rnd.choice(
        ["cr", "nul", "cp1252", "nbsp", "flip", "quote", "drop", "comma", "newline", "dup"]
    )
    if kind == "cr":
        return body[:at] + b"\r" + body[at:] + end
    if kind == "nul":
        return body[:at] + b"\x00" * rnd.randint(1, 40) + body[at:] + end
    if kind == "cp1252":
        return body[:at] + "é".encode("cp1252") + body[at:] + end
    if kind == "nbsp":
        return body[:at] + "\u00a0".encode() + body[at:] + end
    if kind == "flip":
        flipped = bytearray(body)
        for _ in range(rnd.randint(1, 3)):
            flipped[rnd.randrange(len(flipped))] ^= 1 << rnd.randrange(8)
        return bytes(flipped) + end
    if kind == "quote":
        return body[:at] + b'"' + body[at:] + end
    if kind == "drop":
        return body[:at] + body[at + rnd.randint(1, 8) :] + end
    if kind == "comma":
        return body[:at] + b"," + body[at:] + end
    if kind == "newline":
        return body[:at] + b"\n" + body[at:] + end
    return body[:at] + body[at - 5 : at] + body[at:] + end  # a few bytes written twice


def test_one_mutated_row_never_costs_another_row(tmp_path):
    rnd = random.Random(SEED)
    header, rows = _good_log()
    path = tmp_path / "squad.csv"
    for n in range(MUTANTS):
        k = rnd.randrange(len(rows))
        mutated = list(rows)
        if n % 25 == 24:  # the file ends inside this row: the rest was never written
            mutated = rows[:k] + [rows[k][: rnd.randrange(1, len(rows[k]) - 2)]]
        else:
            mutated[k] = _mutate(rows[k], rnd)
        data = header + b"".join(mutated)
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = read_logs([path])  # a list: a file it cannot read is a problem, not a raise
        notes = set(df["note"].dropna().str.extract(r"(n\d\d)")[0].dropna())
        untouched = {f"n{i:02d}" for i in range(len(mutated)) if i != k}
        lost = untouched - notes
        assert not lost, f"mutant {n} of row {k}: {mutated[k]!r} lost rows {sorted(lost)}"
        last_line = data.count(b"\n") + 1
        for p in problems(df):
            assert 1 <= p.line <= last_line, f"mutant {n}: {p} outside the file"
            assert not p.reason.startswith("file not read"), f"mutant {n}: {p}"
