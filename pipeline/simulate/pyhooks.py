"""Where a step's Python talks to Google Cloud through a client library, not a CLI: two seams.

The data-quality gate (`python -m workloads.quality`) reads BigQuery through great_expectations'
BigQuery datasource and google-cloud-bigquery; no CLI shim can answer that, and the fake world has
no SQL engine. Its own code has the seam: `TableSource` (BigQuery in the pipeline, pandas frames in
the project's tests). In a simulated build, and only in a `python -m workloads.quality` process, a
sitecustomize module on the Cloud SDK image's PYTHONPATH swaps BigQuerySource for a source that
reads each table's rows from the world. The suites, Great Expectations, the report and the gate
script run for real on those rows.

Prowler, installed for real by the prowler-venv step, reads the project through Google's API client
libraries too. The same sitecustomize answers a process started as .tools/prowler/bin/prowler with
the world's Prowler (world/svc_pulumi.py) from its first line, as the fake CLIs answer gcloud.
"""

from __future__ import annotations

from pathlib import Path

SITECUSTOMIZE = '''"""Simulation only (pipeline/simulate/pyhooks.py): data-quality reads its tables from the world."""
import sys

WORLD = {world!r}
SIMULATOR = {simulator!r}


def _prowler():
    import os

    if os.path.basename(sys.argv[0]) != "prowler" or "/.tools/prowler/bin/" not in sys.argv[0]:
        return
    sys.path.insert(0, SIMULATOR)
    from pathlib import Path

    from pipeline.simulate.world.cli import main

    code = main(Path(WORLD), "prowler", sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _install():
    argv = getattr(sys, "orig_argv", [])
    if "-m" not in argv or argv[argv.index("-m") + 1 : argv.index("-m") + 2] != ["workloads.quality"]:
        return
    import datetime
    import json

    import pandas
    from workloads.quality import runner

    class WorldSource(runner.BigQuerySource):
        def _rows(self, table):
            state = json.loads(open(WORLD + "/state.json", encoding="utf-8").read())
            found = state["bigquery"]["tables"].get(f"{{self.project}}:{{self.datasets[table.role]}}.{{table.name}}")
            if found is None:
                raise runner.QualityError(f"Not found: Table {{self.label(table)}}")
            return found

        def batch(self, context, table):
            found = self._rows(table)
            frame = pandas.DataFrame(found.get("rows") or [], columns=[f["name"] for f in found["schema"]["fields"]])
            for field in found["schema"]["fields"]:
                if field["type"] == "DATE":
                    frame[field["name"]] = [datetime.date.fromisoformat(v) if v else None for v in frame[field["name"]]]
            source = context.data_sources.add_pandas(name=f"world-{{table.role}}-{{table.name}}")
            asset = source.add_dataframe_asset(name=table.name)
            return asset.add_batch_definition_whole_dataframe(name="whole-frame"), {{"dataframe": frame}}

    runner.BigQuerySource = WorldSource  # workloads.quality.cli imports it by name when it loads, after this


_prowler()
try:
    _install()
except ImportError:
    pass
'''


def write_hooks(directory: Path, world: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    simulator = str(Path(__file__).resolve().parents[2])
    (directory / "sitecustomize.py").write_text(
        SITECUSTOMIZE.format(world=str(world), simulator=simulator), encoding="utf-8"
    )
    return directory
