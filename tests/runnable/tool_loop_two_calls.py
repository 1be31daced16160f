"""The cookbook's parallel function calling: one history shared by two calls, the model's message and the tool results appended, the second answer's choices looped over and its usage details tested."""
import json
from openai import OpenAI

client = OpenAI()


def get_current_weather(location, unit="fahrenheit"):
    return json.dumps({"location": location, "temperature": "72", "unit": unit})


def run_conversation():
    messages = [{"role": "user", "content": "What's the weather like in San Francisco, Tokyo, and Paris?"}]
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_current_weather",
                "description": "Get the current weather in a given location",
                "parameters": {
                    "type": "object",
                    "properties": {"location": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                    "required": ["location"],
                },
            },
        }
    ]
    response = client.chat.completions.create(
        model="gpt-4o",
        messages=messages,
        tools=tools,
        tool_choice="auto",
    )
    response_message = response.choices[0].message
    tool_calls = response_message.tool_calls
    if tool_calls:
        available_functions = {"get_current_weather": get_current_weather}
        messages.append(response_message)
        for tool_call in tool_calls:
            function_name = tool_call.function.name
            function_to_call = available_functions[function_name]
            function_args = json.loads(tool_call.function.arguments)
            function_response = function_to_call(location=function_args.get("location"), unit=function_args.get("unit"))
            messages.append({"tool_call_id": tool_call.id, "role": "tool", "content": function_response})
        second_response = client.chat.completions.create(model="gpt-4o", messages=messages)
        for choice in second_response.choices:
            print(choice.message.content)
        details = second_response.usage.completion_tokens_details
        print(details.reasoning_tokens if details is not None else 0)


run_conversation()
