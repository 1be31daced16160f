"""Test support: a local fake OpenAI server and helpers to run programs against it.

``migrate.testing`` needs the ``openai`` SDK (``pip install 'openai-responses-migrate[verify]'``)
for request validation; it is imported lazily, on the first server start.

    from migrate.testing import FakeOpenAI

    with FakeOpenAI() as server:
        client = OpenAI(base_url=server.base_url, api_key="x")
        client.responses.create(model="gpt-4.1", input="Hi", store=False)
        [request] = server.requests
        request.api, request.canonical, request.errors
"""

from migrate.testing.canonical import answer_seed, canonical_chat, canonical_responses, first_difference
from migrate.testing.programs import ProgramRun, run_command, run_source
from migrate.testing.server import FakeOpenAI, RecordedRequest

__all__ = [
    "FakeOpenAI",
    "ProgramRun",
    "RecordedRequest",
    "answer_seed",
    "canonical_chat",
    "canonical_responses",
    "first_difference",
    "run_command",
    "run_source",
]
