"""A plain call whose answer is printed."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Name a river."}],
)
print(completion.choices[0].message.content)
