"""A leading system message (hoisted to `instructions=`)."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[
        {"role": "system", "content": "You are a terse assistant. Answer in one sentence."},
        {"role": "user", "content": "What is a closure?"},
    ],
)
print(completion.choices[0].message.content)
