"""`response_format` with a json_schema: the answer is parsed with json.loads."""
import json

from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Extract the event: Alice and Bob meet on Friday at the science fair."}],
    response_format={
        "type": "json_schema",
        "json_schema": {
            "name": "calendar_event",
            "schema": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "date": {"type": "string"},
                    "participants": {"type": "array", "items": {"type": "string"}},
                    "priority": {"type": "string", "enum": ["low", "normal", "high"]},
                    "attendees": {"type": "integer", "minimum": 1, "maximum": 50},
                },
                "required": ["name", "date", "participants", "priority", "attendees"],
                "additionalProperties": False,
            },
            "strict": True,
        },
    },
)
event = json.loads(completion.choices[0].message.content)
print(sorted(event))
print(event["priority"], event["attendees"], len(event["participants"]))
