"""Limits a query is held to: the API enforces them, and the command line checks them while it
parses, before it asks a running app (a leaf module: no API import, a tenth of a second, for it)."""

from __future__ import annotations

# Terms' scores are standardised, then summed by weight: one weighted 100 times another already
# drowns it. Far larger weights overflowed the sum, and every photo scored nan.
MAX_WEIGHT = 100.0
