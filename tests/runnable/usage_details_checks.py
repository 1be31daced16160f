"""Usage sub-objects bound to names, tested for truth and against None."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="o4-mini",
    messages=[{"role": "user", "content": "Count to three."}],
)
usage = completion.usage
if usage is not None:
    print("input", usage.prompt_tokens, "output", usage.completion_tokens)
details = completion.usage.completion_tokens_details
print("reasoning", details.reasoning_tokens if details else 0)
if completion.usage.prompt_tokens_details is not None:
    print("cached", completion.usage.prompt_tokens_details.cached_tokens)
