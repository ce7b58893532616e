"""Cloud Build's substitution of `$NAME` and `${NAME}` in a build's fields (FACTS.md).

`$$` is a literal `$`. A name starting with `_` is a user substitution (`^_[A-Z0-9_]+$`); any other
name must be a built-in, or the build is refused (`key in the template "X" is not a valid built-in
substitution`); an unavailable built-in is the empty string. MUST_MATCH (a manual submit) also
refuses a used-but-undefined or defined-but-unused user key; ALLOW_LOOSE (every triggered build)
makes an undefined one empty. `${_X:-default}` is not Cloud Build's syntax and is left to bash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipeline.substitutions import BUILTINS

ALLOW_LOOSE = "ALLOW_LOOSE"
MUST_MATCH = "MUST_MATCH"
MAX_ARGUMENT = 10_000
_USER_KEY = re.compile(r"^_[A-Z0-9_]+$")
_TEMPLATE = re.compile(r"\$(?:(\$)|\{([A-Z_][A-Z0-9_]*)\}|([A-Z_][A-Z0-9_]*))")


class SubstitutionError(Exception):
    """The build is refused before any step runs; the message is Cloud Build's reason."""


@dataclass
class Substitutions:
    user: Mapping[str, str]
    builtins: Mapping[str, str]
    option: str = ALLOW_LOOSE
    used: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for key in self.user:
            if not _USER_KEY.match(key):
                raise SubstitutionError(f'invalid substitution key "{key}": user keys must match ^_[A-Z0-9_]+$')
        unknown = set(self.builtins) - BUILTINS
        if unknown:
            raise SubstitutionError(f"not built-in substitutions: {sorted(unknown)}")

    def value(self, name: str) -> str:
        if name.startswith("_"):
            self.used.add(name)
            if name in self.user:
                return self.user[name]
            if self.option == MUST_MATCH:
                raise SubstitutionError(f'key "{name}" in the template is not matched in the substitution list')
            return ""
        if name not in BUILTINS:
            raise SubstitutionError(f'key in the template "{name}" is not a valid built-in substitution')
        return self.builtins.get(name, "")

    def expand(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group(1):
                return "$"
            return self.value(match.group(2) or match.group(3))

        expanded = _TEMPLATE.sub(replace, text)
        if len(expanded) > MAX_ARGUMENT:
            raise SubstitutionError(
                f"a field is {len(expanded)} characters after substitution (at most {MAX_ARGUMENT})"
            )
        return expanded

    def check_unused(self) -> None:
        """MUST_MATCH only: a defined user key that nothing used refuses the build."""
        if self.option != MUST_MATCH:
            return
        unused = sorted(set(self.user) - self.used)
        if unused:
            raise SubstitutionError(f"key {unused[0]!r} in the substitution data is not matched in the template")

    def as_environment(self) -> dict[str, str]:
        """automapSubstitutions: every substitution, built-ins included, as an environment variable."""
        return {**{name: self.builtins.get(name, "") for name in sorted(BUILTINS)}, **dict(self.user)}
