"""The tracking plan: the analytics contract compiled from the journeys.

:mod:`.plan` derives a tool-neutral plan from resolved journeys (the same event fired
at several touchpoints is one event with every source listed); :mod:`.emit` writes it in
the formats analytics tools load: the plan as JSON, a JSON Schema per event, Segment
Protocols, Snowplow Iglu, RudderStack `rudder/v1` YAML, CSV and Markdown.
"""
