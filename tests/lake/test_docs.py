from __future__ import annotations

import re
from pathlib import Path

import pytest

from plainsight.lake.schemas import SCHEMAS

DOCS = (Path(__file__).parents[2] / "docs" / "lake.md").read_text()


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_every_column_of_every_table_is_documented(table: str) -> None:
    match = re.search(rf"^### `{table}`.*?(?=^### |\Z)", DOCS, flags=re.MULTILINE | re.DOTALL)
    assert match, f"docs/lake.md has no section for {table}"
    missing = [c for c in SCHEMAS[table].names if f"`{c}`" not in match.group(0)]
    assert not missing
