"""Stream loops whose `delta.content` is used only once it is known to be there."""
from openai import OpenAI

client = OpenAI()

stream = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Tell me a story about a lighthouse."}],
    stream=True,
)
for chunk in stream:
    delta = chunk.choices[0].delta
    if delta.content:
        print(delta.content, end="", flush=True)
print()

again = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Now one about a harbour."}],
    stream=True,
)
text = ""
for part in again:
    content = part.choices[0].delta.content
    if content is None:
        continue
    text += content
print(text)

third = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "And a short one about a boat."}],
    stream=True,
)
pieces = []
for event in third:
    if (piece := event.choices[0].delta.content) is not None:
        pieces.append(piece)
print("|".join(p for p in pieces if p))
