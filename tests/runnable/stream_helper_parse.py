"""The .stream() helper with a pydantic response format."""
from openai import OpenAI
from pydantic import BaseModel

client = OpenAI()


class City(BaseModel):
    name: str
    country: str


with client.chat.completions.stream(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Pick a city."}],
    response_format=City,
) as stream:
    for event in stream:
        if event.type == "content.delta":
            print(event.delta, end="")
        elif event.type == "content.done":
            print("\ndone:", event.content)
    final = stream.get_final_completion()
print(final.choices[0].message.parsed)
