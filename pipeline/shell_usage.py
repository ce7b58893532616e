"""What shell code runs, read from the code rather than from its declarations.

A script's needs are not only the `require_tool` lines it writes: the library helpers it calls run
tools too (jq in capture_json, gcloud in require_prod_approval). This module splits a shell file
into its functions and its top level, and follows the calls a script makes, so that a helper's tools
count for exactly the scripts that call it, never for every script that sources its library.

A call written on a line that ends with `# only after NAME` counts only when the script also reaches
NAME: `die` writes gate evidence (jq) only once `gate_begin` opened a gate, so a script that opens
none does not need jq for it.

The reading is lexical, not a full shell parser: comments, heredoc bodies and single-quoted text
(jq and SQL programs) are dropped, and the first word after a command separator, `$(` or a keyword
is a command. Callers keep only the words they know as tools or functions, so a stray word is
ignored rather than reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_FUNCTION = re.compile(r"^([A-Za-z_][\w-]*)\s*\(\)\s*\{[ \t]*$", re.MULTILINE)
_FUNCTION_END = re.compile(r"^\}[ \t]*$", re.MULTILINE)
_HEREDOC = re.compile(r"<<-?[ \t]*(['\"]?)(\w+)\1[^\n]*\n.*?^[ \t]*\2[ \t]*$", re.MULTILINE | re.DOTALL)
_ONLY_AFTER = re.compile(r"#\s*only after (\w+)\s*$")
_SEPARATOR = re.compile(r"\$\(|`|;|&&|\|\||\||\n|\)|\(")
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*(?:\[[^]]*\])?\+?=")
# Words that may stand before a command without being one.
_PREFIXES = frozenset({"if", "then", "else", "elif", "while", "until", "do", "!", "{", "time", "exec", "command"})


@dataclass(frozen=True)
class ShellFile:
    """A shell file as its top level and its functions, each a piece of code."""

    name: str
    text: str
    top_level: str
    functions: dict[str, str] = field(default_factory=dict)


# Pure in their arguments and called for every step of both builds: cached.
@lru_cache(maxsize=256)
def split(name: str, text: str) -> ShellFile:
    """The file's functions (`name() {` to the first `}` in column 0) and the code outside them."""
    functions: dict[str, str] = {}
    outside: list[str] = []
    position = 0
    for match in _FUNCTION.finditer(text):
        if match.start() < position:
            continue
        end = _FUNCTION_END.search(text, match.end())
        stop = end.end() if end else len(text)
        outside.append(text[position : match.start()])
        functions[match.group(1)] = text[match.end() : stop - 1 if end else stop]
        position = stop
    outside.append(text[position:])
    return ShellFile(name, text, "".join(outside), functions)


def _clean(code: str) -> str:
    """The code with heredoc bodies, comments and quoted text blanked, `$(...)` inside quotes kept."""
    code = _HEREDOC.sub("\n", code)
    out: list[str] = []
    # One frame per context: "code", "sub" (a `$(`, in code or in quotes) or "dq" (double quotes),
    # with the parentheses opened in it (a `)` closes a "sub" only when none is open).
    kinds, depths = ["code"], [0]
    i = 0
    while i < len(code):
        char, kind = code[i], kinds[-1]
        if char == "\\":
            out.append("  " if kind == "dq" else code[i : i + 2])
            i += 2
            continue
        if code.startswith("$(", i):
            kinds.append("sub")
            depths.append(0)
            out.append("$(")
            i += 2
            continue
        if kind == "dq":
            if char == '"':
                kinds.pop()
                depths.pop()
            out.append("\n" if char == "\n" else " ")
        elif char == "'":
            end = code.find("'", i + 1)
            end = len(code) - 1 if end < 0 else end
            out.append(" " + "\n" * code.count("\n", i, end))
            i = end
        elif char == '"':
            kinds.append("dq")
            depths.append(0)
            out.append(" ")
        elif char == "#" and (i == 0 or code[i - 1].isspace()):
            end = code.find("\n", i)
            i = (len(code) if end < 0 else end) - 1
        elif char == ")" and depths[-1] == 0 and kind == "sub":
            kinds.pop()
            depths.pop()
            out.append(char)
        else:
            depths[-1] += {"(": 1, ")": -1 if depths[-1] > 0 else 0}.get(char, 0)
            out.append(char)
        i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def commands(code: str) -> frozenset[str]:
    """The words in command position in a piece of shell code."""
    words: set[str] = set()
    for piece in _SEPARATOR.split(_clean(code)):
        tokens = piece.split()
        while tokens and (_ASSIGNMENT.match(tokens[0]) or tokens[0] in _PREFIXES):
            tokens.pop(0)
        if tokens:
            words.add(tokens[0].strip("\"'"))
    return frozenset(words)


def calls(code: str, known: set[str]) -> tuple[set[str], dict[str, set[str]]]:
    """The functions of `known` a piece of code calls: always, and only after another one is reached."""
    always: set[str] = set()
    conditional: dict[str, set[str]] = {}
    for line in code.splitlines():
        called = commands(line) & known
        condition = _ONLY_AFTER.search(line)
        if condition is None:
            always |= called
        else:
            conditional.setdefault(condition.group(1), set()).update(called)
    return always, conditional


def reached_code(files: list[ShellFile]) -> list[tuple[ShellFile, str]]:
    """The code a script runs: the top level of each file, then every function it reaches.

    `files` are the script first, then the libraries it sources (a later definition wins, as in bash).
    """
    defined: dict[str, tuple[ShellFile, str]] = {}
    for shell_file in reversed(files):
        for function, body in shell_file.functions.items():
            defined.setdefault(function, (shell_file, body))
    names = set(defined)
    code: list[tuple[ShellFile, str]] = [(f, f.top_level) for f in files]
    reached: set[str] = set()
    waiting: dict[str, set[str]] = {}
    pending = [piece for _, piece in code]
    while pending:
        always, conditional = calls(pending.pop(), names)
        for condition, called in conditional.items():
            waiting.setdefault(condition, set()).update(called)
        new = {name for name in always if name not in reached}
        changed = True
        while changed:
            changed = False
            for condition, called in waiting.items():
                if condition in reached | new and not called <= reached | new:
                    new |= called
                    changed = True
        for name in sorted(new - reached):
            reached.add(name)
            code.append(defined[name])
            pending.append(defined[name][1])
    return code


def function_of(shell_file: ShellFile, piece: str) -> str:
    """How a finding names a piece of code: `scripts/lib/core.sh _capture_checked` or the file alone."""
    for function, body in shell_file.functions.items():
        if body is piece:
            return f"scripts/{shell_file.name} {function}"
    return f"scripts/{shell_file.name}"
