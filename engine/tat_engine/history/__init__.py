"""The law over time: the replay of acts into provisions and versions, the query index, the
clause graph, the open (date worlds, readings, facts with their status) and the law's own text.

Enters: a ``model.Corpus``. Leaves: an ``index.Index`` and typed answers.
"""
