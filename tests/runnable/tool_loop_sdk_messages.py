"""A tool loop that appends the SDK message and tool results to the history."""
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
    messages = [
        {"role": "system", "content": "You are a weather assistant."},
        {"role": "user", "content": question},
    ]
    response = client.chat.completions.create(model="gpt-4.1", messages=messages, tools=TOOLS)
    message = response.choices[0].message
    rounds = 0
    while message.tool_calls and rounds < 3:
        rounds += 1
        messages.append(message)
        for call in message.tool_calls:
            print("tool:", call.function.name, call.function.arguments)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temp_c": 21})})
        response = client.chat.completions.create(model="gpt-4.1", messages=messages, tools=TOOLS)
        message = response.choices[0].message
    return message.content


print(run("Weather in Paris?"))
