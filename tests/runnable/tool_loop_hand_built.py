"""A tool loop that writes the assistant's tool calls and the tool results as dicts."""
import json

from openai import OpenAI

client = OpenAI()
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


def run(question: str) -> str:
    messages = [{"role": "user", "content": question}]
    for _ in range(3):
        response = client.chat.completions.create(model="gpt-4.1", messages=messages, tools=TOOLS)
        message = response.choices[0].message
        if not message.tool_calls:
            return message.content
        for tc in message.tool_calls:
            print("tool:", tc.function.name, tc.function.arguments)
            messages.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": tc.id,
                            "type": "function",
                            "function": {"name": tc.function.name, "arguments": tc.function.arguments},
                        }
                    ],
                }
            )
            messages.append({"role": "tool", "tool_call_id": tc.id, "content": json.dumps({"temp_c": 21})})
    return "(gave up)"


print(run("Weather in Paris?"))
