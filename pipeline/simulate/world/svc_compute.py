"""gcloud compute: lists the validators read, instances and disks, disk snapshots."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.simulate.world.args import parse
from pipeline.simulate.world.call import Call, RefusedError, Table
from pipeline.simulate.world.model import COMPUTE

LISTS = {
    "networks": ("network", "networks"),
    "routes": ("network", "routes"),
    "firewall-rules": ("network", "firewalls"),
    "ssl-policies": ("network", "sslPolicies"),
    "target-https-proxies": ("network", "targetHttpsProxies"),
    "target-ssl-proxies": ("network", "targetSslProxies"),
    "target-http-proxies": ("network", "targetHttpProxies"),
    "instances": ("machines", "instances"),
    "disks": ("machines", "disks"),
}


def lister(group: str) -> Callable[[Call], int]:
    area, key = LISTS[group]

    def handler(call: Call) -> int:
        args = parse(call.argv, values=("--filter", "--zones", "--regions"))
        project = args.require("--project")
        with call.state(write=False) as state:
            items = state[area][key] if project == state["env"]["project"] else []
        return call.emit(items, args.value("--format"))

    return handler


def instances_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--zone",))
    with call.state(write=False) as state:
        found = [i for i in state["machines"]["instances"] if i["name"] == args.positional[0]]
        if not found or not found[0]["zone"].endswith("/" + args.require("--zone")):
            raise RefusedError(
                f"The resource 'projects/{args.value('--project')}/zones/{args.value('--zone')}"
                f"/instances/{args.positional[0]}' was not found"
            )
    return call.emit(found[0], args.value("--format"))


def disks_snapshot(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--zone", "--snapshot-names", "--storage-location", "--labels"))
    with call.state() as state:
        disks = [d for d in state["machines"]["disks"] if d["name"] == args.positional[0]]
        if not disks:
            raise RefusedError(
                f"The resource 'projects/{args.value('--project')}/zones/{args.value('--zone')}"
                f"/disks/{args.positional[0]}' was not found"
            )
        name = args.require("--snapshot-names")
        key = disks[0]["diskEncryptionKey"]["kmsKeyName"]
        state["machines"]["snapshots"][name] = {
            "kind": "compute#snapshot",
            "name": name,
            "snapshotEncryptionKey": {"kmsKeyName": key},
            "sourceDisk": disks[0]["selfLink"],
            "status": "READY",
            "storageLocations": [args.value("--storage-location", "us")],
            "selfLink": f"{COMPUTE}/projects/{args.value('--project')}/global/snapshots/{name}",
        }
    call.err.write(f"Creating snapshot(s) {name}...done.\n")
    return 0


def snapshots_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1))
    with call.state(write=False) as state:
        snapshot = state["machines"]["snapshots"].get(args.positional[0])
    if snapshot is None:
        raise RefusedError(
            f"The resource 'projects/{args.value('--project')}/global/snapshots/{args.positional[0]}' was not found"
        )
    return call.emit(snapshot, args.value("--format"))


def snapshots_delete(call: Call) -> int:
    args = parse(call.argv, positional=(1, 10))
    with call.state() as state:
        for name in args.positional:
            if state["machines"]["snapshots"].pop(name, None) is None:
                raise RefusedError(
                    f"The resource 'projects/{args.value('--project')}/global/snapshots/{name}' was not found"
                )
    return 0


COMMANDS: Table = {
    **{("compute", group, "list"): lister(group) for group in LISTS},
    ("compute", "instances", "describe"): instances_describe,
    ("compute", "disks", "snapshot"): disks_snapshot,
    ("compute", "snapshots", "describe"): snapshots_describe,
    ("compute", "snapshots", "delete"): snapshots_delete,
}
