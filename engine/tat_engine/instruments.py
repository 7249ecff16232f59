"""The instruments the package ships: each is the folders of its corpus under ``data/``.

Kept free of imports so that the command line's answer table (quick.py) can read it
without loading the engine.
"""

INSTRUMENTS = {
    "tat": ("tat", "amendments"),
    "safety-2023": ("programmes/safety-2023",),
}
DEFAULT = "tat"
