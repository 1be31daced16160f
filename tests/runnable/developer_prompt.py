"""A leading developer message."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="o4-mini",
    messages=[
        {"role": "developer", "content": "Reply in French."},
        {"role": "user", "content": "Good morning!"},
    ],
)
print("reply:", completion.choices[0].message.content)
