"""People in the serving file: pseudonyms by default, real names only when the organisation decides so, e-mail
addresses never. The people are collected from the raw tables of the demo warehouse, never from a hand list."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.pseudonyms import (
    IDENTITY_KINDS,
    KEY_FILE,
    KEY_VARIABLE,
    PeoplePolicy,
    PersonMarkError,
    person_columns,
    pseudonym,
    pseudonym_key,
)
from orchestration.lib.serving import publish, read_snapshot
from tests.conftest import DemoServing, query

# Raw columns that name a person, by the tools' own vocabulary: logins, usernames, account and identity ids,
# a person's display name (`assignee_display_name`, not a build's `display_name`), e-mails and Opsgenie's
# users (`owner`, `acknowledged_by`, `closed_by`: their usernames are e-mail addresses).
RAW_PERSON_COLUMN = re.compile(
    r"login|username|unique_name|account_id|identity_id|_by_id$|requested_for_id|reviewer_id|assigned_to_id"
    r"|descriptor|.+_display_name$|author_name|committer_name|email|^owner$|_by$"
)
# Change records whose values are people when the field changed is the assignee.
RAW_ASSIGNEE_CHANGES = (
    "SELECT unnest([from_value, to_value, from_string, to_string]) FROM raw_jira.changelog_items "
    + "WHERE field = 'assignee'",
    "SELECT unnest([old_value, new_value]) FROM raw_azure_devops.work_item_updates "
    + "WHERE field = 'System.AssignedTo'",
)
PSEUDONYM = re.compile(r"person_[0-9a-f]{10}")
NAMES_KEY = b"names-key"
SHORTEST_SEARCHED = 3  # as publish: a shorter value would be found inside ordinary words


def raw_people(warehouse: Path) -> set[str]:
    """Every value of a raw person column and every assignee of a changelog, as text."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_schema LIKE 'raw_%' AND table_name NOT LIKE '\\_dlt%' ESCAPE '\\'"
        ).fetchall()
        selects = [
            f'SELECT CAST("{column}" AS VARCHAR) FROM {schema}."{table}"'
            for schema, table, column in columns
            if RAW_PERSON_COLUMN.search(column)
        ]
        values = con.execute(" UNION ".join([*selects, *RAW_ASSIGNEE_CHANGES])).fetchall()
    return {value for (value,) in values if value and len(value) >= SHORTEST_SEARCHED}


def people_found(
    database: Path, people: set[str], schemas: tuple[str, ...] | None = None
) -> dict[str, list[str]]:
    """`schema.table.column` to the people its text holds, whole or inside a longer text, for every text
    column (VARCHAR, JSON, lists cast to text) of every table of `database`."""
    found: dict[str, list[str]] = {}
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{database}' AS scanned (READ_ONLY)")
        con.execute("CREATE TEMP TABLE people AS SELECT unnest(?::VARCHAR[]) AS person", [sorted(people)])
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = 'scanned' AND (data_type LIKE 'VARCHAR%' OR data_type = 'JSON' "
            "OR data_type LIKE '%[]' OR data_type LIKE 'STRUCT%' OR data_type LIKE 'MAP%')"
        ).fetchall()
        for schema, table, column in columns:
            if schemas and schema not in schemas:
                continue
            hits = con.execute(
                f"""
                WITH texts AS (SELECT DISTINCT CAST("{column}" AS VARCHAR) AS text FROM scanned.{schema}."{table}")
                SELECT DISTINCT person FROM texts JOIN temp.people ON contains(texts.text, people.person)
                ORDER BY 1
                """
            ).fetchall()
            if hits:
                found[f"{schema}.{table}.{column}"] = [person for (person,) in hits]
    return found


@pytest.fixture(scope="module")
def people(demo_serving: DemoServing) -> set[str]:
    return raw_people(demo_serving.warehouse)


@pytest.fixture(scope="module")
def email_addresses(people: set[str]) -> set[str]:
    return {value for value in people if "@" in value}


@pytest.fixture(scope="module")
def names_published(demo_serving: DemoServing, tmp_path_factory: pytest.TempPathFactory) -> Path:
    serving = tmp_path_factory.mktemp("names") / "serving.duckdb"
    publish(demo_serving.warehouse, serving, "names", people=PeoplePolicy(NAMES_KEY, publish_names=True))
    return serving


def test_no_person_of_the_exports_appears_anywhere_in_the_serving_file(demo_serving: DemoServing, people):
    # The demo's people are many, of every kind, and the working warehouse's published schemas hold them:
    # the scan below would find them.
    assert len(people) > 200
    assert any("@" in value for value in people) and any(" " in value for value in people)
    in_warehouse = people_found(
        demo_serving.warehouse, people, ("staging", "intermediate", "marts", "mappings")
    )
    assert {"marts.fct_changes.author_login", "mappings.flow_people_teams.account_id"} <= set(in_warehouse)

    # A text column that holds a person and is not marked `meta.person` in its model's YAML shows here.
    assert people_found(demo_serving.serving, people) == {}


def test_every_marked_person_column_holds_pseudonyms(demo_serving: DemoServing):
    marked = [c for c in person_columns() if c.kind in IDENTITY_KINDS and not c.when]
    assert len(marked) > 40
    for column in marked:
        values = query(
            demo_serving.serving,
            f'SELECT DISTINCT "{column.column}" FROM {column.table} WHERE "{column.column}" IS NOT NULL',
        )
        assert all(PSEUDONYM.fullmatch(value) for (value,) in values), (column, values[:3])


def test_the_same_person_has_one_pseudonym_so_joins_and_distinct_counts_still_work(demo_serving: DemoServing):
    distinct_authors = "SELECT count(DISTINCT author_login) FROM marts.fct_changes"
    assert query(demo_serving.serving, distinct_authors) == query(demo_serving.warehouse, distinct_authors)
    # Issues whose assignee has a team in the people mapping: the join on the account id, across two columns.
    mapped_assignees = """
        SELECT count(*) FROM staging.stg_jira__issues AS i
        JOIN mappings.flow_people_teams AS p ON p.account_id = i.assignee_account_id
    """
    [(mapped,)] = query(demo_serving.warehouse, mapped_assignees)
    assert mapped > 0
    assert query(demo_serving.serving, mapped_assignees) == [(mapped,)]
    # A login is the same pseudonym in every column it appears in.
    by_change = "SELECT change_key, author_login FROM {} ORDER BY change_key"
    assert query(demo_serving.serving, by_change.format("marts.fct_changes")) == query(
        demo_serving.serving, by_change.format("intermediate.int_dora__changes")
    )


def test_pseudonyms_are_stable_across_publishes_and_change_with_the_key(demo_serving: DemoServing, tmp_path):
    again, other_key = tmp_path / "again.duckdb", tmp_path / "other-key.duckdb"
    publish(demo_serving.warehouse, again, "again")  # the same key: the session's DELIVERY_PSEUDONYM_KEY
    publish(demo_serving.warehouse, other_key, "other-key", people=PeoplePolicy(b"another key"))
    authors = (
        "SELECT change_key, author_login FROM marts.fct_changes WHERE author_login IS NOT NULL ORDER BY 1"
    )
    first, second, third = (query(path, authors) for path in (demo_serving.serving, again, other_key))

    assert first and first == second
    assert all(a[1] != b[1] for a, b in zip(first, third, strict=True))
    # The pseudonym is the HMAC of the original: recomputed here from the working warehouse's login.
    original = dict(query(demo_serving.warehouse, authors))
    key = pseudonym_key(demo_serving.warehouse)
    assert all(login == pseudonym(original[change], key) for change, login in first)


def test_team_level_marts_equal_the_working_warehouse(demo_serving: DemoServing):
    team_level = (
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'marts' AND table_name LIKE 'mart\\_%' ESCAPE '\\' ORDER BY 1"
    )
    marts = [name for (name,) in query(demo_serving.serving, team_level)]
    assert len(marts) >= 6
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{demo_serving.warehouse}' AS working (READ_ONLY)")
        con.execute(f"ATTACH '{demo_serving.serving}' AS served (READ_ONLY)")
        for mart in marts:
            for a, b in (("working", "served"), ("served", "working")):
                differing = f"SELECT * FROM {a}.marts.{mart} EXCEPT ALL SELECT * FROM {b}.marts.{mart}"
                assert con.execute(f"SELECT count(*) FROM ({differing})").fetchone() == (0,), (mart, a)


def test_with_people_names_published_names_appear_and_email_addresses_never(
    demo_serving: DemoServing, names_published: Path, people, email_addresses
):
    authors = "SELECT change_key, author_login FROM marts.fct_changes ORDER BY 1"
    # Logins as they are, but Azure DevOps logins are e-mail addresses: those stay pseudonyms.
    expected = [
        (change, pseudonym(login, NAMES_KEY) if login and "@" in login else login)
        for change, login in query(demo_serving.warehouse, authors)
    ]
    assert any(login and "@" in login for _, login in query(demo_serving.warehouse, authors))
    assert query(names_published, authors) == expected
    names = "SELECT DISTINCT assignee_display_name FROM staging.stg_jira__issues ORDER BY 1"
    assert query(names_published, names) == query(demo_serving.warehouse, names)
    found = people_found(names_published, people)
    assert "marts.fct_changes.author_login" in found

    assert email_addresses
    assert people_found(names_published, email_addresses) == {}


def test_the_key_is_in_neither_duckdb_file(demo_serving: DemoServing, names_published: Path):
    key = pseudonym_key(demo_serving.warehouse)
    for path in (demo_serving.warehouse, demo_serving.serving):
        with path.open("rb") as file:
            assert key not in file.read(), path
    assert people_found(demo_serving.serving, {key.decode()}) == {}


def test_the_key_comes_from_the_environment_else_the_secrets_file_else_a_file_beside_the_warehouse(
    tmp_path, monkeypatch
):
    warehouse = tmp_path / "warehouse" / "delivery.duckdb"
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.delenv(KEY_VARIABLE, raising=False)

    generated = pseudonym_key(warehouse, config)
    key_file = warehouse.parent / KEY_FILE
    assert key_file.read_text().strip().encode() == generated and len(generated) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert pseudonym_key(warehouse, config) == generated  # kept: the next publish gives the same pseudonyms

    (config / "secrets.yaml").write_text("pseudonym_key: from-the-secrets-file\n")
    assert pseudonym_key(warehouse, config) == b"from-the-secrets-file"
    monkeypatch.setenv(KEY_VARIABLE, "from-the-environment")
    assert pseudonym_key(warehouse, config) == b"from-the-environment"


def test_people_inside_a_text_become_their_pseudonyms_in_one_pass():
    from orchestration.lib.pseudonyms import EmbeddedPeople

    key = b"k"
    people = {value: pseudonym(value, key) for value in ("Ada Lovelace", "ada", "adam", "Al")}
    text = "Co-authored-by: Ada Lovelace <ada.l@example.com>; reviewed by ada, adam and Al"
    # The address is one value (not "ada" inside it); "adam" is not "ada" followed by "m"; "Al" is too
    # short to be searched for; a replacement is never searched again.
    assert EmbeddedPeople(people, key).rewrite(text) == (
        f"Co-authored-by: {people['Ada Lovelace']} <{pseudonym('ada.l@example.com', key)}>; "
        f"reviewed by {people['ada']}, {people['adam']} and Al"
    )


def test_an_unknown_kind_of_person_in_a_models_yaml_is_an_error(tmp_path):
    manifest = tmp_path / "manifest.json"
    column = {"name": "author_login", "config": {"meta": {"person": "nickname"}}}
    node = {
        "resource_type": "model",
        "schema": "staging",
        "name": "stg_x",
        "columns": {"author_login": column},
    }
    manifest.write_text(json.dumps({"nodes": {"model.p.stg_x": node}}))
    with pytest.raises(PersonMarkError, match=r"staging\.stg_x\.author_login: meta\.person is 'nickname'"):
        person_columns(manifest)


def test_the_publish_asset_takes_publish_people_names_from_the_settings(
    demo_serving: DemoServing, tmp_path, monkeypatch
):
    import dagster as dg

    from orchestration.defs.serving.publish_assets import serving_snapshot_asset
    from orchestration.lib.settings import Settings

    serving = tmp_path / "serving.duckdb"
    monkeypatch.setenv("DELIVERY_WAREHOUSE_PATH", str(demo_serving.warehouse))
    monkeypatch.setenv("DELIVERY_SERVING_PATH", str(serving))
    monkeypatch.setenv("DELIVERY_PUBLISH_PEOPLE_NAMES", "true")
    settings = Settings.from_env()
    assert settings.publish_people_names

    assert dg.materialize([serving_snapshot_asset(settings, [])]).success
    names = "SELECT DISTINCT assignee_display_name FROM staging.stg_jira__issues ORDER BY 1"
    assert query(serving, names) == query(demo_serving.warehouse, names)


def test_the_snapshot_records_how_it_published_people_so_that_a_change_publishes_again(
    demo_serving: DemoServing, tmp_path
):
    serving = tmp_path / "serving.duckdb"
    publish(demo_serving.warehouse, serving, "policy", people=PeoplePolicy(b"first-key"))
    recorded = read_snapshot(serving).people_policy
    # `already_published` compares this with the policy the settings give now: another key or names differ
    assert recorded == PeoplePolicy(b"first-key").fingerprint
    assert recorded.startswith("pseudonyms:") and "first-key" not in recorded
    assert recorded != PeoplePolicy(b"second-key").fingerprint
    assert PeoplePolicy(b"first-key", publish_names=True).fingerprint == "names"
