"""One loop variable for two stream loops and a loop over a list: each loop's body sees its
own items only."""
from openai import OpenAI

client = OpenAI()

stream = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Tell me a story about a lighthouse."}],
    stream=True,
)
for chunk in stream: print(chunk.choices[0].delta.content or "", end="")

for chunk in ["--", "\n"]: print(chunk, end="")

again = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Now one about a harbour."}],
    stream=True,
)
text = ""
for chunk in again:
    if chunk.choices[0].delta.content is not None:
        text += chunk.choices[0].delta.content
print(text)
