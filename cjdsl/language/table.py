"""The language, described once: every block and, in canonical order, its attributes.

Plain data, in the spirit of ruff's rule table or sqlglot's expression definitions.
The grammar (`grammar/journey.lark`) stays hand-written: it is the best documentation
of the syntax, and a test holds it to this table (every attribute parses in the blocks
listed here and in no other). From the table come

* the builder's nodes, built by keyword (:func:`fields`), never by position;
* the formatter's order of attributes, and the "a touchpoint takes ..." hints of
  syntax errors (:data:`BLOCKS`, in order);
* the names of span keys (:func:`span_key`, checked);
* the attribute lists that tests compare with the JSON Schema of the `json` backend
  and with docs/language.md.

Adding an attribute: its grammar rule, one row here, the model field, and what each
backend chooses to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core import model as m

#: How an attribute's value is written, and what the builder makes of it:
#: text      "a string"                      → str
#: word      a closed-vocabulary word        → str (checked against the vocabulary)
#: number    3, -1, 0.5                      → int | float
#: ref       an id of another declaration    → model.Ref
#: refs      ids separated by commas         → tuple[model.Ref, ...] (lines merge)
#: texts     "a", "b" on one line            → tuple[str, ...]
#: flag      the keyword alone               → True
#: emotion   a number and an optional word   → two fields: number and feeling
#: marker    the keyword, an optional string → two fields: flag and label
#: note      the keyword, an optional string → str ("" without the string)
#: chain     ids joined by `->`, on one line  → tuple[model.Ref, ...] (in order)
#: allow     rules, `for` ids, a reason      → tuple[model.Allow, ...] (lines merge)
#: time      `18 min`, a range `3..6 mo`     → model.Time
#: range     `1..5`                          → tuple[float, float]
#: persona   `for ID`, a number, a word      → tuple[model.PersonaValue, ...] (one line each)
#: block     a nested declaration            → tuple of nodes (repeats)
KINDS = (
    "text",
    "word",
    "number",
    "ref",
    "refs",
    "chain",
    "texts",
    "flag",
    "emotion",
    "marker",
    "note",
    "allow",
    "time",
    "range",
    "persona",
    "block",
)


@dataclass(frozen=True)
class Attribute:
    keyword: str
    #: The model field (or fields, for `emotion` and `marker`) it fills.
    field: str | tuple[str, str]
    kind: str
    doc: str
    #: What a reference names: "team", "touchpoint", ... (`ref` and `refs`).
    target: str | None = None
    #: Whether the attribute may be written more than once (each line adds a value).
    repeats: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return self.field if isinstance(self.field, tuple) else (self.field,)

    @property
    def merges(self) -> bool:
        """Whether lines of it merge into one list (`next a` then `next b`)."""
        return self.kind in ("refs", "allow")

    @property
    def collects(self) -> bool:
        """Whether each line adds one value to a list (goals, events, pain points)."""
        return self.repeats and self.kind in ("text", "block", "persona")


@dataclass(frozen=True)
class Block:
    keyword: str
    #: How messages name it: "touchpoint", "pain point", "KPI".
    noun: str
    model: type
    #: The attributes inside its braces, in canonical order (the formatter's order).
    attributes: tuple[Attribute, ...]
    #: What its header holds besides the id and the label (e.g. a stage's `phase`).
    header: tuple[str, ...] = ()
    #: Whether it is declared at the top level of a file (else only inside another block).
    top_level: bool = True

    def attribute(self, keyword: str) -> Attribute | None:
        return _INDEX[self.keyword].get(keyword)


def _a(keyword: str, kind: str, doc: str, *, field: str | tuple[str, str] | None = None, **more: Any) -> Attribute:
    return Attribute(keyword, field or keyword, kind, doc, **more)


DESCRIPTION = _a("description", "text", "Free text: what the block is about, in as many lines as needed.")
ALLOW = _a("allow", "allow", "Rules this block accepts a finding of, and why.", repeats=True)
OWNER = _a("owner", "ref", "The team that owns it.", target="team")
CONFIDENCE = _a("confidence", "word", "How the map knows this: observed, reported or assumed.")
DURATION = _a("duration", "time", "How long it takes: `18 min`, `3 d`, a range `3..6 mo` (units s, min, h, d, w, mo).")
WAIT = _a("wait", "time", "How long the customer waits before it, in the same units.")
SUPPORT = _a("support", "refs", "The systems behind it.", target="system")
#: A company step of a touchpoint, in the lane of a service blueprint.
STEP = (
    _a("actor", "ref", "Who does it.", target="actor"),
    OWNER,
    DURATION,
    WAIT,
    SUPPORT,
    DESCRIPTION,
    ALLOW,
)

BLOCKS: dict[str, Block] = {
    b.keyword: b
    for b in (
        Block(
            "journey",
            "journey",
            m.Journey,
            (
                _a("version", "text", "The map's version, as the team numbers it."),
                OWNER,
                DESCRIPTION,
                _a("tags", "texts", "Words to find the journey by on the site's index."),
                _a("state", "word", "`current` (as-is, the default) or `future` (to-be)."),
                _a("variant_of", "ref", "The journey a future journey redesigns.", target="journey"),
                _a("part_of", "ref", "The larger journey this one is a step of.", target="journey"),
                ALLOW,
            ),
        ),
        Block(
            "persona",
            "persona",
            m.Persona,
            (
                _a("role", "text", "The person's job or role."),
                _a("industry", "text", "The industry they work in."),
                _a("age", "number", "Age in years (0 to 130)."),
                _a("gender", "text", "Gender, in the persona's words."),
                _a("location", "text", "Where they live or work."),
                _a("goal", "text", "What they want to achieve; one line each.", field="goals", repeats=True),
                _a("need", "text", "What they need from the product; one line each.", field="needs", repeats=True),
                _a("concern", "text", "What worries them; one line each.", field="concerns", repeats=True),
                _a("interest", "text", "What they care about; one line each.", field="interests", repeats=True),
                DESCRIPTION,
                ALLOW,
            ),
        ),
        Block("intent", "intent", m.Intent, (DESCRIPTION, ALLOW)),
        Block(
            "channel",
            "channel",
            m.Channel,
            (
                DESCRIPTION,
                _a("untracked", "note", "Nobody can instrument its touchpoints; the string says why."),
                ALLOW,
            ),
            header=("mode", "kind"),
        ),
        Block("team", "team", m.Team, (DESCRIPTION, ALLOW)),
        Block(
            "actor",
            "actor",
            m.Actor,
            (
                _a("team", "ref", "The team the person or role belongs to.", target="team"),
                _a("partner", "flag", "Outside the company: a notary, a courier, a dental lab."),
                DESCRIPTION,
                ALLOW,
            ),
        ),
        Block("system", "system", m.System, (OWNER, DESCRIPTION, ALLOW)),
        Block(
            "stage",
            "stage",
            m.Stage,
            (
                DESCRIPTION,
                ALLOW,
                _a("touchpoint", "block", "The touchpoints of the stage, in order.", field="touchpoints", repeats=True),
                _a("pain", "block", "Pain points of the stage as a whole.", field="pains", repeats=True),
            ),
            header=("phase",),
        ),
        Block(
            "touchpoint",
            "touchpoint",
            m.Touchpoint,
            (
                DESCRIPTION,
                _a("channel", "ref", "Where it happens.", target="channel"),
                _a("persona", "refs", "Whose touchpoint it is (none: every persona's).", field="personas", target="persona"),
                _a("intent", "refs", "Why the customer is there.", field="intents", target="intent"),
                _a("entry", "flag", "A first-visit touchpoint, where journeys start."),
                _a(
                    "micro_conversion",
                    "marker",
                    "A step the team counts as a conversion, with an optional name.",
                    field=("micro_conversion", "micro_conversion_label"),
                ),
                _a(
                    "moment_of_truth",
                    "marker",
                    "Where the customer decides to stay or leave, with an optional sentence.",
                    field=("moment_of_truth", "moment_of_truth_label"),
                ),
                _a("context", "text", "The customer's situation."),
                _a("need", "text", "What the customer needs at this point."),
                _a("thinking", "text", "What the customer thinks here; one thought a line.", repeats=True),
                _a("quote", "block", "What a customer said, in their words, with its `source`.", field="quotes", repeats=True),
                _a("customer_action", "text", "What the customer does."),
                _a("company_action", "text", "What the company does (the simplest frontstage)."),
                _a(
                    "frontstage",
                    "block",
                    "A company step the customer sees, with its `actor`, `owner`, time and systems.",
                    field="steps",
                    repeats=True,
                ),
                _a("backstage", "block", "A company step out of the customer's sight.", field="steps", repeats=True),
                SUPPORT,
                _a("evidence", "text", "What the customer sees, gets or keeps here: a letter, a receipt, a screen."),
                _a("emotion", "emotion", "How it feels, -2 to +2, with an optional word.", field=("emotion", "feeling")),
                _a(
                    "emotion for",
                    "persona",
                    'How it feels to one persona, when that differs: `emotion for emergency -2 "in pain"`.',
                    field="emotion_for",
                    target="persona",
                    repeats=True,
                ),
                _a("rating", "number", "How well it meets expectations, 1 to 5."),
                _a(
                    "rating for",
                    "persona",
                    "One persona's rating, when it differs: `rating for emergency 2`.",
                    field="rating_for",
                    target="persona",
                    repeats=True,
                ),
                CONFIDENCE,
                DURATION,
                WAIT,
                OWNER,
                _a("next", "refs", "The touchpoints that can follow, each with an optional label.", target="touchpoint"),
                _a("detail", "ref", "The sub-journey that zooms into this step.", target="journey"),
                _a("untracked", "note", "Nobody can instrument it; the string says why."),
                ALLOW,
                _a("event", "block", "The analytics events it fires.", field="events", repeats=True),
                _a("pain", "block", "Pain points that happen here.", field="pains", repeats=True),
            ),
            top_level=False,
        ),
        Block(
            "pain",
            "pain point",
            m.Pain,
            (
                _a(
                    "at", "ref", "The touchpoint or stage where it happens (top-level pain points).", target="touchpoint or stage"
                ),
                _a("severity", "word", "low, medium, high or critical."),
                _a("cause", "word", "product, service, delivery, price, communication, process, technology or other."),
                CONFIDENCE,
                DESCRIPTION,
                ALLOW,
                _a(
                    "opportunity",
                    "block",
                    "What the company will do about it (a nested block, or the id of one declared at top level).",
                    field=("opportunities", "opportunity_refs"),
                    repeats=True,
                ),
            ),
        ),
        Block(
            "opportunity",
            "opportunity",
            m.Opportunity,
            (
                _a("impact", "word", "low, medium or high."),
                _a("effort", "word", "low, medium or high."),
                OWNER,
                _a("status", "word", "idea, planned, in_progress, done or dropped."),
                DESCRIPTION,
                ALLOW,
            ),
        ),
        Block(
            "kpi",
            "KPI",
            m.Kpi,
            (
                _a("target", "text", "What success looks like."),
                _a("measures", "refs", "The touchpoints it is measured at.", target="touchpoint"),
                _a("funnel", "chain", "The steps of its funnel, in order (A -> B -> C).", target="touchpoint"),
                _a("window", "time", "How long after entering the funnel a later step counts: `window 7 d` (30 d unset)."),
                OWNER,
                DESCRIPTION,
                ALLOW,
            ),
        ),
        Block(
            "metric",
            "metric",
            m.Metric,
            (
                _a("at", "ref", "The touchpoint or stage it is measured at.", target="touchpoint or stage"),
                _a("value", "number", "The value measured."),
                _a("scale", "range", "The scale it is measured on: `1..5`, `0..100`."),
                _a("target", "text", "The value the team aims for: `>= 4.3`, `< 2`."),
                _a("source", "text", "Where the number comes from: a survey, a report, with its date."),
                OWNER,
                DESCRIPTION,
                ALLOW,
            ),
        ),
        Block("frontstage", "frontstage step", m.Step, STEP, header=("text", "lane"), top_level=False),
        Block("backstage", "backstage step", m.Step, STEP, header=("text", "lane"), top_level=False),
        Block(
            "quote",
            "quote",
            m.Quote,
            (_a("source", "text", "Where it was heard: an interview, a ticket, a review."),),
            header=("text",),
            top_level=False,
        ),
    )
}

_INDEX: dict[str, dict[str, Attribute]] = {b.keyword: {a.keyword: a for a in b.attributes} for b in BLOCKS.values()}
#: Blocks by the noun messages use ("pain point", "KPI").
BY_NOUN: dict[str, Block] = {b.noun: b for b in BLOCKS.values()}

#: Span keys every node has besides its attributes'.
COMMON_SPAN_KEYS = frozenset({"id", "header", "end", "label"})


def span_key(block: str, keyword: str, index: int | None = None) -> str:
    """The key of an attribute's place in a node's ``spans``: its keyword (``need``), or
    ``keyword.N`` for the Nth value of a repeated one. Raises for a name the block does
    not have, so a misspelt key fails where it is written, not silently."""
    b = BLOCKS[block]
    if keyword not in _INDEX[block] and keyword not in b.header and keyword not in COMMON_SPAN_KEYS:
        raise KeyError(f"a {b.noun} has no attribute `{keyword}`")
    return keyword if index is None else f"{keyword}.{index}"


def fields(block: Block, values: Mapping[str, Any]) -> dict[str, Any]:
    """The model's keyword arguments for the attribute values a block was written with
    (keyword → value as the builder made it)."""
    out: dict[str, Any] = {}
    for a in block.attributes:
        if a.keyword not in values:
            continue
        value = values[a.keyword]
        if a.kind == "emotion":
            number, feeling = value
            out[a.fields[0]], out[a.fields[1]] = number, feeling
        elif a.kind == "marker":
            out[a.fields[0]], out[a.fields[1]] = True, value[0]
        elif a.kind == "flag":
            out[a.field] = True  # type: ignore[index]
        elif a.kind == "block" and a.field in out:  # two lanes of one list (frontstage, backstage)
            out[a.field] += tuple(value)
        elif a.kind == "block" and len(a.fields) == 2:  # nested blocks, or references to ones declared elsewhere
            out[a.fields[0]] = tuple(v for v in value if not isinstance(v, m.Ref))
            out[a.fields[1]] = tuple(v for v in value if isinstance(v, m.Ref))
        elif a.collects:
            out[a.field] = tuple(value)  # type: ignore[index]
        else:
            out[a.field] = value  # type: ignore[index]
    return out


def takes(noun: str) -> list[str]:
    """What a block takes, in canonical order, for "a touchpoint takes ..." hints."""
    return [a.keyword for a in BY_NOUN[noun].attributes]
