"""A generator that yields deltas to a web client."""
from openai import OpenAI

client = OpenAI()


def stream_answer(question: str):
    for chunk in client.chat.completions.create(
        model="gpt-4.1", messages=[{"role": "user", "content": question}], stream=True
    ):
        content = chunk.choices[0].delta.content
        if content:
            yield content


print("|".join(stream_answer("Name three rivers.")))
