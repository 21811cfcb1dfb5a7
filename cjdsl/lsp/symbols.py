"""What a file declares and what it refers to, read off the parsed model by the
language table, and the project-wide index that binds each reference to its
declaration the way resolution does: inside the journeys the file belongs to.

Pure: built from parsed documents and the include scopes the project gave
(:class:`~cjdsl.core.resolved.ResolvedJourney` ``files``); nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core import model as m
from ..core.span import Span
from ..language import table as language

#: The declarations that have an id, by model type (steps and quotes have none).
_KEYWORD_OF: dict[type, str] = {b.model: b.keyword for b in language.BLOCKS.values() if b.model not in (m.Step, m.Quote)}
#: A kind of reference that names a rule of the validator (`allow`).
RULE = "rule"
#: `allow RULE for ID`: an id of any kind the finding is about.
ANY = "any"
#: A touchpoint and a stage share one set of ids (`at` can name either).
_SHARED_IDS = {"touchpoint": ("touchpoint", "stage"), "stage": ("touchpoint", "stage")}


@dataclass(frozen=True, eq=False)
class Decl:
    """A declaration: its kind (the block's keyword), id, where its id is written, the
    node, and the declaration it is written inside (a touchpoint's stage)."""

    kind: str
    id: str
    span: Span
    node: Any
    parent: Decl | None = None

    @property
    def path(self) -> str:
        return self.span.path

    @property
    def label(self) -> str | None:
        return getattr(self.node, "label", None)

    @property
    def key(self) -> tuple[str, int]:
        return (self.span.path, self.span.start)


@dataclass(frozen=True)
class Use:
    """A reference: the kinds it may name (``touchpoint or stage`` is two), its id, where
    it is written, and the attribute it is written in (``next``, ``allow``)."""

    kinds: tuple[str, ...]
    id: str
    span: Span
    attribute: str


@dataclass(frozen=True)
class FileSymbols:
    """One parsed file's declarations (in source order) and references."""

    path: str
    document: m.Document
    decls: tuple[Decl, ...]
    uses: tuple[Use, ...]

    def at(self, offset: int) -> Decl | Use | None:
        """The declaration id or reference written at a character offset (its end counts,
        so a cursor just after a word finds it)."""
        for decl in self.decls:
            if decl.span.start <= offset <= decl.span.end:
                return decl
        for use in self.uses:
            if use.span.start <= offset <= use.span.end:
                return use
        return None


def read_file(doc: m.Document) -> FileSymbols:
    decls: list[Decl] = []
    uses: list[Use] = []
    for item in doc.items:
        if not isinstance(item, m.Include):
            _walk(item, None, decls, uses)
    return FileSymbols(doc.path, doc, tuple(decls), tuple(uses))


def _block_of(node: Any) -> language.Block | None:
    if isinstance(node, m.Step):
        return language.BLOCKS[node.lane]
    if isinstance(node, m.Quote):
        return language.BLOCKS["quote"]
    keyword = _KEYWORD_OF.get(type(node))
    return language.BLOCKS[keyword] if keyword is not None else None


def _walk(node: Any, parent: Decl | None, decls: list[Decl], uses: list[Use]) -> None:
    block = _block_of(node)
    if block is None:
        return
    here = parent
    if type(node) in _KEYWORD_OF and getattr(node, "id", None):
        here = Decl(block.keyword, node.id, node.spans.get("id", node.span), node, parent)
        decls.append(here)
    done: set[str] = set()
    for a in block.attributes:
        if a.fields[0] in done:
            continue  # frontstage and backstage fill one list
        done.add(a.fields[0])
        value = getattr(node, a.fields[0], None)
        if a.kind in ("ref", "refs", "chain") and a.target is not None:
            kinds = tuple(a.target.split(" or "))
            for ref in value if isinstance(value, tuple) else (value,):
                if isinstance(ref, m.Ref):
                    uses.append(Use(kinds, ref.id, ref.span, a.keyword))
        elif a.kind == "persona":
            for pv in value or ():
                uses.append(Use(("persona",), pv.persona.id, pv.persona.span, a.keyword))
        elif a.kind == "allow":
            for allow in value or ():
                uses.extend(Use((RULE,), r.id, r.span, "allow") for r in allow.rules)
                uses.extend(Use((ANY,), r.id, r.span, "allow") for r in allow.only)
        elif a.kind == "block":
            for child in value or ():
                _walk(child, here, decls, uses)
            if len(a.fields) == 2:  # `opportunity ID` in a pain point: one declared elsewhere
                kind = a.keyword
                uses.extend(Use((kind,), r.id, r.span, kind) for r in getattr(node, a.fields[1], ()))


def kinds_of(kind: str) -> tuple[str, ...]:
    """The kinds whose ids clash with ``kind``'s (a stage's id with a touchpoint's)."""
    return _SHARED_IDS.get(kind, (kind,))


@dataclass
class Scope:
    """One journey as resolution sees it: the files it reads and the first declaration
    of each (kind, id) among them."""

    journey: str
    path: str
    files: tuple[str, ...]
    decls: dict[tuple[str, str], Decl] = field(default_factory=dict)


class Index:
    """Every file of a project root with its symbols, and the journeys (scopes) each
    file belongs to. A file in no journey is its own scope."""

    def __init__(self, files: Mapping[str, FileSymbols], journeys: Sequence[tuple[str, str, Sequence[str]]]) -> None:
        self.files = dict(files)
        self.scopes: list[Scope] = []
        self.scopes_of: dict[str, list[Scope]] = {}
        for journey_id, root_path, paths in journeys:
            self._add(Scope(journey_id, root_path, tuple(p for p in paths if p in self.files)))
        for path in self.files:
            if path not in self.scopes_of:
                self._add(Scope("", path, (path,)))
        #: Journeys by id, project-wide (`variant_of`, `part_of` and `detail` name them).
        self.journeys: dict[str, list[Decl]] = {}
        for fs_ in self.files.values():
            for d in fs_.decls:
                if d.kind == "journey":
                    self.journeys.setdefault(d.id, []).append(d)
        self._uses: dict[tuple[str, int], list[Use]] | None = None

    def _add(self, scope: Scope) -> None:
        self.scopes.append(scope)
        for path in scope.files:
            self.scopes_of.setdefault(path, []).append(scope)
            for d in self.files[path].decls:
                scope.decls.setdefault((d.kind, d.id), d)

    # -- look-ups -------------------------------------------------------------------
    def at(self, path: str, offset: int) -> Decl | Use | None:
        f = self.files.get(path)
        return f.at(offset) if f is not None else None

    def bind(self, use: Use) -> list[Decl]:
        """The declarations a reference names: one per journey the file belongs to (the
        same one, for a shared file, unless the journeys declare the id each)."""
        if use.kinds == (RULE,):
            return []
        if use.kinds == ("journey",):
            return list(self.journeys.get(use.id, ()))
        out: dict[tuple[str, int], Decl] = {}
        for scope in self.scopes_of.get(use.span.path, ()):
            for decl in self._in_scope(scope, use):
                out.setdefault(decl.key, decl)
        return list(out.values())

    def _in_scope(self, scope: Scope, use: Use) -> Iterator[Decl]:
        if use.kinds == (ANY,):
            found = [d for (kind, id_), d in scope.decls.items() if id_ == use.id]
            found.sort(key=lambda d: (d.kind != "persona", d.key))
            yield from found[:1]
            return
        for kind in use.kinds:
            decl = scope.decls.get((kind, use.id))
            if decl is not None:
                yield decl
                return

    def lookup(self, path: str, kind: str, id_: str) -> Decl | None:
        """The declaration of ``kind`` and ``id_`` that a reference in ``path`` names."""
        found = self.bind(Use(kinds_of(kind) if kind == "touchpoint" else (kind,), id_, Span(path), ""))
        return found[0] if found else None

    def uses_of(self, decl: Decl) -> list[Use]:
        """Every reference in the project that names ``decl``."""
        if self._uses is None:
            index: dict[tuple[str, int], list[Use]] = {}
            for f in self.files.values():
                for use in f.uses:
                    for target in self.bind(use):
                        index.setdefault(target.key, []).append(use)
            self._uses = index
        return sorted(self._uses.get(decl.key, ()), key=lambda u: (u.span.path, u.span.start))

    def visible(self, path: str, kinds: Iterable[str]) -> list[Decl]:
        """The declarations of these kinds that a reference written in ``path`` can name,
        each id once, in source order of the journeys' files. A file in no journey (a
        new one) sees every declaration of the project root."""
        wanted = set(kinds)
        if "journey" in wanted:
            return [ds[0] for _, ds in sorted(self.journeys.items())]
        scopes = [s for s in self.scopes_of.get(path, ()) if s.journey]
        pools: Iterable[Decl]
        if scopes:
            pools = (d for s in scopes for d in s.decls.values())
        else:
            pools = (d for f in self.files.values() for d in f.decls)
        seen: dict[str, Decl] = {}
        for d in pools:
            if d.kind in wanted:
                seen.setdefault(d.id, d)
        return sorted(seen.values(), key=lambda d: d.key)

    def clashes(self, decl: Decl, new_id: str) -> Decl | None:
        """A declaration that already has ``new_id`` where ``decl`` is visible."""
        if decl.kind == "journey":
            others = self.journeys.get(new_id, [])
            return others[0] if others else None
        for scope in self.scopes_of.get(decl.path, ()):
            for kind in kinds_of(decl.kind):
                found = scope.decls.get((kind, new_id))
                if found is not None and found is not decl:
                    return found
        return None

    def decl_at(self, path: str, offset: int) -> Decl | None:
        """The innermost declaration whose block holds ``offset`` (for code actions)."""
        f = self.files.get(path)
        best: Decl | None = None
        for d in f.decls if f is not None else ():
            span = d.node.span
            if span.start <= offset <= span.end and (best is None or span.start >= best.node.span.start):
                best = d
        return best


#: A declaration and the declarations written inside it.
Tree = tuple[Decl, list["Tree"]]


def outline(f: FileSymbols) -> list[Tree]:
    """The file's declarations as a tree: (declaration, children), children nested the
    same way, by the blocks they are written in."""
    children: dict[int, list[Tree]] = {}
    roots: list[Tree] = []
    for d in f.decls:
        node: Tree = (d, [])
        children[id(d)] = node[1]
        if d.parent is None:
            roots.append(node)
        else:
            children[id(d.parent)].append(node)
    return roots
