"""The portfolio pages of the ``html`` backend: every journey of a build read together.

Pure, like the rest of the backend: the resolved journeys go in, view models come out
for the ``portfolio.html`` and ``persona_portfolio.html`` templates (the site renders
them; this module knows no template, no file and no other backend). The site tells it
where its own pages are (``journey_page``) and the words for emotions (``words``); the
anchors it links to are the map's: ``stage-ID``, ``tp-ID``, ``pain-ID``, ``opp-ID``.

What the pages show, and the decisions behind them:

* **Emotion by phase** (the heat map): one row per journey, one column per lifecycle
  phase (`phase` of a stage: awareness … loyalty, in that order; stages without one go
  under "other"). Journeys name and cut their stages differently, so their stages are
  not a common axis; the phase is. Only the phases some journey uses are columns. A
  cell gathers the journey's stages in that phase (named in the cell, each linked) and
  says, in numbers and words: the average of the touchpoints' own `emotion` (not the
  per-persona `emotion for`: those are on the persona pages) with how many touchpoints
  are rated, the lowest `rating` (and where), and the pain points anchored there (at
  one of those stages or their touchpoints) counted by severity, most severe first
  ("1 critical, 2 high"). The cell's colour repeats the average's band; it is never
  the only cue.
* **Channels by phase** (the omnichannel view): one row per channel, one column per
  phase as above. A channel shared through an `include` is one channel (the same id
  declared in the same file); the same id declared in two files is two rows. Rows are
  grouped by the channel's `kind` (in the language's order; channels without one last,
  then touchpoints with no channel). A cell lists the journeys whose touchpoints use
  the channel in that phase, each linked to the first such touchpoint, with how many.
  **Where a channel switch hurts**: a flow (`next`) from a touchpoint on one channel to
  a touchpoint on another, where the target feels negative (its own emotion, or some
  persona's `emotion for`, below 0) or has pain points (anchored at the target). A
  table under the matrix lists them journey by journey, a row per target touchpoint
  (with every touchpoint that leads there from another channel, and why it hurts, each
  linked); the matrix cell a switch lands in says how many land there and links the
  row. Journeys are named in the matrix by the part of their title before ": " when no
  other journey's title starts the same (the whole title otherwise).
* **Opportunities by impact and effort**: an SVG scatter, impact (low, medium, high)
  up, effort (low, medium, high) across, each opportunity a point with its label, its
  status in words beside it and by the marker's shape (the legend names each shape),
  linked to the opportunity on its journey's map (``opp-ID``, shown beside the pain
  point it answers; the page itself when no anchored pain point names it). Points of
  one cell are stacked one a line and the rows grow to hold them, so labels never
  overlap; a label is cut to what fits in its cell with its status (the full text is in
  the point's title and the table).
  Opportunities without an impact or an effort are listed apart. A table gives the
  same data (the chart's text alternative). An opportunity is counted per journey that
  has it.
* **A page per persona across journeys**: one per persona identity, the id and the file
  that declares it (``persona.span.path``): a persona included by several journeys is
  one page listing all of them, and two personas with the same id declared in two
  files are two pages. The page's name depends only on that identity,
  ``personas/ID.FILE.html`` (FILE is the declaring file's path without `.journey`,
  ``/`` written as ``.``, other characters than letters, digits, ``_`` and ``-`` as
  ``~XX``): adding a journey never renames a page, and the backend can declare each
  page journey by journey (the index and the portfolio list each persona once). A page
  shows who they are (role, goals, needs, concerns…),
  a summary per journey, then for each journey the stages they appear in, their own
  emotion and rating at each of their touchpoints (``emotion_of``/``rating_of``, and
  which values are theirs alone), the pain points at those touchpoints and stages, and
  a link to the journey's own page of the persona.

Every value is plain data; the templates escape all of it (autoescape, no ``|safe``),
and colour comes from classes in ``assets/portfolio.css`` (the site's CSP allows no
inline style).
The order of everything is the build's order of journeys and the order written, with
ties broken by ids, so the pages are the same for the same input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import i18n
from ..core import model as m
from ..core import vocabulary as v
from ..core.i18n import ENGLISH, N_, Translator
from ..core.resolved import ResolvedJourney
from .base import Product

#: The portfolio page, at the site's root.
PORTFOLIO_PAGE = "portfolio.html"
#: The column of stages without a phase.
OTHER = "other"
#: Severities, most severe first, then pain points without one.
_SEVERITY_ORDER = (*reversed(v.SEVERITIES), None)
#: Opportunity statuses: the marker's shape for each (the legend says it in words).
STATUS_SHAPES = {
    "idea": N_("hollow circle"),
    "planned": N_("square"),
    "in_progress": N_("triangle"),
    "done": N_("diamond"),
    "dropped": N_("cross"),
    None: N_("hollow square"),
}
#: The impact × effort quadrants' usual names, at the corners of the chart.
_CORNERS = {
    ("high", "low"): N_("quick wins"),
    ("high", "high"): N_("big bets"),
    ("low", "low"): N_("fill-ins"),
    ("low", "high"): N_("money pits"),
}

#: The opportunity chart's geometry, px: the impact labels' band, the effort labels'
#: band, a cell's width, a point's line, the cell's top padding and its corner band.
_LEFT, _BOTTOM, _CELL, _LINE, _PAD, _CORNER, _TOP = 118, 54, 420, 22, 22, 22, 8
#: How many characters of a point's label and status fit in a cell (12 px text, at most
#: about 7.2 px a character, after the marker); longer labels are cut, the table has
#: every label in full.
_FITS = int((_CELL - 36) / 7.2)

JourneyPage = Callable[[str, str | None], str]


# -- names and small helpers -------------------------------------------------------------


def persona_facts(p: m.Persona) -> dict[str, Any]:
    """What a persona's card shows of it (the journey page's and the persona's own)."""
    return {
        "role": p.role,
        "industry": p.industry,
        "age": int(p.age) if p.age is not None else None,
        "gender": p.gender,
        "location": p.location,
        "goals": list(p.goals),
        "needs": list(p.needs),
        "concerns": list(p.concerns),
        "interests": list(p.interests),
        "description": p.description,
    }


def _file_key(path: str) -> str:
    """A file's path as part of a page name: injective, and safe in a URL and a file
    name (``shared/people.journey`` → ``shared.people``)."""
    plain = path.endswith(".journey")
    if plain:
        path = path[: -len(".journey")]
    out = []
    for ch in path:
        if ch == "/":
            out.append(".")
        elif ch.isascii() and (ch.isalnum() or ch in "_-"):
            out.append(ch)
        else:
            out.append("".join(f"~{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out) + ("" if plain else "~")  # a lone "~": not a .journey file


def persona_page(persona: m.Persona) -> str:
    """Where the build writes the page of a persona across journeys: named by its id
    and the file that declares it, so a persona shared through includes has one."""
    return f"personas/{persona.id}.{_file_key(persona.span.path)}.html"


def portfolio_products(j: ResolvedJourney) -> list[Product]:
    """The portfolio's files for one journey: the pages of its personas (each journey
    that has a persona declares the same page, which the build writes once)."""
    return [Product(persona_page(p), persona=p.id) for p in j.personas] if j.journey is not None else []


def _phase(stage: m.Stage) -> str:
    return stage.phase if stage.phase in v.PHASES else OTHER


def _phases(journeys: Sequence[ResolvedJourney]) -> list[str]:
    used = {_phase(s) for j in journeys for s in j.stages}
    return [p for p in (*v.PHASES, OTHER) if p in used]


def _signed(x: float, tr: Translator = ENGLISH) -> str:
    """An average emotion: one decimal, signed (``+0.5``, ``-1.0``, ``0.0``; in the
    language's own way with ``tr``: ``+0,5``)."""
    if tr.numbers is not None:
        return tr.signed(x, 1)
    text = f"{x:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def _band(x: float) -> int:
    """The emotion step an average is nearest to (halves go towards neutral)."""
    if x >= 1.5:
        return 2
    if x > 0.5:
        return 1
    if x >= -0.5:
        return 0
    return -1 if x > -1.5 else -2


def band_class(n: int) -> str:
    return {-2: "m2", -1: "m1", 0: "0", 1: "p1", 2: "p2"}[n]


def severity_words(pains: Iterable[m.Pain], tr: Translator = ENGLISH) -> str:
    """Pain points counted by severity, in words, most severe first: "1 critical, 2 high"
    ("" for none; "1 unrated" for one without a severity)."""
    counts: dict[str | None, int] = {}
    for p in pains:
        key = p.severity if p.severity in v.SEVERITIES else None
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(
        # Translators: pain points of one severity ("2 high"), its word from "pain points of severity"
        tr.ngettext(
            "%(num)s %(severity)s",
            "%(num)s %(severity)s",
            counts[s],
            severity=i18n.vocabulary_word(tr, i18n.SEVERITY_COUNTS, s),
        )
        for s in _SEVERITY_ORDER
        if counts.get(s)
    )


def _severity_rank(p: m.Pain) -> int:
    return _SEVERITY_ORDER.index(p.severity if p.severity in v.SEVERITIES else None)


def _journey_href(journey_page: JourneyPage, j: ResolvedJourney, anchor: str = "") -> str:
    return journey_page(j.id, None) + (f"#{anchor}" if anchor else "")


def _label(x: Any) -> str:
    return str(x.label or x.id)


def short_titles(journeys: Sequence[ResolvedJourney]) -> dict[str, tuple[str, str]]:
    """Each journey's title in two parts, for cells that name many journeys: the part
    before the first ": " and the rest, when no other journey's title starts the same;
    (the whole title, "") otherwise."""
    parts: dict[str, tuple[str, str]] = {}
    for j in journeys:
        head, sep, rest = j.title.partition(": ")
        parts[j.id] = (head.strip(), rest.strip()) if sep and head.strip() and rest.strip() else (j.title, "")
    heads: dict[str, int] = {}
    for head, _ in parts.values():
        heads[head] = heads.get(head, 0) + 1
    return {j.id: parts[j.id] if heads[parts[j.id][0]] == 1 else (j.title, "") for j in journeys}


def _anchored_pains(j: ResolvedJourney) -> list[m.Pain]:
    """The pain points the journey's map shows: those at one of its stages or touchpoints."""
    return [p for p in j.pains if p.at is not None and (p.at.id in j.stage_index or p.at.id in j.touchpoint)]


def _stage_at(j: ResolvedJourney, place: str) -> m.Stage | None:
    if place in j.stage_index:
        return j.stages[j.stage_index[place]]
    return j.stage_of.get(place)


# -- the heat map ---------------------------------------------------------------------------


def heat_map(
    journeys: Sequence[ResolvedJourney], words: Mapping[int, str], journey_page: JourneyPage, tr: Translator = ENGLISH
) -> dict[str, Any]:
    """Journeys by phase: each cell's average emotion, lowest rating and pain points."""
    phases = _phases(journeys)
    short = short_titles(journeys)
    rows = []
    for j in journeys:
        pains_by_stage: dict[str, list[m.Pain]] = {}
        for p in _anchored_pains(j):
            stage = _stage_at(j, p.at.id) if p.at is not None else None
            if stage is not None:
                pains_by_stage.setdefault(stage.id, []).append(p)
        cells = []
        for phase in phases:
            stages = [s for s in j.stages if _phase(s) == phase]
            tps = [tp for s in stages for tp in s.touchpoints]
            rated = [tp for tp in tps if tp.emotion is not None]
            ratings = [tp for tp in tps if tp.rating is not None]
            lowest = min(ratings, key=lambda tp: tp.rating or 0) if ratings else None  # the first of equals
            pains = [p for s in stages for p in pains_by_stage.get(s.id, ())]
            average = sum(float(tp.emotion) for tp in rated if tp.emotion is not None) / len(rated) if rated else None
            band = _band(average) if average is not None else None
            cells.append(
                {
                    "phase": phase,
                    "empty": not stages,
                    "stages": [{"label": _label(s), "href": _journey_href(journey_page, j, f"stage-{s.id}")} for s in stages],
                    "touchpoints": len(tps),
                    "rated": len(rated),
                    "emotion": _signed(average, tr) if average is not None else None,
                    "emotion_word": words[band] if band is not None else tr.gettext("not rated"),
                    "band": band_class(band) if band is not None else "none",
                    "lowest": int(lowest.rating) if lowest is not None and lowest.rating is not None else None,
                    "lowest_at": (
                        {"label": _label(lowest), "href": _journey_href(journey_page, j, f"tp-{lowest.id}")}
                        if lowest is not None
                        else None
                    ),
                    "pain_count": len(pains),
                    "pains": severity_words(pains, tr),
                }
            )
        rows.append(
            {
                "id": j.id,
                "title": j.title,
                "short": short[j.id][0],
                "rest": short[j.id][1],
                "href": _journey_href(journey_page, j),
                "cells": cells,
            }
        )
    return {"phases": phases, "rows": rows}


# -- channels by phase ---------------------------------------------------------------------


_NO_CHANNEL = ("", "")


def _channel_key(j: ResolvedJourney, tp: m.Touchpoint) -> tuple[str, str]:
    """A channel's identity across journeys: its id and the file that declares it
    (a channel named but not declared: its id alone); ``_NO_CHANNEL`` for none."""
    if tp.channel is None:
        return _NO_CHANNEL
    channel = j.channel_of(tp)
    return (tp.channel.id, channel.span.path if channel is not None else "")


def _negative(j: ResolvedJourney, tp: m.Touchpoint, words: Mapping[int, str], tr: Translator = ENGLISH) -> list[str]:
    """Why a touchpoint feels bad, in words: its own emotion below 0, or a persona's."""
    out = []
    if tp.emotion is not None and tp.emotion < 0:
        out.append(tr.gettext("emotion %(value)s (%(word)s)", value=f"{int(tp.emotion):+d}", word=words.get(int(tp.emotion), "")))
    for pv in tp.emotion_for:
        if pv.value < 0:
            who = _label(j.persona[pv.persona.id]) if pv.persona.id in j.persona else pv.persona.id
            out.append(
                tr.gettext(
                    "for %(persona)s: emotion %(value)s (%(word)s)",
                    persona=who,
                    value=f"{int(pv.value):+d}",
                    word=words.get(int(pv.value), ""),
                )
            )
    return out


def channel_matrix(
    journeys: Sequence[ResolvedJourney], words: Mapping[int, str], journey_page: JourneyPage, tr: Translator = ENGLISH
) -> dict[str, Any]:
    """Channels by phase across journeys, and the channel switches that hurt."""
    phases = _phases(journeys)
    # channel identity → phase → journey id → the touchpoints there
    uses: dict[tuple[str, str], dict[str, dict[str, list[m.Touchpoint]]]] = {}
    info: dict[tuple[str, str], dict[str, Any]] = {}
    by_id = {j.id: j for j in journeys}
    short = short_titles(journeys)
    switches: list[dict[str, Any]] = []
    #: (channel, phase) → the switches that land there: how many, and the first's anchor
    landing: dict[tuple[tuple[str, str], str], tuple[int, str]] = {}
    for j in journeys:
        position = {tp.id: i for i, tp in enumerate(j.touchpoints)}
        for s in j.stages:
            for tp in s.touchpoints:
                key = _channel_key(j, tp)
                if key not in info:
                    channel = j.channel_of(tp)
                    info[key] = {
                        "id": key[0],
                        "label": _label(channel) if channel is not None else (key[0] or tr.gettext("No channel")),
                        "kind": channel.kind if channel is not None else None,
                        "mode": channel.mode if channel is not None else None,
                        "path": key[1],
                    }
                uses.setdefault(key, {}).setdefault(_phase(s), {}).setdefault(j.id, []).append(tp)
        for tp in j.touchpoints:
            for target_id in j.next_of(tp):
                target = j.touchpoint.get(target_id)
                if target is None or tp.channel is None or target.channel is None or tp.channel.id == target.channel.id:
                    continue
                reasons = _negative(j, target, words, tr)
                pains = sorted(j.pains_at(target.id), key=lambda p: (_severity_rank(p), p.id))
                if not reasons and not pains:
                    continue
                stage = j.stage_of[target.id]
                key = _channel_key(j, target)
                anchor = f"switch-{j.id}-{target.id}"  # one row per target, its sources listed
                count, first = landing.get((key, _phase(stage)), (0, anchor))
                landing[key, _phase(stage)] = (count + 1, first)
                switches.append(
                    {
                        "anchor": anchor,
                        "journey": {"id": j.id, "label": j.title, "href": _journey_href(journey_page, j)},
                        "order": position[target.id],
                        "stage": _label(stage),
                        "phase": _phase(stage),
                        "from": {
                            "label": _label(tp),
                            "href": _journey_href(journey_page, j, f"tp-{tp.id}"),
                            "channel": _channel_label(j, tp, tr),
                        },
                        "to": {
                            "label": _label(target),
                            "href": _journey_href(journey_page, j, f"tp-{target.id}"),
                            "channel": _channel_label(j, target, tr),
                        },
                        "reasons": reasons,
                        "pains": [
                            {
                                "label": _label(p),
                                "severity": p.severity or "unrated",
                                "href": _journey_href(journey_page, j, f"pain-{p.id}"),
                            }
                            for p in pains
                        ],
                    }
                )
    labels: dict[str, int] = {}
    for row in info.values():
        labels[row["label"]] = labels.get(row["label"], 0) + 1
    kinds = {k: i for i, k in enumerate(v.CHANNEL_KINDS)}

    def order(key: tuple[str, str]) -> tuple[int, int, str, str, str]:
        row = info[key]
        group = 2 if key == _NO_CHANNEL else (0 if row["kind"] in kinds else 1)
        return (group, kinds.get(row["kind"], len(kinds)), row["label"].casefold(), key[0], key[1])

    groups: list[dict[str, Any]] = []
    for key in sorted(uses, key=order):
        row = info[key]
        kind_words = (
            tr.gettext("no channel")
            if key == _NO_CHANNEL
            else (i18n.vocabulary_word(tr, i18n.CHANNEL_KINDS, row["kind"]) if row["kind"] else tr.gettext("no kind given"))
        )
        if not groups or groups[-1]["kind"] != kind_words:
            groups.append({"kind": kind_words, "rows": []})
        cells = []
        for phase in phases:
            there = uses[key].get(phase, {})
            cells.append(
                {
                    "phase": phase,
                    "count": len(there),
                    "journeys": [
                        {
                            "label": short[jid][0],
                            "title": by_id[jid].title,
                            "href": _journey_href(journey_page, by_id[jid], f"tp-{tps[0].id}"),
                            "touchpoints": len(tps),
                        }
                        for jid, tps in there.items()
                    ],
                    "switches": landing.get((key, phase), (0, ""))[0],
                    "switch_anchor": landing.get((key, phase), (0, ""))[1],
                }
            )
        groups[-1]["rows"].append(
            {
                **row,
                "none": key == _NO_CHANNEL,
                "twin": labels[row["label"]] > 1,
                "journeys": len({jid for there in uses[key].values() for jid in there}),
                "cells": cells,
            }
        )
    by_journey: list[dict[str, Any]] = []
    for sw in switches:
        if not by_journey or by_journey[-1]["id"] != sw["journey"]["id"]:
            by_journey.append({**sw["journey"], "count": 0, "targets": {}})
        group = by_journey[-1]
        group["count"] += 1
        into = group["targets"].setdefault(sw["anchor"], {**sw, "sources": []})
        into["sources"].append(sw["from"])
    for group in by_journey:
        group["targets"] = sorted(group["targets"].values(), key=lambda t: t["order"])
    return {"phases": phases, "groups": groups, "switches": switches, "by_journey": by_journey}


def _channel_label(j: ResolvedJourney, tp: m.Touchpoint, tr: Translator = ENGLISH) -> str:
    channel = j.channel_of(tp)
    return _label(channel) if channel is not None else (tp.channel.id if tp.channel is not None else tr.gettext("no channel"))


# -- opportunities --------------------------------------------------------------------------


def _owner(j: ResolvedJourney, ref: m.Ref | None) -> str | None:
    """The team an `owner` names, as the map shows it (its id when it is not declared)."""
    if ref is None:
        return None
    team = j.team_of(ref)
    return _label(team) if team is not None else ref.id


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def opportunity_matrix(
    journeys: Sequence[ResolvedJourney], journey_page: JourneyPage, tr: Translator = ENGLISH
) -> dict[str, Any]:
    """Every opportunity of every journey, placed by impact and effort, with a table."""
    items: list[dict[str, Any]] = []
    for n, j in enumerate(journeys):
        answers: dict[str, list[m.Pain]] = {}
        for p in _anchored_pains(j):
            for o in j.opportunities_of(p):
                answers.setdefault(o.id, []).append(p)
        for o in j.opportunities:
            status = o.status if o.status in v.STATUSES else None
            status_words = i18n.vocabulary_word(tr, i18n.STATUSES, status)
            pains = answers.get(o.id, [])
            items.append(
                {
                    "id": o.id,
                    "label": _label(o),
                    "short": _short(_label(o), _FITS - len(f" · {status_words}")),
                    "journey": {"label": j.title, "href": _journey_href(journey_page, j)},
                    "href": _journey_href(journey_page, j, f"opp-{o.id}" if pains else ""),
                    "impact": o.impact if o.impact in v.LEVELS else None,
                    "effort": o.effort if o.effort in v.LEVELS else None,
                    "status": status,
                    "status_words": status_words,
                    "shape": tr.gettext(STATUS_SHAPES[status]),
                    "owner": _owner(j, o.owner),
                    "pains": [
                        {"label": _label(p), "href": _journey_href(journey_page, j, f"pain-{p.id}"), "severity": p.severity}
                        for p in pains
                    ],
                    "order": (
                        -v.LEVELS.index(o.impact) if o.impact in v.LEVELS else 1,
                        v.LEVELS.index(o.effort) if o.effort in v.LEVELS else 3,
                        n,
                        o.id,
                    ),
                }
            )
    items.sort(key=lambda i: i["order"])
    placed = [i for i in items if i["impact"] and i["effort"]]
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for i in placed:
        cells.setdefault((i["impact"], i["effort"]), []).append(i)
    impacts = list(reversed(v.LEVELS))  # high at the top
    heights = {imp: _PAD + _CORNER + _LINE * max([len(cells.get((imp, e), [])) for e in v.LEVELS] + [1]) for imp in impacts}
    points, grid = [], []
    y = _TOP
    for imp in impacts:
        for k, effort in enumerate(v.LEVELS):
            x = _LEFT + k * _CELL
            grid.append(
                {
                    "x": x,
                    "y": y,
                    "width": _CELL,
                    "height": heights[imp],
                    "corner": _CORNERS.get((imp, effort), ""),
                    "corner_x": x + _CELL - 8,
                    "corner_y": y + heights[imp] - 8,
                }
            )
            for row, item in enumerate(cells.get((imp, effort), [])):
                px, py = x + 16, y + _PAD + row * _LINE
                points.append({**item, "x": px, "y": py, "text_x": px + 12, "text_y": py + 4})
        y += heights[imp]
    height = y + _BOTTOM
    width = _LEFT + 3 * _CELL + 12
    rows = []
    top = _TOP
    for imp in impacts:
        rows.append({"label": imp, "y": top + heights[imp] / 2})
        top += heights[imp]
    columns = [{"label": e, "x": _LEFT + k * _CELL + _CELL / 2} for k, e in enumerate(v.LEVELS)]
    return {
        "items": items,
        "points": points,
        "unplaced": [i for i in items if not (i["impact"] and i["effort"])],
        "grid": grid,
        "rows": rows,
        "columns": columns,
        "width": width,
        "height": height,
        "plot_bottom": y,
        "left": _LEFT,
        "shapes": [
            {"key": s, "status": i18n.vocabulary_word(tr, i18n.STATUSES, s), "shape": tr.gettext(shape)}
            for s, shape in STATUS_SHAPES.items()
        ],
        "owners": any(i["owner"] for i in items),
    }


# -- personas across journeys ----------------------------------------------------------------


def _persona_in(
    j: ResolvedJourney, p: m.Persona, words: Mapping[int, str], journey_page: JourneyPage, tr: Translator = ENGLISH
) -> dict[str, Any]:
    """One persona in one journey: their touchpoints with their own values, their stages
    and the pain points there."""
    mine = [tp for tp in j.touchpoints if any(q.id == p.id for q in j.personas_of(tp))]
    rows: list[dict[str, Any]] = []
    stages: dict[str, m.Stage] = {}
    for tp in mine:
        stage = j.stage_of[tp.id]
        stages.setdefault(stage.id, stage)
        value, feeling = j.emotion_of(tp, p.id)
        rating = j.rating_of(tp, p.id)
        emotion = int(value) if value is not None else None
        rows.append(
            {
                "stage": _label(stage),
                "stage_id": stage.id,
                "label": _label(tp),
                "href": _journey_href(journey_page, j, f"tp-{tp.id}"),
                "channel": _channel_label(j, tp, tr),
                "emotion": f"{emotion:+d}" if emotion else ("0" if emotion == 0 else None),
                "emotion_word": words[emotion] if emotion is not None else tr.gettext("not rated"),
                "band": band_class(emotion) if emotion is not None else "none",
                "feeling": feeling,
                "own": any(pv.persona.id == p.id for pv in tp.emotion_for),
                "rating": int(rating) if rating is not None else None,
                "own_rating": any(pv.persona.id == p.id for pv in tp.rating_for),
            }
        )
    for k, row in enumerate(rows):  # the stage's name once, over its touchpoints' rows
        first = k == 0 or rows[k - 1]["stage_id"] != row["stage_id"]
        row["stage_rows"] = sum(1 for _ in _run(rows, k)) if first else 0
    places = {tp.id for tp in mine} | set(stages)
    pains = [x for x in _anchored_pains(j) if x.at is not None and x.at.id in places]
    position = {tp.id: i for i, tp in enumerate(j.touchpoints)}
    pains.sort(key=lambda x: (_severity_rank(x), _place_order(j, x, position), x.id))
    values = [float(r["emotion"]) for r in rows if r["emotion"] is not None]
    average = sum(values) / len(values) if values else None
    lowest = min((r for r in rows if r["emotion"] is not None), key=lambda r: int(r["emotion"]), default=None)
    return {
        "id": j.id,
        "title": j.title,
        "href": _journey_href(journey_page, j),
        "persona_href": journey_page(j.id, p.id),
        "count": len(mine),
        "of": len(j.touchpoints),
        "stages": [
            {"label": _label(s), "phase": s.phase, "href": _journey_href(journey_page, j, f"stage-{s.id}")}
            for s in stages.values()
        ],
        "rows": rows,
        "average": _signed(average, tr) if average is not None else None,
        "average_word": words[_band(average)] if average is not None else tr.gettext("not rated"),
        "band": band_class(_band(average)) if average is not None else "none",
        "lowest": lowest,
        "pains": [
            {
                "label": _label(x),
                "href": _journey_href(journey_page, j, f"pain-{x.id}"),
                "severity": x.severity or "unrated",
                "severity_class": x.severity if x.severity in v.SEVERITIES else "unknown",
                "at": _place_label(j, x, tr),
            }
            for x in pains
        ],
        "pain_words": severity_words(pains, tr),
    }


def _run(rows: list[dict[str, Any]], k: int) -> Iterable[dict[str, Any]]:
    """The rows from ``k`` on that have its stage."""
    for row in rows[k:]:
        if row["stage_id"] != rows[k]["stage_id"]:
            return
        yield row


def _place_order(j: ResolvedJourney, pain: m.Pain, position: Mapping[str, int]) -> tuple[int, int]:
    """Where a pain point is, in the journey's order: its stage, then its touchpoint
    (``position``: each touchpoint's place in the journey; the stage's own pain points
    come first)."""
    stage = _stage_at(j, pain.at.id) if pain.at is not None else None
    if stage is None or pain.at is None:
        return (len(j.stages), 0)
    return (j.stage_index[stage.id], position[pain.at.id] + 1 if pain.at.id in position else 0)


def _place_label(j: ResolvedJourney, pain: m.Pain, tr: Translator = ENGLISH) -> str:
    """Where a pain point is: its touchpoint, or the whole stage."""
    if pain.at is None:
        return ""
    if pain.at.id in j.touchpoint:
        return _label(j.touchpoint[pain.at.id])
    stage = _stage_at(j, pain.at.id)
    return tr.gettext("the whole stage “%(stage)s”", stage=_label(stage)) if stage is not None else pain.at.id


def persona_views(
    journeys: Sequence[ResolvedJourney], words: Mapping[int, str], journey_page: JourneyPage, tr: Translator = ENGLISH
) -> list[dict[str, Any]]:
    """One view per persona identity (its id and its declaring file), with every journey
    it appears in, in the build's order; personas sorted by label, then id, then file."""
    found: dict[tuple[str, str], tuple[m.Persona, list[ResolvedJourney]]] = {}
    for j in journeys:
        if j.journey is None:
            continue
        for p in j.personas:
            key = (p.id, p.span.path)
            if key not in found:
                found[key] = (p, [])
            found[key][1].append(j)
    out: list[dict[str, Any]] = []
    for (pid, path), (p, js) in sorted(found.items(), key=lambda kv: (_label(kv[1][0]).casefold(), kv[0])):
        out.append(
            {
                **persona_facts(p),
                "id": pid,
                "page": persona_page(p),
                "label": _label(p),
                "declared_in": path,
                "journeys": [_persona_in(j, p, words, journey_page, tr) for j in js],
            }
        )
    labels: dict[str, int] = {}
    for view in out:
        labels[view["label"]] = labels.get(view["label"], 0) + 1
    for view in out:
        view["twin"] = labels[view["label"]] > 1  # two personas of one name: say which file
    return out


# -- the whole --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Portfolio:
    """The portfolio of one build: the view models of its pages."""

    heat: dict[str, Any]
    channels: dict[str, Any]
    opportunities: dict[str, Any]
    personas: list[dict[str, Any]]
    journeys: int

    def pages(self) -> list[tuple[str, str, str, dict[str, Any]]]:
        """Each page to render: its path, its template, the way back to the site's
        root, and the template's values."""
        out: list[tuple[str, str, str, dict[str, Any]]] = [(PORTFOLIO_PAGE, "portfolio.html", "", {"folio": self})]
        out.extend((p["page"], "persona_portfolio.html", "../", {"persona": p, "folio": self}) for p in self.personas)
        return out


def portfolio_view(
    journeys: Sequence[ResolvedJourney], words: Mapping[int, str], journey_page: JourneyPage, tr: Translator = ENGLISH
) -> Portfolio:
    """The portfolio of the journeys of a build (library files, which declare no journey,
    are left out). ``journey_page(journey, persona)`` is where the site writes a
    journey's page or one persona's page of it, from the site's root; ``tr`` gives the
    words (``words``: the emotions' words in the same language)."""
    built = [j for j in journeys if j.journey is not None]
    return Portfolio(
        heat=heat_map(built, words, journey_page, tr),
        channels=channel_matrix(built, words, journey_page, tr),
        opportunities=opportunity_matrix(built, journey_page, tr),
        personas=persona_views(built, words, journey_page, tr),
        journeys=len(built),
    )
