"""Limits a query is held to: the API enforces them, and the command line checks them while it
parses, before it asks a running app (a leaf module: no API import, a tenth of a second, for it)."""

from __future__ import annotations

# Terms' scores are standardised, then summed by weight: one weighted 100 times another already
# drowns it. Far larger weights overflowed the sum, and every photo scored nan.
MAX_WEIGHT = 100.0

# A description is a sentence: a pasted page (4.7 KB: 17 s and 0.56 GB; 38 KB: 41 s and 2.5 GB, the
# CLI audit of stop 57) was read word by word through the network.
MAX_QUERY_CHARS = 500


def query_too_long(text: str) -> str | None:
    """Why a query's text is refused ("at most 500 characters …"), or None: the API and the command
    line say it alike."""
    if len(text) <= MAX_QUERY_CHARS:
        return None
    return f"at most {MAX_QUERY_CHARS} characters (a description), not {len(text):,}"
