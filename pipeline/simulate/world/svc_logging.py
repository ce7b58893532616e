"""gcloud: logging (sinks, buckets, metrics, read), monitoring channels and policies, Pub/Sub, builds.

`gcloud logging read` evaluates the filters the scripts write: clauses joined by AND, each
`field="value"` (equals) or `field:"value"` (contains), field a dotted path into the entry. The
build's own entries are the simulator's build log (buildlog.py); the SIEM bucket holds the audit
entries of the environment project.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pipeline.simulate.world.args import parse
from pipeline.simulate.world.call import Call, RefusedError, Table
from pipeline.simulate.world.model import now

BUILD_LOG = "build-log.jsonl"
_CLAUSE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(=|:)\s*"([^"]*)"\s*$')


def _field(entry: Any, path: str) -> Any:
    for part in path.split("."):
        entry = entry.get(part) if isinstance(entry, dict) else None
    return entry


def matcher(expression: str) -> list[tuple[str, str, str]]:
    clauses = []
    for clause in re.split(r"\s+AND\s+", expression.strip()):
        match = _CLAUSE.match(clause)
        if not match:
            raise RefusedError(f"fake world: unmodelled log filter clause {clause!r}")
        clauses.append((match.group(1), match.group(2), match.group(3)))
    return clauses


def matches(entry: dict[str, Any], clauses: list[tuple[str, str, str]]) -> bool:
    for path, operator, value in clauses:
        found = _field(entry, path)
        if found is None or (operator == "=" and str(found) != value) or (operator == ":" and value not in str(found)):
            return False
    return True


def logging_read(call: Call) -> int:
    args = parse(
        call.argv,
        positional=(1, 1),
        values=("--order", "--freshness", "--limit", "--bucket", "--location", "--view"),
    )
    clauses = matcher(args.positional[0])
    project = args.require("--project")
    with call.state(write=False) as state:
        if args.value("--bucket"):
            path = f"projects/{project}/locations/{args.value('--location')}/buckets/{args.value('--bucket')}"
            if path not in state["logging"]["buckets"]:
                raise RefusedError(f"NOT_FOUND: bucket {path} does not exist")
            entries = list(state["logging"]["auditEntries"]) if project == state["env"]["siem_project"] else []
        else:
            log = call.world / BUILD_LOG
            lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
            entries = [json.loads(line) for line in lines if line.strip()]
            entries = [e for e in entries if e["resource"]["labels"].get("project_id") == project]
    found = [e for e in entries if matches(e, clauses)]
    if args.value("--order", "desc") == "desc":
        found.reverse()
    if args.value("--limit"):
        found = found[: int(str(args.value("--limit")))]
    return call.emit(found, args.value("--format"))


def sinks_list(call: Call) -> int:
    args = parse(call.argv)
    with call.state(write=False) as state:
        sinks = state["logging"]["sinks"].get(args.require("--project"), [])
    return call.emit(sinks, args.value("--format"))


def buckets_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--location",))
    path = f"projects/{args.require('--project')}/locations/{args.require('--location')}/buckets/{args.positional[0]}"
    with call.state(write=False) as state:
        bucket = state["logging"]["buckets"].get(path)
    if bucket is None:
        raise RefusedError(f"NOT_FOUND: bucket {path} does not exist")
    return call.emit(bucket, args.value("--format"))


def metrics_list(call: Call) -> int:
    args = parse(call.argv)
    with call.state(write=False) as state:
        return call.emit(state["logging"]["metrics"].get(args.require("--project"), []), args.value("--format"))


def metrics_create(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--config-from-file",))
    config = json.loads(Path(args.require("--config-from-file")).read_text(encoding="utf-8"))
    with call.state() as state:
        metrics = state["logging"]["metrics"].setdefault(args.require("--project"), [])
        if any(m["name"] == args.positional[0] for m in metrics):
            raise RefusedError(f"ALREADY_EXISTS: metric {args.positional[0]} already exists")
        metrics.append({**config, "name": args.positional[0], "disabled": bool(config.get("disabled", False))})
    call.err.write(f"Created [{args.positional[0]}].\n")
    return 0


def channels_list(call: Call) -> int:
    args = parse(call.argv)
    with call.state(write=False) as state:
        return call.emit(state["monitoring"]["channels"].get(args.require("--project"), []), args.value("--format"))


def channels_create(call: Call) -> int:
    args = parse(call.argv, values=("--channel-content-from-file",))
    channel = json.loads(Path(args.require("--channel-content-from-file")).read_text(encoding="utf-8"))
    project = args.require("--project")
    with call.state() as state:
        channels = state["monitoring"]["channels"].setdefault(project, [])
        channel = {
            **channel,
            "name": f"projects/{project}/notificationChannels/{9100 + len(channels)}",
            "enabled": True,
        }
        channels.append(channel)
    return call.emit(channel, args.value("--format"))


def policies_list(call: Call) -> int:
    args = parse(call.argv)
    with call.state(write=False) as state:
        return call.emit(state["monitoring"]["policies"].get(args.require("--project"), []), args.value("--format"))


def policies_create(call: Call) -> int:
    args = parse(call.argv, values=("--policy-from-file",))
    policy = json.loads(Path(args.require("--policy-from-file")).read_text(encoding="utf-8"))
    project = args.require("--project")
    with call.state() as state:
        policies = state["monitoring"]["policies"].setdefault(project, [])
        policy = {**policy, "name": f"projects/{project}/alertPolicies/{5200 + len(policies)}"}
        policy.setdefault("enabled", True)
        policies.append(policy)
    return call.emit(policy, args.value("--format"))


def topics_list(call: Call) -> int:
    args = parse(call.argv)
    project = args.require("--project")
    with call.state(write=False) as state:
        topics = [t for name, t in sorted(state["pubsub"]["topics"].items()) if name.startswith(f"projects/{project}/")]
    return call.emit(topics, args.value("--format"))


def topics_publish(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--message", "--attribute"))
    topic = args.positional[0]
    with call.state() as state:
        if topic not in state["pubsub"]["topics"]:
            raise RefusedError(f"NOT_FOUND: Resource not found (resource={topic.rsplit('/', maxsplit=1)[-1]}).")
        attributes = dict(pair.split("=", 1) for pair in ",".join(args.all("--attribute")).split(",") if pair)
        messages = state["pubsub"]["messages"]
        message_id = str(18_000_000_000_000 + len(messages))
        messages.append(
            {
                "topic": topic,
                "data": args.require("--message"),
                "attributes": attributes,
                "messageId": message_id,
                "publishTime": now(),
            }
        )
    return call.emit({"messageIds": [message_id]}, args.value("--format"))


def builds_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--region",))
    with call.state(write=False) as state:
        build = state["builds"].get(args.positional[0])
        if build is None or (args.value("--region") or "global") != build.get("_location", "global"):
            raise RefusedError(f"NOT_FOUND: Requested entity was not found (build {args.positional[0]}).")
    return call.emit({k: v for k, v in build.items() if not k.startswith("_")}, args.value("--format"))


COMMANDS: Table = {
    ("logging", "read"): logging_read,
    ("logging", "sinks", "list"): sinks_list,
    ("logging", "buckets", "describe"): buckets_describe,
    ("logging", "metrics", "list"): metrics_list,
    ("logging", "metrics", "create"): metrics_create,
    ("beta", "monitoring", "channels", "list"): channels_list,
    ("beta", "monitoring", "channels", "create"): channels_create,
    ("alpha", "monitoring", "policies", "list"): policies_list,
    ("alpha", "monitoring", "policies", "create"): policies_create,
    ("pubsub", "topics", "list"): topics_list,
    ("pubsub", "topics", "publish"): topics_publish,
    ("builds", "describe"): builds_describe,
}
