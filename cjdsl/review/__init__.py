"""Review: what changed between two versions of a project (``diff``, with ``git`` to
read a revision), and journeys brought in from elsewhere (``mermaid_import``)."""
