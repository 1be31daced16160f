"""Stream loops guarded in ruff's layout of a long test (`if (\n    a\n    and b\n):`), and
stream reads in f-strings of both quote styles (the rewrite's literals take the other quote)."""

from openai import OpenAI

client = OpenAI()

stream = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Tell me a story about a lighthouse."}],
    stream=True,
    stream_options={"include_usage": True},
)
for chunk in stream:
    if (
        chunk.choices
        and chunk.choices[0].delta.content
    ):
        print(chunk.choices[0].delta.content, end="")
print()

again = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Now one about a harbour."}],
    stream=True,
    stream_options={"include_usage": True},
)
parts = []
for chunk in again:
    if (
        not chunk.choices
        or not chunk.choices[0].delta.content
    ):
        continue
    parts.append(chunk.choices[0].delta.content)
print("|".join(parts))

third = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "And one about a boat."}],
    stream=True,
    stream_options={"include_usage": True},
)
for chunk in third:
    if (chunk.choices and chunk.choices[0].delta.content):
        print(chunk.choices[0].delta.content, end="")
    if chunk.usage:
        print("\ntokens:", chunk.usage.total_tokens)

fourth = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "And one about a gull."}],
    stream=True,
)
print("".join([f"{chunk.choices[0].delta.content or ''}" for chunk in fourth]))

fifth = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "And one about a tide."}],
    stream=True,
)
print("".join([f'{chunk.choices[0].delta.content or ""}' for chunk in fifth]))
