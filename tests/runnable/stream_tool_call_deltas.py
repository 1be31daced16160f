"""Streamed tool-call deltas accumulated into a dict keyed by the call's index.

A reasoning model: its Responses output starts with a reasoning item, so the function call's
`output_index` is 1 where the chat delta's `index` is 0. Only the dict's values are used."""
import json

from openai import OpenAI

client = OpenAI()
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
                "required": ["city", "unit"],
            },
        },
    }
]

final_tool_calls = {}
stream = client.chat.completions.create(
    model="o4-mini",
    messages=[{"role": "user", "content": "What's the weather in Paris?"}],
    tools=TOOLS,
    stream=True,
)
for chunk in stream:
    for tool_call in chunk.choices[0].delta.tool_calls or []:
        index = tool_call.index
        if index not in final_tool_calls:
            final_tool_calls[index] = {"id": tool_call.id, "name": tool_call.function.name, "arguments": ""}
            print("call started:", tool_call.function.name)
        final_tool_calls[index]["arguments"] += tool_call.function.arguments
print(len(final_tool_calls), "tool call(s)")
for call in final_tool_calls.values():
    print(call["id"], call["name"], json.loads(call["arguments"]))
