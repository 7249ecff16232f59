"""The DSL: its grammar loaded, files parsed into the model, the model printed back.

Enters: DSL text. Leaves: ``model`` values and located diagnostics.
"""
