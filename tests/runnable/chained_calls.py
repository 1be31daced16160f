"""Two calls: the second one's messages contain the first one's answer."""
from openai import OpenAI

client = OpenAI()

first = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Suggest a name for a bakery."}],
)
name = first.choices[0].message.content
second = client.chat.completions.create(
    model="gpt-4.1",
    messages=[
        {"role": "user", "content": "Suggest a name for a bakery."},
        {"role": "assistant", "content": name},
        {"role": "user", "content": "Now write a slogan for it."},
    ],
)
print(name)
print(second.choices[0].message.content)
