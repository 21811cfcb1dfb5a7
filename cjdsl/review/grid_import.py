"""`cjdsl import xlsx --grid`: a journey map drawn by hand in a spreadsheet → a model.

Many teams keep their map as one sheet: the stages across the top (often merged over
several columns), the lanes down the side (Doing, Thinking, Emotions, Pain points, ...)
and a column per touchpoint, with no ids. This reads such a sheet:

* the header row is the row whose first cell says Stage (Etap, Phase, ...), or else the
  first row whose first cell is empty; what is above it is the title;
* a merged stage header covers its columns; a column with content but a blank header
  belongs to the stage on its left;
* each lane is matched by its name, in English or Polish, whatever its case, accents,
  emoji or punctuation (:data:`LANES`); "Emotion: Priya" is Priya's own emotion;
* a cell merged over several touchpoints gives its text to each of them, and a pain
  point merged over a whole stage is the stage's;
* emotions are numbers from -2 to +2 (with a word: `+1 curious`) or faces (😀 🙂 😐 🙁
  😡), ratings 1 to 5 (or ★★★☆☆), pain points and opportunities one a line;
* ids are made from the labels (ASCII, unique).

What cannot be placed (a lane it does not know, an emotion word without a number, a
formula with no saved value) is reported, never dropped silently; a value out of its
scale is an error. Pure: a grid in, a model and problems out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core import model as m
from ..core import vocabulary as v
from ..core.terminal import visible_controls
from .mermaid_import import _Ids as Ids
from .sheets import CellError, Problem, Value, clean_text
from .spreadsheet_import import Result, check, texts
from .workbook import Grid

#: Lane names as people write them, in English and Polish (matched without case,
#: accents, emoji or punctuation), by the lane they fill.
LANES: Mapping[str, tuple[str, ...]] = {
    "stage": ("stage", "stages", "phase", "phases", "journey stage", "etap", "etapy", "faza", "fazy", "etap podrozy"),
    "touchpoint": (
        "touchpoint", "touchpoints", "touch point", "touch points", "interaction", "interactions",
        "punkt styku", "punkty styku", "punkt kontaktu", "punkty kontaktu", "touchpointy",
    ),
    "doing": (
        "doing", "does", "action", "actions", "customer action", "customer actions", "what they do",
        "what the customer does", "activities", "activity", "tasks", "behaviour", "behavior", "steps",
        "dzialania", "dzialanie", "dzialania klienta", "co robi", "co robi klient", "aktywnosci", "czynnosci",
        "zachowania", "zachowanie",
    ),
    "need": (
        "need", "needs", "customer needs", "goals", "goal", "expectations", "potrzeby", "potrzeba", "oczekiwania", "cele", "cel",
    ),
    "context": ("context", "situation", "kontekst", "sytuacja"),
    "thinking": (
        "thinking", "thoughts", "thought", "think", "what they think", "questions", "mysli", "mysl",
        "co mysli", "co mysli klient", "pytania",
    ),
    "emotion": (
        "emotion", "emotions", "feeling", "feelings", "feels", "mood", "sentiment", "emotional state",
        "emotional journey", "emocje", "emocja", "uczucia", "odczucia", "nastroj", "co czuje",
    ),
    "rating": ("rating", "ratings", "score", "satisfaction", "ocena", "oceny", "zadowolenie"),
    "pains": (
        "pain points", "pain point", "pains", "pain", "problems", "frustrations", "issues", "barriers",
        "obstacles", "bolaczki", "problemy", "punkty bolu", "punkty bolowe", "bariery", "frustracje",
        "przeszkody", "trudnosci",
    ),
    "stage pains": ("pain points whole stage", "stage pain points", "problemy etapu"),
    "opportunities": (
        "opportunities", "opportunity", "ideas", "improvements", "solutions", "szanse", "mozliwosci",
        "pomysly", "usprawnienia", "rozwiazania", "okazje",
    ),
    "channel": ("channel", "channels", "medium", "kanal", "kanaly", "kanal kontaktu"),
    "personas": ("persona", "personas", "who", "persony"),
    "intent": ("intent", "intents", "intencja", "intencje"),
    "company_action": (
        "company action", "company actions", "company", "our actions", "what we do", "dzialania firmy",
        "co robimy", "dzialania marki", "reakcja firmy",
    ),
    "frontstage": ("frontstage", "front stage", "onstage", "front of house", "pierwszy plan"),
    "backstage": ("backstage", "back stage", "behind the scenes", "zaplecze", "za kulisami"),
    "support": (
        "support systems", "support", "support processes", "systems", "tools", "systemy", "narzedzia", "procesy wspierajace",
    ),
    "evidence": ("evidence", "physical evidence", "props", "dowody", "dowody fizyczne", "materialy"),
    "owner": ("owner", "owners", "team", "responsible", "wlasciciel", "zespol", "odpowiedzialny", "dzial"),
    "time": ("time", "duration", "how long", "czas", "czas trwania"),
    "wait": ("wait", "waiting", "waiting time", "oczekiwanie", "czas oczekiwania"),
    "events": ("events", "analytics events", "tracking", "zdarzenia", "eventy"),
    "quotes": ("quotes", "quote", "verbatims", "voice of the customer", "voice of customer", "cytaty", "cytat", "wypowiedzi"),
    "description": ("notes", "description", "comments", "uwagi", "opis", "notatki", "komentarze"),
    "next": ("next", "next steps", "leads to", "dalej", "nastepny krok"),
    "line": (
        "line of interaction", "line of visibility", "line of internal interaction", "linia interakcji", "linia widocznosci",
    ),
}  # fmt: skip
_LANE_OF = {alias: lane for lane, aliases in LANES.items() for alias in aliases}
#: Phases by the words people use for them, in English and Polish.
PHASE_WORDS: Mapping[str, str] = {
    **{p: p for p in v.PHASES},
    "retention": "loyalty", "onboarding": "adoption", "usage": "adoption", "use": "adoption", "research": "consideration",
    "evaluation": "consideration", "discovery": "awareness", "service": "advocacy",
    "swiadomosc": "awareness", "zainteresowanie": "interest", "rozwazanie": "consideration", "porownanie": "consideration",
    "decyzja": "decision", "zakup": "purchase", "adopcja": "adoption", "korzystanie": "adoption", "uzytkowanie": "adoption",
    "rekomendacja": "advocacy", "polecanie": "advocacy", "rzecznictwo": "advocacy", "lojalnosc": "loyalty", "obsluga": "advocacy",
}  # fmt: skip
SEVERITY_WORDS: Mapping[str, str] = {
    **{s: s for s in v.SEVERITIES},
    "niski": "low", "niska": "low", "sredni": "medium", "srednia": "medium", "wysoki": "high", "wysoka": "high",
    "krytyczny": "critical", "krytyczna": "critical",
}  # fmt: skip
#: Faces, by the emotion they show.
FACES: Mapping[str, int] = {
    **dict.fromkeys("😀😃😄😁😆😍🤩🥰😻🥳", 2),
    **dict.fromkeys("🙂😊☺😌👍😇", 1),
    **dict.fromkeys("😐😶🤔😑🫤", 0),
    **dict.fromkeys("🙁😕😟☹😒👎😞😔😬", -1),
    **dict.fromkeys("😠😡😤😭😢😩😫🤬😱😖😣", -2),
}
CHANNEL_WORDS: Mapping[str, str] = {
    "email": "email", "e mail": "email", "mail": "email", "newsletter": "email", "web": "web", "website": "web",
    "site": "web", "strona": "web", "www": "web", "landing": "web", "phone": "phone", "call": "phone", "telefon": "phone",
    "infolinia": "phone", "app": "app", "aplikacja": "app", "mobile": "app", "store": "store", "shop": "store",
    "sklep": "store", "salon": "store", "social": "social", "facebook": "social", "instagram": "social",
    "linkedin": "social", "tiktok": "social", "twitter": "social", "search": "search", "google": "search",
    "ads": "ads", "ad": "ads", "reklama": "ads", "chat": "chat", "czat": "chat", "sms": "sms", "webinar": "webinar",
    "event": "event", "fair": "event", "targi": "event", "wydarzenie": "event", "print": "print", "ulotka": "print",
    "video": "video", "youtube": "video", "review": "review", "reviews": "review", "opinie": "review",
    "partner": "partner", "office": "office", "branch": "office", "oddzial": "office", "placowka": "office",
    "biuro": "office", "recommendation": "word_of_mouth", "polecenie": "word_of_mouth", "push": "push",
    "letter": "letter", "list": "letter", "post": "letter", "poczta": "letter",
}  # fmt: skip
_BULLET = re.compile(r"^\s*(?:[-–—•·*▪◦→]|\d+[.)])\s+")
_MARKS = "▶★◆"
_SEVERITY_MARKS = re.compile(r"^[●○·]+\s*")
_NUMBER = re.compile(r"^\s*([+\-−]?\d+(?:[.,]\d+)?)\s*(.*)$", re.S)
_TIME = re.compile(
    r"(?:(takes|waits)\s+)?([0-9]+(?:[.,][0-9]+)?)(?:\s*(?:\.\.|-|–|to|do)\s*([0-9]+(?:[.,][0-9]+)?))?\s*([^\W\d_]+)"
)
_UNITS = {
    "s": "s", "sec": "s", "second": "s", "seconds": "s", "sek": "s", "sekund": "s", "sekundy": "s",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min", "minut": "min", "minuty": "min", "minuta": "min",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h", "godz": "h", "godzina": "h", "godziny": "h", "godzin": "h",
    "d": "d", "day": "d", "days": "d", "dzien": "d", "dni": "d", "dnia": "d",
    "w": "w", "wk": "w", "week": "w", "weeks": "w", "tydzien": "w", "tygodnie": "w", "tygodni": "w",
    "mo": "mo", "month": "mo", "months": "mo", "miesiac": "mo", "miesiace": "mo", "miesiecy": "mo",
}  # fmt: skip


def normal(text: str) -> str:
    """A label as matched: lower case, ASCII letters and digits, single spaces (accents,
    emoji and punctuation gone; Polish ł as l)."""
    text = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    text = text.encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def lane_of(label: str) -> tuple[str | None, str | None]:
    """The lane a row's label names, and who it is for (`Emotion: Priya` → emotion,
    Priya): (None, None) when it names no lane cjdsl knows."""
    whole = normal(label)
    if whole in _LANE_OF:
        return _LANE_OF[whole], None
    head, colon, rest = label.partition(":")
    if colon and (lane := _LANE_OF.get(normal(head))) is not None:
        return lane, rest.strip() if lane in ("emotion", "rating") and rest.strip() else None
    for alias in _LONGEST_FIRST:  # "Doing / actions", "Pain points (whole stage)"
        if whole.startswith(alias + " "):
            return _LANE_OF[alias], None
    return None, None


_LONGEST_FIRST = sorted(_LANE_OF, key=len, reverse=True)


def _lines(text: str | None) -> list[str]:
    if text is None:
        return []
    return [_BULLET.sub("", line).strip() for line in text.split("\n") if _BULLET.sub("", line).strip()]


@dataclass
class _Column:
    """A touchpoint column: its stage and what its lanes say."""

    col: int
    stage: int  # index into the stages
    label: str | None = None
    lanes: dict[str, list[tuple[str, Value, str]]] = field(default_factory=dict)  # lane → (who, value, where)


@dataclass
class _Stage:
    label: str
    where: str
    phase: str | None = None
    columns: list[int] = field(default_factory=list)
    pains: list[tuple[str, str]] = field(default_factory=list)  # (text, where)


#: Cells inside merged ranges that are looked at, in all (a hostile sheet may merge
#: whole columns): beyond, a merged range counts as its first cell alone.
MAX_MERGED_CELLS = 1_000_000


class _Grid:
    """The sheet's cells with merged ranges filled in from their first cell."""

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        self.merged_at: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        budget = MAX_MERGED_CELLS
        for r1, c1, r2, c2 in grid.merged:
            size = (r2 - r1 + 1) * (c2 - c1 + 1)
            if size > budget:
                continue  # a range larger than any map needs: only its first cell counts
            budget -= size
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    self.merged_at[(r, c)] = (r1, c1, r2, c2)

    def value(self, r: int, c: int) -> Value:
        rng = self.merged_at.get((r, c))
        if rng is not None:
            return self.grid.cells.get((rng[0], rng[1]))
        return self.grid.cells.get((r, c))

    def anchor(self, r: int, c: int) -> tuple[int, int]:
        rng = self.merged_at.get((r, c))
        return (rng[0], rng[1]) if rng is not None else (r, c)


def _text(value: Value) -> str | None:
    try:
        text = clean_text(value)
    except CellError:
        return None
    return text.strip() if text is not None else None


def find_header(grid: Grid) -> tuple[int, int] | None:
    """(header row, lane column) of a sheet drawn as a map, or None: the row whose first
    cell names the stages, else the first row with an empty first cell and stages to
    its right (two or more, else one)."""
    rows = [(r, cells) for r, cells in grid.rows() if cells][:60]
    firsts = [min(cells) for _, cells in rows if len(cells) > 1]
    lane_col = max(set(firsts), key=lambda c: (firsts.count(c), -c)) if firsts else 1
    for r, cells in rows:
        first = _text(cells.get(lane_col))
        if first is not None and lane_of(first)[0] == "stage" and len(cells) > 1:
            return r, lane_col
    for wanted in (2, 1):
        for r, cells in rows:
            right = [c for c, x in cells.items() if c > lane_col and _text(x)]
            if lane_col not in cells and len(right) >= wanted:
                return r, lane_col
    return None


def _looks_like_map(grid: Grid) -> bool:
    """Whether a sheet is drawn as a map: a header row, and below it lane names of which
    at least two, and at least as many as the others, are lanes cjdsl knows."""
    found = find_header(grid)
    if found is None:
        return False
    header, lane_col = found
    known: set[str] = set()
    rows = other = 0
    for r, cells in grid.rows():
        if r > header and (label := _text(cells.get(lane_col))) is not None:
            lane = lane_of(label)[0]
            if lane is None or lane == "stage":
                other += 1
            else:
                known.add(lane)
                rows += 1
    return len(known) >= 2 and rows >= other and rows <= 3 * len(known) + 3


def import_grid_sheets(grids: Sequence[Grid], names: Sequence[str] | None, stem: str) -> Result:
    """The sheets named (or every visible one that looks like a map) as .journey files,
    one per sheet."""
    problems: list[Problem] = []
    if names is not None:
        by_name = {g.name: g for g in grids}
        missing = [n for n in names if n not in by_name]
        if missing:
            problems.append(Problem("", f"no sheet named {missing[0]!r}", "the sheets are: " + ", ".join(by_name)))
            return Result({}, problems)
        chosen = [by_name[n] for n in names]
    else:
        chosen = [g for g in grids if not g.hidden and _looks_like_map(g)]
        if not chosen:
            problems.append(
                Problem(
                    "",
                    "no sheet looks like a journey map",
                    "a map has a row of stages across the top (its first cell says Stage, or is empty) and lanes down "
                    "the first column (Doing, Thinking, Emotion, Pain points, ...); name the sheet with --sheet",
                )
            )
            return Result({}, problems)
    docs: dict[str, m.Document] = {}
    headers: dict[str, list[str]] = {}
    journey_ids = Ids(set())
    for grid in chosen:
        found = GridReader(grid, problems).read(stem if len(chosen) == 1 else grid.name, journey_ids)
        if found is None:
            continue
        doc, unplaced = found
        path = f"{doc.journeys[0].id}.journey"
        docs[path] = m.Document(path, doc.items)
        headers[path] = unplaced
    if any(p.severity == "error" for p in problems):
        return Result({}, problems)
    problems += check(docs)
    if any(p.severity == "error" for p in problems):
        return Result({}, problems)
    out = texts(docs, problems)
    return Result({path: _header(stem, path, headers[path]) + text for path, text in out.items()}, problems)


def _header(stem: str, path: str, unplaced: list[str]) -> str:
    lines = [f"# Imported from {visible_controls(' '.join(stem.split()))}.xlsx by `cjdsl import xlsx --grid`: check the ids,"]
    lines.append("# channels it made, and add what a grid does not say (KPIs, event properties, flows).")
    if unplaced:
        lines += ["#", "# Not placed:"] + [f"#   {visible_controls(' '.join(u.split()))[:200]}" for u in unplaced[:200]]
    return "\n".join(lines) + "\n\n"


class GridReader:
    """Reads one sheet drawn as a map."""

    def __init__(self, grid: Grid, problems: list[Problem]) -> None:
        self.grid = grid
        self.cells = _Grid(grid)
        self.problems = problems
        self.unplaced: list[str] = []
        self.ids = Ids(set())  # stages and touchpoints share ids
        self.pain_ids = Ids(set())
        self.opportunity_ids = Ids(set())
        self.declared: dict[str, dict[str, tuple[str, m.Item]]] = {
            k: {} for k in ("persona", "channel", "team", "system", "intent")
        }
        self.pools = {k: Ids(set()) for k in self.declared}

    # -- reporting -------------------------------------------------------------------
    def warn(self, where: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(where, message, hint, "warning"))
        self.unplaced.append(f"{where}: {message}")

    def error(self, where: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(where, message, hint))

    # -- declarations made from labels ---------------------------------------------------
    def declare(self, kind: str, label: str) -> str:
        key = normal(label) or label
        known = self.declared[kind].get(key)
        if known is not None:
            return known[0]
        ident = self.pools[kind].make(re.sub(r"\((online|offline)\)\s*$", "", label) if kind == "channel" else label, kind)
        node: m.Item
        if kind == "persona":
            node = m.Persona(ident, label)
        elif kind == "channel":
            node = self._channel(ident, label)
        elif kind == "team":
            node = m.Team(ident, label)
        elif kind == "intent":
            node = m.Intent(ident, label)
        else:
            node = m.System(ident, label)
        self.declared[kind][key] = (ident, node)
        return ident

    @staticmethod
    def _channel(ident: str, label: str) -> m.Channel:
        mode: str | None = None
        match = re.search(r"\((online|offline)\)\s*$", label)
        if match:
            mode, label = match.group(1), label[: match.start()].strip()
        words = normal(label).split()
        joined = " ".join(words)
        kind = next((CHANNEL_WORDS[w] for w in [joined, *words] if w in CHANNEL_WORDS), None)
        if kind is None and "word of mouth" in joined:
            kind = "word_of_mouth"
        if mode is None and kind is not None:
            mode = "offline" if kind in v.OFFLINE_KINDS else "online"
        return m.Channel(ident, label, mode, kind)

    def persona_id(self, name: str) -> str:
        key = normal(name)
        for k, (ident, node) in self.declared["persona"].items():
            if k == key or normal((node.label or "").split(",")[0]) == key:  # type: ignore[union-attr]
                return ident
        return self.declare("persona", name)

    # -- the sheet ---------------------------------------------------------------------
    def cell_text(self, r: int, c: int) -> str | None:
        """A cell's text, for a grid: a formula's saved value (reported), never its formula."""
        ar, ac = self.cells.anchor(r, c)
        where = self.grid.where(ar, ac)
        if (ar, ac) in self.grid.errors:
            self.warn(where, f"the cell holds the spreadsheet error {self.grid.errors[(ar, ac)]}; not read")
            return None
        formula = self.grid.formulas.get((ar, ac))
        value = self.cells.value(r, c)
        if formula is not None and (ar, ac) == (r, c):
            if value is None:
                self.warn(
                    where,
                    f"a formula ({formula[:40]}) with no saved value; not read",
                    "type the value, or open and save the workbook in a spreadsheet application",
                )
                return None
            self.problems.append(
                Problem(where, f"a formula ({formula[:40]}); the value saved with it was read", severity="warning")
            )
        try:
            text = clean_text(value)
        except CellError as err:
            if (ar, ac) == (r, c):
                self.warn(where, f"{err}; not read", err.hint)
            return None
        return text.strip() if text is not None else None

    def read(self, name: str, journey_ids: Ids) -> tuple[m.Document, list[str]] | None:
        found = find_header(self.grid)
        if found is None:
            self.error(
                self.grid.where(0), "the sheet has no row of stages", "put the stages in a row whose first cell says Stage"
            )
            return None
        header, lane_col = found
        title = next(
            (t for r, cells in self.grid.rows() if r < header for c in sorted(cells) if (t := _text(cells[c])) is not None), None
        )
        stages, columns = self._stages(header, lane_col)
        if not stages:
            self.error(self.grid.where(header), "no stage in the header row", "write the stages across the row")
            return None
        rows = [(r, cells) for r, cells in self.grid.rows() if r > header]
        for r, cells in rows:
            label = _text(cells.get(lane_col)) if lane_col in cells else None
            if label is None:
                if any(self.cell_text(r, c) for c in cells if c > lane_col and c in columns):
                    self.warn(
                        self.grid.where(r, lane_col),
                        "a row without a lane name; its cells were not placed",
                        "name the lane in the first column",
                    )
                continue
            lane, who = lane_of(label)
            if lane == "line":
                continue
            if lane is None or lane == "stage":
                filled = sum(1 for c in columns if self.cell_text(r, c))
                self.warn(
                    self.grid.where(r, lane_col),
                    f"the lane {label[:40]!r} is not one cjdsl knows; {filled} cell{'s' if filled != 1 else ''} not placed",
                    "lanes: Touchpoint, Channel, Doing, Need, Context, Thinking, Emotion, Rating, Pain points, Opportunities, "
                    "Frontstage, Backstage, Owner, Time, Events, Quotes (or their Polish names)",
                )
                continue
            for c, column in columns.items():
                rng = self.cells.merged_at.get((r, c))
                anchor = self.cells.anchor(r, c)
                where = self.grid.where(*anchor)
                if rng is not None and anchor[1] != c and lane in _ONCE:
                    continue  # a pain point, a step or an event merged over columns is one, at its first
                stage = stages[column.stage]
                whole_stage = (
                    rng is not None and len(stage.columns) > 1 and rng[1] <= stage.columns[0] and rng[3] >= stage.columns[-1]
                )
                if lane == "stage pains" or (lane == "pains" and whole_stage):
                    if anchor[1] == c or (rng is not None and anchor[1] < stage.columns[0] and c == stage.columns[0]):
                        stage.pains += [(line, where) for line in _lines(self.cell_text(r, c))]
                    continue
                text = self.cell_text(r, c)
                if text is not None:
                    column.lanes.setdefault(lane, []).append((who or "", text, where))
        return self._document(name, title, stages, columns, journey_ids), self.unplaced

    def _stages(self, header: int, lane_col: int) -> tuple[list[_Stage], dict[int, _Column]]:
        stages: list[_Stage] = []
        columns: dict[int, _Column] = {}
        last_col = self.grid.max_col
        filled = {c for (r, c) in self.grid.cells if r > header} | {c for (r, c) in self.grid.formulas if r > header}
        for c in range(lane_col + 1, last_col + 1):
            anchor = self.cells.anchor(header, c)
            text = self.cell_text(header, c) if anchor == (header, c) else None
            has_content = c in filled
            if text is not None:
                first = text.split("\n", 1)[0]
                phase = next((PHASE_WORDS[w] for w in normal(text).split() if w in PHASE_WORDS), None)
                stages.append(_Stage(first.strip() or text, self.grid.where(header, c), phase))
            elif anchor != (header, c) and stages:
                pass  # inside a merged stage header
            elif not has_content:
                continue
            elif not stages:
                self.warn(
                    self.grid.where(header, c), "a column left of every stage; not placed", "give it a stage in the header row"
                )
                continue
            stages[-1].columns.append(c)
            columns[c] = _Column(c, len(stages) - 1)
        return stages, columns

    # -- the model ---------------------------------------------------------------------
    def _document(
        self, name: str, title: str | None, stages: list[_Stage], columns: dict[int, _Column], journey_ids: Ids
    ) -> m.Document:
        label = title or name
        journey = m.Journey(journey_ids.make(label, "journey"), label)
        stage_ids = [self.ids.make(stage.label, "stage") for stage in stages]
        stage_nodes: list[m.Stage] = []
        opportunities: list[m.Opportunity] = []
        labels: dict[str, str] = {}  # touchpoint label → id, for `next`
        made: list[tuple[_Column, list[dict[str, Any]]]] = []
        for stage in stages:
            for c in stage.columns:
                column = columns[c]
                made.append((column, self._touchpoints(column, stage)))
        for _, found_here in made:
            for tp in found_here:
                labels.setdefault(normal(tp["label"] or ""), tp["id"])
        for index, stage in enumerate(stages):
            tps: list[m.Touchpoint] = []
            for column, found in made:
                if column.stage != index:
                    continue
                for kwargs in found:
                    nexts = kwargs.pop("next_labels", [])
                    refs = []
                    for text, where in nexts:
                        target, _, condition = text.lstrip("→ ").partition(" (")
                        ident = labels.get(normal(target))
                        if ident is None:
                            self.warn(where, f"`next` names {target[:40]!r}, which is no touchpoint's label; not placed")
                            continue
                        refs.append(m.Ref(ident, condition.rstrip(")") or None))
                    opps = kwargs.pop("opportunities", [])
                    opportunities += opps
                    tps.append(m.Touchpoint(**kwargs, next=tuple(refs)))
            pains = tuple(self._pain(text, where) for text, where in stage.pains)
            stage_nodes.append(m.Stage(stage_ids[index], stage.label, stage.phase, touchpoints=tuple(tps), pains=pains))
        items: list[m.Item] = [journey]
        for kind in ("persona", "intent", "channel", "team", "system"):
            items += [node for _, node in self.declared[kind].values()]
        items += stage_nodes
        items += opportunities
        return m.Document("<grid>", tuple(items))

    def _pain(self, text: str, where: str) -> m.Pain:
        text = _SEVERITY_MARKS.sub("", text)
        severity = None
        head, sep, rest = text.partition(":")
        if sep and normal(head) in SEVERITY_WORDS:
            severity, text = SEVERITY_WORDS[normal(head)], rest.strip()
        return m.Pain(self.pain_ids.make(text, "pain"), text, severity=severity)

    def _opportunity(self, text: str) -> m.Opportunity:
        impact = effort = None
        match = re.search(r"\(([^()]*)\)\s*$", text)
        if match:
            found = dict(re.findall(r"\b(impact|effort)\s+(low|medium|high)\b", match.group(1)))
            if found:
                impact, effort = found.get("impact"), found.get("effort")
                text = text[: match.start()].strip()
        return m.Opportunity(self.opportunity_ids.make(text, "opportunity"), text, impact, effort)

    def _touchpoints(self, column: _Column, stage: _Stage) -> list[dict[str, Any]]:
        lanes = column.lanes

        def first(lane: str) -> Value:
            return lanes[lane][0][1] if lane in lanes else None

        label_cell = lanes.get("touchpoint", [])
        labels = _lines(str(label_cell[0][1])) if label_cell else []
        labels = [x for x in labels if x != "(no touchpoints)"]
        if label_cell and not labels:
            return []
        if not labels:
            basis = first("doing") or first("need") or first("thinking") or first("context")
            labels = [str(basis).split("\n")[0][:80]] if basis else [f"{stage.label} {stage.columns.index(column.col) + 1}"]
        if len(labels) > 1:
            self.warn(
                label_cell[0][2],
                f"{len(labels)} touchpoints in one cell: the other lanes of the column went to the first ({labels[0][:40]!r})",
                "give each touchpoint a column of its own",
            )
        out: list[dict[str, Any]] = []
        for n, raw in enumerate(labels):
            marks = raw[: len(raw) - len(raw.lstrip(_MARKS + " "))]
            label = raw.lstrip(_MARKS + " ") or raw
            kwargs: dict[str, Any] = {"id": self.ids.make(label, "tp"), "label": label}
            kwargs |= {"entry": "▶" in marks, "micro_conversion": "★" in marks, "moment_of_truth": "◆" in marks}
            if n == 0:
                self._lanes(column, kwargs)
            if kwargs.get("emotion") is None:
                kwargs.pop("feeling", None)  # a feeling is written with its emotion
            out.append({k: val for k, val in kwargs.items() if val is not None and val is not False and val != ()})
            out[-1].setdefault("label", label)
        return out

    def _lanes(self, column: _Column, kwargs: dict[str, Any]) -> None:
        joined = {lane: "\n".join(str(value) for _, value, _ in cells) for lane, cells in column.lanes.items()}
        for key, lane in (("customer_action", "doing"), ("need", "need"), ("context", "context"), ("evidence", "evidence"),
                          ("company_action", "company_action"), ("description", "description")):  # fmt: skip
            if lane in joined:
                kwargs[key] = joined[lane]
        if "thinking" in joined:
            kwargs["thinking"] = tuple(_lines(joined["thinking"]))
        if "quotes" in joined:
            kwargs["quotes"] = tuple(self._quote(line) for line in _lines(joined["quotes"]))
        if "channel" in column.lanes:
            _, value, where = column.lanes["channel"][0]
            names = _lines(str(value))
            kwargs["channel"] = m.Ref(self.declare("channel", names[0]))
            if len(names) > 1:
                self.warn(
                    where,
                    f"{len(names)} channels for one touchpoint: the first ({names[0][:40]!r}) was used",
                    "give each channel a touchpoint of its own",
                )
        for key, lane, kind in (
            ("personas", "personas", "persona"),
            ("intents", "intent", "intent"),
            ("support", "support", "system"),
        ):
            if lane in joined:
                names = [x.strip() for line in _lines(joined[lane]) for x in line.split(";") if x.strip()]
                kwargs[key] = tuple(
                    m.Ref(self.declare(kind, x) if kind != "persona" else self.persona_id(x)) for x in dict.fromkeys(names)
                )
        if "owner" in column.lanes:
            kwargs["owner"] = m.Ref(self.declare("team", _lines(joined["owner"])[0]))
        steps = [m.Step(line, lane) for lane in ("frontstage", "backstage") for line in _lines(joined.get(lane))]
        if steps:
            kwargs["steps"] = tuple(steps)
        if "events" in joined:
            kwargs["events"] = tuple(m.Event(name) for name in dict.fromkeys(_lines(joined["events"])))
        for lane in ("time", "wait"):
            for _, value, where in column.lanes.get(lane, []):
                self._time(str(value), where, kwargs, lane)
        self._emotions(column, kwargs)
        pains = [self._pain(line, where) for _, value, where in column.lanes.get("pains", []) for line in _lines(str(value))]
        opportunities = [
            self._opportunity(line) for _, value, _ in column.lanes.get("opportunities", []) for line in _lines(str(value))
        ]
        if len(pains) == 1 and opportunities:
            pains = [m.Pain(pains[0].id, pains[0].label, severity=pains[0].severity, opportunities=tuple(opportunities))]
        elif opportunities:
            refs = tuple(m.Ref(o.id) for o in opportunities)
            pains = [m.Pain(p.id, p.label, severity=p.severity, opportunity_refs=refs) for p in pains]
            kwargs["opportunities"] = opportunities
            if not pains:
                where = column.lanes["opportunities"][0][2]
                self.problems.append(
                    Problem(where, "opportunities with no pain point in their column: declared on their own", severity="warning")
                )
        if pains:
            kwargs["pains"] = tuple(pains)
        if "next" in column.lanes:
            kwargs["next_labels"] = [(line, where) for _, value, where in column.lanes["next"] for line in _lines(str(value))]

    @staticmethod
    def _quote(line: str) -> m.Quote:
        match = re.fullmatch(r"[“\"„«](.*)[”\"»]\s*(?:\((.*)\))?", line.strip(), re.S)
        if match:
            return m.Quote(match.group(1), match.group(2) or None)
        return m.Quote(line)

    def _time(self, text: str, where: str, kwargs: dict[str, Any], lane: str) -> None:
        for line in _lines(text):
            match = _TIME.fullmatch(line.strip().lower())
            unit = _UNITS.get(normal(match.group(4))) if match else None
            if match is None or unit is None:
                self.warn(where, f"{line[:40]!r} is not a time; not placed", "write a number and a unit: 5 min, 2 h, 3-5 days")
                continue
            low = _num(match.group(2))
            high = _num(match.group(3)) if match.group(3) else None
            key = {"takes": "duration", "waits": "wait"}.get(match.group(1) or "", "duration" if lane == "time" else "wait")
            kwargs[key] = m.Time(low, unit, high)

    def _emotions(self, column: _Column, kwargs: dict[str, Any]) -> None:
        """Emotion and rating, the touchpoint's and each persona's (`Emotion: Priya`), and
        the feelings in words (`Priya: in pain` for one persona's)."""
        words: list[tuple[str, str]] = []
        own: dict[str, tuple[int, str | None]] = {}
        for who, value, where in column.lanes.get("emotion", []):
            number, feeling = self._feeling(value, where)
            if number is None:
                words += [(line, where) for line in _lines(feeling)] if not who else []
            elif who:
                own[self.persona_id(who)] = (number, feeling)
            elif "emotion" not in kwargs:
                kwargs["emotion"] = number
                if feeling:
                    kwargs["feeling"] = feeling
        names = {normal((node.label or "").split(",")[0]): ident for ident, node in self.declared["persona"].values()}  # type: ignore[union-attr]
        loose: list[tuple[str, str]] = []
        for line, where in words:
            head, sep, rest = line.partition(":")
            pid = names.get(normal(head)) if sep else None
            if pid is not None and pid in own and rest.strip():
                own[pid] = (own[pid][0], rest.strip())
            else:
                loose.append((line, where))
        if own and "emotion" not in kwargs:
            kwargs["emotion"] = next(iter(own.values()))[0]
        if loose and "emotion" in kwargs and "feeling" not in kwargs:
            kwargs["feeling"] = loose.pop(0)[0]
        if own:
            kwargs["emotion_for"] = tuple(
                m.PersonaValue(m.Ref(pid), n, f)
                for pid, (n, f) in own.items()
                if n != kwargs["emotion"] or (f is not None and f != kwargs.get("feeling"))
            )
        for word, where in loose:
            self.warn(
                where,
                f"the feeling {word[:40]!r} has no emotion number; not placed",
                "write it with a number from -2 to +2 (`-1 frustrated`) or a face (🙁)",
            )
        ratings: dict[str, int] = {}
        for who, value, where in column.lanes.get("rating", []):
            rating = self._rating(value, where)
            if rating is None:
                continue
            if who:
                ratings[self.persona_id(who)] = rating
            elif "rating" not in kwargs:
                kwargs["rating"] = rating
        if ratings:
            kwargs.setdefault("rating", next(iter(ratings.values())))
            kwargs["rating_for"] = tuple(m.PersonaValue(m.Ref(pid), n) for pid, n in ratings.items() if n != kwargs["rating"])

    def _feeling(self, value: Value, where: str) -> tuple[int | None, str | None]:
        """An emotion cell: (a number from -2 to +2 or None, the words with it)."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self._scale(value, where, -2, 2, "emotion"), None
        text = str(value).strip()
        face = next((FACES[ch] for ch in text if ch in FACES), None)
        words = "".join(ch for ch in text if ch not in FACES and ch not in "\ufe0f\u200d").strip() or None
        if face is not None:
            return face, words
        if not normal(text):
            return None, None  # a dash or a dot: nothing said
        match = _NUMBER.match(text)
        if match:
            number = self._scale(_num(match.group(1)), where, -2, 2, "emotion")
            return number, match.group(2).strip() or None
        return None, text

    def _rating(self, value: Value, where: str) -> int | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self._scale(value, where, 1, 5, "rating")
        text = str(value).strip()
        if "★" in text:
            return self._scale(text.count("★"), where, 1, 5, "rating")
        match = _NUMBER.match(text)
        if match:
            return self._scale(_num(match.group(1)), where, 1, 5, "rating")
        self.warn(where, f"{text[:40]!r} is not a rating; not placed", "a rating is 1 to 5, or ★★★☆☆")
        return None

    def _scale(self, value: float, where: str, low: int, high: int, what: str) -> int | None:
        shown = f"{value:+g}" if what == "emotion" else f"{value:g}"
        if value != int(value) or not low <= value <= high:
            limits = f"{low:+} and {high:+}" if what == "emotion" else f"{low} and {high}"
            scale = (
                "from -2 (very negative) through 0 to +2 (very positive)"
                if what == "emotion"
                else "from 1 (fails expectations) to 5 (exceeds them)"
            )
            self.error(where, f"{what} {shown} is out of range: it must be a whole number between {limits}", f"{what} is {scale}")
            return None
        return int(value)


_ONCE = frozenset({"pains", "opportunities", "frontstage", "backstage", "events", "quotes", "next", "touchpoint"})


def _num(text: str) -> float:
    written = text.replace("−", "-").replace(",", ".")
    return float(written) if "." in written else int(written)
