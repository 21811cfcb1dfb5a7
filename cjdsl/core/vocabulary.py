"""The closed vocabularies of the language, in their canonical order."""

from __future__ import annotations

PHASES = ("awareness", "interest", "consideration", "decision", "purchase", "adoption", "advocacy", "loyalty")
CHANNEL_MODES = ("online", "offline")
CHANNEL_KINDS = (
    "web",
    "email",
    "social",
    "ads",
    "search",
    "chat",
    "phone",
    "store",
    "app",
    "webinar",
    "event",
    "print",
    "sms",
    "video",
    "review",
    "partner",
    "office",
    "word_of_mouth",
    "push",
    "letter",
    "other",
)
#: Channel kinds that happen offline when a channel does not say online/offline: a
#: call, a shop or branch, an event, print, an office (a bank branch, a clinic), word of
#: mouth and a letter by post.
OFFLINE_KINDS = frozenset({"phone", "store", "event", "print", "office", "word_of_mouth", "letter"})
SEVERITIES = ("low", "medium", "high", "critical")
CAUSES = ("product", "service", "delivery", "price", "communication", "process", "technology", "other")
LEVELS = ("low", "medium", "high")
STATUSES = ("idea", "planned", "in_progress", "done", "dropped")
#: A journey's state: as the customer lives it today, or as redesigned.
STATES = ("current", "future")
#: How a map knows a fact, from the strongest backing to the weakest.
CONFIDENCES = ("observed", "reported", "assumed")
#: Units of `duration` and `wait`, shortest first (seconds each in model.TIME_UNITS).
TIME_UNITS = ("s", "min", "h", "d", "w", "mo")
SCALAR_TYPES = ("string", "integer", "number", "boolean", "datetime")
PROPERTY_TYPES = (*SCALAR_TYPES, "enum", "list")

EMOTION_RANGE = (-2, 2)
RATING_RANGE = (1, 5)
AGE_RANGE = (0, 130)
