"""AsyncOpenAI with asyncio.run."""
import asyncio

from openai import AsyncOpenAI

client = AsyncOpenAI()


async def main() -> None:
    completion = await client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": "Explain recursion in one sentence."}],
    )
    print(completion.choices[0].message.content)
    print(completion.usage.completion_tokens)


asyncio.run(main())
