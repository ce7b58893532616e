"""`python -m workloads.quality --project P --dataset D [--json PATH]`: exit 0 pass, 1 failed, 2 error."""

import sys

from workloads.quality.cli import main

sys.exit(main(sys.argv[1:]))
