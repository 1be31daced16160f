"""A single user message; prints the answer text."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1-mini",
    messages=[{"role": "user", "content": "Write a haiku about recursion."}],
)
print(completion.choices[0].message.content)
