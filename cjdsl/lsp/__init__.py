"""The language server (`cjdsl lsp`): the compiler's diagnostics, completion, hover,
navigation, rename, symbols, formatting and fixes for editors, over the Language
Server Protocol on stdin and stdout.

One module per job: ``server`` (the pygls wiring), ``workspace`` (documents, projects,
parsed sources, diagnostics and the index), ``symbols`` (declarations and references),
``context`` (where the cursor is), ``completion``, ``navigation`` (hover, definition,
references, rename), ``actions`` (code actions), ``outline`` (document and workspace
symbols, folding, semantic tokens), ``diagnostics`` and ``positions`` (conversions).
Only ``server`` imports pygls; the others need lsprotocol at most.
"""
