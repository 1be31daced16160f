"""A streamed answer, printed delta by delta, with usage at the end."""
from openai import OpenAI

client = OpenAI()

stream = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Tell me a short story."}],
    stream=True,
    stream_options={"include_usage": True},
)
parts = []
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        parts.append(chunk.choices[0].delta.content)
    if chunk.usage is not None:
        print("tokens:", chunk.usage.total_tokens)
print("".join(parts))
