"""Entry point the Pulumi CLI runs (`python policypack`): serve the HIPAA policies until the engine is done."""

import sys
from pathlib import Path

# The CLI runs the pack from its own directory; the rules live in the repository above it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The imports below need the sys.path entry above (ruff E402 allows this; Pylint does not).
# pylint: disable=wrong-import-position
from pulumi_policy import EnforcementLevel, PolicyPack

from policypack.hipaa_policies import PACK_NAME, policies

PolicyPack(name=PACK_NAME, policies=list(policies()), enforcement_level=EnforcementLevel.MANDATORY)
