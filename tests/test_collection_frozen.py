"""What collection loaded stays out of garbage collection (tests/conftest.py, pytest_collection_finish).

Garbage collection was about 10 % of the suite's CPU: each full collection walked every module, class
and function that the test modules, Pulumi, Presidio and pandas had loaded, though they live all run.
"""

from __future__ import annotations

import gc


def test_what_collection_loaded_is_frozen() -> None:
    assert gc.get_freeze_count() > 0
