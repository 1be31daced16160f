"""`choices` used as a list where the call returns one choice: looped over, collected, counted."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1-mini",
    messages=[{"role": "user", "content": "Suggest a name for a bakery."}],
)
# Print every answer.
for choice in completion.choices:
    text = choice.message.content
    print("answer:", text.strip())
names = [choice.message.content for choice in completion.choices]
print(len(completion.choices), "answer(s)", names)
print("last:", completion.choices[-1].message.content)
