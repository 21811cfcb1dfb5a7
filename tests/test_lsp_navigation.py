"""`cjdsl lsp`: go to definition, references and rename across includes, document and
workspace symbols, formatting, code actions, folding and semantic tokens, on the
multi-file examples and a project of many files (the real server, a real client)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams

from cjdsl.language.formatter import format_text
from cjdsl.lsp.outline import TOKEN_TYPES
from tests.test_lsp import (
    CONFIG,
    SHARED,
    SHOP,
    STAGES,
    Client,
    apply,
    close_document,
    diagnostics,
    doc_id,
    initialize,
    open_document,
    position_of,
    project,
    replace_all,
    uri,
    workspace,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
__all__ = ["workspace"]  # the fixture, shared with test_lsp.py


@pytest_lsp.fixture(scope="module", config=CONFIG)
async def client(lsp_client: Client, workspace: Path) -> AsyncIterator[None]:
    await initialize(lsp_client, [workspace / "examples", workspace / "many", workspace / "scratch"])
    yield
    await lsp_client.shutdown_session()


async def opened(client: Client, path: Path, text: str | None = None) -> tuple[str, str]:
    body = text if text is not None else path.read_text(encoding="utf-8")
    target = open_document(client, path, body)
    await diagnostics(client, target, 1)
    return target, body


def where(locations: list[lsp.Location] | None, root: Path) -> list[tuple[str, int]]:
    """Locations as (path relative to ``root``, 1-based line)."""
    out = []
    for loc in locations or ():
        path = Path(loc.uri.removeprefix("file://"))
        out.append((path.relative_to(root).as_posix(), loc.range.start.line + 1))
    return sorted(out)


def line_of(path: Path, needle: str, nth: int = 0) -> int:
    text = path.read_text(encoding="utf-8")
    return position_of(text, needle, 0, nth).line + 1


# -- definition and references ---------------------------------------------------------------------
async def test_definition_crosses_includes(client: Client, workspace: Path) -> None:
    root = workspace / "examples"
    mortgage = root / "bank_mortgage" / "mortgage.journey"
    target, text = await opened(client, mortgage)
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(doc_id(target), position_of(text, "    persona priya", len("    persona ")))
    )
    shared = root / "bank_mortgage" / "shared.journey"
    assert isinstance(found, list)
    assert where(found, root) == [("bank_mortgage/shared.journey", line_of(shared, "persona priya "))]
    assert found[0].range.end.character - found[0].range.start.character == len("priya")
    # On an include: the file it reads.
    inc = await client.text_document_definition_async(
        lsp.DefinitionParams(doc_id(target), position_of(text, 'include "shared.journey"', 10))
    )
    assert isinstance(inc, list) and where(inc, root) == [("bank_mortgage/shared.journey", 1)]
    # A reference within the file: `next` to a touchpoint.
    nxt = await client.text_document_definition_async(
        lsp.DefinitionParams(doc_id(target), position_of(text, "next aip_online", len("next ")))
    )
    assert isinstance(nxt, list)
    assert where(nxt, root) == [("bank_mortgage/mortgage.journey", line_of(mortgage, "touchpoint aip_online "))]
    close_document(client, target)


async def test_references_cover_every_journey_that_includes_the_declaration(client: Client, workspace: Path) -> None:
    root = workspace / "examples"
    shared = root / "bank_mortgage" / "shared.journey"
    target, text = await opened(client, shared)
    found = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc_id(target),
            position=position_of(text, "persona derek ", len("persona ")),
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    places = where(found, root)
    expected = [("bank_mortgage/shared.journey", line_of(shared, "persona derek "))]
    for name in ("mortgage.journey", "mortgage_next.journey"):
        path = root / "bank_mortgage" / name
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            words = line.replace(",", " ").split()
            if words[:1] in (["persona"], ["emotion"], ["rating"], ["allow"]) and "derek" in words:
                expected.append((f"bank_mortgage/{name}", number))
    assert places == sorted(expected)
    assert {p for p, _ in places} == {
        "bank_mortgage/shared.journey",
        "bank_mortgage/mortgage.journey",
        "bank_mortgage/mortgage_next.journey",
    }
    without = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc_id(target),
            position=position_of(text, "persona derek ", len("persona ")),
            context=lsp.ReferenceContext(include_declaration=False),
        )
    )
    assert len(without or ()) == len(expected) - 1
    close_document(client, target)


async def test_references_and_definition_in_a_project_of_many_files(client: Client, workspace: Path) -> None:
    root = workspace / "many"
    people = root / "shared" / "people.journey"
    target, text = await opened(client, people)
    found = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc_id(target),
            position=position_of(text, "team marketing", len("team ")),
            context=lsp.ReferenceContext(include_declaration=False),
        )
    )
    # Every stage's touchpoint, and journey alpha, name `marketing` as owner.
    assert where(found, root) == sorted(
        [*((f"stages/s{i:02d}.journey", 5) for i in range(STAGES)), ("a.journey", line_of(root / "a.journey", "owner marketing"))]
    )
    close_document(client, target)
    stage = root / "stages" / "s07.journey"
    target, text = await opened(client, stage)
    nxt = await client.text_document_definition_async(lsp.DefinitionParams(doc_id(target), position_of(text, "next t08", 6)))
    assert where(nxt, root) == [("stages/s08.journey", 2)]
    close_document(client, target)


# -- rename -----------------------------------------------------------------------------------
async def test_rename_changes_the_declaration_and_every_reference_across_the_project(client: Client, workspace: Path) -> None:
    root = workspace / "examples"
    mortgage = root / "bank_mortgage" / "mortgage.journey"
    target, text = await opened(client, mortgage)
    pos = position_of(text, "    persona priya", len("    persona "))
    prepared = await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(doc_id(target), pos))
    assert isinstance(prepared, lsp.PrepareRenamePlaceholder) and prepared.placeholder == "priya"
    edit = await client.text_document_rename_async(lsp.RenameParams(doc_id(target), pos, "first_time_buyer"))
    assert edit is not None and edit.changes is not None
    files = {Path(u.removeprefix("file://")).relative_to(root).as_posix(): edits for u, edits in edit.changes.items()}
    assert set(files) == {"bank_mortgage/shared.journey", "bank_mortgage/mortgage.journey", "bank_mortgage/mortgage_next.journey"}
    for rel, edits in files.items():
        before = (root / rel).read_text(encoding="utf-8") if rel != "bank_mortgage/mortgage.journey" else text
        after = apply(before, list(edits))
        assert "priya" not in after.replace("Priya", "")  # every id; labels keep the name
        assert after.count("first_time_buyer") == before.count("first_time_buyer") + len(edits)
    close_document(client, target)


async def test_rename_refuses_keywords_invalid_ids_rules_and_clashes(client: Client, workspace: Path) -> None:
    text = SHOP.replace(
        '  touchpoint call "Calls sales" {\n', '  touchpoint call "Calls sales" {\n    allow missing-owner "no team yet"\n'
    )
    root = project(workspace, "rename", {"shared.journey": SHARED, "shop.journey": text})
    target, _ = await opened(client, root / "shop.journey", text)
    at_call = position_of(text, "next call", len("next "))

    async def refused(pos: lsp.Position, name: str) -> str:
        with pytest.raises(JsonRpcInvalidParams) as err:
            await client.text_document_rename_async(lsp.RenameParams(doc_id(target), pos, name))
        return str(err.value)

    assert "`stage` is a keyword of the language" in await refused(at_call, "stage")
    assert "`next` is a keyword" in await refused(at_call, "next")
    assert "`9lives` is not a valid id" in await refused(at_call, "9lives")
    assert "`sales-call` is not a valid id" in await refused(at_call, "sales-call")
    assert "`post` is already a touchpoint" in await refused(at_call, "post")
    assert "`buy` is already a stage" in await refused(at_call, "buy")  # stages and touchpoints share ids
    with pytest.raises(JsonRpcInvalidParams) as err:
        await client.text_document_prepare_rename_async(
            lsp.PrepareRenameParams(doc_id(target), position_of(text, "missing-owner", 2))
        )
    assert "names a rule of the validator" in str(err.value)
    with pytest.raises(JsonRpcInvalidParams) as err:
        await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(doc_id(target), position_of(text, '"1.0"', 1)))
    assert "put the cursor on an id" in str(err.value)
    # A valid new id works, and the result still checks clean of unknown references.
    edit = await client.text_document_rename_async(lsp.RenameParams(doc_id(target), at_call, "sales_call"))
    assert edit is not None and edit.changes is not None
    renamed = apply(text, list(edit.changes[target]))
    assert renamed.count("sales_call") == 3  # the declaration, `next` and the funnel
    close_document(client, target)


# -- symbols ----------------------------------------------------------------------------------
def _tree(symbols: list[lsp.DocumentSymbol]) -> list[tuple[str, lsp.SymbolKind, list[object]]]:
    return [(s.name, s.kind, _tree(list(s.children or []))) for s in symbols]


async def test_document_symbols_show_the_journey_its_stages_and_their_touchpoints(client: Client, workspace: Path) -> None:
    text = SHOP.replace("    rating 2\n", '    rating 2\n    pain slow "Slow answer" {\n      severity high\n    }\n')
    root = project(workspace, "outline", {"shared.journey": SHARED, "shop.journey": text})
    target, _ = await opened(client, root / "shop.journey", text)
    symbols = await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(doc_id(target)))
    assert isinstance(symbols, list) and all(isinstance(s, lsp.DocumentSymbol) for s in symbols)
    S = lsp.SymbolKind
    assert _tree(symbols) == [  # type: ignore[arg-type]
        (
            "shop",
            S.Namespace,
            [
                ("aware", S.Struct, [("post", S.Function, [])]),
                ("buy", S.Struct, [("call", S.Function, [("slow", S.Event, [])])]),
                ("calls", S.Constant, []),
            ],
        )
    ]
    (shop,) = symbols
    assert shop.detail == "Shop: from the blog to a call"  # type: ignore[union-attr]
    call = shop.children[1].children[0]  # type: ignore[union-attr,index]
    assert call.detail == "Calls sales" and call.range.start.line < call.selection_range.start.line + 1 <= call.range.end.line
    close_document(client, target)


async def test_workspace_symbols_find_declarations_in_every_project(client: Client, workspace: Path) -> None:
    found = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="calculator"))
    assert isinstance(found, list)
    assert found and all("calculator" in s.name.lower() for s in found)  # by id or by label
    exact = [s for s in found if s.name.split(" — ")[0] == "calculator"]
    places = sorted(Path(s.location.uri.removeprefix("file://")).name for s in exact)  # type: ignore[union-attr]
    assert places == ["mortgage.journey", "mortgage_next.journey"]
    assert all(s.kind == lsp.SymbolKind.Function and s.container_name == "explore" for s in exact)
    by_label = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="Step 17"))
    assert [s.name for s in by_label or ()] == ["t17 — Step 17"]


# -- formatting ------------------------------------------------------------------------------
async def test_formatting_gives_the_formatters_output(client: Client, workspace: Path) -> None:
    messy = SHOP.replace("    channel blog\n", "channel   blog   # where\n").replace('  version "1.0"\n', '      version "1.0"\n')
    root = project(workspace, "format", {"shared.journey": SHARED, "shop.journey": messy})
    target, _ = await opened(client, root / "shop.journey", messy)
    options = lsp.FormattingOptions(tab_size=2, insert_spaces=True)
    edits = await client.text_document_formatting_async(lsp.DocumentFormattingParams(doc_id(target), options))
    expected, _ = format_text(messy, "shop.journey")
    assert expected is not None and expected != messy
    assert apply(messy, list(edits or [])) == expected
    close_document(client, target)
    tidy = open_document(client, root / "shop.journey", expected)
    unchanged = await client.text_document_formatting_async(lsp.DocumentFormattingParams(doc_id(tidy), options))
    assert unchanged is not None and list(unchanged) == []
    close_document(client, tidy)
    broken = open_document(client, root / "shop.journey", SHOP + "stage {")
    assert await client.text_document_formatting_async(lsp.DocumentFormattingParams(doc_id(broken), options)) is None
    close_document(client, broken)


# -- code actions ---------------------------------------------------------------------------------
async def actions_for(client: Client, target: str, found: list[lsp.Diagnostic], code: str) -> list[lsp.CodeAction]:
    mine = [d for d in found if d.code == code]
    assert mine, f"no {code} among {[d.code for d in found]}"
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(doc_id(target), mine[0].range, lsp.CodeActionContext(diagnostics=mine))
    )
    assert result is not None
    return [a for a in result if isinstance(a, lsp.CodeAction)]


async def test_code_actions_apply_the_fixes_the_diagnostics_know(client: Client, workspace: Path) -> None:
    typo = SHOP.replace("next call", "next cal")
    root = project(workspace, "actions", {"shared.journey": SHARED, "shop.journey": typo})
    target = open_document(client, root / "shop.journey", typo)
    found = await diagnostics(client, target, 1)
    # Did you mean ...?
    (change,) = await actions_for(client, target, found, "CJ101")
    assert change.title == "Change to `call`" and change.is_preferred and change.kind == lsp.CodeActionKind.QuickFix
    fixed = apply(typo, list(change.edit.changes[target]))  # type: ignore[union-attr,index]
    assert fixed == SHOP
    # A missing owner: a stub with each team, the journey's owner first.
    owners = await actions_for(client, target, found, "CJ219")
    stubs = [a for a in owners if a.title.startswith("Add `owner")]
    assert [a.title for a in stubs] == ["Add `owner marketing` (Marketing)", "Add `owner sales` (Sales)"]
    owned = apply(typo, list(stubs[0].edit.changes[target]))  # type: ignore[union-attr,index]
    assert "    rating 2\n    owner marketing\n  }\n" in owned
    formatted, problems = format_text(owned, "shop.journey")
    assert formatted is not None and not problems
    # Any finding of a rule: allow it here, saying why.
    allow = next(a for a in owners if a.title.startswith("Allow"))
    assert allow.title == "Allow `missing-owner` here, saying why"
    allowed = apply(typo, list(allow.edit.changes[target]))  # type: ignore[union-attr,index]
    assert '    rating 2\n    allow missing-owner "TODO: say why the team accepts this"\n  }\n' in allowed
    close_document(client, target)
    # The result, checked again: the owner stub silences the finding.
    again = open_document(client, root / "shop.journey", owned)
    assert "CJ219" not in {d.code for d in await diagnostics(client, again, 1)}
    close_document(client, again)


async def test_code_actions_close_a_block_and_add_a_channel(client: Client, workspace: Path) -> None:
    unclosed = SHOP.removesuffix("}\n")
    root = project(workspace, "close", {"shared.journey": SHARED, "shop.journey": unclosed})
    target = open_document(client, root / "shop.journey", unclosed)
    found = await diagnostics(client, target, 1)
    (close,) = await actions_for(client, target, found, "CJ004")
    assert close.title == "Add `}` at the end of the file"
    assert apply(unclosed, list(close.edit.changes[target])) == SHOP  # type: ignore[union-attr,index]
    close_document(client, target)
    inner = SHOP.replace("    rating 2\n  }\n}\n", "    rating 2\n")
    target = open_document(client, root / "shop.journey", inner)
    found = await diagnostics(client, target, 1)
    fixes = await actions_for(client, target, found, "CJ004")
    # Two findings: `kpi` inside the touchpoint, and the stage never closed.
    assert sorted(a.title for a in fixes) == ["Add 2 `}`s at the end of the file", "Add `}` before this line"]
    before = next(a for a in fixes if a.title == "Add `}` before this line")
    once = apply(inner, list(before.edit.changes[target]))  # type: ignore[union-attr,index]
    assert "    rating 2\n  }\n\nkpi calls" in once
    at_end = next(a for a in fixes if a.title.startswith("Add 2"))
    assert apply(inner, list(at_end.edit.changes[target])).endswith("  owner marketing\n}\n  }\n}\n")  # type: ignore[union-attr,index]
    close_document(client, target)
    # A touchpoint without a channel.
    bare = SHOP.replace("    channel phone\n", "")
    target = open_document(client, root / "shop.journey", bare)
    found = await diagnostics(client, target, 1)
    stubs = [a for a in await actions_for(client, target, found, "CJ202") if a.title.startswith("Add `channel")]
    assert [a.title for a in stubs] == ["Add `channel blog` (Company blog)", "Add `channel phone` (Sales line)"]
    assert "    rating 2\n    channel phone\n  }\n" in apply(bare, list(stubs[1].edit.changes[target]))  # type: ignore[union-attr,index]
    close_document(client, target)


# -- folding and colours ---------------------------------------------------------------------
async def test_folding_ranges_follow_blocks_strings_and_comments(client: Client, workspace: Path) -> None:
    text = "# one\n# two\n# three\n" + SHOP.replace(
        '  version "1.0"\n', '  version "1.0"\n  description """\n    Two\n    lines\n  """\n'
    )
    root = project(workspace, "fold", {"shared.journey": SHARED, "shop.journey": text})
    target, _ = await opened(client, root / "shop.journey", text)
    ranges = await client.text_document_folding_range_async(lsp.FoldingRangeParams(doc_id(target)))
    got = sorted((r.start_line, r.end_line, r.kind) for r in ranges or ())
    lines = text.split("\n")
    journey = lines.index('journey shop "Shop: from the blog to a call" {')
    description = lines.index('  description """')
    post = lines.index('  touchpoint post "Reads a post" {')
    assert (0, 2, lsp.FoldingRangeKind.Comment) in got
    assert (journey, journey + 6, lsp.FoldingRangeKind.Region) in got  # up to the line before `}`
    assert (description, description + 2, lsp.FoldingRangeKind.Region) in got
    assert any(start == post and kind == lsp.FoldingRangeKind.Region for start, _, kind in got)
    close_document(client, target)


async def test_semantic_tokens_colour_ids_by_what_they_name(client: Client, workspace: Path) -> None:
    root = project(workspace, "tokens", {"shared.journey": SHARED, "shop.journey": SHOP})
    target, _ = await opened(client, root / "shop.journey", SHOP)
    result = await client.text_document_semantic_tokens_full_async(lsp.SemanticTokensParams(doc_id(target)))
    assert result is not None
    data = list(result.data)
    assert len(data) % 5 == 0
    tokens = []
    line = char = 0
    lines = SHOP.split("\n")
    for i in range(0, len(data), 5):
        d_line, d_char, length, kind, modifiers = data[i : i + 5]
        line += d_line
        char = d_char if d_line else char + d_char
        tokens.append((lines[line][char : char + length], kind, modifiers))
    named = [(text, TOKEN_TYPES[kind], modifiers) for text, kind, modifiers in tokens]
    assert ("shop", "namespace", 1) in named and ("post", "function", 1) in named
    assert ("call", "function", 0) in named and ("anna", "class", 0) in named and ("marketing", "type", 0) in named
    assert [t for t, _, _ in named[:3]] == ["shop", "marketing", "aware"]
    close_document(client, target)


async def test_document_uris_are_the_clients_own(client: Client, workspace: Path) -> None:
    """A document opened through a link answers under the URI the client used."""
    link = workspace / "scratch" / "linked"
    root = project(workspace, "real", {"shared.journey": SHARED, "shop.journey": SHOP.replace("next call", "next cal")})
    link.symlink_to(root, target_is_directory=True)
    target = open_document(client, link / "shop.journey")
    found = await diagnostics(client, target, 1)
    assert "CJ101" in {d.code for d in found}
    assert target == uri(link / "shop.journey")
    close_document(client, target)


async def test_navigation_works_while_the_file_is_being_typed(client: Client, workspace: Path) -> None:
    """A file with a syntax error is navigated in its last version that parsed, mapped
    onto the text being typed; rename waits for a file that parses."""
    root = project(workspace, "typing", {"shared.journey": SHARED, "shop.journey": SHOP})
    target, _ = await opened(client, root / "shop.journey", SHOP)
    # Typing a new line in the first stage: the file does not parse for now.
    broken = SHOP.replace("    next call\n", "    next call\n    persona \n")
    replace_all(client, target, broken, 2)
    assert "CJ001" in {d.code for d in await diagnostics(client, target, 2)}
    # From the funnel (after the edit) to the declaration of `call` (after it too).
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(doc_id(target), position_of(broken, "-> call", len("-> ")))
    )
    declared = position_of(broken, 'touchpoint call "', len("touchpoint "))
    assert isinstance(found, list) and [loc.range.start for loc in found] == [declared]
    shown = await client.text_document_hover_async(lsp.HoverParams(doc_id(target), position_of(broken, "next call", 6)))
    assert shown is not None and "**touchpoint** `call`" in shown.contents.value  # type: ignore[union-attr]
    # Completion after the new `persona `: the ids of the last version that parsed.
    items = await client.text_document_completion_async(
        lsp.CompletionParams(doc_id(target), position_of(broken, "    persona \n", len("    persona ")))
    )
    assert {i.label for i in items.items} == {"anna"}  # type: ignore[union-attr]
    with pytest.raises(JsonRpcInvalidParams) as err:
        await client.text_document_rename_async(
            lsp.RenameParams(doc_id(target), position_of(broken, "-> call", len("-> ")), "sales_call")
        )
    assert "does not parse as it is now" in str(err.value)
    close_document(client, target)


async def test_levels_link_the_journeys_of_a_folder(client: Client, workspace: Path) -> None:
    """b2b_logistics: `part_of` and `detail` lead to the journeys they name, in other
    files; an `allow ... for mark` names the persona; the files check clean, as
    `cjdsl check` finds them."""
    root = workspace / "examples"
    folder = root / "b2b_logistics"
    onboarding, text = await opened(client, folder / "onboarding.journey")
    assert await diagnostics(client, onboarding, 1) == []
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(doc_id(onboarding), position_of(text, "\n  part_of b2b_logistics", len("\n  part_of ")))
    )
    shipping = folder / "shipping.journey"
    assert where(found, root) == [("b2b_logistics/shipping.journey", line_of(shipping, "journey b2b_logistics "))]
    mark = await client.text_document_hover_async(
        lsp.HoverParams(
            doc_id(onboarding),
            position_of(text, "\n  allow persona-missing-from-stage for mark", len("\n  allow persona-missing-from-stage for m")),
        )
    )
    assert mark is not None and mark.contents.value.startswith("**persona** `mark`")  # type: ignore[union-attr]
    close_document(client, onboarding)
    lifecycle, text = await opened(client, folder / "lifecycle.journey")
    assert await diagnostics(client, lifecycle, 1) == []
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(doc_id(lifecycle), position_of(text, "    detail b2b_logistics", len("    detail ")))
    )
    assert where(found, root) == [("b2b_logistics/shipping.journey", line_of(shipping, "journey b2b_logistics "))]
    # The journey's references: the lifecycle's `detail` and the onboarding's `part_of`.
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc_id(lifecycle),
            position=position_of(text, "    detail b2b_logistics", len("    detail ")),
            context=lsp.ReferenceContext(include_declaration=False),
        )
    )
    assert where(refs, root) == sorted(
        [
            ("b2b_logistics/lifecycle.journey", line_of(folder / "lifecycle.journey", "    detail b2b_logistics")),
            ("b2b_logistics/onboarding.journey", line_of(folder / "onboarding.journey", "\n  part_of b2b_logistics") + 1),
        ]
    )
    close_document(client, lifecycle)
