"""The language: text → :class:`~cjdsl.core.model.Document` and back.

``table`` describes every block and attribute once; ``parser`` drives Lark's LALR tables
(``fastpath``, tables in ``parse_tables.json``) and calls ``builder`` on each reduction;
``syntax_errors`` words what fails to parse; ``values`` checks single values against the
language's scales and vocabularies; ``formatter`` prints the canonical layout.
"""
