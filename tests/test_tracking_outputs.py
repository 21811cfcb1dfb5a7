"""The tracking plan as analysts and registries read it: constraints in every table,
descriptions that say something or nothing, code spans GitHub shows as written, and
every published Iglu version kept."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import cmarkgfm
from click.testing import CliRunner

import cjdsl
from cjdsl.cli import main
from tests.conftest import write

JOURNEY = """journey logistics "B2B logistics" {
  version "1"
}
stage onboard "Onboard" phase adoption {
  touchpoint quote "Requests a quote" {
    event "Quote Requested" {
      description "A shipper asked for a price."
      parcels_per_month integer min 3 max 48
      origin_country string min 2 max 2 pattern "^[A-Z]{2}$" "ISO 3166 country code"
      pickup_at datetime required
      weight_kg number min 0.5
      tags list(string) max 5
    }
  }
}
"""


def build(folder: Path) -> Path:
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(folder / "site"), "--only", "tracking,html"])
    assert result.exit_code == 0, result.stderr
    return folder / "site"


def test_constraints_show_in_csv_markdown_and_html(project: Path) -> None:
    write(project, {"j.journey": JOURNEY})
    site = build(project)
    rows = list(csv.DictReader(io.StringIO((site / "tracking" / "tracking-plan.csv").read_text(encoding="utf-8"))))
    by_name = {r["property"]: r for r in rows}
    assert by_name["parcels_per_month"]["constraints"] == "3 to 48"
    assert by_name["origin_country"]["constraints"] == "2 to 2 characters; matches ^[A-Z]{2}$"
    assert by_name["pickup_at"]["constraints"] == "ISO 8601 date-time"
    assert by_name["weight_kg"]["constraints"] == "at least 0.5"
    assert by_name["tags"]["constraints"] == "at most 5 items"
    assert by_name["origin_country"]["property description"] == "ISO 3166 country code"
    assert by_name["parcels_per_month"]["property description"] == ""  # no filler
    markdown = (site / "tracking" / "tracking-plan.md").read_text(encoding="utf-8")
    assert "| `parcels_per_month` | integer | no |  | 3 to 48 |  |" in markdown
    page = (site / "journeys" / "logistics.html").read_text(encoding="utf-8")
    assert "integer, 3 to 48" in page and "at most 5 items" in page


def test_markdown_code_spans_show_names_as_written_on_github(project: Path) -> None:
    write(project, {"j.journey": JOURNEY})
    markdown = (build(project) / "tracking" / "tracking-plan.md").read_text(encoding="utf-8")
    html = cmarkgfm.github_flavored_markdown_to_html(markdown)
    assert "<code>parcels_per_month</code>" in html and "\\_" not in html


def test_no_description_restates_the_property_name(project: Path) -> None:
    write(project, {"j.journey": JOURNEY})
    tracking = build(project) / "tracking"
    schema = json.loads((tracking / "jsonschema" / "quote_requested.json").read_text(encoding="utf-8"))
    props = schema["properties"]["properties"]["properties"] if "properties" in schema["properties"] else schema["properties"]
    assert "description" not in props["parcels_per_month"]
    assert props["origin_country"]["description"] == "ISO 3166 country code"
    yaml_text = (tracking / "rudderstack" / "properties.yaml").read_text(encoding="utf-8")
    assert "parcels_per_month (integer)" not in yaml_text


def test_every_published_iglu_version_stays_in_the_build(project: Path) -> None:
    write(project, {"j.journey": JOURNEY})
    folder = project / "site" / "tracking" / "snowplow" / "schemas" / "com.example.journeys" / "quote_requested" / "jsonschema"
    build(project)
    assert sorted(p.name for p in folder.iterdir()) == ["1-0-0"]
    # An addition: a new optional property.
    write(
        project,
        {"j.journey": JOURNEY.replace("      tags list(string) max 5\n", "      tags list(string) max 5\n      note string\n")},
    )
    build(project)
    assert sorted(p.name for p in folder.iterdir()) == ["1-0-0", "1-0-1"]
    # A breaking change: a property removed.
    write(project, {"j.journey": JOURNEY.replace("      weight_kg number min 0.5\n", "")})
    build(project)
    versions = sorted(p.name for p in folder.iterdir())
    assert versions == ["1-0-0", "1-0-1", "2-0-0"]
    first = json.loads((folder / "1-0-0").read_text(encoding="utf-8"))
    assert first["self"]["version"] == "1-0-0" and "weight_kg" in first["properties"] and "note" not in first["properties"]
    latest = json.loads((folder / "2-0-0").read_text(encoding="utf-8"))
    assert "weight_kg" not in latest["properties"]
    lock = json.loads((project / "tracking.lock.json").read_text(encoding="utf-8"))
    assert list(lock["events"]["quote_requested"]["iglu"]) == ["1-0-0", "1-0-1"]  # the superseded ones
    # The same sources build the same bytes.
    again = CliRunner().invoke(main, ["build", str(project), "-o", str(project / "site2"), "--only", "tracking"])
    assert again.exit_code == 0
    assert (project / "site2" / folder.relative_to(project / "site") / "1-0-1").read_bytes() == (folder / "1-0-1").read_bytes()
    assert cjdsl.check([project]).ok
