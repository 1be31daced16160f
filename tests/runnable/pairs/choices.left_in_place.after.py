"""WRONG: the request was migrated, the result read was not (`.choices` left in place)."""
from openai import OpenAI

client = OpenAI()

response = client.responses.create(
    model="gpt-4.1",
    input=[{"role": "user", "content": "Name a river."}],
    store=False,
)
print(response.choices[0].message.content)
