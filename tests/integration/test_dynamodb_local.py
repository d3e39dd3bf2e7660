"""The DynamoDB Local launcher itself, on a data folder."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest

from portal.local.dynamodb import DynamoDBLocal
from tests.integration.conftest import dynamodb_local_jar, processes_matching

pytestmark = pytest.mark.integration


def test_starting_on_a_folder_leaves_no_file_open(tmp_path: Path) -> None:
    jar = dynamodb_local_jar()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        local = DynamoDBLocal.start(tmp_path / "dynamodb", jar=jar)
        try:
            gc.collect()
        finally:
            local.stop()

    assert local.process.returncode is not None
    assert processes_matching(f"{tmp_path.resolve()}/") == []
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
