"""Messages the tool can't see (a parameter its callers fill, a comprehension over stored
turns): with --unsafe they are passed on as `input`, taken to be plain role/content text."""
from openai import OpenAI

client = OpenAI()


def reply(history):
    completion = client.chat.completions.create(model="gpt-4.1-mini", messages=history)
    return completion.choices[0].message.content


def reply_to_stored(turns):
    completion = client.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[{"role": turn["who"], "content": turn["text"]} for turn in turns],
    )
    return completion.choices[0].message.content


print(reply([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a planet."}]))
print(reply_to_stored([{"who": "user", "text": "Hi"}, {"who": "assistant", "text": "Hello"}, {"who": "user", "text": "Bye"}]))
