"""Reading `Pulumi.<stack>.yaml` the way the engine passes it to the program, refusing what it would not.

Every mistake is a ConfigError of one line naming the file and, where there is one, the line and the
key: a YAML syntax error, a file or `config:` block that is not a mapping, a key written twice (YAML
keeps the last one silently), a key without its namespace, and a `secure:` value in the `hipaa:`
namespace, which the offline plan cannot decrypt and no key of this project needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from infra.config import NAMESPACE, ConfigError
from infra.plan.mocks import SECRET_PLACEHOLDER


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A mapping key written twice: valid YAML, but the engine would silently keep the last one."""


# The ancestors are PyYAML's: SafeLoader mixes its reader, scanner, parser, composer, constructor, resolver.
class _StrictLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """A safe loader that refuses a mapping key written twice, naming both lines."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str | int | float | bool):
                continue  # the SafeLoader refuses unhashable keys itself
            if key in seen:
                raise _DuplicateKey(None, None, f"{key} appears twice (first on line {seen[key]})", key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep)


def _load(text: str) -> Any:
    """yaml.load(text, Loader=_StrictLoader), spelt out: the loader is a SafeLoader by its class."""
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _kind(value: object) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true or false"}.get(
        type(value), type(value).__name__
    )


def _document(path: Path) -> dict[str, Any]:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{name}: no such stack file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{name}: cannot be read ({error})") from None
    try:
        document = _load(text)
    except _DuplicateKey as error:
        line = error.problem_mark.line + 1 if error.problem_mark is not None else 0
        raise ConfigError(f"{name}: line {line}: {error.problem}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ConfigError(f"{name}: {where}YAML syntax error: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{name}: YAML syntax error: {error}") from None
    if document is None:
        raise ConfigError(f"{name}: the file is empty; it needs a config: block")
    if not isinstance(document, dict):
        raise ConfigError(f"{name}: the file is {_kind(document)}, not a mapping with a config: block")
    return document


def stack_config(stack: str, root: Path) -> dict[str, str]:
    """The stack file's `config:` block as the engine passes it: namespaced keys, string values."""
    name = f"Pulumi.{stack}.yaml"
    document = _document(root / name)
    if "config" not in document:
        raise ConfigError(f"{name}: config: is missing")
    block = document["config"]
    if not isinstance(block, dict):
        raise ConfigError(f"{name}: config: is {_kind(block)}, not a mapping of namespace:key to value")
    config: dict[str, str] = {}
    for raw_key, value in block.items():
        key = str(raw_key)
        namespace, colon, short = key.partition(":")
        if not colon or not namespace or not short:
            raise ConfigError(f"{name}: {key}: is not namespaced; write it as {NAMESPACE}:{key.strip(':')}")
        if value is None:
            continue  # a key with no value is unset, as `pulumi config` treats it
        if isinstance(value, dict) and "secure" in value:
            if namespace == NAMESPACE:
                raise ConfigError(
                    f"{name}: {key} is a secure value; no {NAMESPACE}: key is a secret and the offline plan"
                    " cannot decrypt one"
                )
            config[key] = SECRET_PLACEHOLDER
        elif isinstance(value, str):
            config[key] = value
        else:
            config[key] = json.dumps(value)
    return config
