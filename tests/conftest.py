import sys
from pathlib import Path

# Test helpers (fixture_cases, sdk_validation) are plain modules beside the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))

# The engine raises the limit for deep files; raise it up front so hypothesis sees no change.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
