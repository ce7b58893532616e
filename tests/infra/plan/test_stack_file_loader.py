"""The stack file is read by a SafeLoader: a YAML tag that would build a Python object is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from infra.config import ConfigError
from infra.plan import stack_file


def test_the_strict_loader_is_a_safe_loader() -> None:
    # _load constructs it directly (no yaml.load): its safety is its class.
    assert issubclass(stack_file._StrictLoader, yaml.SafeLoader)


def test_a_python_object_tag_is_a_config_error_not_an_object(tmp_path: Path) -> None:
    root = tmp_path
    (root / "Pulumi.prod.yaml").write_text(
        "config:\n  hipaa:region: !!python/object/apply:os.getcwd []\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"^Pulumi\.prod\.yaml: line 2: YAML syntax error: .*python/object"):
        stack_file.stack_config("prod", root)


def test_a_key_written_twice_still_names_both_lines(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n  hipaa:region: us-central1\n  hipaa:region: us-east1\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"line 3: hipaa:region appears twice \(first on line 2\)"):
        stack_file.stack_config("prod", tmp_path)
