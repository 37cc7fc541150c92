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
