"""Pulumi entry point: validate the stack's config, then build the platform."""

import sys

import pulumi

from infra.config import ConfigError, load_config
from infra.platform import HipaaPlatform

try:
    config = load_config()
except ConfigError as error:
    # One line naming the key, exit code 2, no traceback: the contract for bad config.
    print(f"error: {error}", file=sys.stderr)
    sys.exit(2)

platform = HipaaPlatform("hipaa", config)
pulumi.export("environment", config.environment)
pulumi.export("keyring", platform.keyring_id)
