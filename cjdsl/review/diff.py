"""The semantic diff: what changed in the customers' experience between two versions of
the journeys, as edit records matched by declared id (never by position).

Pure: two lists of resolved journeys in, frozen :class:`Edit` records out; renderers for
text, Markdown (a pull-request comment) and JSON sit below.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from ..core import jsontext
from ..core import model as m
from ..core.markdown import markdown_text
from ..core.mermaid_text import flow_label
from ..core.resolved import ResolvedJourney
from ..core.terminal import safe
from ..tracking.emit import property_schema
from ..tracking.lock import classify
from ..tracking.plan import PlanProperty, build_plan

#: Who an edit concerns.
EXPERIENCE, BREAKING, ADDITIVE, OWNERSHIP = "experience", "tracking-breaking", "tracking-additive", "ownership"


@dataclass(frozen=True)
class Edit:
    kind: str  # added | removed | changed | moved | renamed
    #: journey, persona, intent, channel, team, actor, system, stage, touchpoint, flow, pain, opportunity, kpi,
    #: metric, event or property
    element: str
    journey: str
    id: str
    field: str | None = None
    old: Any = None
    new: Any = None
    impact: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


_SKIP = {"id", "span", "spans", "touchpoints", "pains", "events", "opportunities", "opportunity_refs", "next", "allow"}
#: Per-persona values, compared persona by persona ("emotion for emergency").
_PER_PERSONA = {"emotion_for": "emotion for", "rating_for": "rating for"}


def _time(t: m.Time) -> str:
    return f"{_num(t.low)}..{_num(t.high)} {t.unit}" if t.high is not None else f"{_num(t.low)} {t.unit}"


def _value(v: Any) -> Any:
    if isinstance(v, m.Ref):
        return v.id
    if isinstance(v, tuple):
        return [_value(x) for x in v]
    if isinstance(v, m.PropertyType):
        return str(v)
    if isinstance(v, m.Time):
        return _time(v)
    if isinstance(v, m.Quote):
        return v.text + (f" ({v.source})" if v.source else "")
    if isinstance(v, m.Step):
        who = ", ".join(
            x for x in (v.actor.id if v.actor else None, f"owner {v.owner.id}" if v.owner else None, _value(v.duration)) if x
        )
        return f"{v.lane}: {v.text}" + (f" ({who})" if who else "")
    return v


def _fields(node: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(node):
        if f.name in _SKIP or not f.compare:
            continue
        value = getattr(node, f.name)
        if f.name in _PER_PERSONA:
            for pv in value:
                out[f"{_PER_PERSONA[f.name]} {pv.persona.id}"] = pv.value
        else:
            out[f.name] = _value(value)
    return out


def _impact(element: str, name: str, old: Any, new: Any) -> tuple[str, ...]:
    if name == "owner":
        return (OWNERSHIP,)
    if element == "touchpoint" and (
        name in ("emotion", "rating", "duration", "wait") or name.startswith(("emotion for ", "rating for "))
    ):
        return (EXPERIENCE,)
    return ()


def _compare(element: str, journey: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Edit]:
    """Added, removed, renamed and changed elements of one kind, matched by id."""
    removed = {k: v for k, v in old.items() if k not in new}
    added = {k: v for k, v in new.items() if k not in old}
    renamed: dict[str, str] = {}
    for old_id, node in removed.items():
        same = [new_id for new_id, other in added.items() if _fields(other) == _fields(node) and new_id not in renamed.values()]
        if len(same) == 1:  # unambiguous: exactly one added element with the same content
            renamed[old_id] = same[0]
    for old_id, new_id in renamed.items():
        yield Edit("renamed", element, journey, new_id, "id", old_id, new_id)
    for k in removed:
        if k not in renamed:
            impact = (EXPERIENCE,) if element == "touchpoint" else ()
            yield Edit("removed", element, journey, k, impact=impact)
    for k in added:
        if k not in renamed.values():
            yield Edit("added", element, journey, k)
    for k in old.keys() & new.keys():
        a, b = _fields(old[k]), _fields(new[k])
        for name in [*a, *(n for n in b if n not in a)]:  # per-persona values come and go
            if a.get(name) != b.get(name):
                was, now = a.get(name), b.get(name)
                yield Edit("changed", element, journey, k, name, was, now, _impact(element, name, was, now))


def _flows(j: ResolvedJourney) -> set[tuple[str, str]]:
    return {(tp.id, r.id) for tp in j.touchpoints for r in tp.next}


def _flow_labels(j: ResolvedJourney) -> dict[tuple[str, str], str]:
    """Each labelled flow's label (the first, when a flow is written twice)."""
    return {(tp.id, ref): label for tp in j.touchpoints for ref in j.next_of(tp) if (label := j.flow_label(tp, ref)) is not None}


def _kind(t: m.PropertyType) -> str:
    """A property's type without its values: `enum("a", "b")` is an enum whichever
    values it takes (those are constraints), `list(string)` a list of strings."""
    return f"{t.name}({_kind(t.item)})" if t.item is not None else t.name


def _constraints(p: PlanProperty) -> dict[str, Any]:
    """What a property's JSON Schema requires beyond its type (bounds, pattern, values)."""
    return {k: v for k, v in property_schema(p, p.type).items() if k not in ("type", "format", "description")}


def _tracking(old: ResolvedJourney, new: ResolvedJourney) -> Iterator[Edit]:
    """The tracking plan's changes, from the two plans' events and properties."""
    a = {e.name: e for e in build_plan([old]).events}
    b = {e.name: e for e in build_plan([new]).events}
    for name in a.keys() - b.keys():
        yield Edit("removed", "event", new.id, name, impact=(BREAKING,))
    for name in b.keys() - a.keys():
        yield Edit("added", "event", new.id, name, impact=(ADDITIVE,))
    for name in a.keys() & b.keys():
        before = {p.name: p for p in a[name].properties}
        after = {p.name: p for p in b[name].properties}
        for p in before.keys() - after.keys():
            yield Edit("removed", "property", new.id, f"{name}.{p}", impact=(BREAKING,))
        for p in after.keys() - before.keys():
            required = after[p].required
            yield Edit(
                "added",
                "property",
                new.id,
                f"{name}.{p}",
                "required" if required else None,
                impact=(BREAKING if required else ADDITIVE,),
            )
        for p in before.keys() & after.keys():
            was, now = before[p], after[p]
            if _kind(was.type) != _kind(now.type):
                yield Edit("changed", "property", new.id, f"{name}.{p}", "type", _kind(was.type), _kind(now.type), (BREAKING,))
            if now.required and not was.required:
                yield Edit("changed", "property", new.id, f"{name}.{p}", "required", False, True, (BREAKING,))
            if _kind(was.type) != _kind(now.type):
                continue  # the constraints of two types do not compare
            rest_old, rest_new = _constraints(was), _constraints(now)
            if rest_old != rest_new:
                change = classify({"properties": {p: rest_old}, "required": []}, {"properties": {p: rest_new}, "required": []})
                yield Edit(
                    "changed",
                    "property",
                    new.id,
                    f"{name}.{p}",
                    "constraints",
                    rest_old,
                    rest_new,
                    (BREAKING if change == "model" else ADDITIVE,),
                )


def diff_journey(old: ResolvedJourney, new: ResolvedJourney) -> list[Edit]:
    jid = new.id
    edits: list[Edit] = []
    if old.journey is not None and new.journey is not None:
        a, b = _fields(old.journey), _fields(new.journey)
        edits += [
            Edit("changed", "journey", jid, jid, k, a[k], b[k], _impact("journey", k, a[k], b[k])) for k in a if a[k] != b[k]
        ]
    for element, attr in (
        ("persona", "personas"),
        ("intent", "intents"),
        ("channel", "channels"),
        ("team", "teams"),
        ("stage", "stages"),
        ("pain", "pains"),
        ("opportunity", "opportunities"),
        ("kpi", "kpis"),
        ("actor", "actors"),
        ("system", "systems"),
        ("metric", "metrics"),
    ):
        edits += _compare(element, jid, {x.id: x for x in getattr(old, attr)}, {x.id: x for x in getattr(new, attr)})
    old_tp, new_tp = old.touchpoint, new.touchpoint
    edits += _compare("touchpoint", jid, dict(old_tp), dict(new_tp))
    for k in old_tp.keys() & new_tp.keys():
        if old.stage_of[k].id != new.stage_of[k].id:
            edits.append(Edit("moved", "touchpoint", jid, k, "stage", old.stage_of[k].id, new.stage_of[k].id, (EXPERIENCE,)))
    renames = {e.old: e.new for e in edits if e.kind == "renamed" and e.element == "touchpoint"}
    old_flows = {(renames.get(a, a), renames.get(b, b)) for a, b in _flows(old)}
    new_flows = _flows(new)
    edits += [Edit("removed", "flow", jid, f"{a} -> {b}") for a, b in sorted(old_flows - new_flows)]
    edits += [Edit("added", "flow", jid, f"{a} -> {b}") for a, b in sorted(new_flows - old_flows)]
    old_labels = {(renames.get(a, a), renames.get(b, b)): label for (a, b), label in _flow_labels(old).items()}
    new_labels = _flow_labels(new)
    for flow in sorted(old_flows & new_flows):
        if old_labels.get(flow) != new_labels.get(flow):
            a, b = flow
            edits.append(Edit("changed", "flow", jid, f"{a} -> {b}", "label", old_labels.get(flow), new_labels.get(flow)))
    # A new pain point nobody answers yet is news for the experience.
    old_pains = {p.id for p in old.pains}
    for p in new.pains:
        if p.id not in old_pains and not new.opportunities_of(p):
            edits = [
                e
                if not (e.element == "pain" and e.id == p.id and e.kind == "added")
                else Edit(e.kind, e.element, e.journey, e.id, "no opportunity", impact=(EXPERIENCE,))
                for e in edits
            ]
    edits += _tracking(old, new)
    return edits


def diff(old: Sequence[ResolvedJourney], new: Sequence[ResolvedJourney]) -> list[Edit]:
    """Every edit between two versions of a set of journeys, in a stable order."""
    a, b = {j.id: j for j in old}, {j.id: j for j in new}
    edits: list[Edit] = []
    for jid in sorted(a.keys() - b.keys()):
        edits.append(Edit("removed", "journey", jid, jid, impact=(EXPERIENCE,)))
    for jid in sorted(b.keys() - a.keys()):
        edits.append(Edit("added", "journey", jid, jid))
    for jid in sorted(a.keys() & b.keys()):
        edits += diff_journey(a[jid], b[jid])
    order = {
        "journey": 0,
        "persona": 1,
        "intent": 2,
        "channel": 3,
        "team": 4,
        "actor": 4.1,
        "system": 4.2,
        "stage": 5,
        "touchpoint": 6,
        "flow": 7,
        "pain": 8,
        "opportunity": 9,
        "kpi": 10,
        "metric": 10.5,
        "event": 11,
        "property": 12,
    }
    return sorted(edits, key=lambda e: (e.journey, order[e.element], e.id, e.kind, e.field or ""))


def breaking(edits: Iterable[Edit]) -> list[Edit]:
    return [e for e in edits if BREAKING in e.impact]


# -- renderers ----------------------------------------------------------------------------

_SIGN = {"added": "+", "removed": "-", "changed": "~", "moved": ">", "renamed": "="}


def _show(v: Any) -> str:
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if v is None:
        return "(none)"
    return str(v)


def describe(e: Edit, text: Callable[[str], str] = str) -> str:
    """One line for an edit; ``text`` makes each user string (ids, fields, values) safe
    for the output it goes to (:func:`cjdsl.core.terminal.safe`, :func:`markdown_text`)."""
    base = f"{e.element} {text(e.id)}"
    if e.kind == "changed":
        return f"{base}: {text(str(e.field))} {text(_show(e.old))} → {text(_show(e.new))}"
    if e.kind == "moved":
        return f"{base} moved from stage {text(_show(e.old))} to stage {text(_show(e.new))}"
    if e.kind == "renamed":
        return f"{e.element} {text(_show(e.old))} renamed to {text(_show(e.new))}"
    extra = f" ({text(e.field)})" if e.field else ""
    return f"{base} {e.kind}{extra}"


def render_text(edits: Sequence[Edit], *, color: bool = False) -> str:
    """For a terminal or a CI log: every user string goes through
    :func:`cjdsl.core.terminal.safe`, and every line starts with cjdsl's own text."""
    if not edits:
        return "No changes in the journeys.\n"
    colours = {"+": "\x1b[32m", "-": "\x1b[31m", "~": "\x1b[33m", ">": "\x1b[36m", "=": "\x1b[36m"}
    out, journey = [], None
    for e in edits:
        if e.journey != journey:
            journey = e.journey
            out.append(f"journey {safe(journey)}")
        sign = _SIGN[e.kind]
        line = f"  {sign} {describe(e, safe)}" + (f"  [{', '.join(e.impact)}]" if e.impact else "")
        out.append(f"{colours[sign]}{line}\x1b[0m" if color else line)
    b = len(breaking(edits))
    out.append(f"{len(edits)} change{'s' if len(edits) != 1 else ''}" + (f", {b} breaking for tracking" if b else ""))
    return "\n".join(out) + "\n"


def render_json(edits: Sequence[Edit], **_: Any) -> str:
    return jsontext.dumps([e.as_json() for e in edits])


#: The sign of an edit at the start of a Markdown list item, escaped where it would
#: otherwise open a nested list (`-`, `+`) or a block quote (`>`).
_MD_SIGN = {"added": "\\+", "removed": "\\-", "changed": "~", "moved": "&gt;", "renamed": "="}


def _emotion_by_stage(j: ResolvedJourney | None, renamed: Mapping[str, str] | None = None) -> dict[str, tuple[str, float]]:
    """Each stage's label and mean emotion, by stage id (``renamed`` maps an old id to its
    new one, so a renamed stage is one point on the chart)."""
    if j is None:
        return {}
    renamed = renamed or {}
    out = {}
    for s in j.stages:
        values = [tp.emotion for tp in s.touchpoints if tp.emotion is not None]
        if values:
            out[renamed.get(s.id, s.id)] = (s.label or s.id, round(sum(values) / len(values), 2))
    return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _mermaid_label(text: str) -> str:
    return '"' + flow_label(text) + '"'


def _chart(before: dict[str, tuple[str, float]], after: dict[str, tuple[str, float]]) -> list[str]:
    """The emotion by stage before and after (none when no mean changed): a table, which
    says which value is which and shows a stage that exists on one side only as `—`, and a
    chart of the stages rated on both sides (a stage missing on one side is not drawn as
    0). One x-axis category per stage id, shown by its label (its new one if it has two),
    with the id added where two stages share a label."""
    stages = list(dict.fromkeys([*after, *before]))
    if not stages or {s: v[1] for s, v in before.items()} == {s: v[1] for s, v in after.items()}:
        return []
    labels = {sid: (after.get(sid) or before[sid])[0] for sid in stages}
    shared = {label for label, n in Counter(labels.values()).items() if n > 1}
    shown = {sid: f"{labels[sid]} ({sid})" if labels[sid] in shared else labels[sid] for sid in stages}
    out = [
        "",
        "Emotion by stage, the mean of its touchpoints (−2 to +2):",
        "",
        "| stage | before | after |",
        "| --- | ---: | ---: |",
    ]
    for sid in stages:
        a = _num(before[sid][1]) if sid in before else "—"
        b = _num(after[sid][1]) if sid in after else "—"
        out.append(f"| {markdown_text(shown[sid])} | {a} | {b} |")
    both = [sid for sid in stages if sid in before and sid in after]
    if len(both) >= 2:
        out += [
            "",
            "In the chart, the first line is before the change and the second after it; stages rated on one side "
            "only are left out of it.",
            "",
            "```mermaid",
            "xychart-beta",
            '    title "Emotion by stage: line 1 before, line 2 after"',
            "    x-axis [" + ", ".join(_mermaid_label(shown[s]) for s in both) + "]",
            '    y-axis "Emotion" -2 --> 2',
            "    line [" + ", ".join(_num(before[s][1]) for s in both) + "]",
            "    line [" + ", ".join(_num(after[s][1]) for s in both) + "]",
            "```",
        ]
    return out


@dataclass(frozen=True)
class TrackingNote:
    """What a change does to the tracking plan's versions, for the pull-request comment."""

    #: (event name, kind: new | addition | model, Segment version, Iglu SchemaVer) after the change.
    bumps: tuple[tuple[str, str, int, str], ...] = ()
    #: Whether the new side's tracking.lock.json says what its journeys say (None: it has none).
    lock_current: bool | None = None


def tracking_note(
    old: Sequence[ResolvedJourney],
    new: Sequence[ResolvedJourney],
    old_lock: Mapping[str, Any] | None,
    new_lock: Mapping[str, Any] | None,
) -> TrackingNote:
    """The version bumps the change will cause (from the old side's lock, or from the
    versions the old journeys would get) and whether the new side's lock is current."""
    from ..tracking.lock import update

    new_plan = build_plan(new)
    base = old_lock if old_lock is not None else update(None, build_plan(old))[0]
    _, _, changes = update(base, new_plan)
    bumps = tuple((c.event, c.kind, c.segment, c.schemaver) for c in changes)
    current = None if new_lock is None else update(new_lock, new_plan)[0] == new_lock
    return TrackingNote(bumps, current)


def _labels(journeys: Iterable[ResolvedJourney]) -> dict[tuple[str, str, str], str]:
    """(journey, element, id) → label, for the comment to show labels with ids."""
    out: dict[tuple[str, str, str], str] = {}
    for j in journeys:
        if j.journey is not None and j.journey.label:
            out[(j.id, "journey", j.id)] = j.journey.label
        for element, nodes in (
            ("persona", j.personas),
            ("intent", j.intents),
            ("channel", j.channels),
            ("team", j.teams),
            ("stage", j.stages),
            ("touchpoint", j.touchpoints),
            ("pain", j.pains),
            ("opportunity", j.opportunities),
            ("kpi", j.kpis),
            ("actor", j.actors),
            ("system", j.systems),
            ("metric", j.metrics),
        ):
            for node in nodes:
                if node.label:
                    out[(j.id, element, node.id)] = node.label
    return out


def _md_value(field: str | None, v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (dict, list)) and not v:
        return "(none)"
    return markdown_text(_show(v))


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _code(ident: str) -> str:
    """An id in a code span; anything that is not an identifier of the language (which
    never holds a backtick) goes through :func:`markdown_text` instead."""
    return f"`{ident}`" if _IDENT.fullmatch(ident) else markdown_text(ident)


def describe_markdown(e: Edit, labels: Mapping[tuple[str, str, str], str], stage_of: Mapping[str, str]) -> str:
    """One edit for a reviewer: labels with their ids, the stage of an added or moved
    touchpoint, values in words (never Python's `True`), flows with an arrow."""

    def named(element: str, ident: str) -> str:
        label = labels.get((e.journey, element, ident))
        code = _code(ident)
        return f"{markdown_text(label)} ({code})" if label and label != ident else code

    if e.element == "flow":
        a, _, b = e.id.partition(" -> ")
        if e.field == "label":
            was, now = _md_value(e.field, e.old), _md_value(e.field, e.new)
            return f"flow {named('touchpoint', a)} → {named('touchpoint', b)}: label {was} → {now}"
        return f"flow {named('touchpoint', a)} → {named('touchpoint', b)} {e.kind}"
    if e.element in ("event", "property"):
        base = f"{e.element} {markdown_text(e.id)}"
    else:
        base = f"{e.element} {named(e.element, e.id)}"
    if e.kind == "changed":
        if e.field == "required" and isinstance(e.new, bool):
            return f"{base}: now required" if e.new else f"{base}: no longer required"
        return f"{base}: {markdown_text(str(e.field))} {_md_value(e.field, e.old)} → {_md_value(e.field, e.new)}"
    if e.kind == "moved":
        return f"{base} moved from stage {named('stage', str(e.old))} to stage {named('stage', str(e.new))}"
    if e.kind == "renamed":
        return f"{e.element} {_code(str(e.old))} renamed to {named(e.element, str(e.new))}"
    extra = f" ({markdown_text(e.field)})" if e.field else ""
    where = f" in stage {named('stage', stage_of[e.id])}" if e.element == "touchpoint" and e.id in stage_of else ""
    return f"{base} {e.kind}{where}{extra}"


_KIND_WORDS = {"new": "new event", "addition": "addition", "model": "breaking change"}


def _tracking_lines(note: TrackingNote) -> list[str]:
    lines: list[str] = []
    if note.bumps:
        lines += ["", "**Tracking plan versions after this change**", "", "| event | change | Segment version | Iglu |"]
        lines += ["| --- | --- | ---: | --- |"]
        for event, kind, segment, schemaver in note.bumps:
            lines.append(f"| {markdown_text(event)} | {_KIND_WORDS.get(kind, kind)} | {segment} | {schemaver} |")
    if note.lock_current is False:
        lines += ["", "⚠ `tracking.lock.json` does not match the journeys: run `cjdsl build` and commit the lock file."]
    elif note.lock_current is None and note.bumps:
        lines += ["", "There is no `tracking.lock.json`: `cjdsl build` creates it; commit it with the journeys."]
    return lines


def render_markdown(
    edits: Sequence[Edit],
    old: Sequence[ResolvedJourney] = (),
    new: Sequence[ResolvedJourney] = (),
    *,
    tracking: TrackingNote | None = None,
    **_: Any,
) -> str:
    """A pull-request comment: a summary table, then one section per journey with the
    breaking tracking changes first and the emotion per stage before and after.

    Every user string is inert: it goes through :func:`markdown_text` in the text and
    through the Mermaid label encoding in the chart, so it can neither add markup,
    mentions or links nor leave the chart's fence."""
    if not edits:
        return "### Journey changes\n\nNo changes in the customer journeys.\n"
    journeys = sorted({e.journey for e in edits})
    lines = [
        "### Journey changes",
        "",
        "| journey | added | removed | changed | breaking tracking |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for jid in journeys:
        js = [e for e in edits if e.journey == jid]
        count = {k: sum(1 for e in js if e.kind == k) for k in ("added", "removed")}
        changed = sum(1 for e in js if e.kind in ("changed", "moved", "renamed"))
        lines.append(f"| {markdown_text(jid)} | {count['added']} | {count['removed']} | {changed} | {len(breaking(js))} |")
    old_by, new_by = {j.id: j for j in old}, {j.id: j for j in new}
    labels = {**_labels(old), **_labels(new)}
    for jid in journeys:
        js = [e for e in edits if e.journey == jid]
        title = labels.get((jid, "journey", jid))
        lines += ["", f"#### {markdown_text(title)} ({_code(jid)})" if title else f"#### {_code(jid)}", ""]
        stage_of = {k: v.id for k, v in new_by[jid].stage_of.items()} if jid in new_by else {}
        bad = breaking(js)
        if bad:
            lines += ["**Breaking tracking changes**", ""]
            lines += [f"- ⚠ {describe_markdown(e, labels, stage_of)}" for e in bad] + [""]
        rest = [e for e in js if e not in bad]
        lines += [
            f"- {_MD_SIGN[e.kind]} {describe_markdown(e, labels, stage_of)}" + (f" _({', '.join(e.impact)})_" if e.impact else "")
            for e in rest
        ]
        renamed = {e.old: e.new for e in js if e.kind == "renamed" and e.element == "stage"}
        lines += _chart(_emotion_by_stage(old_by.get(jid), renamed), _emotion_by_stage(new_by.get(jid)))
    if tracking is not None:
        lines += _tracking_lines(tracking)
    return "\n".join(lines) + "\n"
