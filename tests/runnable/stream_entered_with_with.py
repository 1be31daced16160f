"""Streams entered with `with` / `async with`: the stream is its own context manager in both APIs."""
import asyncio

from openai import AsyncOpenAI, OpenAI

client = OpenAI()
aclient = AsyncOpenAI()


def collect(question: str) -> str:
    text = ""
    with client.chat.completions.create(
        model="gpt-4.1-mini", messages=[{"role": "user", "content": question}], stream=True
    ) as stream:
        for chunk in stream:
            if chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
    return text


async def acollect(question: str) -> str:
    text = ""
    async with await aclient.chat.completions.create(
        model="gpt-4.1-mini", messages=[{"role": "user", "content": question}], stream=True
    ) as stream:
        async for chunk in stream:
            if chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
    return text


print(collect("Describe the sea."))
print(asyncio.run(acollect("Describe the hills.")))
