"""A result's message passed to a function of the module that reads it."""
from openai import OpenAI

client = OpenAI()


def show(message) -> None:
    print("answer:", message.content)
    print("role:", message.role)


completion = client.chat.completions.create(
    model="gpt-4.1-mini",
    messages=[{"role": "user", "content": "Name a river."}],
)
show(completion.choices[0].message)
