"""WRONG: `stop` silently dropped."""
from openai import OpenAI

client = OpenAI()

response = client.responses.create(
    model="gpt-4.1",
    input=[{"role": "user", "content": "List three fruits, one per line."}],
    store=False,
)
print(response.output_text)
