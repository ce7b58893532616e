"""Entry point of every fake CLI: `python -I -S main.py WORLD_DIR TOOL ARGS...` (see toolbox.py).

Run in isolated mode without site-packages (a fake call must start in milliseconds and depend on
nothing the step's environment sets), so the package root is put on sys.path here.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

# The imports below need the sys.path entry above (ruff E402 allows this; Pylint does not).
# pylint: disable=wrong-import-position
from pipeline.simulate.world.cli import main

if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3:]))
