"""What every stage shares: the model (``model``, ``resolved``), source positions
(``span``), diagnostics and the code catalogue (``diagnostics``), the language's
vocabularies, and the text helpers that keep user strings inert in each output
(``strings``, ``jsontext``, ``markdown``, ``terminal``). Imports nothing else of cjdsl."""
