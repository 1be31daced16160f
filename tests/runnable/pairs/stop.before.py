"""A stop sequence: Responses has no equivalent."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "List three fruits, one per line."}],
    stop=["\n\n"],
)
print(completion.choices[0].message.content)
