"""`response_format={"type": "json_object"}`."""
import json

from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4o",
    messages=[
        {"role": "system", "content": "Answer with a JSON object."},
        {"role": "user", "content": "List three primary colours."},
    ],
    response_format={"type": "json_object"},
)
print(json.loads(completion.choices[0].message.content))
