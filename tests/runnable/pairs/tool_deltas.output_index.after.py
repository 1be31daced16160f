"""Wrong: keyed by `output_index`, which counts the reasoning item too (the call is 1, not 0)."""
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
    if event.type == "response.function_call_arguments.delta":
        calls[event.output_index] = calls.get(event.output_index, "") + event.delta
print(calls)
