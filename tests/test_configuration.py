"""A configuration folder is validated before any work: each problem names its file, its line and what is
wrong, and nothing runs (no warehouse, no Dagster instance is created). `delivery init` writes a starter the
loader accepts as it is, with every setting at its default."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ingestion.collect.config import TOOL_ORDER, load_collect_config
from orchestration.cli import app
from orchestration.config import MAPPINGS, SETTINGS, ConfigError, load_config
from orchestration.config.spec import SETTINGS_BY_NAME
from orchestration.config.starter import settings_text
from orchestration.lib.settings import DEMO_CONFIG_DIR, PROJECT_ROOT

# Settings the environment may set for the whole test session (tests/conftest.py); a folder's own must win here.
OVERRIDES = [setting.environment_variable for setting in SETTINGS] + ["DELIVERY_CONFIG_DIR"]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the demo's configuration folder, with its paths inside the test's own folder."""
    folder = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG_DIR, folder)
    (folder / "settings.yaml").write_text(
        "exports_dir: ../exports\n"
        "warehouse_path: ../warehouse/delivery.duckdb\n"
    )
    return folder


def _delivery(config_dir: Path, *args: str):
    env = {name: None for name in OVERRIDES} | {"DELIVERY_CONFIG_DIR": str(config_dir),
                                                 "DAGSTER_HOME": str(config_dir.parent / "dagster"),
                                                 "COLUMNS": "300"}
    return CliRunner().invoke(app, list(args), env=env)


def _mapping(config_dir: Path, name: str) -> Path:
    return config_dir / "mappings" / f"{name}.csv"


def _replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text().splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n")


def _assert_stopped_before_any_work(result, config_dir: Path, *expected: str) -> None:
    output = " ".join(result.output.split())  # the console folds long lines
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in output, result.output
    assert "Nothing ran" in output
    # nothing ran: no warehouse folder, no Dagster instance, no landing folder written
    for created in ("warehouse", "dagster", "exports"):
        assert not (config_dir.parent / created).exists(), created


def test_the_demo_configuration_is_valid_and_holds_every_mapping():
    config = load_config(DEMO_CONFIG_DIR, environ={})
    assert sorted(config.mappings) == sorted(mapping.name for mapping in MAPPINGS)
    # mappings/teams.csv of the demo: 11 teams, a header line
    assert len(config.mappings["teams"].rows) == 11
    assert config.values["exports_dir"] == str((DEMO_CONFIG_DIR / "../../exports").resolve())


def test_an_unknown_team_in_a_mapping_names_the_file_line_and_team(config_dir):
    # line 3 of repository_teams.csv is acme/checkout-api's row; "chekout" is one letter off "checkout"
    path = _mapping(config_dir, "repository_teams")
    _replace_line(path, 3, "acme/checkout-api,chekout,^prod(uction)?$,")
    result = _delivery(config_dir, "run")
    _assert_stopped_before_any_work(result, config_dir, f"{path}:3: unknown team 'chekout'",
                                    "did you mean 'checkout'?")


def test_a_duplicate_key_names_both_lines(config_dir):
    path = _mapping(config_dir, "jira_project_teams")
    first = path.read_text().splitlines()[1]  # line 2: CHK's row
    path.write_text(path.read_text() + first + "\n")
    duplicate_line = len(path.read_text().splitlines())
    result = _delivery(config_dir, "run")
    _assert_stopped_before_any_work(result, config_dir,
                                    f"{path}:{duplicate_line}: duplicate key project_key='CHK', component='' "
                                    "(first on line 2)")


def test_a_malformed_regular_expression_in_a_mapping_and_in_the_settings(config_dir):
    path = _mapping(config_dir, "repository_teams")
    _replace_line(path, 2, "acme/checkout-web,checkout,^prod(uction$,")
    settings = config_dir / "settings.yaml"
    settings.write_text(settings.read_text() + "bot_login_pattern: '[bot'\n")  # line 3
    result = _delivery(config_dir, "run")
    _assert_stopped_before_any_work(
        result, config_dir,
        f"{path}:2: production_environment_pattern: malformed regular expression '^prod(uction$'",
        f"{settings}:3: bot_login_pattern: malformed regular expression '[bot'",
    )


def test_a_missing_required_column_names_the_header(config_dir):
    path = _mapping(config_dir, "teams")
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")  # value_stream dropped
    result = _delivery(config_dir, "run")
    _assert_stopped_before_any_work(result, config_dir, f"{path}:1: missing required column(s) value_stream")


def test_an_unknown_setting_names_its_line_and_the_setting_meant(config_dir):
    settings = config_dir / "settings.yaml"
    settings.write_text(settings.read_text() + "freshnes_warn_hours: 12\n")
    result = _delivery(config_dir, "run")
    _assert_stopped_before_any_work(result, config_dir,
                                    f"{settings}:3: unknown setting 'freshnes_warn_hours' "
                                    "(did you mean 'freshness_warn_hours'?)")


def test_wrong_values_and_unknown_files_are_all_reported_at_once(config_dir):
    settings = config_dir / "settings.yaml"
    settings.write_text(settings.read_text() + "dora_report_year: 2019\nmax_mart_row_drop: half\n")
    phases = _mapping(config_dir, "status_phases")
    _replace_line(phases, 2, "Backlog,10000,backlog,new")
    shutil.copy(_mapping(config_dir, "teams"), config_dir / "mappings" / "team.csv")
    with pytest.raises(ConfigError) as raised:
        load_config(config_dir, environ={})
    assert [str(problem) for problem in raised.value.problems] == [
        f"{settings}:3: dora_report_year: no tier thresholds for 2019: one of 2021, 2022, 2023, 2024",
        f"{settings}:4: max_mart_row_drop: expected a number, got 'half'",
        (f"{phases}:2: delivery_phase 'backlog' is not one of discovery, planning, development, "
        "release_readiness, release, done, canceled"),
        f"{config_dir / 'mappings' / 'team.csv'}: unknown mapping file (did you mean teams.csv?)",
    ]


def test_an_environment_variable_overrides_one_setting_and_is_validated_too(config_dir):
    config = load_config(config_dir, environ={"DELIVERY_FRESHNESS_WARN_HOURS": "12",
                                              "DELIVERY_DORA_HOTFIX_LABELS": "hotfix, urgent"})
    assert config.values["freshness_warn_hours"] == 12.0
    assert config.origins["freshness_warn_hours"] == "DELIVERY_FRESHNESS_WARN_HOURS"
    assert config.values["dora_hotfix_labels"] == ["hotfix", "urgent"]
    assert config.values["warehouse_path"] == str(config_dir.parent / "warehouse" / "delivery.duckdb")
    with pytest.raises(ConfigError, match=r"\$DELIVERY_FLOW_RISK_MIN_ITEMS: flow_risk_min_items: expected a whole"):
        load_config(config_dir, environ={"DELIVERY_FLOW_RISK_MIN_ITEMS": "three"})


def test_a_missing_configuration_folder_is_named(tmp_path):
    result = _delivery(tmp_path / "nowhere", "run")
    assert result.exit_code == 2
    assert f"{tmp_path / 'nowhere'}: no such configuration folder" in " ".join(result.output.split())


def test_init_writes_a_starter_the_loader_accepts_with_every_default(tmp_path):
    folder = tmp_path / "acme-delivery"
    result = _delivery(folder, "init", str(folder))
    assert result.exit_code == 0, result.output
    config = load_config(folder, environ={})
    defaults = {s.name: s.default for s in SETTINGS if s.kind != "path"}
    assert {name: config.values[name] for name in defaults} == defaults
    assert config.values["exports_dir"] == str(folder / "exports")
    assert all(table.rows == () for table in config.mappings.values())
    for mapping in MAPPINGS:  # every mapping file is there with its header alone
        assert _mapping(folder, mapping.name).read_text() == ",".join(mapping.header) + "\n"
    assert (folder / ".gitignore").read_text() == "secrets.yaml\n"
    # every setting is in the starter, commented out with its meaning, and uncommenting gives it back
    text = (folder / "settings.yaml").read_text()
    for setting in SETTINGS:
        assert f"# {setting.meaning}\n# {setting.name}: " in text
    uncommented = "\n".join(line[2:] for line in settings_text().splitlines()
                            if line.startswith("# ") and line[2:].split(":")[0] in {s.name for s in SETTINGS})
    assert yaml.safe_load(uncommented) == {s.name: s.default for s in SETTINGS}
    # collect.yaml collects nothing as written; uncommented, it names every tool and validates
    assert load_collect_config(folder, environ={}).tools == {}
    collect_yaml = folder / "collect.yaml"
    collect_yaml.write_text("\n".join(line[2:] for line in collect_yaml.read_text().splitlines()
                                      if line.startswith("# ") and not line.startswith("# ---")
                                      and ":" in line and not line[2:].startswith(("What", "before", "go ")) ))
    assert load_collect_config(folder, environ={}).configured == TOOL_ORDER


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = _delivery(folder, "init", str(folder))
    assert result.exit_code == 2
    assert (folder / "notes.txt").read_text() == "mine"
    assert sorted(os.listdir(folder)) == ["notes.txt"]


def test_dbt_run_alone_falls_back_to_the_settings_defaults():
    """dbt reads the settings `delivery` passes (vars, and the memory budget from the environment); run
    alone, it falls back to defaults written in its own files, which must be the settings' defaults."""
    project = PROJECT_ROOT / "dbt_project"
    dbt_vars = yaml.safe_load((project / "dbt_project.yml").read_text())["vars"]
    project_text = (project / "dbt_project.yml").read_text()
    defaults = {s.name: s.default for s in SETTINGS if s.dbt_var}
    inline = {name: float(value) for name, value in re.findall(r"var\('(\w+)', ([0-9.]+)\)", project_text)}
    assert {name: dbt_vars.get(name, inline.get(name)) for name in defaults} == defaults
    profile = (project / "profiles.yml").read_text()
    assert re.findall(r"env_var\('DELIVERY_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profile) == [
        SETTINGS_BY_NAME["duckdb_memory_limit"].default
    ]
    assert re.findall(r"env_var\('DELIVERY_DBT_THREADS', '([^']+)'\)", profile) == [
        str(SETTINGS_BY_NAME["dbt_threads"].default)
    ]


def test_the_engine_is_duckdb_by_default_and_one_of_the_engines_dbt_knows(config_dir):
    """The setting engine picks the dbt target (profiles.yml reads DELIVERY_ENGINE): duckdb unless set; a word
    that is no engine is reported, and spark, which `delivery run` cannot build on yet, is refused with the
    way to build on it."""
    assert load_config(config_dir, environ={}).values["engine"] == "duckdb"
    with pytest.raises(ConfigError, match=r"engine: expected one of duckdb, spark, got 'postgres'"):
        load_config(config_dir, environ={"DELIVERY_ENGINE": "postgres"})
    with pytest.raises(ConfigError, match=r"engine: `delivery run` builds on duckdb only so far"):
        load_config(config_dir, environ={"DELIVERY_ENGINE": "spark"})
    profile = (PROJECT_ROOT / "dbt_project" / "profiles.yml").read_text()
    assert re.findall(r"env_var\('DELIVERY_ENGINE', '([^']+)'\)", profile) == [SETTINGS_BY_NAME["engine"].default]
