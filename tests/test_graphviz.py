"""The graphviz backend: golden DOT for every example, the real `dot` on every view,
escaping that no label can break, the large-journey fallback, and life without `dot`."""

from __future__ import annotations

import html as html_lib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cjdsl
import cjdsl.project.resolve
from cjdsl.backends.build import build
from cjdsl.backends.graphviz_dot import html, journey_dot, overview_dot, quoted, stage_dot, views
from cjdsl.backends.layout import Dot, DotMissing, DotTimeout, LayoutError, find_dot
from cjdsl.cli import main
from tests.conftest import EXAMPLES, FIXTURES, IN_CI, ROOT, journey_examples

GOLDEN = FIXTURES / "graphviz"
UPDATE = os.environ.get("CJDSL_UPDATE_GOLDEN") == "1"
SOURCES = [*journey_examples(), GOLDEN / "hostile.journey"]


@pytest.fixture(scope="module")
def dot() -> Dot:
    """The real `dot`. In CI a missing Graphviz fails the run; elsewhere it skips."""
    try:
        return Dot.find(timeout=120)
    except DotMissing:
        if IN_CI:
            pytest.fail("Graphviz's `dot` is missing; CI must install it (apt-get install graphviz)")
        pytest.skip("Graphviz's `dot` is not installed")


def journey_of(path: Path) -> cjdsl.ResolvedJourney:
    project = cjdsl.check([path])
    assert project.ok, project.diagnostics
    (j,) = [j for j in project.journeys if j.path.endswith(path.name)]
    return j


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_golden_dot(path: Path) -> None:
    j = journey_of(path)
    golden = GOLDEN / f"{j.id}.dot"
    text = journey_dot(j)
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    assert journey_dot(journey_of(path)) == text  # the same input gives the same DOT


def svg_texts(svg: bytes) -> str:
    """Every text the SVG shows, unescaped, one per line."""
    return "\n".join(html_lib.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode("utf-8")))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_dot_lays_out_every_view(path: Path, dot: Dot) -> None:
    j = journey_of(path)
    for artifact in views(j):
        svg = dot(artifact.content.decode("utf-8"), "svg")
        assert svg.startswith(b"<?xml") and b"</svg>" in svg
    whole = dot(journey_dot(j), "svg").decode("utf-8")
    titles = set(re.findall(r"<title>([^<]*)</title>", whole))
    for tp in j.touchpoints:
        assert f"tp__{tp.id}" in titles, f"touchpoint {tp.id} is missing from the diagram"
    for pain in j.pains:
        assert f"pain__{pain.id}" in titles
    nodes = re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>', whole)
    assert sorted(nodes) == sorted(
        {f"tp__{t.id}" for t in j.touchpoints}
        | {f"pain__{p.id}" for p in j.pains}
        | {"legend"}
        | {f"empty__{s.id}" for s in j.stages if not s.touchpoints}
    )
    shown = svg_texts(whole.encode())
    for stage in j.stages:
        assert (stage.label or stage.id).split()[0] in shown


def test_hostile_labels_stay_text(dot: Dot) -> None:
    j = journey_of(GOLDEN / "hostile.journey")
    svg = dot(journey_dot(j), "svg")
    shown = svg_texts(svg)
    assert 'Title with "quotes", <b>tags</b> & \\N \\G \\L' in shown  # no escape expanded
    assert "<script>alert(1)</script><" in shown and "onerror=alert(1)>" in shown
    assert 'version 1"]; evil [label="x' in shown
    assert b"<script" not in svg and b"onerror=" not in svg.replace(b"onerror=alert(1)&gt;", b"")
    titles = re.findall(r"<title>([^<]*)</title>", svg.decode("utf-8"))
    assert "t9" not in titles and "evil" not in " ".join(titles)


def test_escaping_functions() -> None:
    assert html('a<b>&"c"\\N\nd\x07') == 'a&lt;b&gt;&amp;&quot;c&quot;\\\\N<BR ALIGN="LEFT"/>d'
    assert quoted('say "hi" \\N') == 'say "hi" \\\\N'


def test_persona_view_keeps_only_that_persona() -> None:
    j = journey_of(EXAMPLES / "omnichannel_retail.journey")
    for persona in j.personas:
        text = journey_dot(j, persona=persona.id)
        for tp in j.touchpoints:
            serves = any(p.id == persona.id for p in j.personas_of(tp))
            assert (f"tp__{tp.id} [" in text) == serves


def test_overview_weights_are_flow_counts() -> None:
    j = journey_of(EXAMPLES / "hr_saas.journey")
    text = overview_dot(j)
    counts = {}
    for stage in j.stages:
        for tp in stage.touchpoints:
            for ref in tp.next:
                target = j.stage_of[ref.id]
                if target.id != stage.id:
                    counts[(stage.id, target.id)] = counts.get((stage.id, target.id), 0) + 1
    for (a, b), n in counts.items():
        assert re.search(rf"stage__{a} -> stage__{b} \[[^]]*label={n} ", text), (a, b, n)


def test_backward_flows_do_not_pull_the_stages() -> None:
    j = journey_of(GOLDEN / "hostile.journey")
    assert re.search(r"tp__t2 -> tp__t1 \[[^]]*constraint=false", journey_dot(j))


def test_large_journey_falls_back_to_stage_diagrams(tmp_path: Path, dot: Dot) -> None:
    """The real `dot`, given too little time for the whole journey (0.05 s) and plenty
    for each stage: the build writes the overview and one diagram per stage."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    (tmp_path / "big.journey").write_text(generate(300, seed=1), encoding="utf-8")
    project = cjdsl.check([tmp_path])
    (j,) = project.journeys
    quick, patient = Dot(dot.program, timeout=0.05), Dot(dot.program, timeout=120)

    def layout(source: str, fmt: str) -> bytes:
        whole = source.startswith(f"digraph {j.id} ")
        return (quick if whole else patient)(source, fmt)

    result = build(project, ["graphviz"], layout)
    names = set(result.files)
    assert f"graphviz/{j.id}.dot" in names and f"graphviz/{j.id}.svg" not in names
    assert f"graphviz/{j.id}.overview.svg" in names
    for stage in j.stages:
        assert f"graphviz/{j.id}.stage-{stage.id}.svg" in names
    assert not any(".persona-" in n and n.endswith(".svg") for n in names)
    (note,) = result.notes
    assert "too large for one diagram" in note and "one diagram per stage" in note
    with pytest.raises(DotTimeout):
        quick(journey_dot(j), "svg")


def test_dot_errors_are_layout_errors(dot: Dot) -> None:
    with pytest.raises(LayoutError, match="`dot` failed"):
        dot("digraph { a -> }", "svg")
    assert dot("digraph { a -> b }", "png").startswith(b"\x89PNG")
    assert dot("digraph { a -> b }", "pdf").startswith(b"%PDF")


def test_render_commands(tmp_path: Path, dot: Dot) -> None:
    runner = CliRunner()
    path = str(EXAMPLES / "hr_saas.journey")
    out = runner.invoke(main, ["render", "--to", "dot", path])
    assert out.exit_code == 0 and out.stdout.startswith("digraph hr_saas {")
    for fmt, magic in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")):
        target = tmp_path / f"hr.{fmt}"
        result = runner.invoke(main, ["render", "--to", fmt, path, "-o", str(target)])
        assert result.exit_code == 0, result.stderr
        assert target.read_bytes().startswith(magic)
    overview = runner.invoke(main, ["render", "--to", "dot", "--view", "overview", path])
    assert "stage overview" in overview.stdout
    stage = runner.invoke(main, ["render", "--to", "dot", "--view", "stage:purchase", path])
    assert stage.exit_code == 0 and stage.stdout.startswith("digraph hr_saas__stage__purchase {")
    bad = runner.invoke(main, ["render", "--to", "svg", "--persona", "ana", path])
    assert bad.exit_code == 2 and "no persona `ana`; did you mean `anna`?" in bad.stderr
    bad = runner.invoke(main, ["render", "--to", "dot", "--view", "side", path])
    assert bad.exit_code == 2 and "unknown view `side`" in bad.stderr


def test_without_dot_build_writes_dot_and_warns_and_render_svg_fails(tmp_path: Path) -> None:
    env = {**os.environ, "CJDSL_DOT": str(tmp_path / "no-such-dot"), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "cjdsl", "build", str(EXAMPLES), "-o", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("Graphviz's `dot` program was not found") == 1
    written = {p.name for p in (tmp_path / "site" / "graphviz").iterdir()}
    assert "hr_saas.dot" in written and not any(n.endswith(".svg") for n in written)
    proc = subprocess.run(
        [sys.executable, "-m", "cjdsl", "render", "--to", "svg", str(EXAMPLES / "hr_saas.journey")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("cjdsl: error: Graphviz's `dot` program was not found: install Graphviz")


def test_find_dot_honours_cjdsl_dot(monkeypatch: pytest.MonkeyPatch, dot: Dot) -> None:
    monkeypatch.setenv("CJDSL_DOT", dot.program)
    assert find_dot() == dot.program
    monkeypatch.setenv("CJDSL_DOT", "/nonexistent/dot")
    assert find_dot() is None


def test_stage_view_has_one_cluster() -> None:
    j = journey_of(EXAMPLES / "hr_saas.journey")
    text = stage_dot(j, j.stages[0])
    assert text.count("subgraph cluster_") == 1


@pytest.mark.parametrize(("touchpoints", "seed"), [(100, 0), (60, 1), (150, 4), (260, 17)])
def test_generated_journeys_that_once_crashed_dot(touchpoints: int, seed: int, dot: Dot) -> None:
    """`rank=same` groups inside clusters under `newrank` made dot fail with "lost …
    edge" on these; every view must now lay out."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    result = cjdsl.parse(generate(touchpoints, seed=seed), "gen.journey")
    assert result.document is not None
    source = cjdsl.project.resolve.SourceFile(Path("/gen.journey"), "gen.journey", result)  # type: ignore[attr-defined]
    j, _ = cjdsl.project.resolve.resolve(source, Path("/"), lambda p: cjdsl.project.resolve.SourceFile(p, str(p), None))  # type: ignore[attr-defined]
    assert j is not None
    for artifact in views(j):
        assert dot(artifact.content.decode("utf-8"), "svg").endswith(b"</svg>\n")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_views_share_node_statements_without_changing_a_byte(path: Path) -> None:
    """views() makes each touchpoint's node once for all of a journey's diagrams; every
    diagram must still be exactly what journey_dot makes on its own."""
    from cjdsl.backends.graphviz_dot import blueprint_dot, has_blueprint, stage_views

    j = journey_of(path)
    made = {a.path: a.content for a in views(j) + stage_views(j)}
    alone = {f"graphviz/{j.id}.dot": journey_dot(j), f"graphviz/{j.id}.overview.dot": overview_dot(j)}
    alone |= {f"graphviz/{j.id}.persona-{p.id}.dot": journey_dot(j, persona=p.id) for p in j.personas}
    alone |= {f"graphviz/{j.id}.stage-{s.id}.dot": stage_dot(j, s) for s in j.stages}
    if has_blueprint(j):  # the examples with actors, systems, steps or evidence
        alone[f"graphviz/{j.id}.blueprint.dot"] = blueprint_dot(j)
    assert {k: v.decode("utf-8") for k, v in made.items()} == alone


def test_the_registry_offers_the_views_and_declares_every_diagram() -> None:
    """`cjdsl render` reaches the views through the backend's registration, and the
    declared products are exactly the files the build can write for the journey."""
    from cjdsl.backends import DIAGRAM, DIAGRAM_SOURCE, UnknownView, backends
    from cjdsl.backends.graphviz_dot import stage_views

    backend = backends()["graphviz"]
    assert backend.views is not None and backend.layout is not None and "dot" in backend.aliases
    j = journey_of(EXAMPLES / "hr_saas.journey")
    assert backend.views.source(j, "journey", None) == journey_dot(j) == backend.render(j, None).content.decode()  # type: ignore[arg-type]
    assert backend.views.source(j, "journey", "anna") == journey_dot(j, persona="anna")
    assert backend.views.source(j, "overview", None) == overview_dot(j)
    assert backend.views.source(j, "stage:purchase", None) == stage_dot(j, j.stages[j.stage_index["purchase"]])
    with pytest.raises(UnknownView, match="no persona `ana`; did you mean `anna`"):
        backend.views.source(j, "journey", "ana")
    with pytest.raises(UnknownView, match="unknown view `stage:nowhere`"):
        backend.views.source(j, "stage:nowhere", None)
    declared = backend.declared([j])
    sources = {p.path for p in declared if p.role == DIAGRAM_SOURCE}
    assert sources == {a.path for a in views(j) + stage_views(j)}
    assert {p.path for p in declared if p.role == DIAGRAM} == {backend.layout.image_path(s) for s in sources}
    (whole,) = [p for p in declared if p.role == DIAGRAM and p.view == "journey" and p.persona is None]
    assert whole.path == f"graphviz/{j.id}.svg"
    (anna,) = [p for p in declared if p.role == DIAGRAM and p.persona == "anna"]
    assert anna.path == f"graphviz/{j.id}.persona-anna.svg"


def test_the_build_lays_out_what_a_backend_declares(monkeypatch: pytest.MonkeyPatch) -> None:
    """The layout step is the backend's declaration, not its name: a backend registered
    with one gets its diagrams laid out, with the fallback when the whole one fails."""
    import importlib

    from cjdsl.backends import Artifact, Backend, LayoutStep, register

    registry = importlib.import_module("cjdsl.backends")  # `cjdsl.backends` is also the function
    registry.backends()
    base = importlib.import_module("cjdsl.backends.base")
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))

    # A layout step's callables get the build's language too (unused here).
    def diagrams(j: cjdsl.ResolvedJourney, tr: object = None) -> list[Artifact]:
        return [Artifact.text(f"pic/{j.id}.{name}.src", "text/plain", name) for name in ("whole", "second", "third")]

    def parts(j: cjdsl.ResolvedJourney, tr: object = None) -> list[Artifact]:
        return [Artifact.text(f"pic/{j.id}.part-{s.id}.src", "text/plain", f"part {s.id}") for s in j.stages]

    step = LayoutStep(diagrams, parts, lambda p: p[: -len(".src")] + ".img", "drew the parts instead", 1, "png", "image/png")
    register(Backend("pictures", "a test backend", lambda j, ctx: diagrams(j)[0], layout=step))
    project = cjdsl.check([EXAMPLES / "hr_saas.journey"])
    laid_out: list[tuple[str, str]] = []

    def layout(source: str, fmt: str) -> bytes:
        laid_out.append((source, fmt))
        if source == "third":
            raise LayoutError("third is too odd")
        return f"<{source}>".encode()

    result = build(project, ["pictures"], layout)
    assert result.files["pic/hr_saas.whole.img"] == b"<whole>" and result.files["pic/hr_saas.second.img"] == b"<second>"
    assert "pic/hr_saas.third.src" in result.files and "pic/hr_saas.third.img" not in result.files
    assert result.notes == ["pic/hr_saas.third.src: third is too odd; the .src file is there, the .img is not"]
    assert {fmt for _, fmt in laid_out} == {"png"} and laid_out[0][0] == "whole"

    def whole_fails(source: str, fmt: str) -> bytes:
        if source == "whole":
            raise LayoutError("no")
        return b"ok"

    result = build(project, ["pictures"], whole_fails)
    (j,) = project.journeys
    (note,) = result.notes
    assert "could not be drawn whole (no): drew the parts instead" in note
    assert {p for p in result.files if p.endswith(".img")} == {f"pic/hr_saas.part-{s.id}.img" for s in j.stages}
    assert "pic/hr_saas.second.src" in result.files  # written, not laid out
    result = build(project, ["pictures"], None)
    assert result.notes[0].endswith("; wrote the .src files but no .img diagrams")
    assert not any(p.endswith(".img") for p in result.files)


BLUEPRINT = """journey bp "Blueprint" { }
team risk "Risk"
actor advisor "Advisor" { team risk }
actor lab "Dental <lab> & \\\\N" { partner }
system core "Core \\"banking\\"" { owner risk }
persona p "P" { role "r" }
persona q "Q" { role "r" }
channel branch "Branch" offline office
stage apply "Apply" {
  touchpoint submit "Submits" {
    channel branch
    persona p, q
    entry
    moment_of_truth
    evidence "Signed form"
    customer_action "Signs </TD></TR> here"
    frontstage "Advisor checks" { actor advisor }
    backstage "Lab makes the crown" { actor lab  owner risk  duration 3..5 d  support core }
    emotion 0
    emotion for q -2 "in pain"
    rating for q 2
    wait 2 w
    next done "if approved"
  }
  touchpoint done "Done" { channel branch }
}
"""


def _blueprint_journey(tmp_path: Path) -> cjdsl.ResolvedJourney:
    (tmp_path / "bp.journey").write_text(BLUEPRINT, encoding="utf-8")
    return journey_of(tmp_path / "bp.journey")


def test_the_blueprint_view_draws_every_lane_in_order_with_its_steps(tmp_path: Path, dot: Dot) -> None:
    from cjdsl.backends.graphviz_dot import blueprint_dot, has_blueprint, source_path, view_source

    j = _blueprint_journey(tmp_path)
    assert has_blueprint(j) and view_source(j, "blueprint", None) == blueprint_dot(j)
    assert source_path(j.id, "blueprint") in {a.path for a in views(j)}
    shown = svg_texts(dot(blueprint_dot(j), "svg"))
    lanes = ["Physical evidence", "Customer actions", "line of interaction", "Frontstage", "line of visibility"]
    lanes += ["Backstage", "line of internal interaction", "Support systems"]
    positions = [shown.index(lane) for lane in lanes]
    assert positions == sorted(positions)
    assert "Signed form" in shown and "Advisor checks" in shown and "Lab makes the crown" in shown
    assert "Dental <lab> & \\N (partner) · owner Risk · takes 3–5 d" in " ".join(shown.split())  # escaped, not expanded
    assert 'Core "banking"' in shown and "Signs </TD></TR> here" in shown


def test_a_journey_without_steps_gets_no_blueprint_but_render_offers_one() -> None:
    from cjdsl.backends.graphviz_dot import has_blueprint, view_source

    j = journey_of(EXAMPLES / "hr_saas.journey")
    assert not has_blueprint(j)
    assert not any(a.path.endswith(".blueprint.dot") for a in views(j))
    assert "Customer actions" in view_source(j, "blueprint", None)


def test_a_persona_view_shows_that_persona_s_own_emotion_and_flows_their_labels(tmp_path: Path, dot: Dot) -> None:
    j = _blueprint_journey(tmp_path)
    whole = svg_texts(dot(journey_dot(j), "svg"))
    q = svg_texts(dot(journey_dot(j, persona="q"), "svg"))
    p = svg_texts(dot(journey_dot(j, persona="p"), "svg"))
    assert "emotion 0" in whole.replace("\n", " ") and "emotion 0" in p.replace("\n", " ")
    assert "emotion -2 · rating 2/5" in q.replace("\n", " ")
    assert "if approved" in whole and "moment of truth" in whole and "wait 2 w" in whole.replace("\n", " ")
