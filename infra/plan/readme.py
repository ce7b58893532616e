"""The README's generated sections: what each stack creates (from the offline plan) and the pipeline DAG.

`python -m infra readme` rewrites the text between each pair of markers in README.md;
`python -m infra readme --check` exits 1 when a section differs from what the generators produce
now, so the README cannot drift from the code. Everything else in the README is left as written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from infra.config import ENVIRONMENTS
from infra.rules import Resource

COMPONENT_PREFIX = "hipaa:"
SECTIONS = ("components", "resources", "pipeline")


class ReadmeError(ValueError):
    """The README lacks a marker pair or holds one twice."""


def begin_marker(section: str) -> str:
    return f"<!-- BEGIN GENERATED {section}: `make readme` rewrites this section, do not edit it by hand -->"


def end_marker(section: str) -> str:
    return f"<!-- END GENERATED {section} -->"


def parent_component(resource: Resource) -> str:
    """The type token of the component a resource was created under (from its URN's parent type)."""
    qualified_type = resource.urn.split("::")[2]
    parents = qualified_type.split("$")[:-1]
    return parents[-1] if parents and parents[-1].startswith(COMPONENT_PREFIX) else "(stack)"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _count_table(first_column: str, plans: Mapping[str, Sequence[Resource]], key: Callable[[Resource], str]) -> str:
    stacks = [s for s in ENVIRONMENTS if s in plans]
    counts = {s: Counter(key(r) for r in plans[s] if not r.type.startswith(COMPONENT_PREFIX)) for s in stacks}
    names = sorted(set().union(*(c.keys() for c in counts.values())))
    rows = [[f"`{name}`", *(str(counts[s][name]) for s in stacks)] for name in names]
    rows.append(["total", *(str(sum(counts[s].values())) for s in stacks)])
    return _table([first_column, *stacks], rows)


def component_table(plans: Mapping[str, Sequence[Resource]]) -> str:
    """Cloud resources per component and stack (components themselves are not counted)."""
    return _count_table("component", plans, parent_component)


def resource_table(plans: Mapping[str, Sequence[Resource]]) -> str:
    """Cloud resources per type and stack."""
    return _count_table("resource type", plans, lambda r: r.type)


def pipeline_mermaid() -> str:
    from pipeline.dag import mermaid
    from pipeline.definition import pipeline

    return "```mermaid\n" + mermaid([step.to_dict() for step in pipeline().steps]) + "```\n"


def sections(plans: Mapping[str, Sequence[Resource]]) -> dict[str, str]:
    return {
        "components": component_table(plans),
        "resources": resource_table(plans),
        "pipeline": pipeline_mermaid(),
    }


def _pattern(section: str) -> re.Pattern[str]:
    return re.compile(re.escape(begin_marker(section)) + r"\n(.*?)" + re.escape(end_marker(section)), re.DOTALL)


def _section(text: str, section: str) -> re.Match[str]:
    matches = list(_pattern(section).finditer(text))
    if len(matches) != 1:
        raise ReadmeError(f"README: expected one '{section}' section between its markers, found {len(matches)}")
    return matches[0]


def generated(text: str, section: str) -> str:
    """The text a README holds between a section's markers."""
    return _section(text, section).group(1)


def update(text: str, contents: Mapping[str, str]) -> str:
    """The README with every generated section replaced by its new content."""
    for section, content in contents.items():
        start, end = _section(text, section).span()
        text = text[:start] + f"{begin_marker(section)}\n{content}{end_marker(section)}" + text[end:]
    return text
