"""The compliance report on paper: report.json for machines, report.md and report.html for auditors.

Every value is escaped for its format, although the values come from our gate registry or were
validated on the way in: a report is the last place a stray `|` or `<` should change meaning.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.report import GateResult, Report

REPORT_VERSION = 1
# What changes meaning inside a Markdown table cell.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_HTML_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
    "th,td{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}"
    ".pass{color:#060}.fail,.invalid,.missing{color:#a00;font-weight:bold}"
)


def to_document(report: Report) -> dict[str, object]:
    return {
        "report_version": REPORT_VERSION,
        "environment": report.environment,
        "build_id": report.build_id,
        "generated_at": report.generated_at,
        "verdict": report.verdict,
        "deploys": {"allowed": not report.deploys_refused_by, "refused_by": list(report.deploys_refused_by)},
        "summary": {
            "gates_required": sum(1 for g in report.gates if g.required),
            **{f"gates_{status.replace('-', '_')}": report.count(status) for status in _STATUSES},
        },
        "controls": [
            {"id": c.id, "citation": c.citation, "title": c.title, "status": c.status, "gates": list(c.gates)}
            for c in report.controls
        ],
        "gates": [_gate_document(g) for g in report.gates],
        "ignored_files": list(report.ignored_files),
    }


_STATUSES = ("pass", "fail", "invalid", "missing")


def _gate_document(result: GateResult) -> dict[str, object]:
    return {
        "id": result.gate.id,
        "title": result.gate.title,
        "script": result.gate.script,
        "controls": list(result.gate.controls),
        "required": result.required,
        "status": result.status,
        "checked": result.checked,
        "violations": result.violations,
        "evidence": result.evidence,
        "reason": result.reason,
        "tool": result.tool,
        "finished_at": result.finished_at,
        "inventory": dataclasses.asdict(result.inventory) if result.inventory else None,
    }


_INVENTORY_FIELDS = ("expected", "found", "missing", "unmanaged", "mismatched", "properties")
_INVENTORY_HEADER = ["Gate", "Planned", "Found", "Missing", "Unmanaged", "Mismatched", "Properties compared"]
_INVENTORY_NOTE = (
    "What each live gate compared with the expected inventory (security/inventory/), generated from the "
    "environment's offline plan: planned resources found or missing, live ones nobody planned (failing outside "
    "dev), found ones with a property other than planned."
)


def _inventory_rows(report: Report) -> list[list[str]]:
    return [
        [g.gate.id, *(str(getattr(g.inventory, field)) for field in _INVENTORY_FIELDS)]
        for g in report.gates
        if g.inventory is not None
    ]


def md(text: object) -> str:
    """Text for a Markdown table cell: special characters escaped, no line breaks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)


def headline(report: Report) -> str:
    required = sum(1 for g in report.gates if g.required)
    text = f"{report.count('pass')} of {required} required gates passed"
    problems = [
        f"{status}: {', '.join(g.gate.id for g in report.gates if g.status == status)}" for status in _STATUSES[1:]
    ]
    problems = [p for p in problems if not p.endswith(": ")]
    return text + (f" ({'; '.join(problems)})" if problems else "")


def deploys_line(report: Report) -> str:
    """What the deploy verdict decided, from the pre-deploy gates' evidence."""
    refused = report.deploys_refused_by
    if refused:
        return f"Deploys: REFUSED: pre-deploy gate(s) {', '.join(refused)} did not pass, so no deploy step started"
    return "Deploys: allowed: every pre-deploy gate passed"


def markdown(report: Report) -> str:
    lines = [
        f"# HIPAA compliance report: {md(report.environment)}, build {md(report.build_id)}",
        "",
        f"**Verdict: {report.verdict}**: {md(headline(report))}.",
        "",
        f"**{md(deploys_line(report))}.**",
        "",
        f"Generated {md(report.generated_at)} from the evidence each gate of the pipeline wrote. Violations are "
        "counted here; what each violation names is in the gate's evidence file, linked below.",
        "",
        "## HIPAA Security Rule controls (45 CFR Part 164, Subpart C)",
        "",
        "| Control | Safeguard | Status | Proved by |",
        "|---|---|---|---|",
    ]
    for c in report.controls:
        gates = ", ".join(f"[{md(g)}](#gate-{g})" for g in c.gates) or "none in this environment"
        lines.append(f"| {md(c.citation)} | {md(c.title)} | {c.status.upper()} | {gates} |")
    lines += [
        "",
        "## Gates",
        "",
        "| Gate | What it checks | Required | Status | Checked | Violations | Evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for g in report.gates:
        evidence = f"[{md(g.evidence)}]({g.evidence})" if g.evidence else "none"
        status = g.status.upper() + (f": {md(g.reason)}" if g.reason else "")
        lines.append(
            f'| <a id="gate-{g.gate.id}"></a>{md(g.gate.id)} | {md(g.gate.title)} | {"yes" if g.required else "no"} '
            f"| {status} | {_number(g.checked)} | {_number(g.violations)} | {evidence} |"
        )
    rows = _inventory_rows(report)
    if rows:
        lines += ["", "## Planned resources compared", "", md(_INVENTORY_NOTE), ""]
        lines += ["| " + " | ".join(_INVENTORY_HEADER) + " |", "|" + "---|" * len(_INVENTORY_HEADER)]
        lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in rows]
    if report.ignored_files:
        lines += [
            "",
            f"Files in the evidence directory that are no gate's evidence: {md(', '.join(report.ignored_files))}.",
        ]
    return "\n".join(lines) + "\n"


def _row(cells: list[str], header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in cells) + "</tr>"


def page(report: Report) -> str:
    e = html.escape
    controls = [_row(["Control", "Safeguard", "Status", "Proved by"], header=True)] + [
        _row(
            [
                e(c.citation),
                e(c.title),
                f'<span class="{e(c.status)}">{e(c.status.upper())}</span>',
                ", ".join(f'<a href="#gate-{e(g)}">{e(g)}</a>' for g in c.gates) or "none in this environment",
            ]
        )
        for c in report.controls
    ]
    gates = [_row(["Gate", "What it checks", "Required", "Status", "Checked", "Violations", "Evidence"], True)] + [
        _row(
            [
                f'<span id="gate-{e(g.gate.id)}">{e(g.gate.id)}</span>',
                e(g.gate.title),
                "yes" if g.required else "no",
                f'<span class="{e(g.status)}">{e(g.status.upper())}</span>' + (f": {e(g.reason)}" if g.reason else ""),
                e(_number(g.checked)),
                e(_number(g.violations)),
                f'<a href="{e(g.evidence)}">{e(g.evidence)}</a>' if g.evidence else "none",
            ]
        )
        for g in report.gates
    ]
    rows = _inventory_rows(report)
    inventory = (
        [
            "<h2>Planned resources compared</h2>",
            f"<p>{e(_INVENTORY_NOTE)}</p>",
            "<table>",
            _row(_INVENTORY_HEADER, True),
        ]
        + [_row([e(cell) for cell in row]) for row in rows]
        + ["</table>"]
        if rows
        else []
    )
    title = f"HIPAA compliance report: {report.environment}, build {report.build_id}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            f"<title>{e(title)}</title><style>{_HTML_STYLE}</style></head><body>",
            f"<h1>{e(title)}</h1>",
            f'<p><strong class="{report.verdict.lower()}">Verdict: {e(report.verdict)}</strong>: ',
            f"{e(headline(report))}.</p>",
            f"<p><strong>{e(deploys_line(report))}.</strong></p>",
            f"<p>Generated {e(report.generated_at)}. Violations are counted here; what each names is in the gate's "
            "evidence file.</p>",
            "<h2>HIPAA Security Rule controls (45 CFR Part 164, Subpart C)</h2>",
            "<table>",
            *controls,
            "</table>",
            "<h2>Gates</h2>",
            "<table>",
            *gates,
            "</table>",
            *inventory,
            "</body></html>",
        ]
    )


def write_reports(report: Report, out: Path) -> None:
    (out / "report.json").write_text(json.dumps(to_document(report), indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text(markdown(report), encoding="utf-8")
    (out / "report.html").write_text(page(report) + "\n", encoding="utf-8")
