"""A test that the result has a choice, which a call without `n` always passes: the test goes."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1-mini",
    messages=[{"role": "user", "content": "Suggest a name for a bakery."}],
)
# Guard against an empty list of choices.
if len(completion.choices) > 0:
    print("answer:", completion.choices[0].message.content)
if len(completion.choices) >= 1:
    print("count:", len(completion.choices))
print("done")
