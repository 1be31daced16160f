"""An async stream whose tool-call deltas fill a defaultdict; text deltas are printed too."""
import asyncio
from collections import defaultdict

from openai import AsyncOpenAI

client = AsyncOpenAI()


async def main() -> None:
    calls = defaultdict(lambda: {"name": "", "arguments": ""})
    stream = await client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": "Look up the order 42."}],
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "lookup_order",
                    "parameters": {"type": "object", "properties": {"order_id": {"type": "integer"}}, "required": ["order_id"]},
                },
            }
        ],
        stream=True,
    )
    async for chunk in stream:
        delta = chunk.choices[0].delta
        if delta.content:
            print(delta.content, end="")
        for tool_call in delta.tool_calls or []:
            call = calls[tool_call.index]
            call["name"] += tool_call.function.name or ""
            call["arguments"] += tool_call.function.arguments or ""
            print(".", end="")
        if chunk.choices[0].finish_reason == "tool_calls":
            print()
    for call in calls.values():
        print(call["name"], call["arguments"])


asyncio.run(main())
