"""Whether this suite runs in a build's workspace rather than a checkout.

Cloud Build's unit-tests step, real or simulated, runs the suite in /workspace as a GitHub App
trigger gives it: the commit's files without `.git`, and tools where the build's own steps put them
(/workspace/bin), not the trees `make test` builds (.tools/). Tests that need a checkout (a simulation
of their own copies the tracked files; the tool trees) skip there and run in `make test` and
`.ci/run`, which always work on a clone. The simulated build does not tell the suite it is simulated:
what skips there skips on Cloud Build too.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# A worktree's .git is a file, a clone's a directory: either way it exists.
IN_BUILD_WORKSPACE = not (PROJECT_ROOT / ".git").exists()
