"""The words of folder and file names written in camelCase ("eiffelTower", "SummerHoliday").

The full-text index's tokeniser (unicode61) reads such a name as one word, so "tower" would not
find explore_eiffelTower.jpg. The index keeps the words apart in its ``names`` column, written by
SQLite itself through the function ``camel_words`` that every connection to a library registers.
"""

from __future__ import annotations

import re
import sqlite3

SQL_FUNCTION = "camel_words"
_TOKEN = re.compile(r"[^\W_]+")  # a word as unicode61 takes it: letters and digits


def camel_parts(token: str) -> list[str]:
    """A token split where a lowercase letter meets a capital ("eiffelTower": eiffel, Tower;
    "iPhone": i, Phone); [token] when it has no such place."""
    cuts = [i for i in range(1, len(token)) if token[i - 1].islower() and token[i].isupper()]
    return [token[a:b] for a, b in zip([0, *cuts], [*cuts, len(token)], strict=True)]


def camel_words(path: str | None) -> str:
    """The words of the path's camelCase tokens, apart and space-separated ("" when it has none)."""
    split = (camel_parts(t) for t in _TOKEN.findall(path or ""))
    return " ".join(w for parts in split if len(parts) > 1 for w in parts)


def register(conn: sqlite3.Connection) -> None:
    conn.create_function(SQL_FUNCTION, 1, camel_words, deterministic=True)
