"""An Azure client on GA api-version 2024-10-21, which predates Responses on Azure (RSP006).
The fake server is the Azure resource: its root is OPENAI_BASE_URL without /v1."""
import os

from openai import AzureOpenAI

client = AzureOpenAI(
    api_version="2024-10-21",
    azure_endpoint=os.environ["OPENAI_BASE_URL"].removesuffix("/v1"),
    api_key=os.environ["OPENAI_API_KEY"],
)

completion = client.chat.completions.create(
    model="gpt-4o-deployment",
    messages=[{"role": "user", "content": "Draft a short out-of-office reply."}],
)
print(completion.choices[0].message.content)
