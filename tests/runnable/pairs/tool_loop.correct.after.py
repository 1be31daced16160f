"""The tool loop on Responses, done right: output items go back, outputs echo `call_id`."""
import json

from openai import OpenAI

client = OpenAI()

TOOLS = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    }
]
items = [{"role": "user", "content": "What's the weather in Paris?"}]
response = client.responses.create(model="gpt-4.1", input=items, tools=TOOLS, store=False)
items += response.output
for item in response.output:
    if item.type == "function_call":
        args = json.loads(item.arguments)
        print("tool:", item.name, sorted(args))
        items.append({"type": "function_call_output", "call_id": item.call_id, "output": "18C and cloudy"})
final = client.responses.create(model="gpt-4.1", input=items, tools=TOOLS, store=False)
print(final.output_text)
