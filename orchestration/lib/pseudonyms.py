"""People in the serving file: keyed pseudonyms in place of logins, account ids and names; no e-mail address.

Which published columns hold a person is declared once, in the dbt models' YAML (column `config.meta.person`),
and read here from dbt's manifest:

- `login`, `account_id`, `name`: the whole value is a person. It becomes `person_<10 hex>`, the HMAC-SHA256 of
  the value under the pseudonym key: the same value gives the same pseudonym in every column and every publish
  with the same key, so joins and distinct counts still work. `publish_people_names` keeps the real values,
  except a value that is an e-mail address (Azure DevOps logins are).
- `email`: always NULL, whatever the setting.
- `text`: free text or JSON that may embed a person (a title, a branch, a list of ids): every occurrence of a
  value of the other person columns becomes its pseudonym, every e-mail address too.
- `person_when` (optional): an SQL condition on the row, for a column that holds a person only on some rows
  (a changelog's `to_value` when the field changed is the assignee).

The working warehouse keeps the originals; the key is never written into either DuckDB file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from orchestration.config.spec import SECRETS_FILE
from orchestration.lib.settings import DBT_PROJECT_DIR, DEMO_CONFIG_DIR, dbt_source_files

PSEUDONYM_PREFIX = "person_"
PSEUDONYM_HEX_DIGITS = 10
KEY_VARIABLE = "DELIVERY_PSEUDONYM_KEY"
# Generated once when neither the environment nor the secrets file gives a key; beside the warehouse.
KEY_FILE = "pseudonym.key"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"

IDENTITY_KINDS = ("login", "account_id", "name")
PERSON_KINDS = (*IDENTITY_KINDS, "email", "text")
# Shorter values are not searched for inside free text: they would match inside ordinary words.
MIN_EMBEDDED_LENGTH = 3
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class PersonMarkError(ValueError):
    """A model's YAML marks a column with an unknown kind of person."""


@dataclass(frozen=True)
class PersonColumn:
    table: str  # schema.table, as published
    column: str
    kind: str
    when: str = ""  # SQL condition on the row; empty: every row


@dataclass(frozen=True)
class PeoplePolicy:
    key: bytes
    publish_names: bool = False

    @property
    def fingerprint(self) -> str:
        """What a snapshot records of how it published people: names, or pseudonyms under which key (a keyed
        digest of a constant, which tells keys apart without revealing one)."""
        if self.publish_names:
            return "names"
        return "pseudonyms:" + hmac.new(self.key, b"delivery-warehouse key check", hashlib.sha256).hexdigest()[:12]


def pseudonym(value: str, key: bytes) -> str:
    digest = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_DIGITS]


# --- the key -------------------------------------------------------------------------------------------


def pseudonym_key(warehouse_path: Path, config_dir: Path | None = None) -> bytes:
    """`DELIVERY_PSEUDONYM_KEY`, else `pseudonym_key` of the configuration folder's `secrets.yaml`, else a
    key generated once into `pseudonym.key` beside the warehouse (mode 0600)."""
    from_environment = os.environ.get(KEY_VARIABLE, "")
    if from_environment:
        return from_environment.encode()
    from_secrets = secrets_key(config_dir or DEMO_CONFIG_DIR)
    if from_secrets:
        return from_secrets.encode()
    return generated_key(warehouse_path.parent / KEY_FILE)


def secrets_key(config_dir: Path) -> str:
    """The `pseudonym_key` of `<config_dir>/secrets.yaml`, or empty when the file or the key is missing."""
    path = config_dir / SECRETS_FILE
    if not path.exists():
        return ""
    content = yaml.safe_load(path.read_text()) or {}
    if not isinstance(content, dict):
        raise TypeError(f"{path}: expected `pseudonym_key: <secret>`, found {type(content).__name__}")
    return str(content.get("pseudonym_key") or "")


def generated_key(path: Path) -> bytes:
    """The key kept in `path`, created with mode 0600 on first use. Written aside and linked into place, so
    two processes starting at once agree on one key and never read a half-written file."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another process made it first: use its key
        finally:
            aside.unlink()
    return path.read_text().strip().encode()


def people_policy(settings) -> PeoplePolicy:
    """The policy a publish applies, from the settings: the key and whether names are published."""
    key = pseudonym_key(settings.warehouse_path, settings.config_dir)
    return PeoplePolicy(key=key, publish_names=settings.publish_people_names)


# --- which columns hold people ------------------------------------------------------------------------


def person_columns(manifest_path: Path | None = None) -> list[PersonColumn]:
    """Every column a model or seed marks with `meta.person`, from dbt's manifest."""
    manifest = json.loads(_manifest(manifest_path).read_text())
    marked = []
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        table = f"{node['schema']}.{node.get('alias') or node['name']}"
        for column in node.get("columns", {}).values():
            meta = {**column.get("meta", {}), **column.get("config", {}).get("meta", {})}
            if "person" in meta:
                marked.append(_person_column(table, column["name"], meta))
    return sorted(marked, key=lambda c: (c.table, c.column))


def _person_column(table: str, column: str, meta: dict) -> PersonColumn:
    kind = meta["person"]
    if kind not in PERSON_KINDS:
        raise PersonMarkError(
            f"{table}.{column}: meta.person is {kind!r}; expected one of {', '.join(PERSON_KINDS)}"
        )
    return PersonColumn(table, column, kind, meta.get("person_when", ""))


def _manifest(manifest_path: Path | None) -> Path:
    """dbt's manifest of this project, parsed again first when a model's YAML changed since."""
    if manifest_path is not None:
        return manifest_path
    if MANIFEST_PATH.exists() and all(
        p.stat().st_mtime <= MANIFEST_PATH.stat().st_mtime for p in dbt_source_files()
    ):
        return MANIFEST_PATH
    # Imported only now: loading dbt's Dagster integration takes seconds, and it imports this module.
    from orchestration.defs.models.dbt_assets import dbt_project, ensure_manifest

    ensure_manifest()
    return Path(dbt_project.manifest_path)


# --- the snapshot --------------------------------------------------------------------------------------


def pseudonymise_snapshot(
    con: duckdb.DuckDBPyConnection, catalog: str, columns: list[PersonColumn], policy: PeoplePolicy
) -> None:
    """Rewrite the person columns of the attached snapshot `catalog` in place."""
    types = _column_types(con, catalog)
    present = [c for c in columns if (c.table, c.column) in types]
    identities = [c for c in present if c.kind in IDENTITY_KINDS]
    emails = [c for c in present if c.kind == "email"]
    texts = [c for c in present if c.kind == "text"]
    people = _distinct_values(con, catalog, identities)
    addresses = _distinct_values(con, catalog, emails)
    # A login that is an e-mail address (Azure DevOps unique names) is pseudonymised even with names published.
    replaced = people if not policy.publish_names else {v for v in people if EMAIL_ADDRESS.search(v)}
    _load_replacements(con, {value: pseudonym(value, policy.key) for value in replaced})
    for column in identities:
        data_type = types[(column.table, column.column)]
        if data_type == "VARCHAR" or not policy.publish_names:  # a number is never an e-mail address
            _replace_whole_values(con, catalog, column, data_type)
    for column in emails:
        _set_null(con, catalog, column)
    embedded = {value: pseudonym(value, policy.key) for value in addresses | replaced}
    finder = EmbeddedPeople(embedded, policy.key)
    for column in texts:
        _replace_embedded(con, catalog, column, finder)


def _column_types(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[tuple[str, str], str]:
    """(schema.table, column) to its type, for every column of the snapshot."""
    rows = con.execute(
        "SELECT table_schema || '.' || table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = ?",
        [catalog],
    ).fetchall()
    return {(table, column): data_type for table, column, data_type in rows}


def _qualified(catalog: str, column: PersonColumn) -> str:
    schema, table = column.table.split(".")
    return f'"{catalog}".{schema}."{table}"'


def _where(column: PersonColumn) -> str:
    return f"({column.when})" if column.when else "TRUE"


def _distinct_values(con: duckdb.DuckDBPyConnection, catalog: str, columns: list[PersonColumn]) -> set[str]:
    values: set[str] = set()
    for column in columns:
        rows = con.execute(
            f'SELECT DISTINCT CAST("{column.column}" AS VARCHAR) FROM {_qualified(catalog, column)} '
            f'WHERE "{column.column}" IS NOT NULL AND {_where(column)}'
        ).fetchall()
        values.update(value for (value,) in rows if value != "")
    return values


def _load_replacements(con: duckdb.DuckDBPyConnection, replacements: dict[str, str]) -> None:
    """Original value to its replacement, in a temporary table of the in-memory database: never in a file."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE person_replacements AS "
        "SELECT unnest(?::VARCHAR[]) AS original, unnest(?::VARCHAR[]) AS replacement",
        [list(replacements), list(replacements.values())],
    )


def _replace_whole_values(
    con: duckdb.DuckDBPyConnection, catalog: str, column: PersonColumn, data_type: str
) -> None:
    qualified, name = _qualified(catalog, column), f'"{column.column}"'
    if data_type != "VARCHAR":  # a numeric account id (a GitLab user id) becomes text, to hold its pseudonym
        con.execute(f"ALTER TABLE {qualified} ALTER COLUMN {name} TYPE VARCHAR")
    con.execute(
        f"UPDATE {qualified} AS t SET {name} = r.replacement FROM temp.person_replacements AS r "
        f"WHERE t.{name} = r.original AND {_where(column)}"
    )


def _set_null(con: duckdb.DuckDBPyConnection, catalog: str, column: PersonColumn) -> None:
    qualified, name = _qualified(catalog, column), f'"{column.column}"'
    con.execute(f"ALTER TABLE {qualified} ALTER COLUMN {name} DROP NOT NULL")
    con.execute(f"UPDATE {qualified} SET {name} = NULL WHERE {name} IS NOT NULL AND {_where(column)}")


class EmbeddedPeople:
    """Finds the known people and every e-mail address inside a text, and replaces each by its pseudonym in
    one pass, so a replacement is never searched again. Values are indexed by their first characters, so a
    text is read once, however many people there are, and most texts hold none."""

    INDEXED = 5  # characters of a value's start in the index; shorter values are searched for one by one

    def __init__(self, people: dict[str, str], key: bytes) -> None:
        self.people, self.key = people, key
        self.by_start: dict[str, list[str]] = {}
        self.short: list[str] = []
        for value in people:
            if len(value) >= self.INDEXED:
                self.by_start.setdefault(value[: self.INDEXED], []).append(value)
            elif len(value) >= MIN_EMBEDDED_LENGTH:
                self.short.append(value)
        self.indexed_starts = frozenset(self.by_start)

    def rewrite(self, text: str) -> str:
        """E-mail addresses first (they hold logins and names), then the known values in what is left."""
        parts, start = [], 0
        for address in EMAIL_ADDRESS.finditer(text):
            parts += [self._known(text[start : address.start()]), pseudonym(address.group(0), self.key)]
            start = address.end()
        return "".join([*parts, self._known(text[start:])])

    def _known(self, text: str) -> str:
        present = [value for value in self.short if value in text]
        starts = {text[i : i + self.INDEXED] for i in range(len(text) - self.INDEXED + 1)}
        for start in starts & self.indexed_starts:  # a set against a set: as long as the text, not the index
            present += [value for value in self.by_start[start] if value in text]
        if not present:
            return text
        # At the same place, the longest value wins.
        pattern = "|".join(re.escape(value) for value in sorted(present, key=len, reverse=True))
        return re.sub(pattern, lambda match: self.people[match.group(0)], text)


def _replace_embedded(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    column: PersonColumn,
    finder: EmbeddedPeople,
) -> None:
    """Each distinct text is rewritten once in Python; the rewritten ones are written back by DuckDB."""
    qualified, name = _qualified(catalog, column), f'"{column.column}"'
    texts = con.execute(
        f"SELECT DISTINCT CAST({name} AS VARCHAR) FROM {qualified} WHERE {name} IS NOT NULL AND {_where(column)}"
    ).fetchall()
    rewritten = {}
    for (text,) in texts:
        new = finder.rewrite(text)
        if new != text:
            rewritten[text] = new
    if rewritten:
        _load_replacements(con, rewritten)
        con.execute(
            f"UPDATE {qualified} AS t SET {name} = r.replacement FROM temp.person_replacements AS r "
            f"WHERE CAST(t.{name} AS VARCHAR) = r.original AND {_where(column)}"
        )
