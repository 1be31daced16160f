"""WRONG: `previous_response_id` on responses that were not stored."""
from openai import OpenAI

client = OpenAI()

first = client.responses.create(model="gpt-4.1", input=[{"role": "user", "content": "Suggest a name for a cat."}], store=False)
print(first.output_text)
second = client.responses.create(
    model="gpt-4.1",
    previous_response_id=first.id,
    input=[{"role": "user", "content": "And one for a dog?"}],
    store=False,
)
print(second.output_text)
