"""Stream loops guarded by tests that only skip chunks with no text: no choices (the usage
chunk of include_usage), `finish_reason` set (the last chunk), no content."""
import asyncio

from openai import AsyncOpenAI, OpenAI

client = OpenAI()

stream = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Tell me a story about a lighthouse."}],
    stream=True,
    stream_options={"include_usage": True},
)
for chunk in stream:
    if not chunk.choices:
        continue
    print(chunk.choices[0].delta.content or "", end="")
print()

again = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Now one about a harbour."}],
    stream=True,
    stream_options={"include_usage": True},
)
parts = []
for chunk in again:
    if chunk.choices and chunk.choices[0].delta.content:
        parts.append(chunk.choices[0].delta.content)
print("|".join(parts))

third = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "And one about a boat."}],
    stream=True,
)
for chunk in third:
    if chunk.choices[0].finish_reason is None:
        print(chunk.choices[0].delta.content, end="", flush=True)
print()

fourth = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "And one about a gull."}],
    stream=True,
    stream_options={"include_usage": True},
)
text = ""
for chunk in fourth:
    if len(chunk.choices) == 0:
        continue
    delta = chunk.choices[0].delta
    if delta.content:
        text += delta.content
print(text)

fifth = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "And one about a tide."}],
    stream=True,
)
for chunk in fifth:
    if len(chunk.choices) > 0:
        print(chunk.choices[0].delta.content or "", end="")
print()

sixth = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "And one about a pier."}],
    stream=True,
    stream_options={"include_usage": True},
)
for piece in sixth:
    if piece.choices and piece.choices[0].delta.content:
        print(piece.choices[0].delta.content, end="")
    if piece.usage:
        print("\ntokens:", piece.usage.total_tokens)


async def collect() -> str:
    aclient = AsyncOpenAI()
    stream = await aclient.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": "Last, one about a reef."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    answer = ""
    async for chunk in stream:
        if not chunk.choices or not chunk.choices[0].delta.content:
            continue
        answer += chunk.choices[0].delta.content
    return answer


print(asyncio.run(collect()))
