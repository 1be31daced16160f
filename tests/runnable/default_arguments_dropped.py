"""No-op defaults (`n=1`, `stop=None`, `seed=None`, `stream=False`) are dropped or kept."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Pick a colour."}],
    n=1,
    stop=None,
    seed=None,
    logit_bias=None,
    presence_penalty=None,
    frequency_penalty=None,
    stream=False,
)
print(completion.choices[0].message.content)
