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
from pipeline.images import IMAGES
from pipeline.installs import INSTALLS
from pipeline.shell_usage import commands, function_of, reached_code, split

_REQUIRE = re.compile(r"^\s*require_tool\s+(.+?)\s*$")
_SOURCE = re.compile(r"^\s*(?:source|\.)\s+.*?\b(lib/[A-Za-z0-9_.-]+\.sh)\b")
# A library sourcing another from its own folder: `source "${_HIPAA_LIB_DIR}/gate.sh"`.
_SOURCE_IN_LIB = re.compile(r"^\s*(?:source|\.)\s+.*?([A-Za-z0-9_-]+\.sh)\"?\s*$")
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
    # Where each of `tools` is first declared, and the tools the reached code runs by name, each with
    # the first place that runs it: `scripts/lib/core.sh _capture_checked` or `scripts/a.sh`.
    declared_in: dict[str, str] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)


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
    """What `scripts/<script>` and the scripts it runs need, each with the helpers it calls.

    `tools` are the `require_tool` declarations of the code the script reaches (its top level, its
    libraries' top level, the functions it calls); `used` maps every known tool that code runs by
    name to where, so a helper that runs jq without declaring it still counts.
    """
    found = Requirements()
    scripts = root / "scripts"
    known = known_tools()
    pending, seen = [script], set()
    while pending:
        name = pending.pop()
        if name in seen or not (scripts / name).is_file():
            continue
        seen.add(name)
        files = [split(name, (scripts / name).read_text(encoding="utf-8"))]
        for library in _sourced(scripts, files[0].text):
            files.append(split(library, (scripts / library).read_text(encoding="utf-8")))
        for shell_file, piece in reached_code(files):
            where = function_of(shell_file, piece)
            _declarations(piece, shell_file.text, env, found, where)
            for tool in sorted(commands(piece) & known):
                found.used.setdefault(tool, where)
        for shell_file in files:
            for line in _code_lines(shell_file.text):
                pending.extend(o for o in _SCRIPT_REF.findall(line) if o != name and (scripts / o).is_file())
    return found


def _sourced(scripts: Path, text: str) -> list[str]:
    """The libraries a script sources, directly or through each other, in the order bash reads them."""
    order: list[str] = []
    pending = [m.group(1) for line in _code_lines(text) if (m := _SOURCE.match(line)) is not None]
    while pending:
        library = pending.pop(0)
        if library in order or not (scripts / library).is_file():
            continue
        order.append(library)
        inner = (scripts / library).read_text(encoding="utf-8")
        pending.extend(f"lib/{m.group(1).split('/')[-1]}" for m in map(_SOURCE_IN_LIB.match, _code_lines(inner)) if m)
    return order


def _declarations(piece: str, text: str, env: dict[str, str], found: Requirements, where: str) -> None:
    for line in _code_lines(piece):
        if (match := _REQUIRE.match(line)) is not None:
            for word in shlex.split(match.group(1), comments=True):
                values = resolve(word, text, env)
                if values is None:
                    found.unresolved.add(word)
                else:
                    found.tools.update(values)
                    for value in values:
                        found.declared_in.setdefault(value, where)


def known_tools() -> frozenset[str]:
    """Every command an image or a workspace install provides: the words usage is looked for."""
    everything = frozenset().union(*(img.tools for img in IMAGES.values()), *(i.tools for i in INSTALLS))
    return everything - SHELL_BUILTINS


def script_closure(root: Path, script: str) -> dict[str, str]:
    """The text of `scripts/<script>`, of the scripts it runs and of the libraries it sources, by name."""
    scripts = root / "scripts"
    texts: dict[str, str] = {}
    pending = [script]
    while pending:
        name = pending.pop()
        if name in texts or not (scripts / name).is_file():
            continue
        texts[name] = (scripts / name).read_text(encoding="utf-8")
        for line in _code_lines(texts[name]):
            if (source := _SOURCE.match(line)) is not None:
                pending.append(source.group(1))
            pending.extend(other for other in _SCRIPT_REF.findall(line) if (scripts / other).is_file())
    return texts


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
