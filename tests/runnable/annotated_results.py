"""Results, messages and tool calls held in annotated variables and returned from an annotated helper."""
import json
from typing import Optional

from openai import OpenAI
from openai.types.chat import (
    ChatCompletion,
    ChatCompletionMessage,
    ChatCompletionMessageToolCall,
)

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


def ask(question: str) -> ChatCompletion:
    return client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": question}],
        tools=TOOLS,
    )


def first_city(question: str) -> Optional[str]:
    message: ChatCompletionMessage = ask(question).choices[0].message
    if not message.tool_calls:
        return None
    call: ChatCompletionMessageToolCall = message.tool_calls[0]
    print("tool:", call.function.name)
    return json.loads(call.function.arguments).get("city")


print(first_city("What's the weather in Paris?"))
