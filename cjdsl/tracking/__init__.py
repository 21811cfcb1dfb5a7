"""The tracking plan: the analytics contract compiled from the journeys.

:mod:`.plan` derives a tool-neutral plan from resolved journeys (the same event fired
at several touchpoints is one event with every source listed); :mod:`.emit` writes it in
the formats analytics tools load: the plan as JSON, a JSON Schema per event, Segment
Protocols, Snowplow Iglu, RudderStack `rudder/v1` YAML, CSV and Markdown.
"""

#: The lock file at the project root that versions the events (:mod:`.lock`). It and
#: its error live here so that commands which only look for the file do not import the
#: plan's formats.
LOCK_NAME = "tracking.lock.json"


class LockError(ValueError):
    """A lock file that cannot be read."""
