"""The build's log: each step's output in its own file, and every line as a Cloud Logging entry.

The pipeline reads its own log back from Cloud Logging (run-phi-detection.sh: `gcloud logging read
'resource.type="build" AND resource.labels.build_id="..."'`), so the fake world's Cloud Logging is
this file: one JSON entry per line of output, stdout and stderr alike, in the shape Cloud Logging
returns (`textPayload`, `resource.type` build with `build_id`, the step in `labels.build_step`).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

BUILD_LOG = "build-log.jsonl"


class BuildLog:
    def __init__(self, logs: Path, world: Path, build_id: str, project_id: str, trigger_id: str) -> None:
        self.logs = logs
        self.entries = world / BUILD_LOG
        self.build_id = build_id
        self.project_id = project_id
        self.trigger_id = trigger_id
        self._lock = threading.Lock()

    def step_log(self, step_index: int) -> Path:
        return self.logs / f"{step_index:02d}.log"

    def write(self, step_index: int, label: str, line: str) -> None:
        text = line.rstrip("\n")
        entry = {
            "insertId": f"{self.build_id[:8]}-{step_index}-{datetime.now(tz=UTC).timestamp():.6f}",
            "logName": f"projects/{self.project_id}/logs/cloudbuild",
            "resource": {
                "type": "build",
                "labels": {
                    "build_id": self.build_id,
                    "project_id": self.project_id,
                    "build_trigger_id": self.trigger_id,
                },
            },
            "labels": {"build_step": label},
            "severity": "INFO",
            "textPayload": text,
            "timestamp": datetime.now(tz=UTC).isoformat().replace("+00:00", "Z"),
        }
        with self._lock:
            with self.entries.open("a", encoding="utf-8") as sink:
                sink.write(json.dumps(entry) + "\n")
            with self.step_log(step_index).open("a", encoding="utf-8") as step_file:
                step_file.write(text + "\n")

    def tail(self, step_index: int, lines: int = 5) -> list[str]:
        path = self.step_log(step_index)
        if not path.exists():
            return []
        return [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()][
            -lines:
        ]
