"""`reasoning_effort` and `verbosity`."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-5",
    messages=[{"role": "user", "content": "Plan a three-day trip to Lisbon."}],
    reasoning_effort="low",
    verbosity="high",
)
print(completion.choices[0].message.content)
print(completion.usage.completion_tokens_details.reasoning_tokens)
