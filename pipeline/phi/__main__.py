"""Entry point of `python -m pipeline.phi`."""

from pipeline.phi.cli import main

raise SystemExit(main())
