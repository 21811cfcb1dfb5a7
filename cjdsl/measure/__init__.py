"""Measuring journeys against captured events: the journeys' tables (:mod:`.mapping`),
the measurement as one SQL query (:mod:`.sql`) run on DuckDB (:mod:`.run`), and
synthetic events for trying it (:mod:`.simulate`). Between ``project`` and ``review``
in the stages."""
