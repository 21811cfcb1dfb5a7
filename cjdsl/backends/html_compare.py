"""The as-is/to-be page of the ``html`` backend: a future journey (``state future``,
``variant_of J``) beside the journey it redesigns.

Pure, like the rest of the backend: two resolved journeys in, a view model out for the
``compare.html`` template. The page has both journeys' emotion curves per persona on one
chart (as-is dashed with hollow markers, to-be solid with filled ones), a table of each
stage's mean emotion per persona (the chart's text alternative), and the changes stage
by stage, from the semantic diff (:func:`cjdsl.review.diff.diff`) of the two journeys
read as two versions of one.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, is_dataclass, replace
from typing import Any

from ..core import i18n, timing
from ..core import model as m
from ..core.i18n import ENGLISH, N_, Translator, pN_
from ..core.resolved import ResolvedJourney
from ..review.diff import Edit, diff

#: A persona line's colour, dash pattern and marker (the map's, passed in by the site).
Styles = Sequence[tuple[str, str, str]]

#: The chart's geometry: y of +2, px per emotion step, the band of stage labels below.
_TOP, _STEP, _CURVE, _LABELS = 15, 30, 150, 40
#: Journey fields that differ between any redesign and its original by construction.
_SAME_BY_DESIGN = {"state", "variant_of", "label"}
#: What the diff reports that the comparison leaves out (the tracking plan's changes).
_LEFT_OUT = {"event", "property"}
_SIGNS = {"added": "+", "removed": "−", "changed": "~", "moved": "→", "renamed": "="}
#: The elements the diff names, in words.
_ELEMENTS = {
    "journey": N_("journey"),
    "persona": N_("persona"),
    "intent": N_("intent"),
    "channel": N_("channel"),
    "team": N_("team"),
    "actor": N_("actor"),
    "system": N_("system"),
    "stage": N_("stage"),
    "touchpoint": N_("touchpoint"),
    "flow": N_("path"),
    "pain": N_("pain point"),
    "opportunity": N_("opportunity"),
    "kpi": N_("KPI"),
    "metric": N_("metric"),
}
#: The fields of elements a change names, in words.
_FIELDS = {
    "age": pN_("field", "age"),
    "at": pN_("field", "at"),
    "cause": pN_("field", "cause"),
    "channel": pN_("field", "channel"),
    "company_action": pN_("field", "company action"),
    "concerns": pN_("field", "concerns"),
    "confidence": pN_("field", "confidence"),
    "context": pN_("field", "context"),
    "customer_action": pN_("field", "customer action"),
    "description": pN_("field", "description"),
    "detail": pN_("field", "detail"),
    "duration": pN_("field", "duration"),
    "effort": pN_("field", "effort"),
    "emotion": pN_("field", "emotion"),
    "emotion_for": pN_("field", "emotion per persona"),
    "entry": pN_("field", "entry"),
    "evidence": pN_("field", "evidence"),
    "feeling": pN_("field", "feeling"),
    "funnel": pN_("field", "funnel"),
    "gender": pN_("field", "gender"),
    "goals": pN_("field", "goals"),
    "impact": pN_("field", "impact"),
    "industry": pN_("field", "industry"),
    "intents": pN_("field", "intents"),
    "interests": pN_("field", "interests"),
    "kind": pN_("field", "kind"),
    "label": pN_("field", "label"),
    "location": pN_("field", "location"),
    "measures": pN_("field", "measures"),
    "micro_conversion": pN_("field", "micro conversion"),
    "micro_conversion_label": pN_("field", "micro-conversion"),
    "mode": pN_("field", "mode"),
    "moment_of_truth": pN_("field", "moment of truth"),
    "moment_of_truth_label": pN_("field", "moment of truth, in words"),
    "need": pN_("field", "need"),
    "needs": pN_("field", "needs"),
    "owner": pN_("field", "owner"),
    "part_of": pN_("field", "part of"),
    "partner": pN_("field", "partner"),
    "personas": pN_("field", "personas"),
    "phase": pN_("field", "phase"),
    "quotes": pN_("field", "quotes"),
    "rating": pN_("field", "rating"),
    "rating_for": pN_("field", "rating per persona"),
    "role": pN_("field", "role"),
    "scale": pN_("field", "scale"),
    "severity": pN_("field", "severity"),
    "source": pN_("field", "source"),
    "state": pN_("field", "state"),
    "status": pN_("field", "status"),
    "steps": pN_("field", "frontstage and backstage steps"),
    "support": pN_("field", "support systems"),
    "tags": pN_("field", "tags"),
    "target": pN_("field", "target"),
    "team": pN_("field", "team"),
    "thinking": pN_("field", "thinking"),
    "untracked": pN_("field", "untracked"),
    "value": pN_("field", "value"),
    "variant_of": pN_("field", "variant of"),
    "version": pN_("field", "version"),
    "wait": pN_("field", "wait"),
    "window": pN_("field", "window"),
}
_LONG = 160
_RANGE = re.compile(r"^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?) (s|min|h|d|w|mo)$")
#: The chart's least width, px.
_WIDE = 1180
_PLURALS = {
    "circle": N_("circles"),
    "square": N_("squares"),
    "diamond": N_("diamonds"),
    "triangle": N_("triangles"),
    "ring": N_("rings"),
    "cross": N_("crosses"),
}


def _num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def _signed(n: float) -> str:
    return f"{n:+g}" if n else "0"


# -- the chart ------------------------------------------------------------------------------


def _columns(current: ResolvedJourney, future: ResolvedJourney) -> list[tuple[str, str]]:
    """Both journeys' stages, matched by id: the future journey's in its order, each stage
    only the current one has after the stage that comes before it there."""
    order = [s.id for s in future.stages]
    labels = {s.id: s.label or s.id for s in current.stages}
    labels.update({s.id: s.label or s.id for s in future.stages})
    at = -1
    for s in current.stages:
        if s.id in order:
            at = order.index(s.id)
        else:
            at += 1
            order.insert(at, s.id)
    return [(sid, labels[sid]) for sid in order]


def _personas(current: ResolvedJourney, future: ResolvedJourney, tr: Translator = ENGLISH) -> list[tuple[str | None, str]]:
    out: dict[str, str] = {}
    for j in (future, current):
        for p in j.personas:
            out.setdefault(p.id, p.label or p.id)
    return list(out.items()) or [(None, tr.gettext("All touchpoints"))]


def _serves(j: ResolvedJourney, tp: m.Touchpoint, persona: str | None) -> bool:
    return persona is None or any(p.id == persona for p in j.personas_of(tp))


def _emotion(j: ResolvedJourney, tp: m.Touchpoint, persona: str | None) -> float | None:
    return j.emotion_of(tp, persona)[0] if persona is not None else tp.emotion


def _short(text: str, width: float) -> list[str]:
    """A stage label in at most two lines that fit its column at the chart's font
    (about 7.5 px a letter, bold), cut with `…` when it is longer."""
    room = max(4, int(width / 7.5))
    lines = textwrap.wrap(text, room, break_long_words=True) or [text]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: room - 1].rstrip() + "…"]
    return lines


def chart(
    current: ResolvedJourney,
    future: ResolvedJourney,
    styles: Styles,
    words: Mapping[int, str],
    column: int = 220,
    tr: Translator = ENGLISH,
) -> dict[str, Any]:
    """Both journeys' emotion curves, per persona, over the stages of both: each persona
    in its style on the map (``styles``), each emotion level named by ``words``."""
    columns = _columns(current, future)
    column = max(column, _WIDE // max(1, len(columns)))  # a short journey still fills a page
    index = {sid: i for i, (sid, _) in enumerate(columns)}
    xs: dict[tuple[str, str], float] = {}  # (state, touchpoint id) -> x
    for state, j in (("as-is", current), ("to-be", future)):
        for s in j.stages:
            n = len(s.touchpoints)
            for k, tp in enumerate(s.touchpoints):
                xs[state, tp.id] = round(index[s.id] * column + (k + 0.5) * column / n, 1)
    lines = []
    for n, (pid, plabel) in enumerate(_personas(current, future, tr)):
        colour, _, marker = styles[n % len(styles)]
        for state, j, dash in (("as-is", current, "7 5"), ("to-be", future, "")):
            if pid is not None and pid not in j.persona:
                continue
            points = []
            for tp in j.touchpoints:
                value = _emotion(j, tp, pid)
                if value is None or not _serves(j, tp, pid):
                    continue
                points.append(
                    {
                        "x": xs[state, tp.id],
                        "y": _TOP + (2 - int(value)) * _STEP,
                        "tp": tp.id,
                        "label": tp.label or tp.id,
                        "emotion": _signed(int(value)),
                    }
                )
            lines.append(
                {
                    "persona": pid or "",
                    "label": tr.gettext(
                        "%(persona)s, %(state)s", persona=plabel, state=i18n.vocabulary_word(tr, i18n.STATES, state)
                    ),
                    "state": state,
                    "colour": colour,
                    "dash": dash,
                    "marker": marker,
                    "hollow": state == "as-is",
                    "style": (
                        tr.gettext("dashed line, hollow %(shapes)s", shapes=tr.gettext(_PLURALS.get(marker, marker)))
                        if state == "as-is"
                        else tr.gettext("solid line, filled %(shapes)s", shapes=tr.gettext(_PLURALS.get(marker, marker)))
                    ),
                    "points": points,
                    "path": " ".join(f"{pt['x']},{pt['y']}" for pt in points),
                }
            )
    width = max(1, len(columns)) * column
    grid = [{"y": _TOP + (2 - e) * _STEP, "label": _signed(e), "word": words[e]} for e in range(2, -3, -1)]
    stages = [
        {"x": i * column, "middle": i * column + column / 2, "label": label, "short": _short(label, column - 8)}
        for i, (_, label) in enumerate(columns)
    ]
    return {
        "width": width,
        "height": _CURVE + _LABELS,
        "curve": _CURVE,
        "grid": grid,
        "lines": lines,
        "stages": stages,
    }


def _mean(values: Sequence[float], tr: Translator = ENGLISH) -> str:
    if not values:
        return "–"
    mean = round(sum(values) / len(values), 1)
    if tr.numbers is not None:  # in the language's way: "+0,5"
        return ("+" if mean > 0 else "-" if mean < 0 else "") + tr.number(abs(mean)) if mean else "0"
    return _signed(mean)


def emotion_table(current: ResolvedJourney, future: ResolvedJourney, tr: Translator = ENGLISH) -> dict[str, Any]:
    """Each stage's mean emotion per persona, as-is and to-be: the chart in words."""
    personas = _personas(current, future, tr)
    rows = []
    for sid, label in _columns(current, future):
        cells = []
        for pid, _ in personas:
            for j in (current, future):
                stage = next((s for s in j.stages if s.id == sid), None)
                values: list[float] = []
                if stage is not None and (pid is None or pid in j.persona):
                    for tp in stage.touchpoints:
                        value = _emotion(j, tp, pid)
                        if value is not None and _serves(j, tp, pid):
                            values.append(value)
                cells.append(_mean(values, tr))
        rows.append({"label": label, "cells": cells})
    return {"personas": [label for _, label in personas], "rows": rows}


# -- the changes ----------------------------------------------------------------------------


def _shown(value: Any, tr: Translator = ENGLISH) -> str:
    """An edit's value in words, whatever the model holds (references, lists, steps,
    quotes, per-persona values, times)."""
    if value is None or value == [] or value == ():
        return tr.pgettext("value", "none")
    if isinstance(value, bool):
        return tr.gettext("yes") if value else tr.gettext("no")
    if isinstance(value, str):  # a time as the diff words it, `3..6 d`, as the map does: `3–6 d`
        return i18n.time_text(tr, _RANGE.sub(r"\1–\2 \3", value))
    if isinstance(value, (int, float)):
        return _num(value) if tr.numbers is None else tr.number(value)
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value):
            return f"{_shown(value[0], tr)}–{_shown(value[1], tr)}"  # a scale
        return "; ".join(_shown(x, tr) for x in value)
    if isinstance(value, m.Ref):
        return value.id
    if isinstance(value, m.Time):
        return i18n.time_text(tr, timing.written(value))
    if isinstance(value, m.Step):
        return f"{value.lane} “{value.text}”"
    if isinstance(value, m.Quote):
        return f"“{value.text}”" + (f" ({value.source})" if value.source else "")
    if isinstance(value, m.PersonaValue):
        return f"{value.persona.id} {_signed(value.value)}" + (f" “{value.feeling}”" if value.feeling else "")
    if is_dataclass(value) and not isinstance(value, type):
        for name in ("label", "text", "name", "id"):
            if name in {f.name for f in fields(value)} and getattr(value, name):
                return str(getattr(value, name))
    if isinstance(value, dict):
        return ", ".join(f"{k} {_shown(v, tr)}" for k, v in value.items())
    return str(value)


def _long(text: str) -> str:
    return text if len(text) <= _LONG else text[: _LONG - 1].rstrip() + "…"


class _Places:
    """Where each element of either journey sits: its label and its stage."""

    def __init__(self, current: ResolvedJourney, future: ResolvedJourney) -> None:
        self.labels: dict[tuple[str, str], str] = {}
        self.stage: dict[tuple[str, str], str] = {}
        for j in (current, future):  # the future journey's labels win
            for s in j.stages:
                self.labels["stage", s.id] = s.label or s.id
                self.stage["stage", s.id] = s.id
                for tp in s.touchpoints:
                    self.labels["touchpoint", tp.id] = tp.label or tp.id
                    self.stage["touchpoint", tp.id] = s.id
            for kind, items in (
                ("persona", j.personas),
                ("intent", j.intents),
                ("channel", j.channels),
                ("team", j.teams),
                ("kpi", j.kpis),
                ("actor", j.actors),
                ("system", j.systems),
            ):
                for x in items:
                    self.labels[kind, x.id] = x.label or x.id
            for p in j.pains:
                self.labels["pain", p.id] = p.label or p.id
                place = self._place(j, p.at)
                if place is not None:
                    self.stage["pain", p.id] = place
                for o in j.opportunities_of(p):
                    self.labels["opportunity", o.id] = o.label or o.id
                    if place is not None:
                        self.stage.setdefault(("opportunity", o.id), place)
            for o in j.opportunities:
                self.labels.setdefault(("opportunity", o.id), o.label or o.id)
            for mt in j.metrics:
                self.labels["metric", mt.id] = mt.label or mt.id
                place = self._place(j, mt.at)
                if place is not None:
                    self.stage["metric", mt.id] = place
            if j.journey is not None:
                self.labels["journey", future.id] = future.title

    @staticmethod
    def _place(j: ResolvedJourney, at: m.Ref | None) -> str | None:
        if at is None:
            return None
        if at.id in j.stage_of:
            return j.stage_of[at.id].id
        return at.id if at.id in j.stage_index else None

    def label(self, element: str, ident: str) -> str:
        if element == "flow":
            a, _, b = ident.partition(" -> ")
            return f"{self.label('touchpoint', a)} → {self.label('touchpoint', b)}"
        return self.labels.get((element, ident), ident)

    def stage_of(self, e: Edit) -> str | None:
        if e.element == "flow":
            return self.stage.get(("touchpoint", e.id.partition(" -> ")[0]))
        if e.element == "touchpoint" and e.kind == "moved":
            return str(e.new)
        return self.stage.get((e.element, e.id))


def _change(e: Edit, places: _Places, tr: Translator = ENGLISH) -> dict[str, Any]:
    """One edit in words: what kind, of what, and for a change the fields, each with what
    it was and what it is (the changes of one element are merged into one later)."""
    out: dict[str, Any] = {
        "kind": e.kind,
        "sign": _SIGNS.get(e.kind, "~"),
        "element": tr.gettext(_ELEMENTS[e.element]) if e.element in _ELEMENTS else e.element,
        "key": (e.element, e.id),
        "name": places.label(e.element, e.id),
        "field": None,
        "fields": [],
        "old": None,
        "new": None,
    }
    if e.kind == "changed":
        old, new = _long(_value_words(e.field, e.old, tr)), _long(_value_words(e.field, e.new, tr))
        if e.field == "emotion":
            old = _signed(e.old) if isinstance(e.old, (int, float)) else old
            new = _signed(e.new) if isinstance(e.new, (int, float)) else new
        out["fields"] = [{"field": _field_words(str(e.field), tr), "old": old, "new": new}]
    elif e.kind == "moved":
        out["old"], out["new"] = places.label("stage", str(e.old)), places.label("stage", str(e.new))
    elif e.kind == "renamed":
        out["old"], out["new"] = str(e.old), str(e.new)
    elif e.field:
        out["field"] = _field_words(str(e.field), tr)
    return out


#: The fields whose values are words of the language's vocabularies.
_VALUE_WORDS: dict[str, Mapping[Any, tuple[str, str]]] = {
    "confidence": i18n.CONFIDENCES,
    "severity": i18n.SEVERITIES,
    "impact": i18n.IMPACTS,
    "effort": i18n.EFFORTS,
    "status": i18n.STATUSES,
    "phase": i18n.PHASES,
    "kind": i18n.CHANNEL_KINDS,
    "mode": i18n.CHANNEL_MODES,
    "cause": i18n.CAUSES,
}
_PER_PERSONA = re.compile(r"^(emotion|rating) for (\S+)$")
#: A step as the diff words it: `frontstage: text (actor, owner team, 3..6 d)`.
_STEP_TEXT = re.compile(r"^(frontstage|backstage): (.*?)(?: \(([^()]*)\))?$", re.S)
_LANES = {"frontstage": pN_("lane", "frontstage"), "backstage": pN_("lane", "backstage")}


def _field_words(name: str, tr: Translator) -> str:
    """A field an edit names, in words: `emotion per persona`, `emotion for derek`."""
    if name in _FIELDS:
        return tr.word(_FIELDS[name])
    per = _PER_PERSONA.match(name)
    if per is not None:
        if per.group(1) == "emotion":
            return tr.gettext("emotion for %(persona)s", persona=per.group(2))
        return tr.gettext("rating for %(persona)s", persona=per.group(2))
    return name.replace("_", " ")


def _value_words(field: str | None, value: Any, tr: Translator) -> str:
    """An edit's value in words: a vocabulary's value in the language, a step's lane,
    owner and times too; anything else as :func:`_shown` says it."""
    if field in _VALUE_WORDS and isinstance(value, str):
        return i18n.vocabulary_word(tr, _VALUE_WORDS[field], value)
    if field == "steps" and isinstance(value, (list, tuple)) and all(isinstance(x, str) for x in value):
        return "; ".join(_step_words(x, tr) for x in value) if value else _shown(value, tr)
    return _shown(value, tr)


def _step_words(text: str, tr: Translator) -> str:
    """A step as the diff words it, with its lane, owner and times in the language."""
    match = _STEP_TEXT.match(text)
    if match is None:
        return _shown(text, tr)
    lane, what, who = match.groups()
    parts = []
    for part in (who or "").split(", ") if who else ():
        if part.startswith("owner "):
            parts.append(tr.gettext("owner %(owner)s", owner=part[len("owner ") :]))
        elif _RANGE.match(part) or _TIME.match(part):
            parts.append(i18n.time_text(tr, _RANGE.sub(r"\1–\2 \3", part)))
        else:
            parts.append(part)
    return f"{tr.word(_LANES[lane])}: {what}" + (f" ({', '.join(parts)})" if parts else "")


_TIME = re.compile(r"^-?\d+(?:\.\d+)? (s|min|h|d|w|mo)$")


_RANKS = {"journey": -1, "stage": 0, "touchpoint": 1, "flow": 2, "pain": 3, "opportunity": 4, "metric": 5}


def _merged(items: list[tuple[Edit, dict[str, Any]]], position: dict[str, int]) -> list[dict[str, Any]]:
    """A stage's changes in the order of the map (the stage, then its touchpoints as the
    future journey has them, paths, pain points, ...), each element's changes in one."""

    def order(item: tuple[int, tuple[Edit, dict[str, Any]]]) -> tuple[int, int, int]:
        n, (e, _) = item
        tp = e.id.partition(" -> ")[0] if e.element == "flow" else e.id
        where = position.get(tp, len(position)) if e.element in ("touchpoint", "flow") else 0
        return _RANKS.get(e.element, len(_RANKS)), where, n

    out: list[dict[str, Any]] = []
    for _, (_, change) in sorted(enumerate(items), key=order):
        last = out[-1] if out else None
        if last is not None and change["kind"] == "changed" == last["kind"] and change["key"] == last["key"]:
            last["fields"].extend(change["fields"])
        else:
            out.append(change)
    return out


def edits(current: ResolvedJourney, future: ResolvedJourney) -> list[Edit]:
    """The diff of the current journey and its redesign, read as two versions of one
    journey (the current one under the future one's id), without the tracking plan's
    changes and the journey fields every redesign changes (its label, state, variant_of)."""
    old = replace(current, journey=replace(current.journey, id=future.id)) if current.journey is not None else current
    return [
        e
        for e in diff([old], [future])
        if e.element not in _LEFT_OUT and not (e.element == "journey" and e.field in _SAME_BY_DESIGN)
    ]


def changes_by_stage(
    current: ResolvedJourney, future: ResolvedJourney, tr: Translator = ENGLISH
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The changes grouped by the stage they happen in (both journeys' stages, in the
    chart's order, each with its customer time as-is and to-be), and those that belong
    to no stage (personas, channels, teams, KPIs, the journey itself)."""
    places = _Places(current, future)
    grouped: dict[str | None, list[tuple[Edit, dict[str, Any]]]] = {}
    for e in edits(current, future):
        grouped.setdefault(places.stage_of(e), []).append((e, _change(e, places, tr)))
    position: dict[str, int] = {}
    for tp in (*future.touchpoints, *current.touchpoints):
        position.setdefault(tp.id, len(position))
    across = _merged(grouped.pop(None, []), position)
    before = {s.id: s for s in current.stages}
    after = {s.id: s for s in future.stages}
    stages = []
    for sid, label in _columns(current, future):
        stages.append(
            {
                "id": sid,
                "anchor": f"changes-{sid}",
                "label": label,
                "status": tr.gettext("new in the to-be")
                if sid not in before
                else (tr.gettext("gone from the to-be") if sid not in after else None),
                "time_before": timing.stage(before[sid]).text() if sid in before else None,
                "time_after": timing.stage(after[sid]).text() if sid in after else None,
                "changes": _merged(grouped.pop(sid, []), position),
            }
        )
    for sid in sorted(k for k in grouped if k is not None):  # a stage neither has: never lost
        across.extend(_merged(grouped[sid], position))
    return stages, across


def _count_words(kind: str, n: int, tr: Translator) -> str:
    """How many elements a kind of change touched, in words: "2 added"."""
    if kind == "added":
        return tr.ngettext("%(num)s added", "%(num)s added", n)
    if kind == "removed":
        return tr.ngettext("%(num)s removed", "%(num)s removed", n)
    if kind == "changed":
        return tr.ngettext("%(num)s changed", "%(num)s changed", n)
    if kind == "moved":
        return tr.ngettext("%(num)s moved", "%(num)s moved", n)
    return tr.ngettext("%(num)s renamed", "%(num)s renamed", n)


def _counts(items: Iterable[dict[str, Any]]) -> list[tuple[str, int]]:
    """How many elements were added, removed, changed, moved and renamed."""
    counts: dict[str, int] = {}
    for c in items:
        counts[c["kind"]] = counts.get(c["kind"], 0) + 1
    return [(k, counts[k]) for k in ("added", "removed", "changed", "moved", "renamed") if k in counts]


def compare_view(
    current: ResolvedJourney, future: ResolvedJourney, styles: Styles, words: Mapping[int, str], tr: Translator = ENGLISH
) -> dict[str, Any]:
    """The view of a future journey's comparison page (``styles`` and ``words``: the
    map's persona lines and emotion words, so the two pages draw alike; ``tr``: the
    language of its words)."""
    stages, across = changes_by_stage(current, future, tr)
    every = [c for s in stages for c in s["changes"]] + across
    return {
        "id": future.id,
        "title": future.title,
        "current": {"id": current.id, "href": f"{current.id}.html", "label": current.title},
        "future": {"id": future.id, "href": f"{future.id}.html", "label": future.title},
        "time_before": timing.total(timing.touchpoint(tp) for tp in current.touchpoints).text(),
        "time_after": timing.total(timing.touchpoint(tp) for tp in future.touchpoints).text(),
        "chart": chart(current, future, styles, words, tr=tr),
        "table": emotion_table(current, future, tr),
        "stages": stages,
        "across": across,
        "total": len(every),
        "counts": _counts(every),
        "count_words": [_count_words(kind, n, tr) for kind, n in _counts(every)],
    }
