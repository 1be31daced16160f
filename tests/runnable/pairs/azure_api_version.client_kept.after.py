"""WRONG: the call migrated on the same client, as the tool did before RSP006: Azure refuses
/openai/responses on that api-version."""
import os

from openai import AzureOpenAI

client = AzureOpenAI(
    api_version="2024-10-21",
    azure_endpoint=os.environ["OPENAI_BASE_URL"].removesuffix("/v1"),
    api_key=os.environ["OPENAI_API_KEY"],
)

response = client.responses.create(
    model="gpt-4o-deployment",
    input=[{"role": "user", "content": "Draft a short out-of-office reply."}],
    store=False,
)
print(response.output_text)
