"""Docs for the language core's own diagnostics (syntax, structure, includes), in the
same sections as the validator's rules, for `cjdsl explain` and `cjdsl rules`.

These are always errors: a file that has them has no well-defined meaning, so no
backend runs on it. They cannot be switched off or allowed.
"""

from __future__ import annotations

_SYNTAX_WHY = "A file that does not parse has no meaning cjdsl could build diagrams, documentation or tracking plans from."

DOCS: dict[str, tuple[str, str]] = {
    "CJ001": (
        "The text does not follow the grammar.",
        f"""
## What it checks
That the file follows the grammar of `.journey` files (`grammar/journey.lark`): declarations, blocks in braces, one attribute after another.
## Why it matters
{_SYNTAX_WHY}
## Example
```
stage awareness "Awareness" {{
  touchpoint blog_post "Reads a post" {{
    chanel blog
  }}
}}
```
## Instead
```
stage awareness "Awareness" {{
  touchpoint blog_post "Reads a post" {{
    channel blog
  }}
}}
```
""",
    ),
    "CJ002": (
        "A string is not closed.",
        f"""
## What it checks
That every `"` string closes on its line and every `\"\"\"` string closes before the end of the file.
## Why it matters
{_SYNTAX_WHY} An unclosed string swallows the rest of the line or file.
## Example
```
persona anna "Anna Kowalska
```
## Instead
```
persona anna "Anna Kowalska"
```
""",
    ),
    "CJ003": (
        "A character no token can start with.",
        f"""
## What it checks
That the file holds only the language's tokens: names, strings, numbers, `{{ }} ( ) , ->` and `# comments`. It also explains common slips: `:` or `=` after an attribute, single quotes, `-` in an id, non-ASCII letters in an id.
## Why it matters
{_SYNTAX_WHY} Ids stay ASCII so they are safe in URLs, anchors, DOT and Mermaid; labels carry any language.
## Example
```
stage świadomość "Świadomość" phase awareness
```
## Instead
```
stage swiadomosc "Świadomość" phase awareness
```
""",
    ),
    "CJ004": (
        "A block is never closed.",
        f"""
## What it checks
That every `{{` has its `}}`, and says which block is still open when the file ends or the next declaration starts.
## Why it matters
{_SYNTAX_WHY}
## Example
```
stage awareness "Awareness" {{
  touchpoint blog_post "Reads a post" {{
    rating 4
}}
```
## Instead
```
stage awareness "Awareness" {{
  touchpoint blog_post "Reads a post" {{
    rating 4
  }}
}}
```
""",
    ),
    "CJ005": (
        "An unknown escape in a string.",
        f"""
## What it checks
That a backslash in a string starts one of the escapes `\\"` `\\\\` `\\n` `\\t` `\\r` `\\u{{XXXX}}`.
## Why it matters
{_SYNTAX_WHY} An unknown escape is usually a Windows path or a regular expression that needs `\\\\`.
## Example
```
team ops "Ops \\ Support"
```
## Instead
```
team ops "Ops \\\\ Support"
```
""",
    ),
    "CJ006": (
        "The file is not UTF-8 text.",
        f"""
## What it checks
That the file is UTF-8 text without NUL bytes.
## Why it matters
{_SYNTAX_WHY} Binary files and other encodings are usually the wrong file or an editor's wrong setting.
## Example
```
(a file saved as Windows-1250, or an image renamed to .journey)
```
## Instead
```
(save the file as UTF-8)
```
""",
    ),
    "CJ007": (
        "The file is too large.",
        f"""
## What it checks
That the file is no larger than `max_file_size_mb` in `cjdsl.toml` (20 MB by default).
## Why it matters
{_SYNTAX_WHY} A limit keeps a runaway generated file from stalling every build.
## Example
```
(a 50 MB generated .journey file)
```
## Instead
```
include "stages/awareness.journey"
include "stages/purchase.journey"
```
""",
    ),
    "CJ008": (
        "Too many syntax errors.",
        f"""
## What it checks
Parsing stops after 20 syntax errors in one file.
## Why it matters
{_SYNTAX_WHY} After many errors the rest are mostly echoes of the first ones.
## Example
```
(a file that is not a .journey file at all)
```
## Instead
```
(fix the first errors and run `cjdsl check` again)
```
""",
    ),
    "CJ009": (
        "A string holds a control character.",
        """
## What it checks
That text holds no control character other than a line break or a tab: no NUL, escape (ESC), carriage return, DEL, C1 control or Unicode line or paragraph separator, whether typed into the file or written as an escape such as `\\u{1B}`.
## Why it matters
Labels and descriptions end up in terminals, CI logs, pull-request comments, Markdown, Graphviz and Mermaid diagrams, CSV and YAML. A control character does something in each of them: an escape sequence recolours or rewrites a terminal, a carriage return starts a new line in a Markdown comment, a NUL stops `dot`, a DEL makes YAML unreadable. Refusing them where the text is written keeps every output inert.
## Example
```
touchpoint t "Pays\\u{1B}[2J" { }
```
## Instead
```
touchpoint t "Pays" { }
```
""",
    ),
    "CJ010": (
        "An attribute is given twice.",
        """
## What it checks
That a single-valued attribute (`channel`, `emotion`, `rating`, `owner`, ...) appears at most once in its block. List attributes (`persona`, `intent`, `next`) may be repeated and are merged.
## Why it matters
Two values for one fact leave the map ambiguous: which rating is true? Keeping either one silently would hide a disagreement the team should settle.
## Example
```
touchpoint demo "Books a demo" {
  rating 3
  rating 4
}
```
## Instead
```
touchpoint demo "Books a demo" {
  rating 4
}
```
""",
    ),
    "CJ011": (
        "A property modifier with no property.",
        """
## What it checks
That `required`, `min`, `max`, `pattern` and description strings in an event follow a property.
## Why it matters
A modifier must belong to a property of the event's schema; on its own it constrains nothing, and the tracking plan could not say which property it was meant for.
## Example
```
event "Demo Requested" {
  required
}
```
## Instead
```
event "Demo Requested" {
  company_size integer required
}
```
""",
    ),
    "CJ012": (
        "An attribute in the wrong place.",
        """
## What it checks
Attributes the grammar accepts but that cannot apply where they are written: `at` on a pain point nested in a touchpoint or stage, a channel's mode after its kind, extra words after a channel's kind.
## Why it matters
Each touchpoint belongs to exactly one stage of the journey and each pain point to one place; a second anchor would contradict the first.
## Example
```
touchpoint demo "Books a demo" {
  pain slow_calendar "No free slots this week" {
    at pricing_page
  }
}
```
## Instead
```
touchpoint demo "Books a demo" {
  pain slow_calendar "No free slots this week" {
    severity medium
  }
}
```
""",
    ),
    "CJ013": (
        "More than one journey in a file.",
        """
## What it checks
That a file declares at most one `journey`.
## Why it matters
Maps are kept one per file (a company keeps several maps, usually one per persona), so each journey has its own history in git and its own outputs.
## Example
```
journey onboarding "Onboarding"
journey renewal "Renewal"
```
## Instead
```
journey onboarding "Onboarding"
```
""",
    ),
    "CJ101": (
        "A reference to an id that does not exist.",
        """
## What it checks
That every reference names a declaration of the right kind: `channel`, `persona`, `intent` and `owner` in touchpoints, `next`, `at`, `measures`, `funnel`, referenced opportunities. It suggests the closest id, or says when the id exists as another kind.
## Why it matters
A map whose flows, channels and owners point nowhere cannot be drawn or followed: a flow to a missing touchpoint is a dead end on the customer's path.
## Example
```
touchpoint blog_post "Reads a post" {
  next report_dowload
}
```
## Instead
```
touchpoint blog_post "Reads a post" {
  next report_download
}
```
""",
    ),
    "CJ102": (
        "Two declarations share an id.",
        """
## What it checks
That ids are unique per kind (personas, intents, channels, teams, pain points, opportunities, KPIs, journeys), and that stages and touchpoints share one set of ids, since `at` can name either.
## Why it matters
References, anchors in the documentation site and tracking plans all rely on an id naming one thing.
## Example
```
persona anna "Anna, HR Manager"
persona anna "Anna, CFO"
```
## Instead
```
persona anna "Anna, HR Manager"
persona anna_cfo "Anna, CFO"
```
""",
    ),
    "CJ103": (
        "A number outside its scale.",
        """
## What it checks
That `emotion` is a whole number from -2 to +2, `rating` a whole number from 1 to 5, and a persona's `age` from 0 to 130.
## Why it matters
Touchpoints are rated by how well they meet the customer's expectations, on one shared scale, so maps can be compared and emotion curves drawn.
## Example
```
touchpoint demo "Books a demo" {
  emotion +3
}
```
## Instead
```
touchpoint demo "Books a demo" {
  emotion +2
}
```
""",
    ),
    "CJ104": (
        "A word outside its vocabulary.",
        """
## What it checks
That phases, severities, causes, impact, effort, opportunity status and channel kinds use the language's words, and suggests the closest one.
## Why it matters
Phases map team-chosen stages onto the common customer lifecycle, from awareness to loyalty; severities and impact let pain points and opportunities be prioritised by what they cost and what they bring.
## Example
```
stage discover "Discover" phase awarness
```
## Instead
```
stage discover "Discover" phase awareness
```
""",
    ),
    "CJ105": (
        "An invalid event property type.",
        """
## What it checks
That event properties use `string`, `integer`, `number`, `boolean`, `datetime`, `enum("a", ...)` with distinct string values, or `list(TYPE)` of a non-list type.
## Why it matters
Events become the tracking plan engineers implement, the data the map is measured against; a type that cannot be compiled to JSON Schema breaks that contract.
## Example
```
event "Plan Selected" {
  plan enum()
}
```
## Instead
```
event "Plan Selected" {
  plan enum("basic", "pro")
}
```
""",
    ),
    "CJ106": (
        "Property bounds or pattern that cannot hold.",
        """
## What it checks
That `min` is not above `max`, bounds fit the type (whole lengths for strings and lists, none for booleans, datetimes and enums), and `pattern` is a valid regular expression on a string property.
## Why it matters
A schema no event can satisfy makes every tracked event invalid: the pipelines that validate events against the tracking plan would reject all of them.
## Example
```
event "Search Performed" {
  query string min 5 max 2
}
```
## Instead
```
event "Search Performed" {
  query string min 2 max 200
}
```
""",
    ),
    "CJ107": (
        "A property declared twice in one event.",
        """
## What it checks
That each property name appears once per event.
## Why it matters
An event's properties become the keys of its JSON Schema; two declarations of one key contradict each other.
## Example
```
event "Order Completed" {
  total number
  total integer
}
```
## Instead
```
event "Order Completed" {
  total number
}
```
""",
    ),
    "CJ108": (
        "Two event names that become the same id in the tracking plan.",
        """
## What it checks
That no two different event names share a machine id. The tracking plan names each event's files and ids in snake_case ASCII (`Page Viewed` becomes `page_viewed`), for Snowplow Iglu, RudderStack and the JSON Schema files.
## Why it matters
`Page Viewed` and `page_viewed` would be two events in the journeys but one id in the plan: their schemas would overwrite each other, and analysts could not tell which touchpoint sent what.
## Example
```
event "Page Viewed" { }
event "page_viewed" { }
```
## Instead
```
event "Page Viewed" { }
event "Page Viewed" { }
```
(one spelling everywhere), or two names that stay apart, such as `Page Viewed` and `Pricing Page Viewed`.
""",
    ),
    "CJ151": (
        "An included file does not exist.",
        """
## What it checks
That every `include` names a file, relative to the including file.
## Why it matters
Shared personas, channels and teams live in included files; a missing one leaves every reference to them unresolved.
## Example
```
include "shared/peple.journey"
```
## Instead
```
include "shared/people.journey"
```
""",
    ),
    "CJ152": (
        "An include leaves the project root.",
        """
## What it checks
That include paths (and the files they resolve to, symlinks followed) stay inside the project root: the folder holding `cjdsl.toml`, else the folder of the files given.
## Why it matters
Builds of untrusted pull requests must not read files from elsewhere on the machine, and a project must build the same on every clone.
## Example
```
include "../../other-repo/people.journey"
```
## Instead
```
include "shared/people.journey"
```
""",
    ),
    "CJ153": (
        "Files include each other in a cycle.",
        """
## What it checks
That following includes never leads back to a file already being included.
## Why it matters
A cycle has no order in which declarations could be merged: each file would have to come before the other. Declarations both files need belong in a third file they both include.
## Example
```
# a.journey
include "b.journey"
# b.journey
include "a.journey"
```
## Instead
```
# a.journey and b.journey both
include "shared.journey"
```
""",
    ),
    "CJ154": (
        "An included file declares a journey.",
        """
## What it checks
That included files hold only shared declarations, not a `journey`.
## Why it matters
Each journey is built from its own file; a journey inside a shared file would be merged into every journey that includes it.
## Example
```
# shared/people.journey
journey people "People"
persona anna "Anna"
```
## Instead
```
# shared/people.journey
persona anna "Anna"
```
""",
    ),
    "CJ155": (
        "A file that declares no journey and that no journey includes.",
        """
## What it checks
That every `.journey` file is a journey (it has a `journey` block) or is included, directly or through other includes, by a journey of the project. A file that is included is checked as part of every journey that includes it, never on its own.
## Why it matters
A stage or catalogue file that nothing includes is usually a forgotten `include`: its touchpoints appear on no map and in no tracking plan, and its references cannot be checked, because only a journey says which personas, channels and teams they refer to. This is a warning, reported once per file, instead of one unknown-reference error per reference.
## Example
```
# stages/renewal.journey, included by no journey
stage renewal "Renewal" phase loyalty { ... }
```
## Instead
```
# mortgage.journey
include "stages/renewal.journey"
```
or list the file under `exclude` in cjdsl.toml while it is a draft.
""",
    ),
}
