"""Reads the tool calls of a forced call: id, name and arguments."""
import json

from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "What's the weather in Paris and Rome?"}],
    tools=[
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 7}},
                    "required": ["city", "days"],
                    "additionalProperties": False,
                },
                "strict": True,
            },
        }
    ],
    tool_choice="required",
)
for call in completion.choices[0].message.tool_calls or []:
    args = json.loads(call.function.arguments)
    print(call.id, call.function.name, sorted(args), 1 <= args["days"] <= 7)
