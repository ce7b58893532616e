"""No emoji or pictograph in any tracked text file: the failure list names emoji as a red flag."""

from __future__ import annotations

import re

from tests.docs.citations import DOCUMENTS, ROOT, tracked_files

# Emoji and pictograph blocks, the emoji scattered in older blocks, and the characters that turn
# plain text into emoji (variation selectors, zero-width joiner, keycap, tag characters).
EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong, cards, enclosed alphanumerics (regional indicators), pictographs
    "\u2600-\u27bf"  # miscellaneous symbols, dingbats
    "\u231a\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa"  # watch, hourglass, keyboard, media controls
    "\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55"  # arrows, squares, star, circle
    "\u3030\u303d\u3297\u3299"
    "\ufe00-\ufe0f\U000e0100-\U000e01ef"  # variation selectors
    "\u200d\u20e3"  # zero-width joiner, combining keycap
    "\U000e0020-\U000e007f"  # tags (subdivision flags)
    "]"
)


def emoji_in(content: str) -> list[str]:
    return [f"line {content.count(chr(10), 0, m.start()) + 1}: U+{ord(m.group()):04X}" for m in EMOJI.finditer(content)]


def test_the_pattern_catches_emoji_and_leaves_plain_text_alone() -> None:
    assert emoji_in("ok \u2705 done") == ["line 1: U+2705"]
    assert emoji_in("a\n\U0001f680") == ["line 2: U+1F680"]
    assert emoji_in("heart \u2764\ufe0f") == ["line 1: U+2764", "line 1: U+FE0F"]
    assert emoji_in("\U0001f1fa\U0001f1f8") == ["line 1: U+1F1FA", "line 1: U+1F1F8"]
    assert emoji_in("plain text, arrows -> and \u2192, box \u2500, accents \u00e9, 45 CFR \u00a7 164.312") == []


def test_no_tracked_text_file_holds_an_emoji() -> None:
    found = {}
    for name in sorted({*tracked_files(), *DOCUMENTS}):
        path = ROOT / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary
        try:
            content = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # not text
        if hits := emoji_in(content):
            found[name] = hits
    assert found == {}
