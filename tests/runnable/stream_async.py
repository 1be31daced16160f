"""An async stream collected into a string."""
import asyncio

from openai import AsyncOpenAI

client = AsyncOpenAI()


async def main() -> None:
    parts = []
    stream = await client.chat.completions.create(
        model="gpt-4.1", messages=[{"role": "user", "content": "Describe the sea."}], stream=True
    )
    async for chunk in stream:
        if chunk.choices[0].delta.content is not None:
            parts.append(chunk.choices[0].delta.content)
    print("".join(parts))


asyncio.run(main())
