"""Measuring journeys against captured events: the journeys' tables (:mod:`.mapping`),
the measurement as SQL, one definition (:mod:`.sql`) run on DuckDB (:mod:`.run`) or
written for a warehouse through sqlglot (:mod:`.warehouse`), and synthetic events for
trying it (:mod:`.simulate`). Between ``project`` and ``review`` in the stages."""
