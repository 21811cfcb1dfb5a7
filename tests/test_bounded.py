"""Hostile sources cost near-linear time and bounded output, and never a traceback.

Each path that once grew faster than its input (a pull request from a fork can hold any
text) is tried here with several hostile shapes. The tests count what was done (findings
kept, recoveries, suggestions, the work charged to a budget) rather than time it;
`benchmarks/bounded.py` prints the timings.
"""

from __future__ import annotations

import difflib
import itertools
import json
import random
import tracemalloc
from collections.abc import Iterable
from pathlib import Path

import pytest

import cjdsl
from cjdsl.cli.report import EXCERPT_WIDTH, _display_width, render_full
from cjdsl.core.diagnostics import CloseMatches, Diagnostic, SuggestionBudget, did_you_mean
from cjdsl.core.resolved import ResolvedJourney
from cjdsl.core.span import Span
from cjdsl.language.parser import MAX_RECOVERIES, MAX_SYNTAX_ERRORS, parse
from cjdsl.project.resolve import SourceFile, check_references, resolve
from cjdsl.rules import MAX_FINDINGS_EXAMINED, MAX_FINDINGS_PER_RULE, Context, RuleSettings, all_rules, run_rules
from cjdsl.rules.suppression import Suppressions
from tests.conftest import write

HEADER = 'journey j "J" {\n  owner t\n}\nteam t "T"\n'


def journey_of(text: str, path: str = "h.journey") -> ResolvedJourney:
    result = parse(text, path)
    assert result.document is not None, result.diagnostics[:2]
    source = SourceFile(Path("/" + path), path, result)
    journey, _ = resolve(source, Path("/"), lambda p: SourceFile(p, str(p), None))
    assert journey is not None
    return journey


# -- did you mean ---------------------------------------------------------------------------


def difflib_suggestion(word: str, candidates: Iterable[str]) -> str | None:
    """What `did_you_mean` answered before it had an index: the reference."""
    pool = list(candidates)
    matches = difflib.get_close_matches(word, sorted(set(pool)), n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return matches[0] if matches else None


def test_close_matches_suggest_exactly_what_difflib_did() -> None:
    rng = random.Random(11)
    alphabet = "aabcdeeilmnoprstu_T"
    for _ in range(300):
        pool = ["".join(rng.choices(alphabet, k=rng.randrange(1, 25))) for _ in range(rng.randrange(1, 60))]
        index = CloseMatches(pool, SuggestionBudget(10**12))
        words = [
            *rng.sample(pool, min(5, len(pool))),
            *("".join(rng.choices(alphabet, k=rng.randrange(0, 30))) for _ in range(5)),
        ]
        words += [w.upper() for w in words[:2]] + [w[:-1] + "x" for w in words[:3] if w]
        for word in words:
            assert index.best(word) == difflib_suggestion(word, pool), (word, pool)


def test_ties_and_case_go_the_way_they_went() -> None:
    # Equal scores: the greatest candidate wins, as with difflib's nlargest.
    assert difflib_suggestion("abc", ["abx", "aby", "xbc"]) == "xbc"
    assert did_you_mean("abc", ["abx", "aby", "xbc"]) == "did you mean `xbc`?"
    assert did_you_mean("BLOG_POST_LONG", ["blog_post_long"]) == "did you mean `blog_post_long`?"
    assert did_you_mean("zzzz", ["blog"]) is None
    assert did_you_mean("", ["a", ""]) == "did you mean ``?" and did_you_mean("", []) is None


def test_suggestions_stop_once_the_budget_is_spent() -> None:
    pool = [f"touchpoint_{n:05d}" for n in range(5000)]
    budget = SuggestionBudget(200_000)
    index = CloseMatches(pool, budget)
    answers = [index.best(f"touchpoint_{n:05d}x") for n in range(200)]
    # The first words get difflib's answer; then the budget is gone and nothing more is tried.
    assert answers[0] == difflib_suggestion("touchpoint_00000x", pool)
    assert budget.left == 0
    assert answers[-1] is None and sum(a is not None for a in answers) < 10
    assert index.best("touchpoint_00001") is None  # even an exact-length near miss: the budget is spent


def test_a_huge_word_or_candidate_is_charged_before_it_is_compared() -> None:
    budget = SuggestionBudget(50_000)
    index = CloseMatches(["a" * 100_000, "b" * 100_000], budget)
    assert index.best("a" * 99_999 + "c") is None  # one ratio would cost 10^10: refused
    assert budget.left == 0
    assert CloseMatches(["team"], SuggestionBudget(1)).best("x" * 1_000_000) is None


@pytest.mark.parametrize("kinds", ["next", "persona", "intent"])
def test_thousands_of_unknown_references_all_get_help_within_the_budget(kinds: str) -> None:
    n = 3000
    if kinds == "next":
        decls = "".join(f'  touchpoint tp_{i:05d} "T"\n' for i in range(n))
        use = "next " + ", ".join(f"tp_{i:05d}x" for i in range(n))
        text = f'{HEADER}stage a "A" phase awareness {{\n  touchpoint s "S" {{\n    {use}\n  }}\n{decls}}}\n'
    else:
        decls = "".join(f'{kinds} {kinds[0]}_{i:05d} "X"\n' for i in range(n))
        use = f"{kinds} " + ", ".join(f"{kinds[0]}_{i:05d}x" for i in range(n))
        text = f'{HEADER}{decls}stage a "A" phase awareness {{\n  touchpoint s "S" {{\n    {use}\n  }}\n}}\n'
    found = check_references(journey_of(text))
    assert len(found) == n and all(d.code == "CJ101" and d.help for d in found)
    suggested = [d for d in found if d.help and d.help.startswith("did you mean")]
    # The first get difflib's suggestion; once the run's budget is spent the others say
    # what is declared instead: a fixed amount of work, not ids × references.
    assert 0 < len(suggested) < n // 10
    assert found[0].help == f"did you mean `{kinds[0] if kinds != 'next' else 'tp'}_00000`?" or found[0].help.startswith(
        "did you mean"
    )
    assert found[-1].help.endswith(", ...") and "declared: " in found[-1].help


def test_huge_declared_ids_are_cut_in_the_help_of_each_unknown_reference() -> None:
    big = ["a" * 50_000 + str(i) for i in range(3)]
    decls = "".join(f'  touchpoint {b} "T"\n' for b in big)
    refs = ", ".join(f"zz{i}" for i in range(500))
    text = f'{HEADER}stage a "A" phase awareness {{\n  touchpoint s "S" {{\n    next {refs}\n  }}\n{decls}}}\n'
    found = check_references(journey_of(text))
    assert len(found) == 500
    assert all(len(d.help or "") < 300 for d in found), max(len(d.help or "") for d in found)
    assert "…" in (found[0].help or "")


# -- CJ208 ----------------------------------------------------------------------------------


def cj208_reference(j: ResolvedJourney, wanted: int) -> list[str]:
    """The rule's findings computed the plain way (every intent of every target of every
    entry looked at again), as the reference for the rule's own counting."""
    if not any(tp.next for tp in j.touchpoints):
        return []
    out = []
    for tp in j.touchpoints:
        if not tp.entry or tp.channel is None or tp.channel.id != "w":
            continue
        ids = dict.fromkeys(r.id for r in tp.next if r.id != tp.id and r.id in j.touchpoint)
        targets = [j.touchpoint[i] for i in ids]
        served = [i.id for i in j.intents if any(r.id == i.id for t in targets for r in t.intents)]
        own = [i for i in dict.fromkeys(r.id for r in tp.intents) if i in served]
        if not served:
            continue
        for intent in sorted(own or served, key=[i.id for i in j.intents].index):
            count = sum(1 for t in targets if any(r.id == intent for r in t.intents))
            if count < wanted:
                out.append(f"{tp.id}:{intent}:{count}")
    return out


def cj208(j: ResolvedJourney, wanted: int = 3) -> list[str]:
    rule = all_rules()["CJ208"]
    assert rule.check is not None
    out = []
    for f in rule.check(j, Context({"paths": wanted})):
        tp_id = f.message.split("`", 2)[1]
        intent = f.message.split("intent `", 1)[1].split("`", 1)[0] if "intent `" in f.message else "*"
        out.append(f"{tp_id}:{intent}:{f.message.split('offers ', 1)[1].split(' ', 1)[0]}")
    return out


def test_cj208_finds_what_it_found_on_random_maps() -> None:
    rng = random.Random(208)
    for trial in range(150):
        n = rng.randrange(1, 25)
        intents = [f"i{k}" for k in range(rng.randrange(1, 6))]
        lines = [HEADER, 'channel w "W" online web\nchannel x "X" online ads\n', *(f'intent {i} "I"\n' for i in intents)]
        lines.append('stage a "A" phase awareness {\n')
        for k in range(n):
            body = [rng.choice(["channel w", "channel w", "channel x"])]
            if rng.random() < 0.4:
                body.append("entry")
            if rng.random() < 0.8:
                body.append("intent " + ", ".join(rng.choices(intents, k=rng.randrange(1, 5))))  # repeats too
            if rng.random() < 0.7:  # repeats, itself, and ids that do not exist
                body.append("next " + ", ".join(rng.choice([f"t{rng.randrange(n)}", f"t{k}", "ghost"]) for _ in range(5)))
            lines.append(f'  touchpoint t{k} "T" {{\n    ' + "\n    ".join(body) + "\n  }\n")
        lines.append("}\n")
        j = journey_of("".join(lines))
        for wanted in (0, 1, 3, 10):
            assert cj208(j, wanted) == cj208_reference(j, wanted), (trial, wanted)


def cj208_text(k: int, entries: int, disjoint: bool) -> str:
    intents = ", ".join(f"i{n}" for n in range(k))
    served = ", ".join(f"{'j' if disjoint else 'i'}{n}" for n in range(k))
    targets = ", ".join(f"t{n}" for n in range(k))
    out = [HEADER, 'channel w "W" online web\n', *(f'intent {x}{n} "I"\n' for x in "ij" for n in range(k))]
    out.append('stage a "A" phase awareness {\n')
    out += [
        f'  touchpoint e{n} "E" {{\n    channel w\n    entry\n    intent {intents}\n    next {targets}\n  }}\n'
        for n in range(entries)
    ]
    out.append('}\nstage b "B" phase interest {\n')
    out += [f'  touchpoint t{n} "T" {{\n    intent {served}\n  }}\n' for n in range(k)]
    return "".join([*out, "}\n"])


@pytest.mark.parametrize(("k", "entries"), [(200, 1), (80, 80)])
def test_cj208_on_a_fan_out_of_intents_and_targets_finds_nothing_missing(k: int, entries: int) -> None:
    j = journey_of(cj208_text(k, entries, disjoint=False))
    assert cj208(j) == []


def test_cj208_stops_with_a_finding_where_counting_would_take_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = all_rules()["CJ208"]  # first: it registers every rule
    assert rule.check is not None
    import cjdsl.rules.cj208_too_few_first_visit_paths as cj208_module

    assert cj208_module.WORK_LIMIT < 240**3  # 240 entries × 240 next steps × 240 intents
    monkeypatch.setattr(cj208_module, "WORK_LIMIT", 50_000)  # the same shape, smaller, to keep the test quick
    k = 60
    j = journey_of(cj208_text(k, k, disjoint=True))
    findings = list(rule.check(j, Context({"paths": 3})))
    stop = findings[-1]
    assert stop.message.startswith("too many first-visit paths to count: stopped at entry touchpoint")
    done = int(stop.message.split("after ", 1)[1].split(" of ", 1)[0])
    assert 0 < done < k and stop.message.endswith(f"after {done} of {k}")
    # Until it stopped, every entry was counted: none of its own intents is served, so the
    # intents its next steps serve were checked, and each has its paths.
    assert len(findings) == 1
    # The fan-out of the same size needs no such stop: each intent has its paths at once.
    assert list(rule.check(journey_of(cj208_text(k, k, disjoint=False)), Context({"paths": 3}))) == []


# -- CJ212 and the findings cap --------------------------------------------------------------


def stage_persona_text(stages: int, personas: int, extra: str = "", last_stage: str = "") -> str:
    out = [HEADER, extra, *(f'persona p{n} "P"\n' for n in range(personas))]
    for n in range(stages):
        inner = last_stage if n == stages - 1 else ""
        out.append(f'stage s{n} "S" phase awareness {{\n{inner}  touchpoint t{n} "T" {{\n    persona p0\n  }}\n}}\n')
    return "".join(out)


def rule_diagnostics(diagnostics: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == code]


def test_cj212_yields_lazily_and_keeps_no_list_of_pairs() -> None:
    j = journey_of(stage_persona_text(1500, 1500))
    rule = all_rules()["CJ212"]
    assert rule.check is not None
    tracemalloc.start()
    try:
        first = list(itertools.islice(rule.check(j, Context()), 5))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [f.about for f in first] == [("p1",), ("p2",), ("p3",), ("p4",), ("p5",)]
    assert peak < 2_000_000  # 2.2 million findings would take gigabytes


def test_a_stage_with_a_touchpoint_for_everyone_misses_no_persona() -> None:
    text = stage_persona_text(3, 50).replace('touchpoint t1 "T" {\n    persona p0\n  }', 'touchpoint t1 "T" {\n  }')
    found = run_rules([journey_of(text)], RuleSettings(select=("CJ212",)))[0]
    assert {d.span.line for d in found if d.span} == {d.span.line for d in found if d.span and "`s1`" not in d.message}
    assert not any("stage `s1`" in d.message for d in found) and len(found) == 2 * 49


@pytest.mark.parametrize(("stages", "personas"), [(10, 30), (60, 60), (5, 2000)])
def test_a_rule_reports_its_first_findings_and_counts_the_rest(stages: int, personas: int) -> None:
    total = stages * (personas - 1)
    active, silenced = run_rules([journey_of(stage_persona_text(stages, personas))], RuleSettings(select=("CJ212",)))
    assert silenced == []
    if total <= MAX_FINDINGS_PER_RULE:
        assert len(active) == total and not any("not shown" in d.message for d in active)
        return
    assert len(active) == MAX_FINDINGS_PER_RULE + 1
    summary = active[-1]
    more = total - MAX_FINDINGS_PER_RULE
    assert summary.message == f"and {more:,} more `persona-missing-from-stage` findings not shown"
    assert summary.code == "CJ212" and summary.span == active[-2].span  # at the last place reported


def test_a_rule_with_more_findings_than_it_looks_at_is_cut_off() -> None:
    stages, personas = 3000, 3000  # 9 million pairs
    assert stages * (personas - 1) > MAX_FINDINGS_EXAMINED
    text = stage_persona_text(
        stages,
        personas,
        extra='stage s_first "F" phase awareness {\n  allow dead-end "why"\n  touchpoint f "F" {\n    persona p0\n  }\n}\n',
        last_stage='  allow persona-missing-from-stage for p7 "never reached before the cut"\n',
    )
    active, _ = run_rules([journey_of(text)], RuleSettings(select=("CJ212", "CJ250")))
    cj212 = rule_diagnostics(active, "CJ212")
    assert len(cj212) == MAX_FINDINGS_PER_RULE + 1
    assert cj212[-1].message == (
        f"and more `persona-missing-from-stage` findings not shown: the rule stopped after {MAX_FINDINGS_EXAMINED:,} findings"
    )
    # The cut-off rule's `allow` might have silenced a finding it never produced: not judged.
    # dead-end is not selected here, so that `allow` is reported, as before.
    unused = rule_diagnostics(active, "CJ250")
    assert [d.message for d in unused] == ["`allow dead-end` silences a rule that is not enabled"]


def test_suppressed_findings_are_capped_too_and_say_how_many_more() -> None:
    text = stage_persona_text(40, 40).replace(
        'journey j "J" {\n', 'journey j "J" {\n  allow persona-missing-from-stage "a map of many personas"\n'
    )
    active, silenced = run_rules([journey_of(text)], RuleSettings(select=("CJ212", "CJ250")))
    assert active == []  # every finding silenced and the `allow` used: no CJ250 either
    assert len(silenced) == MAX_FINDINGS_PER_RULE + 1
    assert (
        silenced[-1].message
        == f"and {40 * 39 - MAX_FINDINGS_PER_RULE:,} more suppressed `persona-missing-from-stage` findings not shown"
    )
    assert silenced[-1].suppression is not None and silenced[-1].suppression.reason == "a map of many personas"


def test_allow_for_one_persona_still_works_past_the_cap(project: Path) -> None:
    text = stage_persona_text(30, 30, last_stage='  allow persona-missing-from-stage for p3, p4 "they skip the last stage"\n')
    write(project, {"j.journey": text, "cjdsl.toml": 'select = ["CJ212", "CJ250"]\n'})
    result = cjdsl.check([project])
    assert {d.message for d in result.suppressed} == {
        "persona `p3` has no touchpoint in stage `s29`",
        "persona `p4` has no touchpoint in stage `s29`",
    }
    counted = [d for d in result.diagnostics if d.code == "CJ212"]
    (summary,) = [d for d in counted if "not shown" in d.message]
    assert len(counted) == MAX_FINDINGS_PER_RULE + 1
    assert summary.message.startswith(f"and {30 * 29 - 2 - MAX_FINDINGS_PER_RULE:,} more")
    assert not [d for d in result.diagnostics if d.code == "CJ250"]


def test_many_unused_allows_are_capped_like_any_rule() -> None:
    tps = "".join(f'  touchpoint t{n} "T" {{\n    allow dead-end "why"\n    next t{n + 1}\n  }}\n' for n in range(400))
    text = f'{HEADER}stage a "A" phase awareness {{\n{tps}  touchpoint t400 "T"\n}}\nstage b "B" phase interest {{\n}}\n'
    active, _ = run_rules([journey_of(text)], RuleSettings(select=("CJ210", "CJ250")))
    unused = rule_diagnostics(active, "CJ250")
    assert len(unused) == MAX_FINDINGS_PER_RULE + 1 and unused[-1].message.startswith("and 200 more `unused-suppression`")


# -- `allow` blocks: the scopes covering a place ---------------------------------------------


def test_the_scopes_covering_a_place_are_the_ones_a_scan_finds() -> None:
    rng = random.Random(5)
    blocks = []
    for s in range(8):
        tps = []
        for t in range(rng.randrange(0, 4)):
            pain = (
                '    pain q{s}_{t} "Q" {{\n      allow pain-without-opportunity\n'
                '      opportunity o{s}_{t} "O" {{\n        allow unprioritised-opportunity\n      }}\n    }}\n'
            )
            allow = "    allow dead-end\n" if rng.random() < 0.6 else ""
            tps.append(f'  touchpoint t{s}_{t} "T" {{\n{allow}' + (pain.format(s=s, t=t) if rng.random() < 0.5 else "") + "  }\n")
        allow = "  allow stage-without-touchpoints\n" if rng.random() < 0.5 else ""
        blocks.append(f'stage s{s} "S" phase awareness {{\n{allow}' + "".join(tps) + "}\n")
    text = 'journey j "J" {\n  owner t\n  allow dead-end\n}\nteam t "T"\n' + "".join(blocks)
    j = journey_of(text)
    allows = Suppressions([j])
    lines = j.stages[0].span.lines
    for start in range(len(text)):
        for size in (0, 1, 7, 40):
            span = Span("h.journey", start, min(len(text), start + size), lines)
            assert allows.covering(span) == [s for s in allows.scopes if s.covers(span)], (start, size)
    assert allows.covering(None) == [s for s in allows.scopes if s.covers(None)]
    assert allows.covering(Span("other.journey", 0, 1, lines)) == []


# -- syntax errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "junk",
    [
        "@" * 200_000,  # characters no token starts with
        "@\n" * 100_000,  # one per line, never after a token
        "}" * 200_000,  # tokens the parser drops one by one
        "x " * 100_000,  # names where a declaration was expected
        '"\n' * 100_000,  # strings never closed
        "\x01\x02" * 100_000,  # control characters
        'stage s "S" { touchpoint t "T" { rating @ 4 } } ' * 5_000,  # an error per block, all on one line
    ],
    ids=["at", "at-lines", "braces", "names", "quotes", "control", "one-line"],
)
def test_a_file_of_junk_stops_after_a_bounded_number_of_recoveries(junk: str) -> None:
    result = parse(junk, "junk.journey")
    assert result.document is None
    assert 1 <= len(result.diagnostics) <= MAX_SYNTAX_ERRORS + 1
    last = result.diagnostics[-1]
    assert last.code == "CJ008" and last.message.startswith(f"stopped after {MAX_RECOVERIES:,} places in this file")
    assert last.span is not None and last.span.start < len(junk) // 4  # it stopped near the start, not at the end


def test_ordinary_errors_still_stop_after_twenty_reports() -> None:
    source = "".join(f"persona p{i} {{ agee {i} }}\n" for i in range(100))
    result = parse(source, "f.journey")
    assert len(result.diagnostics) == MAX_SYNTAX_ERRORS + 1
    assert result.diagnostics[-1].message.startswith(f"stopped after {MAX_SYNTAX_ERRORS} syntax errors")


@pytest.mark.parametrize(
    "source",
    [
        "stage " + "x" * 100_000 + " {",
        "team t { " + "ż" * 100_000 + " }",
        "stage s { touchpoint t { " + "q" * 100_000 + " } }",
    ],
    ids=["name", "non-ascii-id", "attribute"],
)
def test_a_huge_token_is_quoted_cut_in_syntax_messages(source: str) -> None:
    result = parse(source, "f.journey")
    assert result.diagnostics
    for d in result.diagnostics:
        assert len(d.message) + len(d.help or "") < 2_000, d.message[:100]


# -- the full report -------------------------------------------------------------------------


def one_line_report(text: str) -> tuple[str, list[Diagnostic]]:
    result = parse(text, "line.journey")
    source = SourceFile(Path("/line.journey"), "line.journey", result)
    _, diagnostics = resolve(source, Path("/"), lambda p: SourceFile(p, str(p), None))
    return render_full(diagnostics), diagnostics


def excerpts(out: str) -> list[tuple[str, str]]:
    """(source line shown, caret line) of each diagnostic in a full report."""
    lines = out.split("\n")
    return [
        (lines[i].split(" | ", 1)[1], lines[i + 1].split(" | ", 1)[1]) for i, line in enumerate(lines) if line.startswith("1 | ")
    ]


def test_a_one_line_file_prints_a_window_per_diagnostic() -> None:
    refs = ", ".join(f"nowhere_{n}" for n in range(3000))
    text = f'journey j "J" {{ owner t }} team t "T" stage a "A" phase awareness {{ touchpoint s "S" {{ next {refs} }} }}'
    out, diagnostics = one_line_report(text)
    assert len(diagnostics) == 3000 and len(text) > 40_000
    assert len(out) < 600 * len(diagnostics)  # was the whole 40 kB line each time
    shown = excerpts(out)
    assert len(shown) == 3000
    for (line, caret), d in zip(shown, diagnostics, strict=True):
        assert _display_width(line) <= EXCERPT_WIDTH
        ref = d.message.split("`")[1]
        start = len(caret) - len(caret.lstrip(" "))
        assert line[start : start + len(ref)] == ref and caret.strip() == "^" * len(ref), (line, caret)
    # Every reference is past the first 40 columns, so each window is cut on the left; the
    # last few reach the end of the line.
    assert all(line.startswith("…") for line, _ in shown)
    assert all(line.endswith("…") for line, _ in shown[:-10]) and not shown[-1][0].endswith("…")


@pytest.mark.parametrize("filler", ["x", "日本", "e\u0301", "\t"], ids=["ascii", "wide", "combining", "tabs"])
@pytest.mark.parametrize("where", [0, 5_000, 9_990])
def test_the_caret_stays_under_its_place_in_any_script(filler: str, where: int) -> None:
    pad = filler * (10_000 // len(filler))
    text = f'team t "{pad[:where]}" team t2 "{pad[where:]}"\nteam t "again"'
    result = parse(text, "w.journey")
    span = Span("w.journey", text.index("t2"), text.index("t2") + 2, result.lines)
    diag = Diagnostic("CJ102", cjdsl.Severity.ERROR, "m", span)
    ((line, caret),) = excerpts(render_full([diag]))
    assert _display_width(line) <= EXCERPT_WIDTH
    start = _display_width(caret) - len(caret.lstrip(" "))
    before = line.expandtabs(1)
    # The characters above the caret are the id.
    col = 0
    for i, c in enumerate(before):
        if col == start:
            assert before[i : i + 2] == "t2", (before, caret)
            break
        col += _display_width(c)
    else:
        raise AssertionError((before, caret))


def test_a_span_over_the_window_marks_the_cut_with_the_caret() -> None:
    text = 'team t "' + "y" * 5_000 + '"'
    result = parse(text, "s.journey")
    span = Span("s.journey", 100, 4_000, result.lines)
    ((line, caret),) = excerpts(render_full([Diagnostic("CJ999", cjdsl.Severity.ERROR, "m", span)]))
    assert line.startswith("…") and line.endswith("…") and caret.endswith("^") and len(caret) == len(line)


def test_short_lines_print_as_before() -> None:
    text = 'journey j "J" { owner nobody }\n'
    out, _ = one_line_report(text)
    assert '1 | journey j "J" { owner nobody }\n  |                       ^^^^^^\n' in out


# -- patterns: RE2, checked when the journey is checked -------------------------------------


def pattern_diagnostics(pattern: str) -> list[Diagnostic]:
    from cjdsl.language.values import check_document

    escaped = pattern.replace("\\", "\\\\").replace('"', '\\"')
    text = f'stage s "S" {{\n  touchpoint t "T" {{\n    event "E" {{\n      p string pattern "{escaped}"\n    }}\n  }}\n}}\n'
    result = parse(text, "p.journey")
    assert result.document is not None, result.diagnostics
    return [d for d in check_document(result.document) if d.code == "CJ106"]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", "invalid escape sequence: \\1"),
        (r"^(?=.*\d).+$", "invalid perl operator: (?="),
        (r"^(?!admin).*", "invalid perl operator: (?!"),
        (r"(?<=@)\w+", "invalid perl operator: (?<"),
        (r"(?<!x)y", "invalid perl operator: (?<"),
        (r"a{1001}", "invalid repetition size: {1001}"),
    ],
    ids=["backreference", "lookahead", "negative-lookahead", "lookbehind", "negative-lookbehind", "count"],
)
def test_a_pattern_re2_cannot_run_is_an_error_with_its_place(pattern: str, reason: str) -> None:
    (d,) = pattern_diagnostics(pattern)
    assert d.message.startswith("the pattern of property `p` is not supported: ") and reason in d.message
    assert d.span is not None and (d.span.line, d.span.column) == (4, 16)  # its `pattern`
    assert d.help is not None and "RE2" in d.help and "backreferences" in d.help and "lookaround" in d.help


@pytest.mark.parametrize(
    "pattern",
    [r"^(a+)+$", r"^(\d+)*x$", r"^[0-9]{2}-[0-9]{3}$", r"^\p{L}+$", r"(x+x+)+y", r"[[:alpha:]]"],
)
def test_patterns_that_backtrack_are_accepted_because_re2_does_not(pattern: str) -> None:
    assert pattern_diagnostics(pattern) == []


@pytest.mark.parametrize("pattern", ["(" * 3000 + ")" * 3000, "a{99999999999999999999}", "(" * 100_000, "x" * 100_000])
def test_patterns_that_break_python_re_never_raise(pattern: str) -> None:
    found = pattern_diagnostics(pattern)
    assert all(len(d.message) < 300 for d in found)


def test_re2_prints_nothing_of_its_own(tmp_path: Path) -> None:
    import subprocess
    import sys

    text = HEADER + 'stage s "S" {\n  touchpoint t "T" {\n    event "E" {\n      p string pattern "(a)\\\\1"\n    }\n  }\n}\n'
    write(tmp_path, {"cjdsl.toml": "", "j.journey": text})
    proc = subprocess.run(
        [sys.executable, "-m", "cjdsl", "check", "--format", "concise", str(tmp_path)], capture_output=True, text=True
    )
    assert proc.returncode == 1 and "CJ106" in proc.stdout
    assert "re2" not in proc.stderr.lower() and "Error parsing" not in proc.stderr, proc.stderr


# -- events validate -------------------------------------------------------------------------


def plan_with(props: str) -> object:
    from cjdsl.tracking.plan import build_plan

    text = f'{HEADER}stage a "A" phase awareness {{\n  touchpoint t "T" {{\n    event "Thing Done" {{\n{props}    }}\n  }}\n}}\n'
    return build_plan([journey_of(text)])


def validate(props: str, lines: list[str | bytes]) -> object:
    from cjdsl.tracking.validate import validate_lines

    return validate_lines(plan_with(props), lines)  # type: ignore[arg-type]


def track(**properties: object) -> str:
    return json.dumps({"type": "track", "event": "Thing Done", "properties": properties}, allow_nan=True)


def test_a_redos_pattern_runs_in_linear_time_against_captured_values() -> None:
    import time

    values = ["a" * 33 + "b", "a" * 200_000 + "b", "a" * 200_000, "x" + "a" * 50]
    start = time.perf_counter()
    report = validate('      code string pattern "^(a+)+$"\n', [track(code=v) for v in values])
    # Backtracking `re` took over a minute for the first line alone; RE2 reads each once.
    assert time.perf_counter() - start < 10
    stats = report.events["Thing Done"]  # type: ignore[attr-defined]
    assert (stats.seen, stats.valid, stats.invalid) == (4, 1, 3)
    assert stats.reasons[0] == "line 1: `code` should match ^(a+)+$"


@pytest.mark.parametrize(
    ("pattern", "value", "ok"),
    [
        ("b", "abc", True),  # unanchored search, as JSON Schema's pattern
        ("^a", "ba", False),
        ("c$", "abc", True),
        ("^abc$", "abc\n", False),  # `$` is the end of the text (ECMA 262, RE2), not before a final newline
        (r"^\d+$", "١٢٣", False),  # `\d` is ASCII digits, as in ECMA 262
        (r"^\p{L}+$", "zażółć", True),
        (".", "\ud800", True),  # a lone surrogate, valid in JSON text, does not stop the run
    ],
)
def test_patterns_search_captured_values_as_json_schema_does(pattern: str, value: str, ok: bool) -> None:
    escaped = pattern.replace("\\", "\\\\")
    report = validate(f'      code string pattern "{escaped}"\n', [track(code=value)])
    stats = report.events["Thing Done"]  # type: ignore[attr-defined]
    assert (stats.valid, stats.invalid) == ((1, 0) if ok else (0, 1)), stats.reasons


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_numbers_json_does_not_have_are_invalid(value: str) -> None:
    line = '{"type": "track", "event": "Thing Done", "properties": {"score": %s}}' % value  # noqa: UP031
    report = validate("      score number min 0 max 10\n      count integer\n", [line, line.replace("score", "count")])
    stats = report.events["Thing Done"]  # type: ignore[attr-defined]
    assert (stats.seen, stats.valid, stats.invalid) == (2, 0, 2)
    assert all("should be a finite number, got" in r for r in stats.reasons), stats.reasons


def test_a_deeply_nested_line_is_unreadable_and_the_run_goes_on() -> None:
    lines: list[str | bytes] = [
        "[" * 100_000,
        '{"type": "track", "event": "Thing Done", "properties": {"n": ' + "[" * 100_000 + "]" * 100_000 + "}}",
        '{"type": "track", "event": ' + "[" * 50_000 + "]" * 50_000 + "}",
        "{" * 100_000,
        b"\xff\xfe not utf-8",
        "[1, 2]",
        '{"type": "track"}',
        '{"type": "track", "event": "Thing Done", "properties": {"n": ' + "9" * 5000 + "}}",
        track(n=3),
    ]
    report = validate("      n integer\n", lines)
    assert report.total == 9  # type: ignore[attr-defined]
    assert report.unreadable_count == 8, report.unreadable  # type: ignore[attr-defined]
    assert report.unreadable[0] == "line 1: JSON nested too deeply to read"  # type: ignore[attr-defined]
    stats = report.events["Thing Done"]  # type: ignore[attr-defined]
    assert (stats.seen, stats.valid) == (1, 1)


def test_a_value_nested_just_within_reach_gets_a_short_reason() -> None:
    deep = "[" * 500 + "]" * 500
    line = '{"type": "track", "event": "Thing Done", "properties": {"n": ' + deep + "}}"
    report = validate("      n integer\n", [line, track(n="x" * 100_000), track(n={"k" * 10_000: [1] * 10_000})])
    stats = report.events["Thing Done"]  # type: ignore[attr-defined]
    assert stats.invalid == 3 and all(len(r) < 200 for r in stats.reasons), stats.reasons
    assert stats.reasons[0] == "line 1: `n` should be integer, got array " + "[" * 40


@pytest.mark.parametrize(
    ("value", "name"),
    [(None, "null"), ("x", "string"), (1.5, "number"), ({"a": 1}, "object"), ([1], "array"), (True, "boolean")],
)
def test_reasons_name_json_types_never_python_ones(value: object, name: str) -> None:
    props = "      flag boolean\n" if name != "boolean" else "      flag integer\n"
    report = validate(props, [track(flag=value)])
    (reason,) = report.events["Thing Done"].reasons  # type: ignore[attr-defined]
    assert f"got {name} " in reason, reason
    for python in ("NoneType", "str ", "int ", "float", "dict", "list", "bool "):
        assert python not in reason


def test_a_hand_edited_plan_with_a_pattern_re2_cannot_take_still_validates(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cjdsl.cli import main
    from cjdsl.tracking.emit import plan_json

    plan = plan_with('      code string pattern "^x"\n      n integer\n')
    data = plan_json(plan, {})  # type: ignore[arg-type]
    for e in data["events"]:
        for p in e["properties"]:
            if p["name"] == "code":
                p["schema"]["pattern"] = "(a)\\1"
    path = tmp_path / "tracking-plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    events = tmp_path / "e.jsonl"
    events.write_text("\n".join([track(code="aa", n=1), track(n=2)]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["events", "validate", str(path), str(events), "--format", "json"])
    assert result.exit_code == 1, result.output
    (event,) = json.loads(result.stdout)["events"]
    assert (event["seen"], event["valid"], event["invalid"]) == (2, 1, 1)
    assert "is not RE2 syntax" in event["reasons"][0] and "Traceback" not in result.output


# -- the benchmark ---------------------------------------------------------------------------


def test_the_benchmark_of_hostile_inputs_runs_at_a_small_size() -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bounded.py"), "--scales", "0.02,0.04", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    paths = {row["path"] for row in rows}
    assert {"cj208-fanout", "unknown-refs", "syntax-junk", "report-one-line", "stage-persona", "redos"} <= paths
    assert len(rows) == 2 * len(paths) and all(row["seconds"] >= 0 and row["kb"] > 0 for row in rows)
