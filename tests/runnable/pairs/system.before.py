"""A system prompt."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[
        {"role": "system", "content": "Only answer questions about cooking."},
        {"role": "user", "content": "How long do I boil an egg?"},
    ],
)
print(completion.choices[0].message.content)
