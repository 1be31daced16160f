"""Right: a client of Azure's v1 API, which serves /responses whatever the api-version."""
import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"].removesuffix("/v1") + "/openai/v1/",
    api_key=os.environ["OPENAI_API_KEY"],
)

response = client.responses.create(
    model="gpt-4o-deployment",
    input=[{"role": "user", "content": "Draft a short out-of-office reply."}],
    store=False,
)
print(response.output_text)
