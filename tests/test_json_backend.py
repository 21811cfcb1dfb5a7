"""The json backend: valid against its shipped schema, complete, deterministic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cjdsl
from cjdsl.backends.json_model import journey_to_dict, schema
from tests.conftest import EXAMPLES, ROOT, journey_examples


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
