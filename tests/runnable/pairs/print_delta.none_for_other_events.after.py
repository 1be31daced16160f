"""What the tool wrote before RSP310: `None` printed for every event that is not a text delta."""
from openai import OpenAI

client = OpenAI()

stream = client.responses.create(
    model="gpt-4.1",
    input=[{"role": "user", "content": "Tell me a story about a lighthouse."}],
    stream=True,
    store=False,
)
for chunk in stream:
    print(chunk.delta if chunk.type == "response.output_text.delta" else None, end="", flush=True)
print()
