"""Correct: collected per output item, then numbered among the tool calls as chat numbered them."""
from openai import OpenAI

client = OpenAI()

calls = {}
stream = client.responses.create(
    model="o4-mini",
    input=[{"role": "user", "content": "What's the weather in Paris?"}],
    tools=[{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}, "strict": False}],
    stream=True,
    store=False,
)
for event in stream:
    if event.type == "response.output_item.done" and event.item.type == "function_call":
        calls[event.output_index] = event.item.arguments
print(dict(enumerate(calls.values())))
