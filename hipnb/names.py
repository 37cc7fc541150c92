"""Athletes' names: the one gate from a name to its file, and suggestions for names people type.

:func:`athlete_path` is the one way a name becomes a file; :func:`known_athletes` the one list of a
folder's athletes; :func:`athlete_problem` the one gate a name passes at every door (a known athlete,
or a new one on purpose, never a known one written another way); :func:`unknown_athlete` the one
message for a name no log holds; :func:`did_you_mean` the hint.

Names as people's tools mangle them are recognised here too, from maintained data rather than
tables of our own: mojibake (``RamÃ³n``, "Ramón" saved through the wrong encoding) by ftfy's rules,
at every read and door (:func:`name_problem`); a name that prints like a known athlete's (Unicode
TR39 confusables: Cyrillic ``а`` beside Latin ``a``) or that mixes scripts, from Unicode's
confusables and scripts data as confusable-homoglyphs ships them, at every door
(:func:`same_athlete_problem`).
"""

from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import importlib.resources
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from confusable_homoglyphs import categories

from hipnb.errors import LogError

if TYPE_CHECKING:
    import ftfy

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
    close = close_names(name, choices, n)
    if not close:
        return ""
    names = [repr(c) for c in close]
    return (
        "did you mean "
        + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1])
        + "?"
    )


def close_names(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The ``choices`` closest to ``name`` (at most ``n``; the same one alone when it differs only
    by case or Unicode form), for :func:`did_you_mean` and a page's did-you-mean buttons.

    >>> close_names("anna", ["ana", "ben", "Zoë"]), close_names("ZOË", ["Zoë"])
    (['ana'], ['Zoë'])
    """
    by_key: dict[str, str] = {}
    for choice in choices:
        by_key.setdefault(_key(choice), choice)
    key = _key(name)
    if key in by_key:
        return [by_key[key]]
    plain = {unicodedata.normalize("NFKD", k).encode("ascii", "ignore").decode(): k for k in by_key}
    close = difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.6)
    for k in difflib.get_close_matches(key, list(plain), n=n, cutoff=0.6):
        if plain[k] not in close:
            close.append(plain[k])
    return [by_key[k] for k in close[:n]]


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
    shape = skeleton(clean)
    for other in sorted(names):
        if skeleton(other) == shape:
            return (
                f"no athlete {clean!r} yet, but {other!r} prints the same with other characters "
                f"({_unlike(clean, other)}): did you mean {other!r}?"
            )
    return mixed_script_problem(clean)


def skeleton(name: str) -> str:
    """What ``name`` looks like, in the manner of Unicode TR39's skeleton: case, accents and
    Unicode form dropped, and each character replaced by one chosen character of those that print
    like it (Unicode's confusables data). Two names with one skeleton print alike.

        >>> skeleton("\u0430na") == skeleton("ana")  # a Cyrillic a, then Latin n and a
        True
        >>> skeleton("ana") == skeleton("anna")
        False
    """
    look = _look_alike()
    return "".join(look.get(ch, ch) for ch in _fold(name))


def look_alike_athletes(names: Iterable[str]) -> list[str]:
    """A sentence for each pair of athletes whose names print alike with other characters (one
    skeleton, :func:`skeleton`) or differ only in case or accents: two logs that are probably one
    person's, as a read finds them (``hipnb validate`` says them).

        >>> look_alike_athletes(["ana", "\u0430na", "ben"])
        ["athletes 'ana' and 'аna' print alike ('a' is LATIN SMALL LETTER A, 'а' is CYRILLIC SMALL LETTER A): one person's logs under two names?"]
    """
    by_shape: dict[str, list[str]] = {}
    for name in sorted({kept_name(n) for n in names if n}):
        by_shape.setdefault(skeleton(name), []).append(name)
    return [
        f"athletes {first!r} and {other!r} "
        + (
            "differ only in case or accents"
            if _fold(first) == _fold(other)
            else f"print alike ({_unlike(first, other)})"
        )
        + ": one person's logs under two names?"
        for first, *others in by_shape.values()
        for other in others
    ]


def mixed_script_problem(name: str) -> str | None:
    """Why a new name that mixes scripts (``аna``: a Cyrillic ``а``, Latin ``na``) is refused, with
    the one-script spelling it probably meant; None for a name in one script. Scripts written
    together pass (TR39's "highly restrictive" level): Han with Hiragana and Katakana (Japanese),
    with Hangul (Korean) or with Bopomofo, and any of those with Latin.

        >>> mixed_script_problem("\u0430na")
        "athlete name 'аna' mixes Cyrillic and Latin letters, which print alike ('а' is CYRILLIC SMALL LETTER A): did you mean 'ana'?"
        >>> mixed_script_problem("山田たろう") is None
        True
    """
    scripts = _scripts(name)
    if len(scripts) < 2 or any(scripts <= ok for ok in _SCRIPTS_TOGETHER):
        return None
    counts = {s: sum(1 for ch in name if _script(ch) == s) for s in scripts}
    by_use = sorted(sorted(counts), key=lambda s: -counts[s])  # the most used script first
    meant, main = next(
        ((m, s) for s in by_use if _scripts(m := "".join(_in_script(ch, s) for ch in name)) == {s}),
        ("", by_use[0]),
    )
    odd = next(ch for ch in name if _script(ch) not in (main, ""))
    hint = f": did you mean {meant!r}?" if meant else ": write it in one script"
    listed = " and ".join(s.title() for s in sorted(scripts))
    return (
        f"athlete name {name!r} mixes {listed} letters, which print alike "
        f"({odd!r} is {unicodedata.name(odd, 'unnamed')}){hint}"
    )


#: Scripts a name may mix (Unicode TR39, "highly restrictive"): Japanese, Korean and Chinese
#: writing, each with Latin.
_SCRIPTS_TOGETHER = (
    {"LATIN", "HAN", "HIRAGANA", "KATAKANA"},
    {"LATIN", "HAN", "HANGUL"},
    {"LATIN", "HAN", "BOPOMOFO"},
)


def _script(ch: str) -> str:
    """The Unicode script of ``ch`` ("" for characters of every script: spaces, marks, digits)."""
    alias: str = categories.alias(ch)
    return "" if alias in ("COMMON", "INHERITED") else alias


def _scripts(name: str) -> set[str]:
    return {s for s in map(_script, name) if s}


def _in_script(ch: str, script: str) -> str:
    """``ch``, or the character of ``script`` that prints like it when there is one."""
    if _script(ch) in ("", script):
        return ch
    for other in _confusables().get(ch, ()):
        if len(other) == 1 and _script(other) == script:
            return other
    return ch


def _unlike(name: str, other: str) -> str:
    """The first pair of characters that print alike but differ, in words."""
    for a, b in zip(_fold(name), _fold(other), strict=False):
        if a != b:
            return f"{a!r} is {unicodedata.name(a, 'unnamed')}, {b!r} is {unicodedata.name(b, 'unnamed')}"
    return (
        "other code points"  # pragma: no cover - equal skeletons of unequal names differ somewhere
    )


@functools.cache
def _confusables() -> dict[str, list[str]]:
    """Character -> the characters that print like it, as confusable-homoglyphs ships Unicode's
    confusables.txt (both ways)."""
    text = (importlib.resources.files("confusable_homoglyphs") / "confusables.json").read_text(
        encoding="utf-8"
    )
    data: dict[str, list[dict[str, str]]] = json.loads(text)
    return {ch: [h["c"] for h in glyphs] for ch, glyphs in data.items()}


@functools.cache
def _look_alike() -> dict[str, str]:
    """Character -> one character of its class of look-alikes (an ASCII one when the class has
    one, else its lowest code point): each class joins the characters confusables.txt maps to the
    same prototype."""
    parent: dict[str, str] = {}

    def root(ch: str) -> str:
        while parent.get(ch, ch) != ch:
            parent[ch] = parent.get(parent[ch], parent[ch])
            ch = parent[ch]
        return ch

    for ch, others in _confusables().items():
        for other in others:
            if len(other) == 1:
                a, b = root(ch), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)  # the lowest code point: ASCII first
    return {ch: root(ch) for ch in parent}


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
    unusable = name_problem(clean)
    if unusable:  # the words normalize_name says them in
        return f"athlete name {clean[:40]!r} {unusable}"
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
    why = mojibake_problem(name)
    if why:
        return why
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


#: How ftfy names the encodings text is wrongly decoded with, in words.
_ENCODING_WORDS = {
    "latin-1": "Windows-1252",
    "sloppy-windows-1252": "Windows-1252",
    "windows-1252": "Windows-1252",
    "macroman": "Mac Roman",
    "sloppy-windows-1250": "Windows-1250",
    "windows-1250": "Windows-1250",
    "cp437": "DOS (code page 437)",
}


def mend_mojibake(text: str) -> tuple[str, str]:
    """``text`` with mojibake mended by ftfy (encodings only: quotes, widths and line ends stay),
    and the encoding its UTF-8 was read as, in words ("" when nothing was changed).

        >>> mend_mojibake("RamÃ³n")
        ('Ramón', 'Windows-1252')
    """
    if text.isascii():
        return text, ""
    import ftfy  # loaded for text beyond ASCII only: the command line starts without it

    fixed = ftfy.fix_and_explain(text, config=_ftfy_encoding_only())
    if fixed.text == text:
        return text, ""
    steps = fixed.explanation or []
    read_as = next((_ENCODING_WORDS.get(arg, arg) for op, arg in steps if op == "encode"), "")
    return fixed.text, read_as or "another encoding"


@functools.lru_cache(maxsize=4096)
def mojibake_problem(name: str) -> str | None:
    """Why ``name`` looks like a name saved through the wrong encoding, or None: ``RamÃ³n`` is
    "Ramón" whose UTF-8 bytes a tool read as Windows-1252 (a spreadsheet saving "CSV UTF-8" a
    file it opened wrongly). ftfy's rules decide, which know how such text is made and change
    nothing that reads as intended.

        >>> mojibake_problem("RamÃ³n")
        "looks like 'Ramón' with its UTF-8 read as Windows-1252 (mojibake): write 'Ramón'; a log a spreadsheet saved is mended by: hipnb repair FILE"
        >>> mojibake_problem("Ramón") is None
        True
    """
    fixed, read_as = mend_mojibake(name)
    if not read_as:
        return None
    return (
        f"looks like {fixed!r} with its UTF-8 read as {read_as} (mojibake): write {fixed!r}; "
        "a log a spreadsheet saved is mended by: hipnb repair FILE"
    )


@functools.cache
def _ftfy_encoding_only() -> ftfy.TextFixerConfig:
    """ftfy set to mend encodings only (no quotes, widths or line ends changed)."""
    import ftfy

    return ftfy.TextFixerConfig(
        unescape_html=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
    )


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
