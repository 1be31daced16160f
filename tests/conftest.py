import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

# Test helpers (fixture_cases, sdk_validation) are plain modules beside the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))

# The engine raises the limit for deep files; raise it up front so hypothesis sees no change.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))

# Hypothesis profiles: "ci" (the default) keeps the suite fast; run the property tests harder
# locally with `HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/test_reliability.py`.
# Tests that pin max_examples themselves (tests/test_properties.py) keep their own count.
settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile(
    "long", max_examples=2_000, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
