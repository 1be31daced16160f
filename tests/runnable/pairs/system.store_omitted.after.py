"""WRONG: `store=False` not written, so Responses now stores the conversation."""
from openai import OpenAI

client = OpenAI()

response = client.responses.create(
    model="gpt-4.1",
    instructions="Only answer questions about cooking.",
    input=[{"role": "user", "content": "How long do I boil an egg?"}],
)
print(response.output_text)
