"""Reads every usage counter the tool renames."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1-mini",
    messages=[{"role": "user", "content": "Count to three."}],
)
usage = completion.usage
print("prompt", usage.prompt_tokens)
print("completion", usage.completion_tokens)
print("total", usage.total_tokens)
print("cached", completion.usage.prompt_tokens_details.cached_tokens)
print("reasoning", completion.usage.completion_tokens_details.reasoning_tokens)
