"""Two turns, the history resent by the program (stored completions)."""
from openai import OpenAI

client = OpenAI()

history = [{"role": "user", "content": "Suggest a name for a cat."}]
first = client.chat.completions.create(model="gpt-4.1", messages=history, store=True)
name = first.choices[0].message.content
print(name)
history += [{"role": "assistant", "content": name}, {"role": "user", "content": "And one for a dog?"}]
second = client.chat.completions.create(model="gpt-4.1", messages=history, store=True)
print(second.choices[0].message.content)
