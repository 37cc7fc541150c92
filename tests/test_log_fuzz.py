"""A fixed-seed fuzz: one row of a good log mutated at a time never costs another row, in the hold
log and the run log alike (one engine), and ``hipnb validate`` answers every mutant of a hold log
(and every file of the corpus) without a traceback."""

from __future__ import annotations

import random

import pytest

from hipnb.cli import main
from hipnb.log import ALL_COLUMNS, problems
from tests.tables import HOLD_LOG, IDS
from tests.tables import LOGS as BOTH

from .test_log import LOGS, row

SEED = 20261129
MUTANTS = 300


def _good_log(log=HOLD_LOG) -> tuple[bytes, list[bytes]]:
    """A log of 24 rows, each with its mark ``n<dd>`` in its free text, quoted in some rows; the
    hold log's rows in sessions of 6, with Pain seconds in some."""
    rows = []
    for i in range(24):
        note = f'"n{i:02d}, ""quoted"""' if i % 5 == 0 else f"n{i:02d}"
        if log is HOLD_LOG:
            values = row(
                i % 60,
                session_id=f"s{i // 6}",
                athlete="Zoë" if i % 2 else "李娜",
                side=("left", "right")[i % 2],
                note=note,
                pain_at_s=12.5 if i % 7 == 0 else None,
            )
        else:
            values = log.row(i, athlete="Zoë" if i % 2 else "李娜", note=note, duration_s=1812.5)
        text = log.text_of([values])
        rows.append(text[text.index(b"\r\n") + 2 :])
    return ",".join(log.table.names).encode() + b"\r\n", rows


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


@pytest.mark.parametrize("log", BOTH, ids=IDS)
def test_one_mutated_row_never_costs_another_row(tmp_path, capsys, log):
    rnd = random.Random(SEED)
    header, rows = _good_log(log)
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
        df = log.read(path)  # a file it cannot read is a problem, not a raise
        untouched = {f"n{i:02d}" for i in range(len(mutated)) if i != k}
        lost = untouched - log.texts(df)
        assert not lost, f"mutant {n} of row {k}: {mutated[k]!r} lost rows {sorted(lost)}"
        last_line = data.count(b"\n") + 1
        for p in problems(df):
            assert 1 <= p.line <= last_line, f"mutant {n}: {p} outside the file"
            assert not p.reason.startswith("file not read"), f"mutant {n}: {p}"
        if log is HOLD_LOG:
            status = main(["validate", str(path)])  # the door's checks may find more: typos
            assert status == 1 if problems(df) else status in (0, 1), f"mutant {n}"
            capsys.readouterr()


@pytest.mark.parametrize("path", sorted(LOGS.glob("*.csv")), ids=lambda p: p.name)
def test_validate_answers_every_file_of_the_corpus(path, capsys):
    assert main(["validate", str(path)]) in (0, 1, 2)
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize(
    "over",
    [{"note": "x" * (256 << 10)}, {"started_at": "9999-12-31T23:59:00-05:00"}],
    ids=["a 256 KB note", "a start after 9999 in UTC"],
)
def test_validate_never_tracebacks_on_rows_the_reader_reads(tmp_path, capsys, over):
    path = tmp_path / "ana.csv"
    lines = [",".join(ALL_COLUMNS)]
    for values in [row(0), row(1, **over), row(2)]:
        lines.append(",".join("" if values.get(c) is None else str(values[c]) for c in ALL_COLUMNS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) in (0, 1)
    assert "rows read" in capsys.readouterr().out


@pytest.mark.parametrize("eol", [b"\r\n", b"\r"], ids=["CRLF", "CR only"])
@pytest.mark.parametrize("log", BOTH, ids=IDS)
def test_a_log_cut_at_any_byte_takes_the_next_append_and_never_reads_the_cut_row(
    tmp_path, eol, log
):
    """Every cut of a row holding multi-byte letters and a number in its last column (a crash at
    any byte, inside a character too): the next append lands, and the cut row is set aside, never
    read as good."""
    header, rows = _good_log(log)
    header, rows = header.replace(b"\r\n", eol), [r.replace(b"\r\n", eol) for r in rows]
    k = 7  # Zoë's row: a Pain second (12.5) in a 15-column hold log, 'n07' in a run log
    assert "Zoë".encode() in rows[k] and (b",12.5" if log is HOLD_LOG else b",n07") + eol in rows[k]
    new = log.row(59, session_id="s9", athlete="Zoë", note="n99")
    for cut in range(1, len(rows[k]) - len(eol) + 1):
        path = tmp_path / f"cut{cut}.csv"
        path.write_bytes(header + b"".join(rows[:k]) + rows[k][:cut])
        log.append(path, [new])
        df = log.read(path)
        assert log.texts(df) == {f"n{i:02d}" for i in range(k)} | {"n99"}, f"cut at byte {cut}"
        assert k + 2 in [p.line for p in problems(df)], f"cut at byte {cut}: {problems(df)}"
