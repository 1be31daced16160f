"""Right: the client asks for an api-version that serves /openai/responses."""
import os

from openai import AzureOpenAI

client = AzureOpenAI(
    api_version="2025-03-01-preview",
    azure_endpoint=os.environ["OPENAI_BASE_URL"].removesuffix("/v1"),
    api_key=os.environ["OPENAI_API_KEY"],
)

response = client.responses.create(
    model="gpt-4o-deployment",
    input=[{"role": "user", "content": "Draft a short out-of-office reply."}],
    store=False,
)
print(response.output_text)
