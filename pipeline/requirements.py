"""What a step needs to run: the tools its scripts declare and the commands its inline shell calls.

A script declares its tools with `require_tool NAME...` (scripts/lib/core.sh); that line is the
declaration this module reads, together with those of the scripts it runs and the libraries it
sources. Arguments that are variables are resolved the way the script would: from the step's
environment, the script's own assignments, or a `${NAME:-default}` default. A name that cannot be
resolved is reported, never guessed.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.contract import WORKSPACE

_REQUIRE = re.compile(r"^\s*require_tool\s+(.+?)\s*$")
_SOURCE = re.compile(r"^\s*(?:source|\.)\s+.*?\b(lib/[A-Za-z0-9_.-]+\.sh)\b")
_SCRIPT_REF = re.compile(r"(?<![\w.-])([a-z0-9][a-z0-9_-]*\.sh)\b")
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")
# What the shell itself provides: builtins and keywords, never looked up on PATH.
SHELL_BUILTINS: frozenset[str] = frozenset(
    {
        *("set", "export", "trap", "echo", "printf", "exit", "cd", "read", "local", "true", "false", "test"),
        *("source", ".", "eval", "shift", "return", "unset", "wait", "command", "type", "exec", "pwd", "umask"),
        *("if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in"),
        *("[[", "]]", "[", "]", "{", "}", "!", "time", "declare", "readonly", "mapfile", "let"),
    }
)
# Where the repository sits in a build: Cloud Build checks the source out into /workspace.
_KNOWN = {"REPO_ROOT": WORKSPACE}


@dataclass
class Requirements:
    tools: set[str] = field(default_factory=set)
    unresolved: set[str] = field(default_factory=set)


def _assignments(text: str, name: str) -> list[str]:
    pattern = re.compile(rf"^\s*(?:readonly\s+|local\s+)?{name}=(\S+)", re.MULTILINE)
    return [value.strip("\"'") for value in pattern.findall(text)]


def resolve(word: str, text: str, env: dict[str, str], outer: frozenset[str] = frozenset()) -> list[str] | None:
    """Every value `word` can take in the script `text` under the step environment `env`, or None.

    `outer` holds the names whose assignment is being resolved: in `PY=${PYTHON:-python3}` or
    `PYTHON=${PYTHON:-python3}` the inner name is the environment's or the default, never the
    assignment itself.
    """
    match = _VARIABLE.search(word)
    if match is None:
        return [word]
    name = match.group(1) or match.group(3)
    default = match.group(2)
    assigned = [] if name in outer else _assignments(text, name)
    if name in env:
        values: list[str] | None = [env[name]]
    elif name in _KNOWN:
        values = [_KNOWN[name]]
    elif assigned:
        resolved = [resolve(a, text, env, outer | {name}) for a in assigned]
        values = None if any(r is None for r in resolved) else [v for r in resolved for v in r or []]
    elif default is not None:
        values = resolve(default, text, env, outer)
    else:
        values = None
    if values is None:
        return None
    out: list[str] = []
    for value in values:
        rest = resolve(word[: match.start()] + value + word[match.end() :], text, env, outer)
        if rest is None:
            return None
        out.extend(rest)
    return out


def _code_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.lstrip().startswith("#")]


def script_requirements(root: Path, script: str, env: dict[str, str]) -> Requirements:
    """The tools `scripts/<script>` declares, with those of the scripts it runs and libraries it sources."""
    found = Requirements()
    _collect(root / "scripts", script, env, found, set())
    return found


def _collect(scripts: Path, name: str, env: dict[str, str], found: Requirements, seen: set[str]) -> None:
    if name in seen or not (scripts / name).is_file():
        return
    seen.add(name)
    text = (scripts / name).read_text(encoding="utf-8")
    for line in _code_lines(text):
        if (match := _REQUIRE.match(line)) is not None:
            for word in shlex.split(match.group(1), comments=True):
                values = resolve(word, text, env)
                if values is None:
                    found.unresolved.add(word)
                else:
                    found.tools.update(values)
        if (source := _SOURCE.match(line)) is not None:
            _collect(scripts, source.group(1), env, found, seen)
        for other in _SCRIPT_REF.findall(line):
            if other != Path(name).name and (scripts / other).is_file():
                _collect(scripts, other, env, found, seen)


def command_words(shell: str) -> list[str]:
    """The words in command position of an inline shell text (builtins and assignments left out).

    Single-quoted text is never run at this level; double-quoted text runs only its `$(...)`.
    """
    text = re.sub(r"'[^']*'", " ", shell)
    text = re.sub(r'"((?:[^"\\]|\\.)*)"', lambda m: " ".join(_substitutions(m.group(1))), text)
    words: list[str] = []
    for piece in re.split(r"\$\$?\(|;|&&|\|\||\||\n|\)", text):
        tokens = piece.split()
        while tokens and (re.match(r"^[A-Za-z_]\w*=", tokens[0]) or tokens[0] in ("exec", "!", "{", "time")):
            tokens.pop(0)
        if tokens and tokens[0] not in SHELL_BUILTINS and not tokens[0].startswith((">", "<", "2>")):
            words.append(tokens[0])
    return words


def _substitutions(quoted: str) -> list[str]:
    """The `$(...)` command substitutions inside a double-quoted string, each as `$(...)` text."""
    return [f"$({m})" for m in re.findall(r"\$\$?\(([^()]*)\)", quoted)]


def path_dirs(command: str, env: list[str]) -> list[str]:
    """The directories a step's command (or its env) puts on PATH, in order."""
    values = re.findall(r"\bPATH=\"?([^\"\s]*)", command) + [e[len("PATH=") :] for e in env if e.startswith("PATH=")]
    return [d for value in values for d in value.split(":") if d and "$" not in d]
