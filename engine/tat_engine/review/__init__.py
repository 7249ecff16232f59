"""The published texts read back and checked: verify, lint, coverage, citations, and the import of
an amending act from its published text.

Enters: the source documents and a ``law.Law``. Leaves: differences, findings, draft DSL.
"""
