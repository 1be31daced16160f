"""A literal multi-turn history: system, user, assistant, user."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[
        {"role": "system", "content": "You are a travel agent."},
        {"role": "user", "content": "I want to visit Japan."},
        {"role": "assistant", "content": "Great choice! When would you like to go?"},
        {"role": "user", "content": "In April, for the cherry blossoms."},
    ],
    temperature=0.2,
)
print(completion.choices[0].message.content)
