"""The shape of a file and of the project, for the editor's outline, symbol search,
folding and colours (pure): document symbols (the journey, its stages and their
touchpoints and pain points, KPIs ...), workspace symbols, folding ranges from the
braces, and semantic tokens for ids by what they name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lsprotocol import types as lsp

from ..core.span import LineIndex, Span
from . import context
from .positions import position, to_range, units
from .symbols import ANY, RULE, Decl, FileSymbols, Tree, outline

SYMBOL_KIND = {
    "journey": lsp.SymbolKind.Namespace,
    "persona": lsp.SymbolKind.Class,
    "intent": lsp.SymbolKind.Enum,
    "channel": lsp.SymbolKind.Interface,
    "team": lsp.SymbolKind.Module,
    "actor": lsp.SymbolKind.Object,
    "system": lsp.SymbolKind.Package,
    "stage": lsp.SymbolKind.Struct,
    "touchpoint": lsp.SymbolKind.Function,
    "pain": lsp.SymbolKind.Event,
    "opportunity": lsp.SymbolKind.EnumMember,
    "kpi": lsp.SymbolKind.Constant,
    "metric": lsp.SymbolKind.Number,
}

#: Semantic token types by what an id names (standard LSP types, so every theme colours them).
TOKEN_TYPES = (
    "namespace",  # journey
    "class",  # persona
    "enum",  # intent
    "interface",  # channel
    "type",  # team
    "parameter",  # actor
    "macro",  # system
    "struct",  # stage
    "function",  # touchpoint
    "event",  # pain point
    "enumMember",  # opportunity
    "variable",  # KPI
    "property",  # metric
    "decorator",  # a rule named in `allow`
)
TOKEN_MODIFIERS = ("declaration",)
_TOKEN_OF = {
    kind: i
    for i, kind in enumerate(
        (
            "journey",
            "persona",
            "intent",
            "channel",
            "team",
            "actor",
            "system",
            "stage",
            "touchpoint",
            "pain",
            "opportunity",
            "kpi",
            "metric",
            RULE,
        )
    )
}
LEGEND = lsp.SemanticTokensLegend(token_types=list(TOKEN_TYPES), token_modifiers=list(TOKEN_MODIFIERS))


def _full_range(decl: Decl, encoding: str) -> lsp.Range:
    node = decl.node
    span = node.span if node.span.path == decl.span.path else decl.span
    return to_range(span, encoding)


def document_symbols(f: FileSymbols, encoding: str) -> list[lsp.DocumentSymbol]:
    """The file's declarations as a tree. A file with a journey shows it on top, holding
    the file's other declarations (a journey's stages are written beside its block)."""

    def symbol(decl: Decl, children: list[Tree]) -> lsp.DocumentSymbol:
        return lsp.DocumentSymbol(
            name=decl.id,
            kind=SYMBOL_KIND.get(decl.kind, lsp.SymbolKind.Object),
            range=_full_range(decl, encoding),
            selection_range=to_range(decl.span, encoding),
            detail=decl.label or None,
            children=[symbol(d, c) for d, c in children] or None,
        )

    roots = outline(f)
    journey = next((i for i, (d, _) in enumerate(roots) if d.kind == "journey"), None)
    if journey is None:
        return [symbol(d, c) for d, c in roots]
    top = roots[journey][0]
    others = [symbol(d, c) for i, (d, c) in enumerate(roots) if i != journey]
    whole = f.document.span
    selection = to_range(top.span, encoding)
    full = to_range(whole, encoding) if whole.lines.text else _full_range(top, encoding)
    own = [symbol(d, c) for d, c in roots[journey][1]]
    return [
        lsp.DocumentSymbol(
            name=top.id,
            kind=lsp.SymbolKind.Namespace,
            range=full,
            selection_range=selection,
            detail=top.label or None,
            children=own + others or None,
        )
    ]


def matches(decl: Decl, query: str) -> bool:
    q = query.lower()
    return not q or q in decl.id.lower() or (decl.label is not None and q in decl.label.lower())


def workspace_symbol(decl: Decl, uri: str, encoding: str) -> lsp.SymbolInformation:
    container = decl.parent.id if decl.parent is not None else None
    return lsp.SymbolInformation(
        name=decl.id + (f" — {decl.label}" if decl.label else ""),
        kind=SYMBOL_KIND.get(decl.kind, lsp.SymbolKind.Object),
        location=lsp.Location(uri, to_range(decl.span, encoding)),
        container_name=container,
    )


def folding_ranges(text: str) -> list[lsp.FoldingRange]:
    lines = LineIndex(text)
    out = []
    for fold in context.folds(text):
        start, _ = lines.position(fold.start)
        end, _ = lines.position(fold.end)
        if fold.kind == "region":
            end -= 1  # keep the closing `}` (or `"""`) in sight
        if end > start:
            kind = lsp.FoldingRangeKind.Comment if fold.kind == "comment" else lsp.FoldingRangeKind.Region
            out.append(lsp.FoldingRange(start_line=start - 1, end_line=end - 1, kind=kind))
    return out


def semantic_tokens(f: FileSymbols, encoding: str) -> list[int]:
    """Ids coloured by what they name: declarations (with the `declaration` modifier)
    and references, in the LSP's relative encoding."""
    entries: list[tuple[Span, int, int]] = []
    for d in f.decls:
        if d.kind in _TOKEN_OF:
            entries.append((d.span, _TOKEN_OF[d.kind], 1))
    for u in f.uses:
        kind = u.kinds[0] if u.kinds[0] != ANY else "persona"
        if kind in _TOKEN_OF:
            entries.append((u.span, _TOKEN_OF[kind], 0))
    return _encode(sorted(entries, key=lambda e: e[0].start), encoding)


def _encode(entries: Iterable[tuple[Span, int, int]], encoding: str) -> list[int]:
    data: list[int] = []
    last_line = last_char = 0
    for span, kind, modifiers in entries:
        start = position(span.lines, span.start, encoding)
        if start.line < last_line:
            continue
        length = units(span.lines.text[span.start : span.end], encoding)
        if "\n" in span.lines.text[span.start : span.end] or length == 0:
            continue
        delta_line = start.line - last_line
        delta_char = start.character - last_char if delta_line == 0 else start.character
        if delta_line == 0 and data and delta_char < 0:
            continue
        data += [delta_line, delta_char, length, kind, modifiers]
        last_line, last_char = start.line, start.character
    return data


def filter_symbols(decls: Sequence[Decl], query: str, limit: int) -> list[Decl]:
    return [d for d in decls if matches(d, query)][:limit]
