"""The marts BI tools read keep their names, columns and meaning: every mart states its grain first,
describes every column under an enforced contract, and keeps every column it has published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

MARTS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"
PUBLISHED = Path(__file__).with_name("published_mart_columns.json")


def mart_models() -> dict[str, dict]:
    models = {}
    for path in sorted(MARTS_DIR.rglob("*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            models[model["name"]] = model
    return models


MARTS = mart_models()


@pytest.mark.parametrize("name", sorted(MARTS))
def test_every_mart_states_its_grain_first_and_describes_every_column_under_a_contract(name):
    model = MARTS[name]
    assert model["description"].strip().startswith("One row per"), f"{name}: state the grain first"
    assert model["config"]["contract"]["enforced"] is True, f"{name}: enforce the contract"
    undescribed = [c["name"] for c in model["columns"] if not str(c.get("description") or "").strip()]
    untyped = [c["name"] for c in model["columns"] if not c.get("data_type")]
    assert not undescribed and not untyped, f"{name}: undescribed {undescribed}, untyped {untyped}"


def test_no_published_mart_or_column_disappears_or_changes_type():
    """Adding a column is fine (then add it to published_mart_columns.json). Dropping, renaming or retyping
    one breaks dashboards: publish a new model version instead (docs/bi.md, "Stable marts")."""
    published = json.loads(PUBLISHED.read_text())
    current = {name: {c["name"]: c["data_type"] for c in model["columns"]} for name, model in MARTS.items()}
    broken = [
        f"{mart}.{column} ({data_type})"
        for mart, columns in published.items()
        for column, data_type in columns.items()
        if current.get(mart, {}).get(column) != data_type
    ]
    assert not broken, f"breaking changes to published marts: {broken}"
    unlisted = sorted(set(current) - set(published))
    assert not unlisted, f"new marts {unlisted}: add them to {PUBLISHED.name} once they are published"
