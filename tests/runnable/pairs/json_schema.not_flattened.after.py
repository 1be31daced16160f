"""WRONG: `text.format` keeps chat's nested `json_schema` wrapper."""
import json

from openai import OpenAI

client = OpenAI()

response = client.responses.create(
    model="gpt-4.1",
    input=[{"role": "user", "content": "Give me a city and its population."}],
    text={
        "format": {
            "type": "json_schema",
            "json_schema": {
                "name": "city",
                "schema": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "population": {"type": "integer"}},
                    "required": ["name", "population"],
                    "additionalProperties": False,
                },
                "strict": True,
            },
        }
    },
    store=False,
)
print(json.loads(response.output_text))
