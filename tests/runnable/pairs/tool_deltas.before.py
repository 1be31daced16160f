"""Streamed tool-call arguments collected by the call's index, the dict printed whole."""
from openai import OpenAI

client = OpenAI()

calls = {}
stream = client.chat.completions.create(
    model="o4-mini",
    messages=[{"role": "user", "content": "What's the weather in Paris?"}],
    tools=[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
    stream=True,
)
for chunk in stream:
    for delta in chunk.choices[0].delta.tool_calls or []:
        calls[delta.index] = calls.get(delta.index, "") + delta.function.arguments
print(calls)
