"""An explicit `store=True` is kept; with `service_tier` and `prompt_cache_key`."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Tell me a joke."}],
    store=True,
    service_tier="auto",
    prompt_cache_key="jokes",
)
print(completion.choices[0].message.content, completion.model)
