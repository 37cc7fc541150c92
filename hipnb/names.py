"""Athletes' names: the one gate from a name to its file, and suggestions for names people type.

:func:`athlete_path` is the one way a name becomes a file; :func:`known_athletes` the one list of a
folder's athletes; :func:`athlete_problem` the one gate a name passes at every door (a known athlete,
or a new one on purpose, never a known one written another way); :func:`unknown_athlete` the one
message for a name no log holds; :func:`did_you_mean` the hint.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from hipnb.errors import LogError

#: Longest athlete name, in characters.
NAME_MAX = 64
#: Windows refuses these as file names, with or without an extension.
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$")
#: Plain names keep their file name as they are: lower-case ASCII, as the first logs were written.
_PLAIN = re.compile(r"^[a-z0-9](?:[a-z0-9_.\-]{0,62}[a-z0-9_\-])?$")
_NAME_PUNCT = set(" '\u2019-\u2010._")


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", str(name)).casefold().strip()


def did_you_mean(name: str, choices: Iterable[str], n: int = 3) -> str:
    """A short hint naming the closest of ``choices`` to ``name``, or ``""`` when none is close.

    Matching ignores case and Unicode normal form, so ``"ZOË"`` finds ``"Zoë"``.

    Example::

        >>> did_you_mean("anna", ["ana", "ben", "Zoë"])
        "did you mean 'ana'?"
        >>> did_you_mean("zoe", ["ana", "Zoë"])
        "did you mean 'Zoë'?"
        >>> did_you_mean("xavier", ["ana", "ben"])
        ''
    """
    by_key: dict[str, str] = {}
    for choice in choices:
        by_key.setdefault(_key(choice), choice)
    key = _key(name)
    if key in by_key:
        return f"did you mean {by_key[key]!r}?"
    plain = {unicodedata.normalize("NFKD", k).encode("ascii", "ignore").decode(): k for k in by_key}
    close = difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.6)
    for k in difflib.get_close_matches(key, list(plain), n=n, cutoff=0.6):
        if plain[k] not in close:
            close.append(plain[k])
    if not close:
        return ""
    names = [repr(by_key[k]) for k in close[:n]]
    return (
        "did you mean "
        + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1])
        + "?"
    )


def same_athlete_problem(name: str, known: Iterable[str]) -> str | None:
    """Why ``name`` must not start a new athlete beside ``known`` ones, or None when it may.

    The one gate every door (``hipnb log``, the widgets, ``runs import``) passes a name through:
    a name that matches a known athlete only by case, Unicode form or accents (``Ana`` beside
    ``ana``, ``Zoe`` beside ``Zoë``) would start a second athlete by accident, so it is refused
    with the name it probably meant. An exact match, or a name unlike every known one, passes.

        >>> same_athlete_problem("Ana", ["ana", "ben"])
        "no athlete 'Ana' yet, but 'ana' differs only in case or accents: did you mean 'ana'?"
        >>> same_athlete_problem("ana", ["ana"]) is None
        True
        >>> same_athlete_problem("zoe", ["Zoë"])
        "no athlete 'zoe' yet, but 'Zoë' differs only in case or accents: did you mean 'Zoë'?"
    """
    clean = unicodedata.normalize("NFC", str(name)).strip()
    names = {unicodedata.normalize("NFC", str(k)).strip() for k in known}
    if clean in names:
        return None
    folded = _fold(clean)
    for other in sorted(names):
        if _fold(other) == folded:
            return (
                f"no athlete {clean!r} yet, but {other!r} differs only in case or accents: "
                f"did you mean {other!r}?"
            )
    return None


#: How a refusal says to start a new athlete on purpose, in Python's words (each front end shows it
#: in its own: :func:`hipnb.log.gate.in_door_words`).
NEW_ATHLETE_HINT = "(to start a new athlete's log on purpose, say so: new_athlete=True)"


def unknown_athlete(name: str, known: Iterable[str], where: str | Path | None = None) -> str:
    """The one message for a name no log holds: ``no athlete 'X' [in WHERE]; did you mean 'Y'?``.

    >>> unknown_athlete("anna", ["ana", "ben"], "data/logs")
    "no athlete 'anna' in data/logs; did you mean 'ana'?"
    >>> unknown_athlete("xavier", ["ana", "ben"])
    "no athlete 'xavier'; athletes: 'ana', 'ben'"
    """
    names = sorted(set(known))
    hint = did_you_mean(name, names)
    if not hint and names:
        hint = "athletes: " + ", ".join(map(repr, names[:8])) + (", ..." if len(names) > 8 else "")
    return (
        f"no athlete {name!r}" + (f" in {where}" if where else "") + (f"; {hint}" if hint else "")
    )


def athlete_problem(
    name: str, known: Iterable[str], *, new_athlete: bool = False, where: str | Path | None = None
) -> str | None:
    """Why ``name`` may not log beside the ``known`` athletes, or None: the gate every door passes.

    A known athlete passes. A name that differs from a known one only by case, accents or Unicode
    form is refused always (:func:`same_athlete_problem`). Any other new name starts a new athlete
    only on purpose (``new_athlete``), or when there is nobody yet to mistype (the first athlete of
    a folder), so a typo never starts a second athlete.

        >>> athlete_problem("ana", ["ana"]) is None
        True
        >>> athlete_problem("anaa", ["ana"])[:38]
        "no athlete 'anaa'; did you mean 'ana'?"
        >>> athlete_problem("anaa", ["ana"], new_athlete=True) is None
        True
    """
    clean = kept_name(name)
    names = {kept_name(k) for k in known}
    if clean in names:
        return None
    why = same_athlete_problem(clean, names)
    if why:
        return why
    if new_athlete or not names:
        return None
    return f"{unknown_athlete(clean, names, where)} {NEW_ATHLETE_HINT}"


def known_athletes(folder: str | Path) -> set[str]:
    """Every athlete of the logs in ``folder``: its hold logs (``*.csv``) and run logs
    (``runs/*/runs.csv``), every row read (a squad file may hold many athletes), names as the log
    keeps them. Unreadable files and rows name nobody; this never raises for a bad file.
    """
    base = Path(folder)
    if not base.is_dir():
        return set()
    files = sorted(base.glob("*.csv")) + sorted(base.glob("runs/*/runs.csv"))
    out: set[str] = set()
    for f in files:
        out |= _athletes_in(f)
    return out


def _athletes_in(path: Path) -> set[str]:
    """The usable athlete names in one CSV file's ``athlete`` column (none if it cannot be read)."""
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return set()
    names: set[str] = set()
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip() for c in next(rows, [])]
        if "athlete" not in header:
            return set()
        at = header.index("athlete")
        limit = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
        try:
            for r in rows:
                if len(r) > at:
                    names.add(r[at])
        finally:
            csv.field_size_limit(limit)
    except csv.Error:
        pass  # a file cut inside a quote: the names before the cut count
    return {n for n in map(kept_name, names) if n and name_problem(n) is None}


def _fold(name: str) -> str:
    """``name`` without case, accents or Unicode form: the key two spellings of one person share."""
    plain = unicodedata.normalize("NFKD", _key(name))
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def kept_name(name: str) -> str:
    """``name`` as the log keeps it, NFC-normalised and trimmed, whether or not it can be used.

    >>> kept_name("  Zoe\u0308 ")
    'Zoë'
    """
    return unicodedata.normalize("NFC", name).strip()


def normalize_name(name: str) -> str:
    """An athlete's name as the log keeps it: NFC-normalised and trimmed.

    Raises :class:`hipnb.LogError` saying what is wrong when the name cannot be used (see
    :func:`name_problem`). A decomposed "Zoë" and a composed one become the same name.

        >>> normalize_name("  Zoe\u0308 ")
        'Zoë'
    """
    if not isinstance(name, str):
        raise LogError(f"athlete name {name!r} is not text")
    clean = kept_name(name)
    why = name_problem(clean)
    if why:
        raise LogError(f"athlete name {clean[:40]!r} {why}")
    return clean


def name_problem(name: str) -> str | None:
    """Why ``name`` (already NFC and trimmed) cannot be an athlete's name, or None if it can.

    Names are 1-64 characters: letters and marks of any script, digits, spaces, apostrophes,
    hyphens, dots and underscores, with at least one letter or digit; no control characters.
    """
    if not name:
        return "is empty"
    if len(name) > NAME_MAX:
        return f"is longer than {NAME_MAX} characters"
    for ch in name:
        if ch in _NAME_PUNCT:
            continue
        kind = unicodedata.category(ch)
        if kind[0] not in "LMN":
            shown = repr(ch) if kind[0] in "CZ" else f"'{ch}'"
            return f"contains {shown}: use letters, digits, spaces, apostrophes, hyphens and dots"
    if "  " in name:
        return "has two spaces in a row"
    if not any(unicodedata.category(ch)[0] in "LN" for ch in name):
        return "has no letter or digit"
    return None


def athlete_file_stem(name: str) -> str:
    """The file name (without suffix) of an athlete's name: the mapping behind :func:`athlete_path`.

    A plain lower-case ASCII name keeps its own (``ana`` -> ``ana``), as the first logs were named.
    Any other name becomes a readable ASCII part and the first 10 hex digits of the SHA-256 of the
    NFC name, joined by ``~`` (a character plain names never hold): ``Zoë`` -> ``zoe~...``,
    ``李娜`` -> ``athlete~...``. So names that differ only in case, accents or script never share a
    file on case-insensitive disks, and Windows' reserved names (``CON``, ``nul.txt``) and trailing
    dots never reach the disk.

        >>> athlete_file_stem("ana")
        'ana'
        >>> athlete_file_stem("Ana María")[:10]
        'ana-maria~'
    """
    name = normalize_name(name)
    if _PLAIN.match(name) and ".." not in name and not _RESERVED.match(name):
        return name
    ascii_part = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_part).strip("-")[:40].strip("-") or "athlete"
    if _RESERVED.match(slug):
        slug = f"athlete-{slug}"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    return f"{slug}~{digest}"


def athlete_path(folder: str | Path, athlete: str, suffix: str = ".csv") -> Path:
    """The file for ``athlete`` inside ``folder``: the one way athlete names become file names.

    The name is checked and normalised (:func:`normalize_name`) and mapped by
    :func:`athlete_file_stem`; the path never leaves ``folder`` (else :class:`hipnb.LogError`).

        >>> athlete_path("data/logs", "ana").name
        'ana.csv'
    """
    try:
        stem = athlete_file_stem(athlete)
    except LogError as exc:
        raise LogError(f"{exc}; it cannot be used as a file name") from None
    base = Path(folder).resolve()
    path = (base / f"{stem}{suffix}").resolve()
    if path.parent != base:  # pragma: no cover - the stem holds no separator; kept as a guard
        raise LogError(f"athlete name {athlete!r} would leave the folder {base}")
    return path
