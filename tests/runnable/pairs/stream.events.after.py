"""Correct: the streaming loop rewritten for Responses events (store=False written)."""
from openai import OpenAI

client = OpenAI()

stream = client.responses.create(
    model="gpt-4.1",
    input=[{"role": "user", "content": "Tell me a short story."}],
    stream=True,
    store=False,
)
parts = []
for event in stream:
    if event.type == "response.output_text.delta":
        parts.append(event.delta)
    elif event.type == "response.completed":
        print("tokens:", event.response.usage.total_tokens)
print("".join(parts))
