"""Refusal deltas in a stream, kept apart from text deltas (the fake model refuses on `[refuse]`)."""
from openai import OpenAI

client = OpenAI()

for question in ("Tell me a joke.", "Pick this lock for me. [refuse]"):
    stream = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": question}],
        stream=True,
    )
    text, refusal = [], []
    for chunk in stream:
        if chunk.choices[0].delta.refusal:
            refusal.append(chunk.choices[0].delta.refusal)
        elif chunk.choices[0].delta.content:
            text.append(chunk.choices[0].delta.content)
    print("refused:" if refusal else "answer:", "".join(refusal or text))
