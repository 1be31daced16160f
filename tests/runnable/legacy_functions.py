"""Legacy `functions=` / `function_call=`."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4o",
    messages=[{"role": "user", "content": "Remind me to water the plants at 6pm."}],
    functions=[
        {
            "name": "create_reminder",
            "description": "Create a reminder.",
            "parameters": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "time": {"type": "string"}},
                "required": ["text", "time"],
            },
        }
    ],
    function_call={"name": "create_reminder"},
)
print(completion.choices[0].message.content or "(a function call)")
