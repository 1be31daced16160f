"""An Azure client whose api-version serves Responses: chat goes to
/openai/deployments/{model}/chat/completions, Responses to /openai/responses (RSP005).
The fake server is the Azure resource: its root is OPENAI_BASE_URL without /v1."""
import os

from openai import AzureOpenAI

AZURE_API_VERSION = "2025-03-01-preview"

client = AzureOpenAI(
    api_version=AZURE_API_VERSION,
    azure_endpoint=os.environ["OPENAI_BASE_URL"].removesuffix("/v1"),
    api_key=os.environ["OPENAI_API_KEY"],
)

completion = client.chat.completions.create(
    model="gpt-4o-deployment",
    messages=[
        {"role": "system", "content": "Answer in one sentence."},
        {"role": "user", "content": "Why do leaves change colour?"},
    ],
    max_tokens=60,
)
print(completion.choices[0].message.content)
print(completion.usage.prompt_tokens, completion.usage.completion_tokens)
