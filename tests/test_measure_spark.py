"""`cjdsl measure --emit-sql databricks` executed on a real Spark (pyspark in local mode,
ANSI SQL as Spark 4 and Databricks SQL run it) over the same events as DuckDB: the same
numbers. In CI (CI=true) a missing pyspark or Java fails, never skips."""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cjdsl.cli.app import main, run
from cjdsl.measure.run import report
from cjdsl.measure.settings import event_settings

from .conftest import EXAMPLES, IN_CI
from .test_measure_sql import HOSTILE, WITH_PERSONA, duckdb_results, hostile_events, mapping_of

if not IN_CI:
    pytest.importorskip("pyspark")  # in CI a missing pyspark fails (the import below), never skips
    pytest.importorskip("sqlglot")
from pyspark.sql import SparkSession

from cjdsl.measure.warehouse import emit


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    """One local Spark for the module: one core, one shuffle partition, no UI, UTC,
    quiet logs."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if IN_CI:
            pytest.fail("Java is missing; CI must install it (apt-get install openjdk-17-jre-headless)")
        pytest.skip("no Java runtime for Spark")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("cjdsl-measure-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.session.timeZone", "UTC")
        # Tiny data: planning once, and interpreting instead of compiling code for each
        # stage, is faster (minutes less for these tests).
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.driver.extraJavaOptions", "-Dlog4j2.level=ERROR")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def spark_events(spark: SparkSession, events: Path) -> None:
    """The events as the table `events`: Segment's columns, the properties as a JSON text."""
    frame = spark.read.json(str(events))
    frame.selectExpr(
        "userId", "anonymousId", "timestamp", "event", "to_json(properties) AS properties", "context"
    ).createOrReplaceTempView("events")


def same(a: Any, b: Any, where: str = "") -> None:
    """Equal, floats to 1e-9 (Spark and DuckDB may add the same numbers in another order)."""
    if isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (where, a, b)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a) == sorted(b), (where, sorted(a), b)
        for key in a:
            same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), (where, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    else:
        assert a == b, (where, a, b)


def test_spark_measures_the_examples_as_duckdb_does(spark: SparkSession, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    assert run(["simulate", str(EXAMPLES), "--users", "400", "--seed", "23", "-o", str(events)]) == 0
    result = CliRunner().invoke(main, ["measure", str(EXAMPLES), "--events", str(events), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    measured = json.loads(result.stdout)
    mapping = mapping_of(EXAMPLES)
    sql = emit(mapping, event_settings(WITH_PERSONA), "databricks")["measure.sql"]
    spark_events(spark, events)
    rows = [tuple(r) for r in spark.sql(sql).collect()]
    same(report(rows, mapping), measured)
    assert measured["kpis"] and any(k["completed"] for k in measured["kpis"])
    assert any(not f["declared"] for f in measured["flows"]) and measured["unplaced"]["events"]


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is not None, round(v, 6) if isinstance(v, float) else v) for v in row)


def test_every_spark_file_gives_duckdb_rows_on_hostile_names(spark: SparkSession, tmp_path: Path) -> None:
    events = hostile_events(tmp_path)
    mapping = mapping_of(HOSTILE)
    settings = event_settings(WITH_PERSONA)
    expected = duckdb_results(emit(mapping, settings, "duckdb"), events)
    spark_events(spark, events)
    for name, sql in emit(mapping, settings, "databricks").items():
        if name == "measure.sql":
            continue  # every section again, in one query: run on Spark over the examples above
        rows = sorted((tuple(r) for r in spark.sql(sql).collect()), key=_key)
        same(rows, sorted(expected[name], key=_key), name)
    assert any("DROP TABLE x" in str(row) for row in expected["reach.sql"] + expected["unplaced.sql"])
    assert expected["unknown_events.sql"] == [("x'); DROP TABLE events; --", 1)]


#: GA4's export as BigQuery (and a copy in Databricks) types it: every value record has all four fields.
GA4_SCHEMA = (
    "event_date STRING, event_timestamp BIGINT, event_name STRING, user_pseudo_id STRING, "
    "event_params ARRAY<STRUCT<key: STRING, value: STRUCT<string_value: STRING, int_value: BIGINT, "
    "float_value: DOUBLE, double_value: DOUBLE>>>"
)


@pytest.mark.parametrize(("shape", "ext"), [("rudderstack", "csv"), ("snowplow", "csv"), ("ga4", "jsonl")])
def test_spark_reads_each_export_shape_as_duckdb_does(spark: SparkSession, shape: str, ext: str) -> None:
    """Properties as columns by prefix, in a JSON text, or as GA4's key/value records."""
    import tomllib

    from .test_measure_sql import EVENTS, SHOP

    config = EVENTS / f"{shape}.toml"
    data = EVENTS / f"{shape}.{ext}"
    result = CliRunner().invoke(main, ["--config", str(config), "measure", str(SHOP), "--events", str(data), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    if ext == "csv":
        frame = spark.read.option("header", True).option("escape", '"').csv(str(data))  # quotes doubled, as RFC 4180
    else:
        frame = spark.read.schema(GA4_SCHEMA).json(str(data))
    frame.createOrReplaceTempView("events")
    mapping = mapping_of(SHOP)
    settings = event_settings(tomllib.loads(config.read_text(encoding="utf-8"))["events"])
    rows = [tuple(r) for r in spark.sql(emit(mapping, settings, "databricks")["measure.sql"]).collect()]
    same(report(rows, mapping), json.loads(result.stdout))
