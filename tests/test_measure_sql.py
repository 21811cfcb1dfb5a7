"""`cjdsl measure --emit-sql`: the measurement as SQL for six warehouses, from the one
definition `measure` runs. Golden files per dialect, each parsed back by sqlglot in its
dialect; the DuckDB SQL executed over a table of the examples' simulated events with the
numbers of `measure --format json`; names that would break pasted SQL kept as data.
(Spark SQL on a real Spark: tests/test_measure_spark.py.)"""

from __future__ import annotations

import json
import math
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cjdsl.cli.app import main, run
from cjdsl.measure.mapping import Mapping, build_mapping
from cjdsl.measure.run import report
from cjdsl.measure.settings import EventSettings, event_settings
from cjdsl.measure.sql import literal
from cjdsl.project.config import load_config
from cjdsl.project.graph import compile_project

from .conftest import EXAMPLES, FIXTURES, IN_CI

if not IN_CI:
    pytest.importorskip("duckdb")  # in CI a missing DuckDB or sqlglot fails (the imports below), never skips
    pytest.importorskip("sqlglot")
import duckdb
import sqlglot
from sqlglot import exp

from cjdsl.measure.warehouse import DIALECTS, FILES, WarehouseError, emit, quoted_name

UPDATE = os.environ.get("CJDSL_UPDATE_GOLDEN") == "1"
GOLDEN = FIXTURES / "measure_sql"
EVENTS = FIXTURES / "events"
SHOP = EVENTS / "shop.journey"
HOSTILE = EVENTS / "hostile.journey"
#: The strings of hostile.journey that reach the SQL as literals.
HOSTILE_STRINGS = [
    "Page 'Viewed'; DROP TABLE x; --",
    '/it\'s \\ "q" -- ; café ✓',
    "/*/ */ \\' OR 1=1 --\nx;",
    'Signed \\ Up "now" ✓ 日本 $$ `b` ${env:HOME} ${x}',
    "Hostile 'names'; DROP TABLE events; --",
]


def mapping_of(*paths: Path) -> Mapping:
    project = compile_project(list(paths), load_config(list(paths)))
    assert project.ok
    return build_mapping(project.journeys)


def golden_settings() -> EventSettings:
    return event_settings(tomllib.loads((GOLDEN / "cjdsl.toml").read_text(encoding="utf-8"))["events"])


def parse_back(text: str, dialect: str) -> exp.Expression:
    """The SQL parsed by sqlglot in its own dialect: one statement, no error."""
    statements = [s for s in sqlglot.parse(text, read=dialect, error_level=sqlglot.ErrorLevel.RAISE) if s is not None]
    assert len(statements) == 1, f"{dialect}: {len(statements)} statements"
    return statements[0]


def events_view(con: Any, events: Path, table: str = "events") -> None:
    """A warehouse-like table of Segment track events: properties as a JSON text."""
    columns = {
        "userId": "VARCHAR",
        "anonymousId": "VARCHAR",
        "timestamp": "VARCHAR",
        "event": "VARCHAR",
        "properties": "JSON",
        "context": "STRUCT(traits STRUCT(persona VARCHAR))",
    }
    con.execute("SET TimeZone = 'UTC'")
    reader = f"read_json({literal(str(events))}, format = 'newline_delimited', columns = {columns!r})"
    con.execute(f"CREATE VIEW {table} AS SELECT * FROM {reader}")


# --- golden files -----------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_golden_sql_per_dialect(dialect: str) -> None:
    files = emit(mapping_of(SHOP), golden_settings(), dialect)
    assert sorted(files) == sorted(FILES)
    folder = GOLDEN / dialect
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    for name, text in files.items():
        golden = (folder / name).read_text(encoding="utf-8")
        assert text == golden, f"{dialect}/{name} changed: CJDSL_UPDATE_GOLDEN=1 python -m pytest tests/test_measure_sql.py"
        parse_back(golden, dialect)
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)


def test_each_dialect_gets_its_own_time_and_percentile_sql() -> None:
    """The places sqlglot's translation was wrong: read in the golden files."""
    expected = {
        "duckdb": ("EPOCH_US(CAST(timestamp AS TIMESTAMPTZ))", "QUANTILE_CONT("),
        "postgres": ("EXTRACT(EPOCH FROM CAST(timestamp AS TIMESTAMPTZ))", "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY"),
        "bigquery": ("UNIX_MICROS(CAST(timestamp AS TIMESTAMP))", "PERCENTILE_CONT(CAST(gap_us AS FLOAT64) / 1000000, 0.5) OVER"),
        "snowflake": ("DATE_PART(EPOCH_MICROSECOND, CAST(timestamp AS TIMESTAMPTZ))", "PERCENTILE_CONT(0.5) WITHIN GROUP"),
        "databricks": ("UNIX_MICROS(CAST(timestamp AS TIMESTAMP))", "PERCENTILE(CAST(gap_us AS DOUBLE) / 1000000, 0.5)"),
        "redshift": ("DATEDIFF(\n      MICROSECOND,", "PERCENTILE_CONT(0.9) WITHIN GROUP"),
    }
    for dialect, needles in expected.items():
        text = (GOLDEN / dialect / "funnels.sql").read_text(encoding="utf-8")
        for needle in needles:
            assert needle in text, (dialect, needle)
        for wrong in ("DATETIME", "PERCENTILE_APPROX", "APPROX_QUANTILES", "MEDIAN(", "DATE_DIFF("):
            assert wrong not in text, (dialect, wrong)
    bigquery = (GOLDEN / "bigquery" / "funnels.sql").read_text(encoding="utf-8")
    assert "WITHIN GROUP" not in bigquery  # an aggregate BigQuery does not have


@pytest.mark.parametrize(
    "settings",
    [
        {"properties": "", "properties_style": "prefix", "user": "user_id", "table": "my-project.analytics.tracks"},
        {"properties": "event_params", "properties_style": "key_value", "timestamp": "event_timestamp", "timestamp_unit": "us"},
        {"timestamp": "sent_at", "timestamp_unit": "ms", "persona": "persona", "event": "lower(event_text)"},
        {"timestamp": "ts", "timestamp_unit": "s", "user": "coalesce(nullif(trim(user_id), ''), anonymous_id)"},
    ],
)
def test_every_settings_style_parses_back_in_every_dialect(settings: dict[str, str]) -> None:
    mapping = mapping_of(HOSTILE)
    config = event_settings(settings)
    for dialect in DIALECTS:
        if config.properties_style == "key_value" and dialect in ("postgres", "snowflake", "redshift"):
            with pytest.raises(WarehouseError, match="key_value"):
                emit(mapping, config, dialect)
            continue
        for text in emit(mapping, config, dialect).values():
            parse_back(text, dialect)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_examples_sql_parses_back(dialect: str) -> None:
    files = emit(mapping_of(EXAMPLES), event_settings({}), dialect)
    parse_back(files["measure.sql"], dialect)


def test_table_and_column_names_are_quoted_as_the_warehouse_folds_them() -> None:
    """Quoted, so that no name is read as a keyword; plain names in the case the
    warehouse gives unquoted ones, so that they mean what they would unquoted."""
    assert quoted_name("path", "snowflake") == '"PATH"' and quoted_name("userId", "postgres") == '"userid"'
    assert quoted_name("select", "databricks") == "`select`" and quoted_name("Order", "duckdb") == '"Order"'
    assert quoted_name('a"b', "redshift") == '"a""b"' and quoted_name("a`b", "bigquery") == "`a\\`b`"
    settings = {"table": "my-project.analytics.events", "properties": "p_", "properties_style": "prefix"}
    bigquery = emit(mapping_of(SHOP), event_settings(settings), "bigquery")["reach.sql"]
    assert "FROM `my-project`.`analytics`.`events`" in bigquery and "CAST(`p_path` AS STRING)" in bigquery
    snowflake = emit(mapping_of(SHOP), event_settings(settings), "snowflake")["reach.sql"]
    assert 'FROM "MY-PROJECT"' not in snowflake and '"my-project"."ANALYTICS"."EVENTS"' in snowflake


# --- the DuckDB SQL runs and gives measure's numbers ---------------------------------------------


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The examples' simulated events and `measure --format json` on them (the persona
    read from Segment's context.traits.persona, the default when the events have it)."""
    events = tmp_path_factory.mktemp("simulated") / "events.jsonl"
    assert run(["simulate", str(EXAMPLES), "--users", "1500", "--seed", "19", "-o", str(events)]) == 0
    result = CliRunner().invoke(main, ["measure", str(EXAMPLES), "--events", str(events), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return events, json.loads(result.stdout)


#: The settings the emitted SQL is written with: the persona said explicitly (the SQL
#: leaves out a persona the settings do not name).
WITH_PERSONA = {"persona": "context.traits.persona"}


def duckdb_results(files: dict[str, str], events: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect()
    events_view(con, events)
    return {name: [tuple(r) for r in con.execute(text).fetchall()] for name, text in files.items()}


def test_the_emitted_duckdb_sql_gives_the_numbers_of_measure(simulated: tuple[Path, dict[str, Any]]) -> None:
    events, measured = simulated
    mapping = mapping_of(EXAMPLES)
    results = duckdb_results(emit(mapping, event_settings(WITH_PERSONA), "duckdb"), events)
    assert report(results["measure.sql"], mapping) == measured
    check_sections(results, measured)
    assert any(j["conformance_by_persona"] for j in measured["journeys"])


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9))


def check_sections(results: dict[str, list[tuple[Any, ...]]], measured: dict[str, Any]) -> None:
    """Each section's own query against the report of `measure`."""
    ((events, users, first_us, last_us),) = results["summary.sql"]
    assert (events, users) == (measured["events"], measured["users"])
    assert first_us // 1000 == _ms(measured["first"]) and last_us // 1000 == _ms(measured["last"])
    reach = {(j, tp): n for j, tp, n in results["reach.sql"]}
    assert reach == {(t["journey"], t["id"]): t["users"] for t in measured["touchpoints"] if t["users"]}
    flows = {(j, a, b): (n, bool(d), bool(u)) for j, a, b, n, d, u in results["flows.sql"]}
    assert flows == {
        (f["journey"], f["from"], f["to"]): (f["users"], f["declared"], f["through_untracked"]) for f in measured["flows"]
    }
    steps = {(j, k, s): (tp, n, med, p90) for j, k, s, tp, n, med, p90 in results["funnels.sql"]}
    assert len(steps) == sum(len(k["steps"]) for k in measured["kpis"])
    for k in measured["kpis"]:
        for s, step in enumerate(k["steps"], 1):
            tp, n, median, p90 = steps[(k["journey"], k["id"], s)]
            assert (tp, n) == (step["touchpoint"], step["users"])
            if s > 1:
                assert _close(median, step["median_seconds"]) and _close(p90, step["p90_seconds"])
    conformance = {(j, p): (n, fit) for j, p, n, fit, _ in results["conformance.sql"]}
    for j in measured["journeys"]:
        if j["users"]:
            assert conformance[(j["id"], None)] == (j["users"], j["conformance"]["fitting_users"])
        for p in j["conformance_by_persona"]:
            n, fit = conformance[(j["id"], p["persona"])]
            assert n == p["users"] and _close(fit / n, p["fitness"])
    assert len(conformance) == sum(bool(j["users"]) + len(j["conformance_by_persona"]) for j in measured["journeys"])
    unplaced = {(j, e): n for j, e, n in results["unplaced.sql"]}
    assert unplaced == {(u["journey"], u["event"]): u["events"] for u in measured["unplaced"]["by_event"]}
    examples = [(j, e, u) for j, e, u, _, _ in results["unplaced_examples.sql"]]
    assert examples == [(x["journey"], x["event"], x["user"]) for x in measured["unplaced"]["examples"]]
    assert dict(results["unknown_events.sql"]) == measured["unknown_events"]


def _ms(iso: str | None) -> int | None:
    from datetime import datetime

    return None if iso is None else round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


# --- hostile names -------------------------------------------------------------------------------


def hostile_events(folder: Path) -> Path:
    """hostile.journey's simulated events, an unknown event and an event no `when` places."""
    events = folder / "hostile.jsonl"
    assert run(["simulate", str(HOSTILE), "--users", "120", "--seed", "4", "-o", str(events)]) == 0
    extra = [
        {"type": "track", "event": "x'); DROP TABLE events; --", "userId": "u'; --", "timestamp": "2025-02-01T00:00:00Z"},
        {
            "type": "track",
            "event": "Page 'Viewed'; DROP TABLE x; --",
            "userId": 'u\\"x',
            "timestamp": "2025-02-01T00:00:01Z",
            "properties": {"path": "/nowhere';--"},
        },
    ]
    with events.open("a", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in extra))
    return events


def string_values(tree: exp.Expression) -> set[str]:
    """The strings a query holds: its literals, and CONCATs of literals (how Spark's SQL
    holds a string with `${`)."""
    values = {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}
    for call in tree.find_all(exp.Anonymous, exp.Concat):
        parts = call.expressions
        if parts and all(isinstance(p, exp.Literal) and p.is_string for p in parts):
            values.add("".join(p.this for p in parts))
    return values


@pytest.mark.parametrize("dialect", DIALECTS)
def test_hostile_names_stay_literals(dialect: str) -> None:
    files = emit(mapping_of(HOSTILE), event_settings({"persona": "persona"}), dialect)
    for name, text in files.items():
        tree = parse_back(text, dialect)
        if name != "summary.sql":
            strings = string_values(tree)
            for hostile in HOSTILE_STRINGS[: 1 if name == "unknown_events.sql" else 4]:
                assert hostile in strings, (dialect, name, hostile)
        assert "DROP" not in {t.name.upper() for t in tree.find_all(exp.Table)}
        comments = [line for line in text.splitlines() if line.startswith("--")]
        assert len(comments) == 2 and not any("DROP" in c for c in comments)
        if dialect == "databricks":
            assert "${" not in text  # Spark would substitute ${env:HOME} even inside a string


def test_hostile_names_measure_the_same_in_duckdb_and_its_sql(tmp_path: Path) -> None:
    events = hostile_events(tmp_path)
    result = CliRunner().invoke(main, ["measure", str(HOSTILE), "--events", str(events), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    measured = json.loads(result.stdout)
    assert measured["unknown_events"] == {"x'); DROP TABLE events; --": 1}
    assert measured["unplaced"]["examples"][0]["user"] == 'u\\"x'
    assert {t["id"]: t["users"] > 0 for t in measured["touchpoints"]} == {"home": True, "pricing": True, "signup": True}
    mapping = mapping_of(HOSTILE)
    results = duckdb_results(emit(mapping, event_settings(WITH_PERSONA), "duckdb"), events)
    assert report(results["measure.sql"], mapping) == measured
    check_sections(results, measured)


# --- the command line ---------------------------------------------------------------------------


def test_emit_sql_writes_one_file_per_query(tmp_path: Path) -> None:
    out = tmp_path / "sql"
    result = CliRunner().invoke(main, ["measure", str(SHOP), "--emit-sql", "snowflake", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(FILES)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # Again over the folder it wrote: replaced; the same bytes.
    assert CliRunner().invoke(main, ["measure", str(SHOP), "--emit-sql", "snowflake", "-o", str(out)]).exit_code == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # A folder of someone else's files is never written into.
    other = tmp_path / "mine"
    other.mkdir()
    (other / "keep.sql").write_text("SELECT 1;\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["measure", str(SHOP), "--emit-sql", "duckdb", "-o", str(other)])
    assert result.exit_code == 2 and "not empty" in result.stderr
    assert [p.name for p in other.iterdir()] == ["keep.sql"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--emit-sql", "duckdb"], "needs -o DIR"),
        (["--emit-sql", "duckdb", "-o", "x", "--events", "e.jsonl"], "reads no --events"),
        ([], "give the events"),
        (["--emit-sql", "oracle", "-o", "x"], "Invalid value for '--emit-sql'"),
    ],
)
def test_emit_sql_usage(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["measure", str(SHOP), *args])
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ('table = "events; DROP TABLE x"', "is not a table name"),
        ('table = "a.b.c.d"', "is not a table name"),
        ('table = "cj_source"', "starting with cj_"),
        ('properties_style = "key_value"\nproperties = "event_params"', "key_value"),
    ],
)
def test_emit_sql_refuses_settings_it_cannot_write(tmp_path: Path, settings: str, message: str) -> None:
    (tmp_path / "cjdsl.toml").write_text(f"[events]\n{settings}\n", encoding="utf-8")
    (tmp_path / "hostile.journey").write_text(HOSTILE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["measure", str(tmp_path), "--emit-sql", "redshift", "-o", str(out)])
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert not out.exists()


@pytest.mark.parametrize(("shape", "ext"), [("segment", "jsonl"), ("rudderstack", "csv"), ("snowplow", "csv"), ("ga4", "jsonl")])
def test_the_emitted_duckdb_sql_reads_each_export_shape(shape: str, ext: str) -> None:
    """Each `[events]` shape (JSON properties, columns by prefix, key/value records, a
    microsecond clock) written as SQL over a table of the fixture: measure's numbers."""
    table = tomllib.loads((EVENTS / f"{shape}.toml").read_text(encoding="utf-8")).get("events", {})
    if shape == "segment":
        table = {**table, **WITH_PERSONA}
    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(EVENTS / f"{shape}.toml"),
            "measure",
            str(SHOP),
            "--events",
            str(EVENTS / f"{shape}.{ext}"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    measured = json.loads(result.stdout)
    mapping = mapping_of(SHOP)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    reader = "read_csv" if ext == "csv" else "read_json"
    con.execute(f"CREATE VIEW events AS SELECT * FROM {reader}({literal(str(EVENTS / f'{shape}.{ext}'))})")
    files = emit(mapping, event_settings(table), "duckdb")
    results = {name: [tuple(r) for r in con.execute(text).fetchall()] for name, text in files.items()}
    assert report(results["measure.sql"], mapping) == measured
    check_sections(results, measured)
    assert [s["users"] for s in measured["kpis"][0]["steps"]] == [4, 2, 1]


def test_duckdb_hints_stay_in_duckdb() -> None:
    """`NOT MATERIALIZED` is DuckDB's (and Postgres'); sqlglot would copy it into every dialect."""
    for dialect in DIALECTS:
        text = (GOLDEN / dialect / "measure.sql").read_text(encoding="utf-8")
        assert ("cj_events AS NOT MATERIALIZED" in text) == (dialect == "duckdb"), dialect
        assert "MATERIALIZED" not in text or dialect == "duckdb"
