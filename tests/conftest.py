"""Test-wide settings: on CI, hypothesis runs a fixed set of examples so a run is reproducible."""

from hypothesis import settings

from .tools import ON_CI

settings.register_profile("ci", derandomize=True, print_blob=True)
if ON_CI:
    settings.load_profile("ci")
