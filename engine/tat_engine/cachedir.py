"""The per-user cache directory: files the engine wrote for this user, and nothing else.

The index cache is a pickle, and unpickling runs code. Why not a data-only format:
the index is a graph of frozen attrs objects of some thirty classes; a codec for it
would restate every class's shape and load slower, and loading fast is all a
cache is for. So the pickle stays, but it is *authenticated*: nothing is unpickled
(and no answer-table row is believed) unless an HMAC-SHA256 under a per-user secret
key shows that this user's engine wrote these very bytes for this very content key.
A planted, renamed, truncated or bit-flipped file fails the check and is rebuilt.

The key is 32 random bytes in ``key``, mode 0600, in a directory that the current
user owns and that no group or other user can write (checked with ``os.stat``; a
directory that fails is not used at all, and the engine builds in memory). Files
are opened without following symbolic links, written to a fresh temporary file
(``O_EXCL``, random name) and renamed into place, so a planted link is neither read
nor written through, and a writer killed half-way leaves only a temporary file no
reader opens (swept after an hour). Any failure means "no cache", never an error:
a read-only or missing home answers as well, only slower.

Standard library only: the command line's answer table (quick.py) imports it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import stat
import time
from collections.abc import Iterable

MAGIC = b"tat-sealed-1\n"
KEY_FILE = "key"
_KEY_BYTES = 32
_MAC_BYTES = 32
HEADER = len(MAGIC) + _MAC_BYTES  # bytes before the payload of a sealed file
_STALE_SECONDS = 3600  # a temporary file this old belongs to a writer that died
# non-blocking: a FIFO planted at a cache path must not hang the reader (it is then refused as not regular)
_READ = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def code_files() -> list[str]:
    """The engine's own code (every ``.py`` of the package and its subpackages) and its grammar:
    what a cached index or answer table was made by, so a change to any of them makes a new key."""
    package = os.path.dirname(os.path.abspath(__file__))
    found = [os.path.join(package, "data", "grammar", "tat.lark")]
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if os.path.exists(os.path.join(folder, d, "__init__.py")))
        found += [os.path.join(folder, name) for name in names if name.endswith(".py")]
    return sorted(found)


def corpus_hash(texts: Iterable[str]) -> str:
    """sha256 over the sorted sha256 digests of the corpus files' text as loaded: the files' names and
    order do not matter (the same DSL loaded from another folder is the same corpus); a byte does.
    The stamp's corpus identity, and what the answer table is stamped with (quick.py)."""
    digests = sorted(hashlib.sha256(text.encode("utf-8")).digest() for text in texts)
    return hashlib.sha256(b"".join(digests)).hexdigest()


def content_key(kind: str, contents) -> str:
    """The one content key of what the cache keeps (the index and the answer table): a SHA-256
    of ``kind`` (what is kept, in which format), the engine's code and grammar and the named
    ``contents`` (``(name, bytes)`` pairs: corpus files, assumed dates), so a change to any of
    them, even one undone with ``cp -p`` (old size, old time), makes a new key."""
    digest = hashlib.sha256(kind.encode() + b"\0")
    _add(digest, "\0code", _code_digest())
    for name, data in contents:
        _add(digest, name, data)
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """A SHA-256 of the engine's code and grammar (names and bytes), read once per process: a command
    asks for two keys (the index's and the answer table's), and each read of the code cost as much
    as the rest of the key."""
    digest = hashlib.sha256()
    package = os.path.dirname(os.path.abspath(__file__))
    for path in code_files():
        with open(path, "rb") as handle:
            _add(digest, os.path.relpath(path, package), handle.read())
    return digest.digest()


def _add(digest, name: str, data: bytes) -> None:
    digest.update(b"%s\0%d\0%s" % (name.encode(), len(data), data))  # the length: no two splits agree


def root() -> str:
    """``$TAT_CACHE_DIR``, or ``~/.cache/tat-engine``."""
    return os.environ.get("TAT_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "tat-engine")


def directory(create: bool = False) -> str | None:
    """The cache directory if it is safe to use, made (mode 0700) when ``create``; else None."""
    path = root()
    if create:
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
        except OSError:
            return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return path if _owned_and_private(info, stat.S_ISDIR, 0o022) else None


def secret(folder: str, create: bool = False) -> bytes | None:
    """This user's key in ``folder``, made when ``create`` and missing; None when it is
    not a 0600 regular file of this user (then the cache is not used)."""
    found = _read(folder, KEY_FILE, 0o077)
    if found is None and create and not os.path.lexists(os.path.join(folder, KEY_FILE)):
        try:
            temporary = _temporary(folder, KEY_FILE, os.urandom(_KEY_BYTES))
            try:
                os.link(temporary, os.path.join(folder, KEY_FILE))  # never replaces a key another process made
            except FileExistsError:
                pass
            finally:
                os.unlink(temporary)
        except OSError:
            return None
        found = _read(folder, KEY_FILE, 0o077)
    return found if found is not None and len(found) == _KEY_BYTES else None


def mac(key: bytes, *parts: bytes) -> bytes:
    """HMAC-SHA256 of ``parts``, each ended by a NUL so no two splits of one string agree."""
    return hmac.digest(key, b"".join(part + b"\0" for part in parts), "sha256")


def seal(key: bytes, name: str, payload: bytes) -> bytes:
    """``payload`` with a header that binds it to ``name`` under ``key``."""
    return MAGIC + _payload_mac(key, name, payload) + payload


def unseal(key: bytes, name: str, data: bytes | None) -> memoryview | None:
    """The payload of ``data`` if it was sealed for ``name`` under ``key``; else None.
    A view, not a copy: an index of tens of megabytes is neither copied nor joined to be checked."""
    if data is None or len(data) < HEADER or not data.startswith(MAGIC):
        return None
    payload = memoryview(data)[HEADER:]
    return payload if hmac.compare_digest(data[len(MAGIC):HEADER], _payload_mac(key, name, payload)) else None


def _payload_mac(key: bytes, name: str, payload) -> bytes:
    """``mac(key, name, payload)``, fed in pieces so a large payload is never copied."""
    digest = hmac.new(key, name.encode() + b"\0", "sha256")
    digest.update(payload)
    digest.update(b"\0")
    return digest.digest()


def read(folder: str, name: str) -> bytes | None:
    """The bytes of the regular file ``name`` of this user, not through a link; else None."""
    return _read(folder, name, 0o022)


def is_own_file(path: str) -> bool:
    """Whether ``path`` is a regular file of this user that others cannot write (not a link)."""
    try:
        return _owned_and_private(os.lstat(path), stat.S_ISREG, 0o022)
    except OSError:
        return False


def write(folder: str, name: str, data: bytes) -> None:
    """Put ``data`` at ``name`` atomically: a fresh temporary file, then a rename over
    whatever was there (a planted link is replaced, not followed). Raises OSError."""
    temporary = _temporary(folder, name, data)
    try:
        os.replace(temporary, os.path.join(folder, name))
    except OSError:
        _remove(temporary)
        raise
    sweep(folder)


def sweep(folder: str, older_than: float = _STALE_SECONDS) -> None:
    """Remove temporary files left by writers that were killed (never a live writer's)."""
    limit = time.time() - older_than
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(".") and entry.name.endswith(".tmp") and \
                        entry.stat(follow_symlinks=False).st_mtime < limit:
                    _remove(entry.path)
    except OSError:
        pass


def _temporary(folder: str, name: str, data: bytes) -> str:
    path = os.path.join(folder, f".{name}.{os.urandom(8).hex()}.tmp")
    handle = os.open(path, _CREATE, 0o600)
    try:
        with open(handle, "wb", closefd=True) as out:
            out.write(data)
    except OSError:
        _remove(path)
        raise
    return path


def _read(folder: str, name: str, forbidden: int) -> bytes | None:
    try:
        handle = os.open(os.path.join(folder, name), _READ)
    except OSError:
        return None  # missing, or a symbolic link (ELOOP)
    try:
        with open(handle, "rb", closefd=True) as source:
            if not _owned_and_private(os.fstat(source.fileno()), stat.S_ISREG, forbidden):
                return None
            return source.read()
    except OSError:
        return None


def _owned_and_private(info: os.stat_result, kind, forbidden: int) -> bool:
    return kind(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & forbidden


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
