"""The words of folder and file names written in camelCase ("eiffelTower", "SummerHoliday") or
numbered ("wedding1", "IMG2041", "2019Paris").

The full-text index's tokeniser (unicode61) reads such a name as one word, so "tower" would not
find explore_eiffelTower.jpg, nor "solar" solar6.jpg (the fresh-seat audit of stop 59). The index
keeps the words apart in its ``names`` column, written by SQLite itself through the function
``camel_words`` that every connection to a library registers.
"""

from __future__ import annotations

import re
import sqlite3

SQL_FUNCTION = "camel_words"
_TOKEN = re.compile(r"[^\W_]+")  # a word as unicode61 takes it: letters and digits


def camel_parts(token: str) -> list[str]:
    """A token split where a lowercase letter meets a capital ("eiffelTower": eiffel, Tower;
    "iPhone": i, Phone) and where letters meet digits ("wedding1": wedding, 1; "IMG2041"; "2019Paris");
    [token] when it has no such place."""
    cuts = [i for i in range(1, len(token)) if _cut_between(token[i - 1], token[i])]
    return [token[a:b] for a, b in zip([0, *cuts], [*cuts, len(token)], strict=True)]


def _cut_between(before: str, after: str) -> bool:
    return (before.islower() and after.isupper()) or (before.isdigit() != after.isdigit())


def camel_words(path: str | None) -> str:
    """The words of the path's camelCase tokens, apart and space-separated ("" when it has none)."""
    split = (camel_parts(t) for t in _TOKEN.findall(path or ""))
    return " ".join(w for parts in split if len(parts) > 1 for w in parts)


def register(conn: sqlite3.Connection) -> None:
    conn.create_function(SQL_FUNCTION, 1, camel_words, deterministic=True)
