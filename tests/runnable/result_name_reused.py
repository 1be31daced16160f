"""One name for every response in a script, as notebooks write it: each call's value is read
by the statements after it, up to the next assignment of the name."""
from openai import OpenAI

client = OpenAI()

response = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Name a colour."}],
)
print(response.choices[0].message.content)

response = {"status": "cached", "items": [1, 2, 3]}
print(response["status"], len(response["items"]))

for attempt in range(2):
    response = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": f"Name a shape (try {attempt})."}],
    )
    print(attempt, response.choices[0].message.content)
    response = None
