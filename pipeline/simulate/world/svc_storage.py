"""gcloud storage: buckets, their IAM, and objects (cp, cat, ls, describe, rm) kept on local disk.

Object content lives under <world>/gcs/<bucket>/<name>@<generation>; the state keeps each object's
generations (newest last) with the metadata `gcloud storage objects list --format=json` prints. A
bucket without versioning keeps only the live generation. Retention policies are not enforced on
writes (the pipeline only adds objects under new names).
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import time
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pipeline.simulate.world.args import parse
from pipeline.simulate.world.call import Call, RefusedError, Table

_CRC_TABLE = []
for _byte in range(256):
    _crc = _byte
    for _ in range(8):
        _crc = (_crc >> 1) ^ 0x82F63B78 if _crc & 1 else _crc >> 1
    _CRC_TABLE.append(_crc)


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def split(url: str) -> tuple[str, str, str | None]:
    """gs://bucket/name#generation -> (bucket, name, generation)."""
    if not url.startswith("gs://"):
        raise RefusedError(f"not a gs:// URL: {url}")
    bucket, _, rest = url[len("gs://") :].partition("/")
    name, _, generation = rest.partition("#")
    return bucket, name, generation or None


def _bucket(state: dict[str, Any], name: str) -> dict[str, Any]:
    bucket = state["storage"]["buckets"].get(name)
    if bucket is None:
        raise RefusedError(f"gs://{name} not found: 404.")
    return bucket  # type: ignore[no-any-return]


def write_object(call: Call, state: dict[str, Any], url: str, data: bytes) -> dict[str, Any]:
    bucket_name, name, _ = split(url)
    bucket = _bucket(state, bucket_name)
    objects = state["storage"]["objects"]
    key = f"{bucket_name}/{name}"
    generation = str(time.time_ns() // 1000)
    path = call.gcs() / bucket_name / f"{name}@{generation}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    record = {
        "bucket": bucket_name,
        "name": name,
        "generation": generation,
        "size": len(data),
        "md5_hash": base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode(),
        "crc32c_hash": base64.b64encode(crc32c(data).to_bytes(4, "big")).decode(),
        "storage_url": f"gs://{bucket_name}/{name}#{generation}",
        "creation_time": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime()),
    }
    if bucket.get("default_kms_key"):
        record["kms_key"] = bucket["default_kms_key"] + "/cryptoKeyVersions/1"
    history = objects.get(key, []) if bucket.get("versioning_enabled") else []
    objects[key] = [*history, record]
    return record


def read_object(call: Call, state: dict[str, Any], url: str) -> bytes:
    bucket_name, name, generation = split(url)
    _bucket(state, bucket_name)
    versions = state["storage"]["objects"].get(f"{bucket_name}/{name}") or []
    chosen = [v for v in versions if generation is None or v["generation"] == generation]
    if not chosen:
        raise RefusedError(f"The following URLs matched no objects or files:\n-{url}")
    return (call.gcs() / bucket_name / f"{name}@{chosen[-1]['generation']}").read_bytes()


def _matching(state: dict[str, Any], pattern_url: str) -> list[dict[str, Any]]:
    bucket_name, pattern, _ = split(pattern_url)
    _bucket(state, bucket_name)
    glob = pattern.replace("**", "\0").replace("*", "[!/]*").replace("\0", "*")
    found = []
    for key, versions in sorted(state["storage"]["objects"].items()):
        if key.startswith(bucket_name + "/") and fnmatchcase(key[len(bucket_name) + 1 :], glob):
            found.extend(versions)
    return found


def cp(call: Call) -> int:
    args = parse(call.argv, positional=(2, 100), switches=("-r", "--recursive"))
    *sources, destination = args.positional
    with call.state() as state:
        for source in sources:
            if source.startswith("gs://") and ("*" in source):
                target = Path(destination)
                for record in _matching(state, source):
                    name = record["name"].rsplit("/", maxsplit=1)[-1]
                    shutil.copyfile(
                        call.gcs() / record["bucket"] / f"{record['name']}@{record['generation']}", target / name
                    )
                continue
            data = read_object(call, state, source) if source.startswith("gs://") else Path(source).read_bytes()
            if destination.startswith("gs://"):
                url = destination
                if destination.endswith("/"):
                    url += Path(split(source)[1] if source.startswith("gs://") else source).name
                write_object(call, state, url, data)
            elif destination == "-":  # the object's bytes to stdout, as gcloud storage cp URL - does
                call.out.flush()
                binary = getattr(call.out, "buffer", None)
                if binary is None:
                    call.out.write(data.decode("utf-8"))
                else:
                    binary.write(data)
            else:
                target = Path(destination)
                (target / Path(split(source)[1]).name if target.is_dir() else target).write_bytes(data)
    call.err.write(f"Copying {len(sources)} item(s)\n")
    return 0


def cat(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1))
    with call.state(write=False) as state:
        call.out.write(read_object(call, state, args.positional[0]).decode("utf-8"))
    return 0


def objects_list(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), switches=("--fetch-encrypted-object-hashes",))
    url = args.positional[0]
    with call.state(write=False) as state:
        found = _matching(state, url)
    return call.emit(found, args.value("--format"))


def objects_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1))
    bucket_name, name, _ = split(args.positional[0])
    with call.state(write=False) as state:
        _bucket(state, bucket_name)
        versions = state["storage"]["objects"].get(f"{bucket_name}/{name}")
    if not versions:
        raise RefusedError(f"{args.positional[0]} not found: 404.")
    return call.emit(versions[-1], args.value("--format"))


def rm(call: Call) -> int:
    args = parse(call.argv, positional=(1, 100), switches=("--all-versions", "-a", "-r", "--recursive"))
    with call.state() as state:
        for url in args.positional:
            for record in _matching(state, url):
                state["storage"]["objects"].pop(f"{record['bucket']}/{record['name']}", None)
    return 0


def buckets_list(call: Call) -> int:
    args = parse(call.argv)
    project = args.require("--project")
    with call.state(write=False) as state:
        owners = state["storage"]["projects"]
        found = [b for name, b in sorted(state["storage"]["buckets"].items()) if owners.get(name) == project]
    return call.emit(found, args.value("--format"))


def buckets_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1))
    with call.state(write=False) as state:
        return call.emit(_bucket(state, split(args.positional[0])[0]), args.value("--format"))


def buckets_get_iam_policy(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1))
    name = split(args.positional[0])[0]
    with call.state(write=False) as state:
        _bucket(state, name)
        return call.emit(state["storage"]["iam"].get(name, {"bindings": []}), args.value("--format"))


COMMANDS: Table = {
    ("storage", "cp"): cp,
    ("storage", "cat"): cat,
    ("storage", "rm"): rm,
    ("storage", "objects", "list"): objects_list,
    ("storage", "objects", "describe"): objects_describe,
    ("storage", "buckets", "list"): buckets_list,
    ("storage", "buckets", "describe"): buckets_describe,
    ("storage", "buckets", "get-iam-policy"): buckets_get_iam_policy,
}
