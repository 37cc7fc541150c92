"""Arrow helpers the log's checks share (private to :mod:`hipnb.log`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from hipnb.names import name_problem


def _all_empty(arr: pa.Array) -> bool:
    """Whether a column holds nothing at all (absent, all null or all empty text): cheap to tell."""
    if arr.null_count == len(arr):
        return True
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return not pc.max(pc.binary_length(arr)).as_py()
    return False


def _empty_to_null(arr: pa.Array) -> pa.Array:
    """Text with empty cells as null (missing), as the frame shows them."""
    arr = _text(arr) if arr.null_count != len(arr) else pa.nulls(len(arr), pa.large_string())
    if arr.null_count == len(arr) or not pc.any(pc.equal(arr, "")).as_py():
        return arr
    return pc.if_else(pc.equal(arr, ""), None, arr)


def _column(raw: pa.Table, name: str, n: int) -> pa.Array:
    """Column ``name`` of ``raw`` as one Arrow array; an all-empty text column when absent."""
    if name not in raw.column_names:
        return pa.nulls(n, pa.string()) if n else pa.array([], pa.string())
    arr = raw.column(name)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _text(arr: pa.Array) -> pa.Array:
    """Text with no nulls ("" where missing)."""
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    return arr.fill_null("") if arr.null_count else arr


_EDGE_SPACE = np.zeros(256, dtype=bool)
_EDGE_SPACE[[9, 10, 11, 12, 13, 32]] = True
_EDGE_SPACE[0x80:] = True  # non-ASCII: maybe a no-break space (U+00A0, U+202F)


def _offset_type(arr: pa.Array) -> type[np.integer]:
    """The integer type of a text array's offsets buffer (64-bit for large strings)."""
    return np.int64 if pa.types.is_large_string(arr.type) else np.int32


def _trim_edges(arr: pa.Array) -> pa.Array:
    """``arr`` with spaces trimmed off the few values that have any, found by their edge bytes."""
    n = len(arr)
    if n == 0:
        return arr
    ends = np.frombuffer(arr.buffers()[1], dtype=_offset_type(arr))[arr.offset : arr.offset + n + 1]
    data = arr.buffers()[2]
    if data is None or ends[-1] == ends[0]:
        return arr
    raw = np.frombuffer(data, dtype=np.uint8)
    nonempty = ends[1:] > ends[:-1]
    first = raw[np.where(nonempty, ends[:-1], 0)]
    last = raw[np.where(nonempty, ends[1:] - 1, 0)]
    padded = nonempty & (_EDGE_SPACE[first] | _EDGE_SPACE[last])
    if not padded.any():
        return arr
    return pc.if_else(pa.array(padded), pc.utf8_trim_whitespace(arr), arr)


def normalize_names(u: pa.Array) -> pa.Array:
    """Names as the log keeps them (NFC, trimmed), for an Arrow array of text."""
    return pa.array([unicodedata.normalize("NFC", v).strip() for v in u.to_pylist()], u.type)


def _name_problems(u: pa.Array) -> pa.Array:
    return pa.array([name_problem(v) if v else None for v in u.to_pylist()], pa.string())


_PANDAS_TYPES = {
    pa.string(): pd.StringDtype("pyarrow", np.nan),
    pa.large_string(): pd.StringDtype("pyarrow", np.nan),
    pa.int64(): pd.Int64Dtype(),
}


def _np_bool(mask: object) -> NDArray[np.bool_]:
    if isinstance(mask, pa.ChunkedArray | pa.Array):
        return np.asarray(mask.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(mask, dtype=bool)


_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


def _numbers(arr: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(numbers, blank): floats from a typed or text column; null where blank or not a number."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        if pa.types.is_null(arr.type):
            return pa.nulls(len(arr), pa.float64()), pa.array(np.ones(len(arr), dtype=bool))
        return arr.cast(pa.float64()), arr.is_null()
    arr = _trim_edges(arr.fill_null(""))
    blank = pc.equal(arr, "")
    try:
        return pc.if_else(blank, None, arr).cast(pa.float64()), blank
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # text in a number column
        ok = pc.match_substring_regex(arr, _NUMBER)
        return pc.if_else(ok, arr, None).cast(pa.float64()), blank


def per_unique(arr: pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``fn`` applied to each distinct value once, spread back over ``arr`` (ids, sides, names).

    When ``fn`` changes no distinct value (text already trimmed, names already NFC), ``arr``
    itself comes back: spreading a million strings back costs more than finding the few distinct.
    """
    if len(arr) == 0:
        return fn(arr)
    encoded = _encoded(arr)
    mapped = fn(encoded.dictionary)
    if mapped.type == encoded.dictionary.type and mapped.equals(encoded.dictionary):
        return arr
    out = pc.take(mapped, encoded.indices)
    if mapped.type == arr.type:
        _ENCODED.append((out, pa.DictionaryArray.from_arrays(encoded.indices, mapped)))
    return out


_per_unique = per_unique
_ENCODED: list[tuple[pa.Array, pa.DictionaryArray]] = []


def _encoded(arr: pa.Array) -> pa.DictionaryArray:
    """``arr`` dictionary-encoded, once per array (a check asks several questions of each)."""
    for seen, encoded in _ENCODED:
        if seen is arr:
            return encoded
    encoded = arr.dictionary_encode()
    _ENCODED.append((arr, encoded))
    del _ENCODED[:-8]
    return encoded
