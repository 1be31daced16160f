"""`with_raw_response`: headers, then `.parse()` and the usual reads."""
from openai import OpenAI

client = OpenAI()

raw = client.chat.completions.with_raw_response.create(
    model="gpt-4.1-mini",
    messages=[{"role": "user", "content": "Say this is a test"}],
)
remaining = raw.headers.get("x-ratelimit-remaining-requests")
completion = raw.parse()
print(completion.choices[0].message.content)
print(completion.usage.completion_tokens, remaining, raw.status_code)
