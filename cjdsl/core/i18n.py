"""The team's language: the words of the interface (the site, the diagrams' legends and
labels, the Markdown outputs) in the language a project asks for.

English is the source language: every interface string is written in English in the
code and the templates, marked for extraction (``_``, ``ngettext``, ``pgettext`` in the
templates; :func:`N_` and :func:`pN_` for words kept in tables here and in the backends),
and looked up at build time through a :class:`Translator` that the build passes to the
backends. Catalogues are gettext ``.po`` files, ``<lang>/LC_MESSAGES/cjdsl.po``: the
package ships English (the source, no file) and Polish (``cjdsl/locale/pl``); a project
may bring its own (``[site] locale_dir``). Babel reads a catalogue and compiles it in
memory (:func:`compile_catalogue`), once per content.

A catalogue is untrusted text (it may come from a pull request). So:

* a translation is **text, never markup**: the HTML callables (:meth:`Translator.html`)
  escape it, then put in the values, escaped too (Jinja's own newstyle gettext would
  trust the translation as markup); the diagram and Markdown backends pass the words
  through their own escaping;
* placeholders are filled by :func:`interpolate`, which knows ``%(name)s``, ``%(name)d``
  and ``%%`` and nothing else (no widths, no ``*``: ``%`` itself is never run on a
  translation), and a translation whose placeholders the English does not have, whose
  plural forms do not match the catalogue's, that holds control characters or is far
  longer than the English is left out with a :class:`Problem` (the English is shown);
* the size of a catalogue, its plural rule and the number of plural forms are bounded,
  and whatever cannot be read is a :class:`CatalogueError` with the file and line.

Pure: the command line reads the files (through :mod:`cjdsl.fs` and
:mod:`cjdsl.core.packaged`) and hands their bytes here. Babel is imported only to
compile a catalogue and to format numbers in a language other than English, so
`check`, `fmt` and an English build never load it.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: The catalogues' domain: ``<lang>/LC_MESSAGES/cjdsl.po``.
DOMAIN = "cjdsl"
#: The language the interface is written in.
SOURCE = "en"
#: The languages the package ships a catalogue for (besides English, the source); a
#: test holds this to the folders of ``cjdsl/locale``.
SHIPPED = ("pl",)
#: A catalogue larger than this is refused (the shipped Polish one is about 60 kB).
MAX_CATALOGUE_BYTES = 2 * 1024 * 1024
#: The most plural forms a language has (CLDR: Arabic, 6), and the counts a plural rule
#: is tried with when the catalogue is read.
MAX_PLURALS = 6
_PLURAL_PROBES = range(0, 1001)

_TAG = re.compile(r"[A-Za-z]{2,8}(?:[_-][A-Za-z0-9]{1,8})*")


class CatalogueError(Exception):
    """A catalogue that cannot be used: where (``path:line``), what, and a hint."""

    def __init__(self, where: str, message: str, hint: str) -> None:
        super().__init__(f"{where}: {message}; {hint}")
        self.where = where
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Problem:
    """A message of a catalogue that is left out (the English is shown instead)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# -- marking words for extraction -------------------------------------------------------------


def N_(message: str) -> str:
    """Marks an English word or sentence kept in a table for extraction; the table keeps
    the English, and the code looks it up with :meth:`Translator.gettext` when it uses it."""
    return message


def pN_(context: str, message: str) -> tuple[str, str]:
    """As :func:`N_`, with a context that tells apart the same English word in two
    places (`high` severity and `high` impact are different words in Polish)."""
    return (context, message)


# -- placeholders ------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%(?:\(([A-Za-z_][A-Za-z0-9_]*)\)([sd])|%)")


def placeholders(text: str) -> set[str] | None:
    """The names of the placeholders of a message (``%(name)s``, ``%(name)d``), or None
    when it has a ``%`` that is neither one of them nor ``%%``."""
    names: set[str] = set()
    at = 0
    while True:
        i = text.find("%", at)
        if i < 0:
            return names
        match = _PLACEHOLDER.match(text, i)
        if match is None:
            return None
        if match.group(1):
            names.add(match.group(1))
        at = match.end()


def interpolate(text: str, values: Mapping[str, Any], escape: Callable[[Any], str] | None = None) -> str:
    """``text`` with ``%(name)s`` and ``%(name)d`` replaced by the values (through
    ``escape`` when given) and ``%%`` by ``%``. Nothing else is interpreted: a placeholder
    without a value, or any other ``%``, stays as written."""

    def one(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2)
        if name is None:
            return "%"
        if name not in values:
            return match.group(0)
        value = values[name]
        if kind == "d":
            try:
                value = str(int(value))
            except (TypeError, ValueError, OverflowError):
                value = str(value)
        return escape(value) if escape is not None else str(value)

    return _PLACEHOLDER.sub(one, text)


# -- the translator ----------------------------------------------------------------------------


def _english_number(value: float, digits: int | None) -> str:
    """A number as the English site always wrote it: ``4``, ``4.3``, ``+0.5``."""
    if digits is not None:
        return f"{value:.{digits}f}"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True, eq=False)
class Translator:
    """The interface's words in one language: gettext lookups, placeholders filled
    safely, and numbers written the language's way."""

    #: The language as a BCP 47 tag, for ``<html lang>`` (``en``, ``pl``, ``pt-BR``).
    lang: str = SOURCE
    translations: _gettext.NullTranslations = field(default_factory=_gettext.NullTranslations)
    #: The locale Babel formats numbers for; None: as in English.
    numbers: str | None = None

    # Lookups. Each fills the placeholders of what it finds with ``values``.

    def gettext(self, message: str, /, **values: Any) -> str:
        return interpolate(self._get(message), values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        values.setdefault("num", n)
        return interpolate(self._nget(singular, plural, n), values)

    def pgettext(self, context: str, message: str, /, **values: Any) -> str:
        return interpolate(self._pget(context, message), values)

    def word(self, marked: tuple[str, str]) -> str:
        """A word marked with :func:`pN_`, in this language."""
        return self._pget(*marked)

    def _get(self, message: str) -> str:
        return self.translations.gettext(message)

    def _nget(self, singular: str, plural: str, n: int) -> str:
        try:
            return self.translations.ngettext(singular, plural, n)
        except (ArithmeticError, ValueError, TypeError, IndexError):  # a plural rule that failed on n
            return singular if n == 1 else plural

    def _pget(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)

    # Numbers.

    def number(self, value: float, digits: int | None = None) -> str:
        """A decimal number: as short as it can be written (``4``, ``4.3``), or with
        ``digits`` decimals; in the language's own way (``4,3`` in Polish)."""
        if self.numbers is None:
            return _english_number(value, digits)
        from babel.numbers import format_decimal

        if digits is not None:
            return str(format_decimal(round(value, digits), format="0." + "0" * digits if digits else "0", locale=self.numbers))
        return str(format_decimal(value, locale=self.numbers))

    def signed(self, value: float, digits: int = 1) -> str:
        """A signed average (``+0.5``, ``-1.0``; ``0.0`` for zero, rounded or not)."""
        text = self.number(abs(value), digits)
        rounded = round(value, digits)
        if rounded == 0:
            return text
        return ("+" if rounded > 0 else "-") + text

    # Jinja.

    def html(self) -> dict[str, Callable[..., Any]]:
        """The gettext callables the templates use (Jinja's newstyle signatures): each
        escapes the translation, then puts in the values, each escaped too (a value that
        is already markup, such as a link the template made, stays as it is). ``num``
        is the count of ``ngettext``."""
        from markupsafe import Markup, escape

        def fill(text: str, values: Mapping[str, Any]) -> Markup:
            return Markup(interpolate(str(escape(text)), values, lambda v: str(escape(v))))

        def html_gettext(message: str, /, **values: Any) -> Markup:
            return fill(self._get(message), values)

        def html_ngettext(singular: str, plural: str, n: int, /, **values: Any) -> Markup:
            values.setdefault("num", n)
            return fill(self._nget(singular, plural, n), values)

        def html_pgettext(context: str, message: str, /, **values: Any) -> Markup:
            values.setdefault("context", context)
            return fill(self._pget(context, message), values)

        def html_npgettext(context: str, singular: str, plural: str, n: int, /, **values: Any) -> Markup:
            values.setdefault("context", context)
            values.setdefault("num", n)
            try:
                found = self.translations.npgettext(context, singular, plural, n)
            except (ArithmeticError, ValueError, TypeError, IndexError):
                found = singular if n == 1 else plural
            return fill(found, values)

        return {"gettext": html_gettext, "ngettext": html_ngettext, "pgettext": html_pgettext, "npgettext": html_npgettext}


#: The interface as written: English.
ENGLISH = Translator()


# -- locales -------------------------------------------------------------------------------------


def valid_tag(tag: str) -> bool:
    """Whether ``tag`` looks like a language tag (``pl``, ``pl_PL``, ``pt-BR``)."""
    return _TAG.fullmatch(tag) is not None


def candidates(tag: str) -> list[str]:
    """The catalogue folders a language tag may be found in, the most specific first:
    ``pl-PL`` → ``pl_PL``, ``pl``."""
    parts = re.split(r"[_-]", tag)
    first = parts[0].lower()
    rest = [p.upper() if len(p) == 2 else (p.title() if len(p) == 4 else p) for p in parts[1:]]
    out = ["_".join([first, *rest[:i]]) for i in range(len(rest), -1, -1)]
    return list(dict.fromkeys(out))


def bcp47(folder: str) -> str:
    """A catalogue folder's name as a BCP 47 tag, for ``<html lang>``: ``pt_BR`` → ``pt-BR``."""
    return folder.replace("_", "-")


# -- catalogues ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compiled:
    """A catalogue read and compiled: its messages as a gettext ``.mo`` (in memory), the
    messages left out, and how many it translates."""

    mo: bytes
    problems: tuple[Problem, ...] = ()
    translated: int = 0

    def translations(self) -> _gettext.GNUTranslations:
        return _gettext.GNUTranslations(io.BytesIO(self.mo))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _longest(msgid: str) -> int:
    """The most characters a translation of ``msgid`` may have: four times as many,
    and 200 more (a language takes more words than English, never a page more)."""
    return 4 * len(msgid) + 200


def _check(message: Any, where: str, nplurals: int) -> str | None:
    """Why a message of a catalogue cannot be used, or None."""
    ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
    strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
    if message.pluralizable and len(strings) != nplurals:
        return f"{len(strings)} plural forms, where the catalogue's Plural-Forms says {nplurals}"
    if not message.pluralizable and len(strings) != 1:
        return "plural forms for a message that has none"
    allowed: set[str] = set()
    for msgid in ids:
        names = placeholders(msgid)
        allowed |= names or set()
    for text in strings:
        if not text:
            continue
        names = placeholders(text)
        if names is None:
            return "a `%` that is not a placeholder such as %(name)s (write a percent sign as %%)"
        unknown = sorted(names - allowed)
        if unknown:
            return f"placeholder %({unknown[0]})s is not in the English"
        if _CONTROL.search(text):
            return "a control character in the translation"
        if len(text) > _longest(max(ids, key=len)):
            return f"a translation of {len(text)} characters, far longer than the English ({len(max(ids, key=len))})"
    return None


def compile_catalogue(data: bytes, where: str) -> Compiled:
    """A ``.po`` catalogue's bytes (``where``: its path, for messages) read with Babel and
    compiled in memory; the same bytes are compiled once. Fuzzy and untranslated
    messages are left out, as gettext does; so is every message :func:`_check` refuses
    (each a :class:`Problem`). Raises :class:`CatalogueError` for a file that is not a
    catalogue: too large, not UTF-8, a syntax error (with its line), a plural rule that
    does not work."""
    return _compile(bytes(data), where)


@functools.lru_cache(maxsize=16)
def _compile(data: bytes, where: str) -> Compiled:
    if len(data) > MAX_CATALOGUE_BYTES:
        raise CatalogueError(
            where, f"larger than {MAX_CATALOGUE_BYTES // 2**20} MB", "a catalogue of this program is about 60 kB"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        lineno = data[: err.start].count(b"\n") + 1
        raise CatalogueError(f"{where}:{lineno}", "not UTF-8 text", "save the catalogue as UTF-8") from None
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(io.StringIO(text), abort_invalid=True, ignore_obsolete=True)
    except PoFileError as err:
        raise CatalogueError(
            f"{where}:{err.lineno + 1}",
            f"not a gettext catalogue: {str(err).rsplit(' on ', 1)[0]}",
            'each entry is `msgid "English"` then `msgstr "translation"`, strings in double quotes',
        ) from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as err:
        raise CatalogueError(where, f"not a gettext catalogue ({type(err).__name__}: {str(err)[:200]})", _PO_HINT) from None
    try:
        nplurals = int(catalog.num_plurals)
    except (ValueError, TypeError) as err:
        raise CatalogueError(f"{where}:1", f"the Plural-Forms header cannot be read ({str(err)[:200]})", _PLURAL_HINT) from None
    if not 1 <= nplurals <= MAX_PLURALS:
        raise CatalogueError(f"{where}:1", f"the Plural-Forms header says nplurals={nplurals}", _PLURAL_HINT)
    problems: list[Problem] = []
    kept = 0
    for message in list(catalog):
        if not message.id:
            continue  # the header
        line = f"{where}:{message.lineno}" if message.lineno else where
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not any(strings):  # not translated: the English is shown, as gettext does
            catalog.delete(message.id, message.context)
            continue
        why = f"a plural form is missing (the catalogue's Plural-Forms says {nplurals})" if not all(strings) else None
        why = why or _check(message, line, nplurals)
        if why is None:
            for error in message.check(catalog):
                why = str(error)
                break
        if why is not None:
            problems.append(Problem(line, f"left out ({why})"))
            catalog.delete(message.id, message.context)
            continue
        kept += 1
    buffer = io.BytesIO()
    catalog.charset = "utf-8"  # the text was read as UTF-8, whatever the header says
    try:
        write_mo(buffer, catalog)
        translations = _gettext.GNUTranslations(io.BytesIO(buffer.getvalue()))
    except (ValueError, SyntaxError, TypeError, LookupError, RecursionError, OverflowError, MemoryError) as err:
        raise CatalogueError(f"{where}:1", f"the Plural-Forms header cannot be used ({str(err)[:200]})", _PLURAL_HINT) from None
    for n in _PLURAL_PROBES:
        try:
            index = translations.plural(n)  # type: ignore[attr-defined]
        except (ArithmeticError, ValueError, TypeError, RecursionError) as err:
            raise CatalogueError(f"{where}:1", f"the plural rule fails for {n} ({type(err).__name__})", _PLURAL_HINT) from None
        if not 0 <= index < nplurals:
            raise CatalogueError(f"{where}:1", f"the plural rule gives form {index} for {n}, of {nplurals}", _PLURAL_HINT)
    return Compiled(buffer.getvalue(), tuple(problems), kept)


_PO_HINT = "check the file with `msgfmt --check`, or start again from cjdsl/locale/cjdsl.pot"
_PLURAL_HINT = 'write it as gettext does, e.g. "Plural-Forms: nplurals=2; plural=(n != 1);"'


def translator(tag: str, catalogues: Sequence[Compiled], numbers: str | None = None) -> Translator:
    """The translator for a language from its catalogues, the first one's translations
    first (a project's own catalogue before the shipped one), then English. ``numbers``:
    the locale Babel writes numbers for (None: as in English). The same language from
    the same catalogues is the same translator (so a rebuild reuses what was made for it)."""
    return _translator(tag, tuple(catalogues), numbers)


@functools.lru_cache(maxsize=16)
def _translator(tag: str, catalogues: tuple[Compiled, ...], numbers: str | None) -> Translator:
    links = [c.translations() for c in catalogues]
    for a, b in itertools.pairwise(links):
        a.add_fallback(b)
    return Translator(bcp47(tag), links[0] if links else _gettext.NullTranslations(), numbers)


def number_locale(tag: str) -> str | None:
    """The locale Babel knows for a language tag, to write numbers in (None: English, or
    a language Babel does not know, written as in English)."""
    if candidates(tag)[-1] == SOURCE:
        return None
    from babel import Locale, UnknownLocaleError

    for name in candidates(tag):
        try:
            Locale.parse(name)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        return name
    return None


# -- the language's closed vocabularies, in words ------------------------------------------------

#: Emotion -2..+2 in words (colour is never the only cue).
EMOTIONS = {
    -2: N_("very negative"),
    -1: N_("negative"),
    0: N_("neutral"),
    1: N_("positive"),
    2: N_("very positive"),
}
#: Lifecycle phases (`phase awareness`).
PHASES = {
    "awareness": pN_("phase", "awareness"),
    "interest": pN_("phase", "interest"),
    "consideration": pN_("phase", "consideration"),
    "decision": pN_("phase", "decision"),
    "purchase": pN_("phase", "purchase"),
    "adoption": pN_("phase", "adoption"),
    "advocacy": pN_("phase", "advocacy"),
    "loyalty": pN_("phase", "loyalty"),
    "other": pN_("phase", "other"),
}
#: A pain point's severity.
SEVERITIES = {
    "low": pN_("severity", "low"),
    "medium": pN_("severity", "medium"),
    "high": pN_("severity", "high"),
    "critical": pN_("severity", "critical"),
    None: pN_("severity", "unrated"),
}
#: An opportunity's impact and effort.
IMPACTS = {"low": pN_("impact", "low"), "medium": pN_("impact", "medium"), "high": pN_("impact", "high")}
EFFORTS = {"low": pN_("effort", "low"), "medium": pN_("effort", "medium"), "high": pN_("effort", "high")}
#: An opportunity's status.
STATUSES = {
    "idea": pN_("status", "idea"),
    "planned": pN_("status", "planned"),
    "in_progress": pN_("status", "in progress"),
    "done": pN_("status", "done"),
    "dropped": pN_("status", "dropped"),
    None: pN_("status", "no status"),
}
#: How the map knows a fact.
CONFIDENCES = {
    "observed": pN_("confidence", "observed"),
    "reported": pN_("confidence", "reported"),
    "assumed": pN_("confidence", "assumed"),
}
#: A pain point's cause.
CAUSES = {
    "product": pN_("cause", "product"),
    "service": pN_("cause", "service"),
    "delivery": pN_("cause", "delivery"),
    "price": pN_("cause", "price"),
    "communication": pN_("cause", "communication"),
    "process": pN_("cause", "process"),
    "technology": pN_("cause", "technology"),
    "other": pN_("cause", "other"),
}
#: A channel's kind.
CHANNEL_KINDS = {
    "web": pN_("channel kind", "web"),
    "email": pN_("channel kind", "email"),
    "social": pN_("channel kind", "social"),
    "ads": pN_("channel kind", "ads"),
    "search": pN_("channel kind", "search"),
    "chat": pN_("channel kind", "chat"),
    "phone": pN_("channel kind", "phone"),
    "store": pN_("channel kind", "store"),
    "app": pN_("channel kind", "app"),
    "webinar": pN_("channel kind", "webinar"),
    "event": pN_("channel kind", "event"),
    "print": pN_("channel kind", "print"),
    "sms": pN_("channel kind", "sms"),
    "video": pN_("channel kind", "video"),
    "review": pN_("channel kind", "review"),
    "partner": pN_("channel kind", "partner"),
    "office": pN_("channel kind", "office"),
    "word_of_mouth": pN_("channel kind", "word of mouth"),
    "push": pN_("channel kind", "push"),
    "letter": pN_("channel kind", "letter"),
    "other": pN_("channel kind", "other"),
}
#: How many pain points of a severity ("2 high"), a word that agrees with a count.
SEVERITY_COUNTS = {
    "low": pN_("pain points of severity", "low"),
    "medium": pN_("pain points of severity", "medium"),
    "high": pN_("pain points of severity", "high"),
    "critical": pN_("pain points of severity", "critical"),
    None: pN_("pain points of severity", "unrated"),
}
#: Whether a channel is online or offline.
CHANNEL_MODES = {"online": pN_("channel mode", "online"), "offline": pN_("channel mode", "offline")}
#: The markers of a persona's line on the emotion curve, in the legend.
MARKERS = {
    "circle": pN_("markers", "circle markers"),
    "square": pN_("markers", "square markers"),
    "diamond": pN_("markers", "diamond markers"),
    "triangle": pN_("markers", "triangle markers"),
    "ring": pN_("markers", "ring markers"),
    "cross": pN_("markers", "cross markers"),
}
#: What an edit does to an element, on the as-is and to-be page.
CHANGES = {
    "added": pN_("change", "added"),
    "removed": pN_("change", "removed"),
    "changed": pN_("change", "changed"),
    "moved": pN_("change", "moved"),
    "renamed": pN_("change", "renamed"),
}
#: A journey as the customer lives it today, or as redesigned.
STATES = {"as-is": pN_("journey state", "as-is"), "to-be": pN_("journey state", "to-be")}
#: Time units (`3..6 d`), as a total or a wait is written.
TIME_UNITS = {
    "s": pN_("time unit", "s"),
    "min": pN_("time unit", "min"),
    "h": pN_("time unit", "h"),
    "d": pN_("time unit", "d"),
    "w": pN_("time unit", "w"),
    "mo": pN_("time unit", "mo"),
}


#: The tables above by the name the templates use (``word("phase", s.phase)``).
VOCABULARIES: dict[str, Mapping[Any, tuple[str, str]]] = {
    "phase": PHASES,
    "severity": SEVERITIES,
    "impact": IMPACTS,
    "effort": EFFORTS,
    "status": STATUSES,
    "confidence": CONFIDENCES,
    "cause": CAUSES,
    "channel kind": CHANNEL_KINDS,
    "channel mode": CHANNEL_MODES,
    "markers": MARKERS,
    "change": CHANGES,
    "state": STATES,
}


def vocabulary_word(tr: Translator, table: Mapping[Any, tuple[str, str]], value: Any) -> str:
    """A value of a closed vocabulary in words: the table's word for it (written as in
    the language, ``in_progress``, or as shown, ``in progress``; None and "unrated" or
    "no status" are the table's word for no value, if it has one); else the value as
    written (a value the language does not know)."""
    key = value.replace(" ", "_") if isinstance(value, str) else value
    marked = table.get(key)
    if marked is None and value in ("unrated", "no status", "", None):
        marked = table.get(None)
    if marked is None:
        return str(value or "").replace("_", " ")
    return tr.word(marked)


def emotion_word(tr: Translator, value: int | None) -> str:
    """An emotion -2..+2 in words; "not rated" for None."""
    if value is None or value not in EMOTIONS:
        return tr.gettext("not rated")
    return tr.gettext(EMOTIONS[value])


def emotion_words(tr: Translator) -> dict[int, str]:
    """Emotion -2..+2 in words, as a table."""
    return {e: tr.gettext(w) for e, w in EMOTIONS.items()}


_TIME = re.compile(r"^(-?\d+(?:\.\d+)?)(?:–(-?\d+(?:\.\d+)?))? (s|min|h|d|w|mo)$")


def time_text(tr: Translator, text: str) -> str:
    """A time as the map writes it (``3–6 d``, ``1.5 h``) in the language: its numbers
    and its unit; any other text as it is."""
    match = _TIME.match(text)
    if match is None:
        return text
    low, high, unit = match.groups()
    shown = tr.number(float(low)) + (f"–{tr.number(float(high))}" if high is not None else "")
    return f"{shown} {tr.word(TIME_UNITS[unit])}"
