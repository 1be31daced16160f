"""A `while True:` tool loop (as in instructor-function-calling's utils.py): the model's message
is appended to the shared history, each tool call goes to a helper of the module that reads
`.function.name`, `.function.arguments` and `.id`, and its result is appended for the next call."""
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


def execute_tool(tool_call) -> str:
    print("calling", tool_call.function.name, "with", tool_call.function.arguments)
    args = json.loads(tool_call.function.arguments)
    return json.dumps({"city": args.get("city"), "temp_c": 21})


def get_completion(question: str) -> str:
    messages = [{"role": "user", "content": question}]
    rounds = 0
    while True:
        completion = client.chat.completions.create(model="gpt-4.1", messages=messages, tools=TOOLS)
        completion_message = completion.choices[0].message
        rounds += 1
        if completion_message.tool_calls is None or rounds > 3:
            return completion_message.content
        messages.append(completion_message)
        for tool_call in completion_message.tool_calls:
            tool_result = execute_tool(tool_call)
            messages.append({"tool_call_id": tool_call.id, "role": "tool", "content": tool_result})


print(get_completion("Weather in Paris?"))
