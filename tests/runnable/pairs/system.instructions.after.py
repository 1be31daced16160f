"""Correct: the system message becomes `instructions=`."""
from openai import OpenAI

client = OpenAI()

response = client.responses.create(
    model="gpt-4.1",
    instructions="Only answer questions about cooking.",
    input=[{"role": "user", "content": "How long do I boil an egg?"}],
    store=False,
)
print(response.output_text)
