"""The json backend: valid against its shipped schema, complete, deterministic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cjdsl
from cjdsl.backends.json_model import journey_to_dict, schema
from tests.conftest import EXAMPLES, ROOT, journey_examples, write


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize("path", journey_examples(), ids=lambda p: p.name)
def test_every_example_validates(path: Path) -> None:
    project = cjdsl.check([path])
    assert project.ok
    (journey,) = [j for j in project.journeys if j.path.endswith(path.name)]
    data = json.loads(cjdsl.render("json", journey).content)
    jsonschema.Draft202012Validator(schema()).validate(data)
    # Everything in the source is in the output.
    assert len([t for s in data["stages"] for t in s["touchpoints"]]) == len(journey.touchpoints) > 0
    assert [p["id"] for p in data["pains"]] == [p.id for p in journey.pains]
    assert data["files"][0] == journey.path


def test_schema_rejects_what_it_should() -> None:
    project = cjdsl.check([EXAMPLES / "hr_saas.journey"])
    data = journey_to_dict(project.journeys[0])
    data["stages"][0]["touchpoints"][0]["emotion"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema())


#: A journey that uses every element of the practitioners' lanes: actors, systems and
#: metrics, as-is/to-be and levels, blueprint steps, research, time, per-persona values
#: and labelled flows.
LANES = """\
journey mortgage_next "Mortgage, redesigned" {
  state future
  variant_of mortgage
  part_of lifecycle
}

team sales "Sales"
team risk "Risk"

actor advisor "Mortgage advisor" {
  team sales
  description "Meets the customer in the branch"
}

actor notary "Notary" {
  partner
}

system core_banking "Core banking" {
  owner risk
}

persona planned "Planned" {
  role "x"
}

persona emergency "Emergency" {
  role "y"
}

channel branch "Branch" offline office

stage apply "Apply" phase purchase {
  touchpoint submit "Submits the application" {
    channel branch
    persona planned, emergency
    moment_of_truth "She decides here whether to trust the bank"
    thinking "Will they accept income from contracts?"
    thinking "How long will it take?"
    quote "I never know if they got my papers" {
      source "interview 07"
    }
    quote "Fine"
    frontstage "Advisor checks the documents with her" {
      actor advisor
      duration 0.5 h
    }
    backstage "Underwriting scores the application" {
      actor notary
      owner risk
      duration 3 d
      wait 1..2 w
      support core_banking
      description "Automated first, then by hand"
    }
    support core_banking
    evidence "Signed application form"
    emotion 0 "neutral"
    emotion for emergency -2 "in pain, put on hold"
    rating 4
    rating for emergency 2
    confidence observed
    duration 18 min
    wait 3..6 d
    next approve "if approved", decline "if declined"
    next approve
    detail kyc_flow
  }

  touchpoint approve "Approved" {
    channel branch
    moment_of_truth
  }

  touchpoint decline "Declined" {
    channel branch
  }
}

pain p "P" {
  at submit
  severity high
  confidence assumed
}

metric csat "Onboarding CSAT" {
  at submit
  value 4.1
  scale 1..5
  target ">= 4.3"
  source "Post-call survey, Q3 2026, n=212"
  owner sales
  description "Asked after the call"
}
"""


def _at(start: str) -> dict[str, Any]:
    """Where the line of LANES that starts (after its indentation) with ``start`` begins."""
    ((line, text),) = [(n, t) for n, t in enumerate(LANES.splitlines(), 1) if t.lstrip().startswith(start)]
    return {"path": "lanes.journey", "line": line, "column": len(text) - len(text.lstrip()) + 1}


def _lanes(folder: Path) -> dict[str, Any]:
    # The journeys it names (`variant_of`, `part_of`, `detail`) exist in the project.
    related = {f"{j}.journey": f'journey {j} "{j}"\n' for j in ("mortgage", "lifecycle", "kyc_flow")}
    write(folder, {"lanes.journey": LANES, **related})
    project = cjdsl.check([folder])
    assert project.ok, [d for d in project.diagnostics if d.severity.value == "error"]
    (journey,) = [j for j in project.journeys if j.id == "mortgage_next"]
    data = json.loads(cjdsl.render("json", journey).content)
    jsonschema.Draft202012Validator(schema()).validate(data)
    return data  # type: ignore[no-any-return]


def test_the_practitioners_lanes_are_written(project: Path) -> None:
    data = _lanes(project)
    assert data["journey"] == {
        "id": "mortgage_next",
        "label": "Mortgage, redesigned",
        "version": None,
        "owner": None,
        "description": None,
        "tags": [],
        "state": "future",
        "variant_of": "mortgage",
        "part_of": "lifecycle",
        "source": _at("journey mortgage_next"),
    }
    assert data["actors"] == [
        {
            "id": "advisor",
            "label": "Mortgage advisor",
            "team": "sales",
            "partner": False,
            "description": "Meets the customer in the branch",
            "source": _at('actor advisor "'),
        },
        {
            "id": "notary",
            "label": "Notary",
            "team": None,
            "partner": True,
            "description": None,
            "source": _at('actor notary "'),
        },
    ]
    assert data["systems"] == [
        {
            "id": "core_banking",
            "label": "Core banking",
            "owner": "risk",
            "description": None,
            "source": _at("system core_banking"),
        }
    ]
    assert data["metrics"] == [
        {
            "id": "csat",
            "label": "Onboarding CSAT",
            "at": "submit",
            "value": 4.1,
            "scale": [1, 5],
            "target": ">= 4.3",
            "source": "Post-call survey, Q3 2026, n=212",
            "owner": "sales",
            "description": "Asked after the call",
            "declared_at": _at("metric csat"),
        }
    ]
    assert [(p["id"], p["confidence"]) for p in data["pains"]] == [("p", "assumed")]
    # The keys of the top-level document, in order: new lists beside their kin.
    assert list(data) == [
        "format",
        "format_version",
        "journey",
        "files",
        "personas",
        "intents",
        "channels",
        "teams",
        "actors",
        "systems",
        "stages",
        "pains",
        "opportunities",
        "kpis",
        "metrics",
        "findings",
    ]


def test_a_touchpoints_new_attributes_are_written(project: Path) -> None:
    data = _lanes(project)
    submit, approve, decline = data["stages"][0]["touchpoints"]
    assert submit["moment_of_truth"] is True
    assert submit["moment_of_truth_label"] == "She decides here whether to trust the bank"
    assert (approve["moment_of_truth"], approve["moment_of_truth_label"]) == (True, None)
    assert (decline["moment_of_truth"], decline["moment_of_truth_label"]) == (False, None)
    assert submit["thinking"] == ["Will they accept income from contracts?", "How long will it take?"]
    assert submit["quotes"] == [
        {
            "text": "I never know if they got my papers",
            "source": "interview 07",
            "declared_at": _at('quote "I never'),
        },
        {"text": "Fine", "source": None, "declared_at": _at('quote "Fine"')},
    ]
    assert submit["steps"] == [
        {
            "text": "Advisor checks the documents with her",
            "lane": "frontstage",
            "actor": "advisor",
            "owner": None,
            "duration": {"low": 0.5, "high": None, "unit": "h", "seconds": [1800.0, 1800.0]},
            "wait": None,
            "support": [],
            "description": None,
            "source": _at("frontstage"),
        },
        {
            "text": "Underwriting scores the application",
            "lane": "backstage",
            "actor": "notary",
            "owner": "risk",
            "duration": {"low": 3, "high": None, "unit": "d", "seconds": [259200, 259200]},
            "wait": {"low": 1, "high": 2, "unit": "w", "seconds": [604800, 1209600]},
            "support": ["core_banking"],
            "description": "Automated first, then by hand",
            "source": _at("backstage"),
        },
    ]
    assert submit["support"] == ["core_banking"]
    assert (submit["emotion"], submit["feeling"]) == (0, "neutral")
    assert submit["emotion_for"] == [{"persona": "emergency", "value": -2, "feeling": "in pain, put on hold"}]
    assert submit["rating"] == 4
    assert submit["rating_for"] == [{"persona": "emergency", "value": 2}]
    assert submit["confidence"] == "observed"
    assert submit["duration"] == {"low": 18, "high": None, "unit": "min", "seconds": [1080, 1080]}
    assert submit["wait"] == {"low": 3, "high": 6, "unit": "d", "seconds": [259200, 518400]}
    assert submit["detail"] == "kyc_flow"
    # `next` keeps its shape (ids, as written); `flows` gives each entry its label.
    assert submit["next"] == ["approve", "decline", "approve"]
    assert submit["flows"] == [
        {"to": "approve", "label": "if approved"},
        {"to": "decline", "label": "if declined"},
        {"to": "approve", "label": None},
    ]
    for tp in (approve, decline):
        assert tp["thinking"] == tp["quotes"] == tp["steps"] == tp["support"] == []
        assert tp["emotion_for"] == tp["rating_for"] == tp["next"] == tp["flows"] == []
        assert tp["confidence"] is tp["duration"] is tp["wait"] is tp["detail"] is None


def test_a_journey_without_the_new_elements_gets_their_defaults() -> None:
    project = cjdsl.check([EXAMPLES / "hr_saas.journey"])
    data = journey_to_dict(project.journeys[0])
    assert (data["journey"]["state"], data["journey"]["variant_of"], data["journey"]["part_of"]) == ("current", None, None)
    assert data["actors"] == data["systems"] == data["metrics"] == []
    touchpoints = [t for s in data["stages"] for t in s["touchpoints"]]
    assert all(len(t["flows"]) == len(t["next"]) for t in touchpoints)
    assert all([f["to"] for f in t["flows"]] == t["next"] for t in touchpoints)
    assert any(t["next"] for t in touchpoints)
    jsonschema.Draft202012Validator(schema()).validate(data)


@pytest.mark.parametrize(
    ("place", "value"),
    [
        (("journey", "state"), "someday"),
        (("stages", 0, "touchpoints", 0, "steps", 0, "lane"), "sidestage"),
        (("stages", 0, "touchpoints", 0, "duration", "unit"), "days"),
        (("stages", 0, "touchpoints", 0, "wait", "seconds"), [1]),
        (("stages", 0, "touchpoints", 0, "emotion_for", 0, "value"), -3),
        (("stages", 0, "touchpoints", 0, "rating_for", 0, "feeling"), "extra key"),
        (("stages", 0, "touchpoints", 0, "flows", 0, "to"), "not an id"),
        (("stages", 0, "touchpoints", 0, "confidence"), "guessed"),
        (("stages", 0, "touchpoints", 0, "quotes", 0, "extra"), 1),
        (("actors", 0, "partner"), "yes"),
        (("systems", 0, "extra"), 1),
        (("metrics", 0, "scale"), [1, 2, 3]),
        (("pains", 0, "confidence"), "sure"),
    ],
)
def test_the_schema_holds_the_new_elements_to_their_shape(project: Path, place: tuple[object, ...], value: object) -> None:
    data = _lanes(project)
    node: Any = data
    for key in place[:-1]:
        node = node[key]
    node[place[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema())


def test_build_is_byte_identical_across_processes(tmp_path: Path) -> None:
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"site{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        subprocess.run(
            [sys.executable, "-m", "cjdsl", "build", str(EXAMPLES), "-o", str(out)],
            check=True,
            env=env,
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
        )
        outs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1]
    assert len(outs[0]) >= 6


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=30,
    )
)
def test_fast_indented_json_is_byte_identical_to_the_standard_library(value: object) -> None:
    from cjdsl.core import jsontext

    assert jsontext.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"
