"""Bounded windows over a text stream: how a line of any length is analysed, all of it, in pieces.

spaCy refuses a text longer than `nlp.max_length` (1,000,000 characters) and its memory grows with
the text, while one line of a build artifact (a one-line coverage.json) can be any length. So a
line is read and analysed in windows of at most WINDOW characters, each starting OVERLAP characters
before the previous one ended. Every position of a line is owned by exactly one window, and a match
counts only in the window that owns its first character: that window holds at least MARGIN
characters before the match (its context words) and at least MARGIN from its start on (the match
and the character after it). A match that straddles a window's edge is therefore whole, with its
context, in the window that owns it, and found once. A line of at most WINDOW characters is one
window, analysed exactly as a whole line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

# Large enough that most log lines are one window and the per-call cost of the analyzer stays
# small next to the text (about 6 % re-read in the overlap); small enough that a spaCy model's
# memory for a window (roughly 1 GB per 100,000 characters with a parser and NER) stays low.
WINDOW = 16_384
# Twice the longest span a recognizer needs at an edge: an e-mail address is at most 254
# characters (RFC 5321), a street address or a date well under that, and the context the
# analyzer reads (five words before a match) far less than MARGIN.
OVERLAP = 1_024
MARGIN = OVERLAP // 2


@dataclass(frozen=True)
class Window:
    """A piece of one line: `text` starts at `column` (0-based) of line `line` (1-based)."""

    line: int
    column: int
    text: str
    owned_from: int
    owned_to: int

    def owns(self, start: int) -> bool:
        """Whether a match starting at `start` of this window's text counts here (and nowhere else)."""
        return self.owned_from <= start < self.owned_to


def windows(stream: TextIO, size: int = WINDOW, overlap: int = OVERLAP) -> Iterator[Window]:
    """The windows of every line of `stream`, in order; memory stays within `size` characters."""
    if not 0 < overlap < size:
        raise ValueError("a window must be longer than its overlap, and the overlap positive")
    margin = overlap // 2
    number, column, carry = 1, 0, ""
    while True:
        wanted = size - len(carry)
        piece = stream.readline(wanted)  # at most `wanted` characters, less only at a line end or EOF
        text = carry + piece
        first_owned = 0 if column == 0 else margin
        if piece.endswith("\n") or len(piece) < wanted:
            if not text:
                return  # end of file at the start of a line
            body = text.removesuffix("\n")
            yield Window(number, column, body, first_owned, len(body))
            number, column, carry = number + 1, 0, ""
            continue
        # The line goes on: the next window starts `overlap` characters before this one ends.
        yield Window(number, column, text, first_owned, size - overlap + margin)
        carry = text[-overlap:]
        column += size - overlap
