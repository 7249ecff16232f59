"""What people and other services touch: the command line, the HTTP API and its guard, the
exports (JSON, Markdown, HTML, Akoma Ntoso), JSON serialisation, the reading room (``web/``) and
the one renderer of results as text for people (``render``).

Enters: requests and arguments. Leaves: answers rendered.
"""
