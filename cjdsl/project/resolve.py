"""Resolution: a root file plus its includes → :class:`~cjdsl.core.resolved.ResolvedJourney`.

Follows includes (inside the project root, no cycles, each file loaded once), merges
declarations in include order, and checks every reference and every id's uniqueness.
Everything it needs from the disk comes in as functions: ``load`` reads and parses a
file, ``real`` follows symbolic links, ``files_in`` lists a folder (for the hint on a
missing include). So this stage stays pure; the project passes :mod:`cjdsl.fs`'s.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core import model as m
from ..core.diagnostics import CloseMatches, Diagnostic, Related, SuggestionBudget, make
from ..core.resolved import ResolvedJourney, anchored
from ..language.parser import ParseResult


@dataclass(frozen=True)
class SourceFile:
    """A file as the resolver sees it: where it is, how to show its path, its parse."""

    location: Path  # absolute
    path: str  # for people: relative to the project root, with `/`
    result: ParseResult | None  # None when the file does not exist
    read_error: Diagnostic | None = None


Loader = Callable[[Path], SourceFile]
#: More help for an unknown reference, from what the project knows beyond one journey:
#: called with the kinds wanted, the id and the display path of the file it is written in.
Elsewhere = Callable[[Sequence[str], str, str], str | None]
#: A path with its symbolic links followed.
Real = Callable[[Path], Path]
#: The regular files directly in a folder.
FilesIn = Callable[[Path], Sequence[Path]]


def _no_links(path: Path) -> Path:
    """Without a file system: the path made normal, no link followed."""
    return Path(os.path.normpath(path))


def _no_files(folder: Path) -> Sequence[Path]:
    """Without a file system: no folder has files to suggest."""
    return ()


def resolve(
    root_file: SourceFile,
    project_root: Path,
    load: Loader,
    elsewhere: Elsewhere | None = None,
    *,
    real: Real = _no_links,
    files_in: FilesIn = _no_files,
) -> tuple[ResolvedJourney | None, list[Diagnostic]]:
    """Resolves one unit. Returns no journey when a file of it failed to parse."""
    diagnostics: list[Diagnostic] = []
    files: list[SourceFile] = []
    items: list[m.Item] = []
    complete = True
    loaded: set[Path] = set()
    root_real = real(project_root)

    def visit(sf: SourceFile, stack: list[Path]) -> None:
        nonlocal complete
        loaded.add(sf.location)
        files.append(sf)
        if sf.result is None or sf.result.document is None:
            complete = False
            return
        for item in sf.result.document.items:
            if not isinstance(item, m.Include):
                items.append(item)
                continue
            target = _target(sf.location, item.path)
            target_real = real(target)
            if not _inside(target_real, root_real) or os.path.isabs(item.path):
                diagnostics.append(
                    make(
                        "CJ152",
                        f'include "{item.path}" leaves the project root',
                        item.span,
                        help=f"includes must stay inside {root_real.as_posix()} (the folder holding cjdsl.toml, "
                        "or else the folder of the files given)",
                    )
                )
                complete = False
                continue
            if target_real in stack:
                chain = " → ".join(_rel(p, root_real) for p in [*stack[stack.index(target_real) :], target_real])
                diagnostics.append(
                    make(
                        "CJ153",
                        f"include cycle: {chain}",
                        item.span,
                        help="move what both files need into a third file that both include",
                    )
                )
                complete = False
                continue
            if target_real in loaded:
                continue  # a file included twice loads once
            child = load(target_real)
            if child.result is None:
                diagnostics.append(
                    make(
                        "CJ151",
                        f'included file "{item.path}" does not exist',
                        item.span,
                        help=_missing_hint(sf.location, item.path, root_real, files_in),
                    )
                )
                complete = False
                continue
            if child.read_error is not None:
                complete = False
            if child.result.document is not None:
                for j in child.result.document.journeys:
                    diagnostics.append(
                        make(
                            "CJ154",
                            f'"{item.path}" declares journey `{j.id}`; an included file may not',
                            item.span,
                            help="include only shared declarations (personas, channels, teams); give each journey its own file",
                            related=[Related(j.spans.get("header", j.span), "declared here")],
                        )
                    )
            visit(child, [*stack, target_real])

    visit(root_file, [real(root_file.location)])
    if not complete:
        return None, diagnostics
    own = root_file.result.document.journeys if root_file.result and root_file.result.document else ()
    items = [i for i in items if not isinstance(i, m.Journey) or (own and i is own[0])]
    journey = _assemble(root_file.path, tuple(f.path for f in files), items)
    diagnostics.extend(check_ids(journey))
    diagnostics.extend(check_references(journey, elsewhere))
    return journey, diagnostics


def _target(including: Path, path: str) -> Path:
    return Path(os.path.normpath(including.parent / path))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _missing_hint(including: Path, written: str, root: Path, files_in: FilesIn) -> str:
    """Where the file might be: a near name beside where it was looked for, or the same
    path taken from the project root (include paths are relative to the including file)."""
    here = including.parent
    looked = Path(os.path.normpath(here / written))
    relative_to_here = os.path.relpath(looked, root)
    from_root = root / written
    if from_root != looked and from_root in files_in(from_root.parent):
        fixed = os.path.relpath(from_root, here).replace(os.sep, "/")
        return f'it was looked for at "{relative_to_here}"; paths are relative to the including file: write "{fixed}"'
    candidates = {
        os.path.relpath(p, here).replace(os.sep, "/"): p for p in files_in(looked.parent) if p.name.endswith(".journey")
    }
    close = difflib.get_close_matches(written, sorted(candidates), n=1, cutoff=0.8)
    if close:
        return f'did you mean "{close[0]}"?'
    return f'it was looked for at "{relative_to_here}" (include paths are relative to the including file)'


def _assemble(path: str, files: tuple[str, ...], items: list[m.Item]) -> ResolvedJourney:
    journeys = [i for i in items if isinstance(i, m.Journey)]
    pains: list[m.Pain] = []
    opportunities: list[m.Opportunity] = []
    stages = [i for i in items if isinstance(i, m.Stage)]
    # Pain points in source order: nested ones where they are written, top-level ones too.
    for item in items:
        if isinstance(item, m.Stage):
            for tp in item.touchpoints:
                pains.extend(anchored(p, tp.id) if p.at is None else p for p in tp.pains)
            pains.extend(anchored(p, item.id) if p.at is None else p for p in item.pains)
        elif isinstance(item, m.Pain):
            pains.append(item)
        elif isinstance(item, m.Opportunity):
            opportunities.append(item)
    nested = [o for p in pains for o in p.opportunities]
    return ResolvedJourney(
        path=path,
        journey=journeys[0] if journeys else None,
        files=files,
        personas=tuple(i for i in items if isinstance(i, m.Persona)),
        intents=tuple(i for i in items if isinstance(i, m.Intent)),
        channels=tuple(i for i in items if isinstance(i, m.Channel)),
        teams=tuple(i for i in items if isinstance(i, m.Team)),
        stages=tuple(stages),
        pains=tuple(pains),
        opportunities=tuple(nested + opportunities),
        kpis=tuple(i for i in items if isinstance(i, m.Kpi)),
        actors=tuple(i for i in items if isinstance(i, m.Actor)),
        systems=tuple(i for i in items if isinstance(i, m.System)),
        metrics=tuple(i for i in items if isinstance(i, m.Metric)),
    )


def _header(node: object) -> object:
    spans = getattr(node, "spans", {})
    return spans.get("id") or getattr(node, "span", None)


def _duplicates(
    kind: str,
    nodes: Iterable[
        m.Persona
        | m.Intent
        | m.Channel
        | m.Team
        | m.Actor
        | m.System
        | m.Stage
        | m.Touchpoint
        | m.Pain
        | m.Opportunity
        | m.Kpi
        | m.Metric
    ],
) -> list[Diagnostic]:
    out = []
    first: dict[str, object] = {}
    for node in nodes:
        if node.id in first:
            prev = first[node.id]
            prev_kind = type(prev).__name__.lower()
            this_kind = type(node).__name__.lower()
            message = (
                f"duplicate {kind} `{node.id}`"
                if prev_kind == this_kind
                else f"duplicate {this_kind} id `{node.id}` (already a {prev_kind})"
            )
            out.append(
                make(
                    "CJ102",
                    message,
                    node.spans.get("id", node.span),
                    help="ids must be unique: rename one of them"
                    + (
                        "; stages and touchpoints share one set of ids, because `at` can name either"
                        if prev_kind != this_kind
                        else ""
                    ),
                    related=[Related(_header(prev), "first declared here")],  # type: ignore[arg-type]
                )
            )
        else:
            first[node.id] = node
    return out


def check_ids(j: ResolvedJourney) -> list[Diagnostic]:
    places: list[m.Stage | m.Touchpoint] = []
    for stage in j.stages:
        places.append(stage)
        places.extend(stage.touchpoints)
    return [
        *_duplicates("persona", j.personas),
        *_duplicates("intent", j.intents),
        *_duplicates("channel", j.channels),
        *_duplicates("team", j.teams),
        *_duplicates("stage or touchpoint", places),
        *_duplicates("pain point", j.pains),
        *_duplicates("opportunity", j.opportunities),
        *_duplicates("KPI", j.kpis),
        *_duplicates("actor", j.actors),
        *_duplicates("system", j.systems),
        *_duplicates("metric", j.metrics),
    ]


def _a(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _short(name: str, limit: int = 40) -> str:
    """An id for a list in a hint: cut when it is long, so a few huge ids declared once
    are not repeated in full in the help of every unknown reference."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def check_references(j: ResolvedJourney, elsewhere: Elsewhere | None = None) -> list[Diagnostic]:
    names: dict[str, set[str]] = {
        "persona": {p.id for p in j.personas},
        "intent": {i.id for i in j.intents},
        "channel": {c.id for c in j.channels},
        "team": {t.id for t in j.teams},
        "touchpoint": {tp.id for tp in j.touchpoints},
        "stage": {s.id for s in j.stages},
        "opportunity": {o.id for o in j.opportunities},
        "actor": {a.id for a in j.actors},
        "system": {s.id for s in j.systems},
    }
    out: list[Diagnostic] = []
    # One index and one "declared: ..." list per kind of reference, and one budget for
    # every suggestion of the journey, so unknown references cost near-linear time.
    budget = SuggestionBudget()
    pools: dict[tuple[str, ...], tuple[CloseMatches, str, int]] = {}

    def pool_of(kinds: tuple[str, ...]) -> tuple[CloseMatches, str, int]:
        if kinds not in pools:
            pool = set().union(*(names[k] for k in kinds))
            declared = ", ".join(f"`{_short(n)}`" for n in sorted(pool)[:8]) + (", ..." if len(pool) > 8 else "")
            pools[kinds] = (CloseMatches(pool, budget), declared, len(pool))
        return pools[kinds]

    def check(ref: m.Ref | None, *kinds: str) -> None:
        if ref is None or any(ref.id in names[k] for k in kinds):
            return
        wanted = " or ".join(kinds)
        matches, declared, size = pool_of(kinds)
        hint = matches.hint(ref.id)
        other = next((k for k in names if ref.id in names[k]), None)
        if other:
            hint = f"`{ref.id}` is {_a(other)} {other}, not {_a(wanted)} {wanted}" + (f"; {hint}" if hint else "")
        elif hint is None:
            hint = (
                f'declare it with `{kinds[0]} {ref.id} "..."`'
                if kinds[0] not in ("touchpoint", "stage")
                else f"no {wanted} has this id"
            )
            if size:
                hint += f"; declared: {declared}"
        more = elsewhere(kinds, ref.id, ref.span.path) if elsewhere is not None and ref.span is not None else None
        if more:
            replace_advice = "is declared in" in more and hint.startswith("declare it")
            hint = more if replace_advice else f"{hint}; {more}"
        out.append(make("CJ101", f"unknown {wanted} `{ref.id}`", ref.span, help=hint))

    if j.journey is not None:
        check(j.journey.owner, "team")
    for tp in j.touchpoints:
        check(tp.channel, "channel")
        for r in tp.personas:
            check(r, "persona")
        for r in tp.intents:
            check(r, "intent")
        check(tp.owner, "team")
        for r in tp.next:
            check(r, "touchpoint")
        for pv in (*tp.emotion_for, *tp.rating_for):
            check(pv.persona, "persona")
        for r in tp.support:
            check(r, "system")
        for step in tp.steps:
            check(step.actor, "actor")
            check(step.owner, "team")
            for r in step.support:
                check(r, "system")
    for pain in j.pains:
        check(pain.at, "touchpoint", "stage")
        for r in pain.opportunity_refs:
            check(r, "opportunity")
    for opp in j.opportunities:
        check(opp.owner, "team")
    for kpi in j.kpis:
        for r in (*kpi.measures, *kpi.funnel):
            check(r, "touchpoint")
        check(kpi.owner, "team")
    for actor in j.actors:
        check(actor.team, "team")
    for system in j.systems:
        check(system.owner, "team")
    for metric in j.metrics:
        check(metric.at, "touchpoint", "stage")
        check(metric.owner, "team")
    return out
