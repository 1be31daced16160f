"""The deprecated `max_tokens`."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Give me a fun fact."}],
    max_tokens=100,
)
print(completion.choices[0].message.content.strip())
