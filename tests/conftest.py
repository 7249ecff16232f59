import os

import pytest

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def directive():
    """The bundled directive, built once for the whole run (never read from a cache)."""
    import tat_engine

    return tat_engine.load(cache=False)


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """A new, private cache folder (TAT_CACHE_DIR) for one test."""
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("TAT_CACHE_DIR", str(folder))
    return folder


# Text for people follows the locale (LC_ALL, LC_MESSAGES, LANG: et… is Estonian); the suite speaks
# English unless a test asks otherwise (--lang, ?lang=, Accept-Language), so the goldens stay as written.
os.environ["LC_ALL"] = "C.UTF-8"

# The indexes and answer tables an install builds into the package (tat_engine/prebuilt.py) would
# answer before the user's cache is read, hiding what the cache's tests check: they are read only
# where a test asks (test_prebuilt.py builds its own).
os.environ["TAT_PREBUILT"] = "0"
