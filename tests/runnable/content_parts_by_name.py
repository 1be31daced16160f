"""User content parts given by name: the list is converted where it is written."""
from openai import OpenAI

client = OpenAI()

content = [
    {"type": "text", "text": "Compare these two photos."},
    {"type": "image_url", "image_url": {"url": "https://example.com/a.jpg"}},
    {"type": "image_url", "image_url": {"url": "https://example.com/b.jpg", "detail": "high"}},
]
resp = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": content}])
print(resp.choices[0].message.content)

rules = [{"type": "text", "text": "Answer in one word."}]
again = client.chat.completions.create(
    model="gpt-4o", messages=[{"role": "system", "content": rules}, {"role": "user", "content": "Colour of the sky?"}]
)
print(again.choices[0].message.content)
