"""Names people type: suggest the one they probably meant."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


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


def _fold(name: str) -> str:
    """``name`` without case, accents or Unicode form: the key two spellings of one person share."""
    plain = unicodedata.normalize("NFKD", _key(name))
    return "".join(ch for ch in plain if not unicodedata.combining(ch))
