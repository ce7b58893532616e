"""HIPAA rules over a Dockerfile: pinned bases, a hardened runtime base, a non-root runtime user.

A rule takes the Dockerfile's instructions in file order and returns its findings (a problem and the
line of the instruction at fault), none when it holds. Build arguments are resolved from the defaults
the Dockerfile declares: a reference that depends on an argument without a default cannot be judged,
so it is a finding. A digest must be written in the Dockerfile itself: a build argument could swap it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

SCRATCH = "scratch"
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
# Hardened runtime bases: Google's distroless images (no shell, no package manager), from gcr.io or the
# platform's pull-through mirror of it in Artifact Registry; never a `debug` variant (it adds a shell).
HARDENED_BASE = re.compile(
    r"^(?:gcr\.io/distroless"
    r"|[a-z]+-[a-z]+[0-9]-docker\.pkg\.dev/[a-z][a-z0-9-]{4,28}[a-z0-9]/hipaa-(?:dev|staging|prod)-gcr-mirror/distroless)"
    r"/[a-z0-9][a-z0-9._-]*(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*))?(?:@sha256:[0-9a-f]{64})?$"
)
_VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
_FROM_FLAG = re.compile(r"^--[a-z-]+=\S*$")


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case, e.g. FROM
    value: str  # the arguments as written (continuations joined)
    line: int  # start line as Checkov counts it (0-based)


@dataclass(frozen=True)
class Finding:
    problem: str
    line: int


@dataclass(frozen=True)
class Stage:
    start: Instruction  # its FROM
    base: str  # the image or stage it builds on, as written
    alias: str  # its `AS` name, lower case ("" without one)
    body: tuple[Instruction, ...]


def parse_args(value: str) -> dict[str, str | None]:
    """`ARG NAME[=default] ...`: each name with its default, None without one."""
    declared: dict[str, str | None] = {}
    try:
        words = shlex.split(value, posix=True)
    except ValueError:  # an unbalanced quote: Docker would refuse the file; judge the words as written
        words = value.split()
    for word in words:
        name, sep, default = word.partition("=")
        declared[name] = default if sep else None
    return declared


def substitute(text: str, args: dict[str, str | None]) -> str | None:
    """`$NAME`, `${NAME}` and `${NAME:-word}` replaced from the defaults; None when one has no value."""
    unresolved = False

    def value(match: re.Match[str]) -> str:
        nonlocal unresolved
        name = match.group("braced") or match.group("bare")
        found = args.get(name)
        if found is None and match.group("default") is not None:
            return match.group("default")
        if found is None:
            unresolved = True
            return ""
        return found

    result = _VARIABLE.sub(value, text)
    return None if unresolved or "$" in result else result


def stages(instructions: Sequence[Instruction]) -> tuple[dict[str, str | None], list[Stage]]:
    """The global build arguments (declared before the first FROM) and the stages, in order."""
    global_args: dict[str, str | None] = {}
    found: list[Stage] = []
    start: Instruction | None = None
    base = alias = ""
    body: list[Instruction] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            if start is not None:
                found.append(Stage(start, base, alias, tuple(body)))
            words = [w for w in instruction.value.split() if not _FROM_FLAG.match(w)]
            start, body = instruction, []
            base = words[0] if words else ""
            alias = words[2].lower() if len(words) == 3 and words[1].lower() == "as" else ""
        elif start is None:
            if instruction.keyword == "ARG":
                global_args.update(parse_args(instruction.value))
        else:
            body.append(instruction)
    if start is not None:
        found.append(Stage(start, base, alias, tuple(body)))
    return global_args, found


def _external_references(stage: Stage, aliases: set[str]) -> list[tuple[str, Instruction]]:
    """Images a stage reads besides its base: `COPY --from=` and `RUN --mount=...,from=` naming no stage."""
    references = []
    for instruction in stage.body:
        if instruction.keyword not in ("COPY", "RUN"):
            continue
        for word in instruction.value.split():
            if not word.startswith("--"):
                break
            for match in re.finditer(r"(?:^--from=|[=,]from=)([^,\s]+)", word):
                source = match.group(1)
                if source.lower() not in aliases and not source.isdigit():
                    references.append((source, instruction))
    return references


def _base_problem(reference: str, args: dict[str, str | None]) -> str | None:
    if DIGEST.search(reference) is None:
        return "not pinned by a sha256 digest written in the Dockerfile"
    if substitute(reference, args) is None:
        return "names its image through a build argument without a default"
    return None


# --- CKV_HIPAA_7 -----------------------------------------------------------------------------------
def pinned_bases(instructions: Sequence[Instruction]) -> list[Finding]:
    """Every base image and every image copied from is pinned by a digest written in the Dockerfile."""
    global_args, found = stages(instructions)
    if not found:
        return [Finding("no FROM instruction", 0)]
    findings = []
    aliases: set[str] = set()
    for stage in found:
        if stage.base.lower() != SCRATCH and stage.base.lower() not in aliases:
            problem = _base_problem(stage.base, global_args)
            if problem:
                findings.append(Finding(f"FROM {stage.alias or 'stage'}: base image {problem}", stage.start.line))
        for reference, instruction in _external_references(stage, aliases):
            problem = _base_problem(reference, global_args)
            if problem:
                findings.append(Finding(f"{instruction.keyword} --from image {problem}", instruction.line))
        if stage.alias:
            aliases.add(stage.alias)
    return findings


# --- CKV_HIPAA_8 -----------------------------------------------------------------------------------
def hardened_runtime_base(instructions: Sequence[Instruction]) -> list[Finding]:
    """The final (runtime) stage builds, through any stages it extends, on scratch or a distroless image."""
    global_args, found = stages(instructions)
    if not found:
        return [Finding("no FROM instruction", 0)]
    by_alias = {stage.alias: stage for stage in found if stage.alias}
    stage = found[-1]
    seen: set[str] = set()
    # Follow `FROM <earlier stage>` back to the image the runtime stage really starts from.
    while stage.base.lower() in by_alias and stage.base.lower() not in seen:
        seen.add(stage.base.lower())
        stage = by_alias[stage.base.lower()]
    if stage.base.lower() == SCRATCH:
        return []
    reference = substitute(stage.base, global_args)
    match = HARDENED_BASE.match(reference or "")
    if match is None or "debug" in (match.group("tag") or ""):
        return [Finding("runtime stage is not built on a distroless (non-debug) or scratch base", stage.start.line)]
    return []


# --- CKV_HIPAA_9 -----------------------------------------------------------------------------------
def non_root_runtime_user(instructions: Sequence[Instruction]) -> list[Finding]:
    """The runtime stage ends with `USER <uid>[:<gid>]`, a numeric UID other than 0.

    Numeric, because the kubelet can only verify runAsNonRoot against a numeric user; a stage that sets
    no USER runs as whatever its base image says, which the Dockerfile does not show.
    """
    global_args, found = stages(instructions)
    if not found:
        return [Finding("no FROM instruction", 0)]
    runtime = found[-1]
    # Inside a stage only the arguments it declares are set; one declared without a default takes the
    # global default. ENV values are not followed: a USER that needs one cannot be judged.
    args: dict[str, str | None] = {}
    user: Instruction | None = None
    for instruction in runtime.body:
        if instruction.keyword == "ARG":
            for name, default in parse_args(instruction.value).items():
                args[name] = default if default is not None else global_args.get(name)
        elif instruction.keyword == "USER":
            user = instruction
    if user is None:
        return [Finding("runtime stage sets no USER", runtime.start.line)]
    value = substitute(user.value.strip(), args)
    uid = (value or "").split(":", 1)[0]
    if not uid.isdigit():
        return [Finding("last USER is not a numeric UID (or takes it from an argument without a default)", user.line)]
    if int(uid) == 0:
        return [Finding("last USER is root (UID 0)", user.line)]
    return []
