"""What the main window says, in words: counts, unknown words, a repair's report. Plain text, no Qt."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from photoscope.api import DoctorReport, UnknownWord


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def describe_repair(report: DoctorReport) -> str:
    """What ``doctor --repair`` found and did, in the words the CLI prints."""
    lines = report.lines()
    if report.moved_aside is not None:
        lines.append(f"The damaged file was kept as {report.moved_aside}.")
    verdict = "The library is in order." if report.ok else "Some problems could not be repaired."
    return "\n".join([verdict, *lines])


def unknown_words_message(unknown: list[UnknownWord]) -> str:
    parts = []
    for u in unknown:
        text = f"the model does not know “{u.word}”"
        if u.searched_as:
            text += f" — searched by the nearest concept it knows, “{u.searched_as}”"
        elif u.suggestions:
            text += " — did you mean " + " or ".join(f"“{s}”" for s in u.suggestions) + "?"
        parts.append(text)
    message = "; ".join(parts)
    return message[:1].upper() + message[1:]
