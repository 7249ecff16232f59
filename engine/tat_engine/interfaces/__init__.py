"""What people and other services touch: the command line, the HTTP API and its guard, the
exports (JSON, Markdown, HTML, Akoma Ntoso), JSON serialisation and the reading room (``web/``).

Enters: requests and arguments. Leaves: answers rendered.
"""
