"""WRONG: the system prompt became part of the user's turn."""
from openai import OpenAI

client = OpenAI()

response = client.responses.create(
    model="gpt-4.1",
    input=[
        {"role": "user", "content": "Only answer questions about cooking."},
        {"role": "user", "content": "How long do I boil an egg?"},
    ],
    store=False,
)
print(response.output_text)
