"""A system message in the middle of the conversation stays in `input`."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[
        {"role": "user", "content": "Summarise our chat so far."},
        {"role": "system", "content": "The user is an expert; skip the basics."},
        {"role": "user", "content": "Now explain monads."},
    ],
)
print(completion.choices[0].message.content)
