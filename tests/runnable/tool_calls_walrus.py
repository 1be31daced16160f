"""Tool calls bound by a walrus, and the first one taken after `or []`."""
import json

from openai import OpenAI

client = OpenAI()
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Weather in Paris?"}],
    tools=TOOLS,
)
if tool_calls := completion.choices[0].message.tool_calls:
    print("called", tool_calls[0].function.name, json.loads(tool_calls[0].function.arguments))
first = (completion.choices[0].message.tool_calls or [])[0]
print("first", first.function.name)
