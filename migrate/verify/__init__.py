"""Proving a migration by running the program twice (`command`: `migrate verify`): a local
fake of the OpenAI API that answers both endpoints alike (`server`), the neutral form both
APIs' requests are compared in (`canonical`), the deterministic answers (`answers`), strict
validation of request bodies against the `openai` SDK's types (`validation`), and running a
program against the server (`programs`).

Only this package needs the `openai` SDK (`pip install 'openai-responses-migrate[verify]'`),
imported on the first server start; nothing on `migrate apply`'s path imports it.

    from migrate.verify.server import FakeOpenAI

    with FakeOpenAI() as server:
        client = OpenAI(base_url=server.base_url, api_key="x")
        client.responses.create(model="gpt-4.1", input="Hi", store=False)
        [request] = server.requests
        request.api, request.canonical, request.errors
"""
