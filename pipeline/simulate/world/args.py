"""A strict parser for the fake CLIs: a flag the handler does not declare is refused, as the real
CLI's parser refuses it (gcloud: `unrecognized arguments`, exit 2), so a command line the fake world
accepts is one the real tool would parse too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# Flags gcloud accepts on every command (the ones the scripts use).
GCLOUD_GLOBAL_VALUES = ("--project", "--format", "--verbosity")
GCLOUD_GLOBAL_SWITCHES = ("--quiet", "-q")


class UsageError(Exception):
    """The real CLI would refuse this command line (exit 2)."""


@dataclass
class Parsed:
    positional: list[str] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)
    switches: set[str] = field(default_factory=set)
    rest: list[str] = field(default_factory=list)  # after a bare `--`

    def value(self, name: str, default: str | None = None) -> str | None:
        given = self.values.get(name)
        return given[-1] if given else default

    def require(self, name: str) -> str:
        value = self.value(name)
        if value is None:
            raise UsageError(f"argument {name}: must be specified")
        return value

    def all(self, name: str) -> list[str]:
        return list(self.values.get(name, []))

    def has(self, name: str) -> bool:
        return name in self.switches


def parse(
    argv: Iterable[str],
    *,
    values: Iterable[str] = (),
    switches: Iterable[str] = (),
    positional: tuple[int, int] = (0, 0),
    rest: bool = False,
    gcloud: bool = True,
) -> Parsed:
    """`--flag=value` or `--flag value` for declared value flags, bare declared switches, and
    between positional[0] and positional[1] positional arguments; anything else is a UsageError."""
    value_flags = set(values) | (set(GCLOUD_GLOBAL_VALUES) if gcloud else set())
    switch_flags = set(switches) | (set(GCLOUD_GLOBAL_SWITCHES) if gcloud else set())
    parsed = Parsed()
    words = list(argv)
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--" and rest:
            parsed.rest = words[index + 1 :]
            break
        name, equals, inline = word.partition("=")
        if word.startswith("-") and word != "-":
            if name in value_flags:
                if equals:
                    parsed.values.setdefault(name, []).append(inline)
                elif index + 1 < len(words):
                    index += 1
                    parsed.values.setdefault(name, []).append(words[index])
                else:
                    raise UsageError(f"argument {name}: expected one argument")
            elif word in switch_flags:
                parsed.switches.add(word)
            else:
                raise UsageError(f"unrecognized arguments: {word}")
        else:
            parsed.positional.append(word)
        index += 1
    low, high = positional
    if not low <= len(parsed.positional) <= high:
        extra = parsed.positional[high:] if len(parsed.positional) > high else []
        if extra:
            raise UsageError(f"unrecognized arguments: {' '.join(extra)}")
        raise UsageError(f"expected {low} positional argument(s), got {len(parsed.positional)}")
    return parsed
