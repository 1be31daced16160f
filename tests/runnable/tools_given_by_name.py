"""Tools given by name: a tool dict in a list bound to a name, a forced `tool_choice` bound to a
name, the function of a tool given by name (spread into the tool), legacy `functions=` by name."""
from openai import OpenAI

client = OpenAI()

get_weather = {
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
get_time = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
CITY_TOOLS = [get_weather, get_time]
FORCE_WEATHER = {"type": "function", "function": {"name": "get_weather"}}
convert = {
    "name": "convert",
    "description": "Convert an amount between currencies.",
    "parameters": {"type": "object", "properties": {"amount": {"type": "number"}}, "required": ["amount"]},
}
ping = {"name": "ping", "parameters": {"type": "object", "properties": {}}}

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "What's the weather like in Paris today?"}],
    tools=CITY_TOOLS,
    tool_choice=FORCE_WEATHER,
)
call = completion.choices[0].message.tool_calls[0]
print("forced:", call.function.name, call.function.arguments)

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Convert 12 euros."}],
    tools=[{"type": "function", "function": convert}],
    tool_choice="required",
)
print("spread:", completion.choices[0].message.tool_calls[0].function.name, convert["name"])

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Is the service up?"}],
    functions=[ping],
    function_call={"name": "ping"},
)
print("legacy:", completion.choices[0].message.content or "<no text>")
