"""The tracking plan: golden files for every output of the examples, every schema checked
against its metaschema, real payloads validated, the formats' own rules."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

import cjdsl
from cjdsl.backends.tracking_plan import artifacts, schema
from cjdsl.tracking.emit import csv_text, event_schema
from cjdsl.tracking.plan import build_plan, event_id
from tests.conftest import EXAMPLES, FIXTURES

GOLDEN = FIXTURES / "tracking" / "examples"
UPDATE = os.environ.get("CJDSL_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    project = cjdsl.check([EXAMPLES])
    plan = build_plan(project.journeys)
    return {
        a.path.removeprefix("tracking/"): a.content.decode("utf-8")
        for a in artifacts(plan, project.journeys, "com.example.journeys", "Customer journeys")
    }


def test_golden_files_for_every_output(outputs: dict[str, str]) -> None:
    if UPDATE:
        for old in GOLDEN.rglob("*"):
            if old.is_file():
                old.unlink()
        for path, text in outputs.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_text(text, encoding="utf-8")
    on_disk = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(on_disk) == sorted(outputs)
    for path, text in outputs.items():
        assert text == on_disk[path], path


def test_plan_validates_against_its_schema(outputs: dict[str, str]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    plan = json.loads(outputs["tracking-plan.json"])
    jsonschema.Draft202012Validator(schema()).validate(plan)
    names = [e["name"] for e in plan["events"]]
    assert len(names) == len(set(names)) and len(names) >= 50


def test_same_event_from_several_touchpoints_is_one_event(outputs: dict[str, str]) -> None:
    plan = json.loads(outputs["tracking-plan.json"])
    multi = [e for e in plan["events"] if len(e["sources"]) > 1]
    assert multi, "the examples fire some events at several touchpoints"
    for e in multi:
        assert len({(s["journey"], s["touchpoint"]) for s in e["sources"]}) == len(e["sources"])


def test_every_event_schema_is_draft07_and_validates_payloads(outputs: dict[str, str]) -> None:
    files = {k: v for k, v in outputs.items() if k.startswith("jsonschema/")}
    assert files
    for path, text in files.items():
        s = json.loads(text)
        jsonschema.Draft7Validator.check_schema(s)
        validator = jsonschema.Draft7Validator(s, format_checker=jsonschema.FormatChecker())
        assert s["additionalProperties"] is False
        good = {name: _example(p) for name, p in s["properties"].items() if "pattern" not in p}
        if any("pattern" in p for name, p in s["properties"].items() if name in s["required"]):
            continue  # a required pattern property: no generic payload for this event
        assert list(validator.iter_errors(good)) == [], path
        assert list(validator.iter_errors({**good, "not_in_the_plan": 1})), path
        for name in s["required"]:
            assert list(validator.iter_errors({k: v for k, v in good.items() if k != name})), (path, name)


def _example(p: dict[str, Any]) -> Any:
    """A value that satisfies a property schema."""
    if "enum" in p:
        return p["enum"][0]
    kind = p["type"]
    if kind == "string":
        if p.get("format") == "date-time":
            return "2026-11-23T10:00:00Z"
        if "pattern" in p:
            raise AssertionError("no generic value for a pattern; leave such properties out")
        return "x" * max(1, p.get("minLength", 1))
    if kind in ("integer", "number"):
        return p.get("minimum", 0) if p.get("minimum", 0) <= p.get("maximum", 1e9) else 0
    if kind == "boolean":
        return True
    if kind == "array":
        return [_example(p["items"])] * max(p.get("minItems", 0), 1 if p.get("maxItems", 1) >= 1 else 0)
    raise AssertionError(p)


def test_iglu_schemas_pass_the_iglu_meta_schema(outputs: dict[str, str]) -> None:
    meta = json.loads((FIXTURES / "iglu-meta-schema-1-0-0.json").read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resource(
        "http://json-schema.org/draft-04/schema", Resource.from_contents(jsonschema.Draft4Validator.META_SCHEMA, DRAFT4)
    )
    validator = jsonschema.Draft4Validator(meta, registry=registry)
    files = {k: v for k, v in outputs.items() if k.startswith("snowplow/")}
    assert len(files) == len([k for k in outputs if k.startswith("jsonschema/")])
    for path, text in files.items():
        s = json.loads(text)
        validator.validate(s)
        parts = path.split("/")  # snowplow/schemas/VENDOR/NAME/jsonschema/M-R-A
        assert parts[2] == s["self"]["vendor"] and parts[3] == s["self"]["name"] and parts[5] == s["self"]["version"]
        assert re.fullmatch(r"[a-zA-Z0-9-_]+", s["self"]["name"])
        # igluctl lint: descriptions everywhere, lengths on strings, bounds on numbers.
        for name, p in s["properties"].items():
            assert p.get("description"), (path, name)
            if p["type"] == "string" and "enum" not in p and "format" not in p:
                assert "maxLength" in p, (path, name)
            if p["type"] in ("integer", "number"):
                assert "minimum" in p and "maximum" in p, (path, name)


def test_segment_plan_has_one_track_rule_per_event(outputs: dict[str, str]) -> None:
    seg = json.loads(outputs["segment/plan.json"])
    plan = json.loads(outputs["tracking-plan.json"])
    assert [r["key"] for r in seg["rules"]] == [e["name"] for e in plan["events"]]
    for rule, event in zip(seg["rules"], plan["events"], strict=True):
        assert rule["type"] == "TRACK" and rule["version"] == 1
        jsonschema.Draft7Validator.check_schema(rule["jsonSchema"])
        props = rule["jsonSchema"]["properties"]["properties"]
        assert props["required"] == [p["name"] for p in event["properties"] if p["required"]]
        assert set(props["properties"]) == {p["name"] for p in event["properties"]}
    assert "trackingPlans" in outputs["segment/typewriter.yml"]
    assert yaml.safe_load(outputs["segment/typewriter.yml"])["trackingPlans"][0]["id"] == seg["id"]


def test_rudderstack_yaml_follows_the_id_and_length_rules(outputs: dict[str, str]) -> None:
    docs = {
        name: yaml.safe_load(outputs[f"rudderstack/{name}.yaml"])
        for name in ("properties", "events", "categories", "tracking-plan")
    }
    for name, doc in docs.items():
        assert doc["version"] == "rudder/v1", name
    assert docs["tracking-plan"]["kind"] == "tracking-plan"
    ident = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]*$")
    props = {p["id"] for p in docs["properties"]["spec"]["properties"]}
    events = {e["id"] for e in docs["events"]["spec"]["events"]}
    categories = {c["id"] for c in docs["categories"]["spec"]["categories"]}
    for p in docs["properties"]["spec"]["properties"]:
        assert ident.match(p["id"]) and p["type"] in ("string", "integer", "number", "boolean", "array")
    for e in docs["events"]["spec"]["events"]:
        assert ident.match(e["id"]) and 1 <= len(e["name"]) <= 64 and e["event_type"] == "track"
        assert e["category"].removeprefix("#category:") in categories
    for rule in docs["tracking-plan"]["spec"]["rules"]:
        assert rule["event"].removeprefix("#event:") in events
        for p in rule.get("properties", []):
            assert p["property"].removeprefix("#property:") in props and isinstance(p["required"], bool)


def test_analyst_files(outputs: dict[str, str]) -> None:
    rows = list(csv.reader(io.StringIO(outputs["tracking-plan.csv"])))
    assert rows[0] == [
        "event",
        "description",
        "stage",
        "touchpoint",
        "property",
        "type",
        "required",
        "allowed values",
        "constraints",
        "property description",
    ]
    plan = json.loads(outputs["tracking-plan.json"])
    assert len(rows) - 1 == sum(max(1, len(e["properties"])) for e in plan["events"])
    untracked = 1 if plan["untracked"] else 0  # the "Not tracked" section
    assert outputs["tracking-plan.md"].count("\n## ") == len(plan["events"]) + untracked


def test_hostile_text_stays_inert_in_csv_yaml_and_json(tmp_path: Path) -> None:
    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    (tmp_path / "h.journey").write_text(
        'journey h "H"\nstage s "S" {\n  touchpoint t "T" {\n    event "=HYPERLINK(\\"http://x\\") Done" {\n'
        '      description "- a: b\\n#c: [d]\\n\\"e\\""\n'
        '      p string "@SUM(1+1) ]]> --- !!python/object"\n'
        '      q enum("yes", "no: really", "- item")\n    }\n  }\n}\n',
        encoding="utf-8",
    )
    project = cjdsl.check([tmp_path])
    assert project.ok, project.diagnostics
    out = {a.path: a.content.decode() for a in artifacts(build_plan(project.journeys), project.journeys, "v", "N")}
    rows = list(csv.reader(io.StringIO(out["tracking/tracking-plan.csv"])))
    assert rows[1][0].startswith("'=HYPERLINK")
    for path, text in out.items():
        if path.endswith((".yaml", ".yml")):
            yaml.safe_load(text)  # well formed: safe_load refuses tags such as !!python/object
        elif path.endswith(".json") or "/jsonschema/" in path:
            json.loads(text)
    events = yaml.safe_load(out["tracking/rudderstack/events.yaml"])["spec"]["events"]
    assert events[0]["name"] == '=HYPERLINK("http://x") Done'
    props = yaml.safe_load(out["tracking/rudderstack/properties.yaml"])["spec"]["properties"]
    assert props[1]["config"]["enum"] == ["yes", "no: really", "- item"]


def test_event_ids_and_required_merging() -> None:
    assert event_id("Report Downloaded") == "report_downloaded"
    assert event_id("CTA Clicked") == "cta_clicked"
    assert event_id("E-mail Opened") == "e_mail_opened"
    project = cjdsl.check([EXAMPLES / "omnichannel_retail.journey"])
    plan = build_plan(project.journeys)
    order = plan.event("Order Completed")
    assert order is not None and len(order.sources) >= 2
    assert event_schema(order)["required"] == [p.name for p in order.properties if p.required]


def test_kpis_know_their_events(outputs: dict[str, str]) -> None:
    plan = json.loads(outputs["tracking-plan.json"])
    ids = {e["id"] for e in plan["events"]}
    assert plan["kpis"] and all(set(k["events"]) <= ids for k in plan["kpis"])
    assert any(k["events"] for k in plan["kpis"])


def test_csv_cells_never_start_a_formula() -> None:
    project = cjdsl.check([EXAMPLES])
    for row in csv.reader(io.StringIO(csv_text(build_plan(project.journeys)))):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_schemaver_classification() -> None:
    from cjdsl.tracking.lock import classify

    base = {"properties": {"x": {"type": "string"}, "e": {"type": "string", "enum": ["a"]}}, "required": ["x"]}
    assert classify(base, base) is None
    added = {"properties": {**base["properties"], "y": {"type": "integer"}}, "required": ["x"]}
    assert classify(base, added) == "addition"
    wider = {"properties": {"x": {"type": "string"}, "e": {"type": "string", "enum": ["a", "b"]}}, "required": ["x"]}
    assert classify(base, wider) == "addition"
    assert classify(wider, base) == "model"  # an enum value removed
    assert classify(base, {"properties": base["properties"], "required": ["e", "x"]}) == "model"  # made required
    assert classify(base, {"properties": {"x": {"type": "integer"}, "e": base["properties"]["e"]}, "required": ["x"]}) == "model"
    assert classify(base, {"properties": {"x": {"type": "string"}}, "required": ["x"]}) == "model"  # removed
    assert classify(added, {**added, "required": ["x", "y"]}) == "model"


def test_build_versions_events_through_the_lock(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cjdsl.cli import main

    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n[tracking]\nvendor = "com.acme"\n', encoding="utf-8")
    source = 'journey j "J"\nstage s "S" {\n  touchpoint t "T" {\n    event "Order Completed" {\n'
    source += "      total number required\n{extra}    }\n  }\n}\n"
    journey = tmp_path / "j.journey"

    def build(extra: str) -> tuple[dict[str, Any], str]:
        journey.write_text(source.replace("{extra}", extra), encoding="utf-8")
        result = CliRunner().invoke(main, ["build", str(tmp_path), "-o", str(tmp_path / "site"), "--only", "tracking"])
        assert result.exit_code == 0, result.stderr
        return json.loads((tmp_path / "site" / "tracking" / "segment" / "plan.json").read_text(encoding="utf-8")), result.stderr

    plan, err = build("")
    assert "created tracking.lock.json" in err and [r["version"] for r in plan["rules"]] == [1]
    assert (tmp_path / "site/tracking/snowplow/schemas/com.acme/order_completed/jsonschema/1-0-0").is_file()
    assert CliRunner().invoke(main, ["check", "--strict", str(tmp_path)]).exit_code == 0  # the lock matches

    journey.write_text(source.replace("{extra}", "      coupon string\n"), encoding="utf-8")
    stale = CliRunner().invoke(main, ["check", "--strict", "--format", "concise", str(tmp_path)])
    assert (
        stale.exit_code == 1 and 'warning[CJ301] event "Order Completed" changed since the lock (addition change)' in stale.stdout
    )

    plan, err = build("      coupon string\n")
    assert "Order Completed: addition → Segment version 1, Iglu 1-0-1" in err
    assert [r["version"] for r in plan["rules"]] == [1]
    plan, err = build("      coupon string required\n")
    assert "Order Completed: model → Segment version 2, Iglu 2-0-0" in err
    assert [r["version"] for r in plan["rules"]] == [1, 2]  # the broken event keeps its previous version
    v1, v2 = (r["jsonSchema"]["properties"]["properties"]["required"] for r in plan["rules"])
    assert sorted(v1) == ["total"] and sorted(v2) == ["coupon", "total"]
    assert (tmp_path / "site/tracking/snowplow/schemas/com.acme/order_completed/jsonschema/2-0-0").is_file()
    plan, err = build("      coupon string required\n")
    assert "tracking.lock.json" not in err  # nothing changed: the lock is left as it is


def test_a_broken_lock_is_a_usage_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cjdsl.cli import main

    (tmp_path / "cjdsl.toml").write_text("", encoding="utf-8")
    (tmp_path / "tracking.lock.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "j.journey").write_text('journey j "J"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2 and "tracking.lock.json is not valid JSON" in result.stderr


def _mutations(schema: dict[str, Any], rng: Any) -> list[Any]:
    """A valid payload and several broken ones for an event's properties schema."""
    good: dict[str, Any] = {}
    for name, p in schema["properties"].items():
        if "pattern" in p:
            continue
        good[name] = _example(p)
    payloads: list[Any] = [good, {**good, "extra_property": 1}, [], "text"]
    for name in schema["required"]:
        payloads.append({k: v for k, v in good.items() if k != name})
    for name, p in schema["properties"].items():
        if name not in good:
            continue
        for bad in (None, True, 1.5, "text", ["x"], {"a": 1}, -(10**12), 10**12, "2026-13-45T99:99:99Z", ""):
            payloads.append({**good, name: bad})
        if "enum" in p:
            payloads.append({**good, name: "not-" + str(p["enum"][0])})
    rng.shuffle(payloads)
    return payloads


#: The JSON Schema formats the tracking plan emits, which the differential test below
#: compares. jsonschema checks `date-time` only when `rfc3339-validator` is installed
#: (the `format-nongpl` extra, which the `test` extra names); without it every string
#: would pass and the comparison would be void.
FORMATS_COMPARED = {"date-time"}


def _formats(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        own = {schema["format"]} if isinstance(schema.get("format"), str) else set()
        return own.union(*(_formats(v) for v in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_formats(v) for v in schema))
    return set()


def test_the_fast_validator_agrees_with_jsonschema() -> None:
    import random

    from cjdsl.tracking.emit import properties_schema
    from cjdsl.tracking.validate import compile_event

    checker = jsonschema.FormatChecker()
    missing = FORMATS_COMPARED - set(checker.checkers)
    assert not missing, f"jsonschema cannot check {missing}: install the test extra (jsonschema[format-nongpl])"
    assert not checker.conforms("", "date-time"), "jsonschema's date-time check is not active"
    rng = random.Random(7)
    plan = build_plan(cjdsl.check([EXAMPLES]).journeys)
    checked = 0
    formats: set[str] = set()
    for e in plan.events:
        schema = properties_schema(e)
        formats |= _formats(schema)
        fast = compile_event(schema)
        real = jsonschema.Draft7Validator(schema, format_checker=checker)
        for payload in _mutations(schema, rng):
            assert (fast(payload) is None) == real.is_valid(payload), (e.name, payload, fast(payload))
            checked += 1
    assert checked > 1000
    assert formats == FORMATS_COMPARED, "the plan emits a format this test does not name"


def test_events_validate_command(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cjdsl.cli import main
    from cjdsl.tracking.emit import properties_schema

    journey = EXAMPLES / "omnichannel_retail.journey"
    order_event = build_plan(cjdsl.check([journey]).journeys).event("Order Completed")
    assert order_event is not None
    schema = properties_schema(order_event)
    valid = {name: _example(p) for name, p in schema["properties"].items() if "pattern" not in p}
    lines = [
        {"type": "track", "event": "Order Completed", "properties": valid},
        {"type": "track", "event": "Order Completed", "properties": {"channel": "fax"}},
        {"type": "track", "event": "Nobody Declared This"},
        {"type": "identify", "userId": "u1"},
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken json\n\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["events", "validate", str(journey), str(events), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    order = next(e for e in data["events"] if e["event"] == "Order Completed")
    assert (order["seen"], order["invalid"]) == (2, 1) and order["reasons"][0].startswith("line 2: missing required property")
    assert data["unknown_events"] == {"Nobody Declared This": 1}
    assert data["not_track"] == 1 and data["unreadable"] == 1 and data["total"] == 5
    assert any(e["event"] == "Product Page Viewed" for e in data["never_seen"]) or data["never_seen"]
    # The same from a built plan file, and a clean file exits 0.
    site = tmp_path / "site"
    assert CliRunner().invoke(main, ["build", str(journey), "-o", str(site), "--only", "tracking"]).exit_code == 0
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(lines[0]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["events", "validate", str(site / "tracking" / "tracking-plan.json"), str(good)])
    assert result.exit_code == 0, result.stdout
    assert "Order Completed" in result.stdout and "Never seen" in result.stdout


#: ECMA 262 patterns of the kind tracking plans use, and ones that backtrack badly in `re`.
PATTERNS_COMPARED = [
    r"^[0-9]{2}-[0-9]{3}$",
    r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
    r"^(SKU|sku)-\d{4,8}$",
    r"^[A-Z][a-z]+( [A-Z][a-z]+)*$",
    r"^\w+$",
    r"ab|cd",
    r"b",
    r"^a",
    r"c$",
    r"^(a+)+$",
    r"^(a|aa)*b$",
    r"^\[[A-Z]+\] .*$",
    r"^.{3,5}$",
    r"colou?r",
    r"^[a-f0-9]{8}(-[a-f0-9]{4}){3}-[a-f0-9]{12}$",
]


def test_the_fast_validator_agrees_with_jsonschema_on_patterns() -> None:
    """Captured values are matched with RE2 (linear time) and jsonschema uses Python's
    `re`: the same verdicts on ASCII text without line breaks, where the two engines and
    ECMA 262 agree (they differ on `$` before a final newline and on Unicode digits)."""
    import random

    from cjdsl.tracking.validate import compile_property

    rng = random.Random(17)
    alphabet = "aAbBcCdfxyzSKU0123456789-_@. []'"
    checked = 0
    for pattern in PATTERNS_COMPARED:
        schema = {"type": "string", "pattern": pattern}
        fast = compile_property(schema)
        real = jsonschema.Draft7Validator(schema)
        samples = ["", "a" * 25 + "b", "a" * 25, "sku-1234", "SKU-123456789", "ab@cd.ef", "12-345", "[AB] x", "colour", "color"]
        samples += ["".join(rng.choices(alphabet, k=rng.randrange(0, 20))) for _ in range(300)]
        samples += ["".join(rng.choices("ab", k=rng.randrange(0, 12))) for _ in range(100)]
        for value in samples:
            assert (fast(value, "`p`") is None) == real.is_valid(value), (pattern, value)
            checked += 1
    assert checked > 5000
