"""A stream loop that checks the finish reason."""
from openai import OpenAI

client = OpenAI()

stream = client.chat.completions.create(
    model="gpt-4.1", messages=[{"role": "user", "content": "Say hello."}], stream=True, max_completion_tokens=64
)
for chunk in stream:
    text = chunk.choices[0].delta.content
    if text:
        print(text, end="")
    if chunk.choices[0].finish_reason == "stop":
        print("\n[stop]")
    elif chunk.choices[0].finish_reason == "length":
        print("\n[truncated]")
