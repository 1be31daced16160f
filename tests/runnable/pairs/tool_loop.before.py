"""A tool loop: the model calls a tool, the program answers, the model replies."""
import json

from openai import OpenAI

client = OpenAI()

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
                "additionalProperties": False,
            },
            "strict": True,
        },
    }
]
messages = [{"role": "user", "content": "What's the weather in Paris?"}]
completion = client.chat.completions.create(model="gpt-4.1", messages=messages, tools=TOOLS)
message = completion.choices[0].message
messages.append(message)
for call in message.tool_calls:
    args = json.loads(call.function.arguments)
    print("tool:", call.function.name, sorted(args))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": "18C and cloudy"})
final = client.chat.completions.create(model="gpt-4.1", messages=messages, tools=TOOLS)
print(final.choices[0].message.content)
