"""`max_completion_tokens`, `temperature`, `top_p`, `metadata`, `user`."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Name a prime number."}],
    max_completion_tokens=256,
    temperature=0.7,
    top_p=0.9,
    metadata={"feature": "primes"},
    user="user-1234",
)
print(completion.choices[0].message.content)
