"""Message lists built by code the tool reads: a helper returning a list literal, a list grown
in a loop, `[system] + history`, `[system, *notes, question]`. Passed on as `input` unchanged."""
from openai import OpenAI

client = OpenAI()

SYSTEM = {"role": "system", "content": "You are a terse assistant."}


def build_prompt(question):
    return [
        {"role": "developer", "content": "Answer in one sentence."},
        {"role": "user", "content": question},
    ]


def build_transcript(lines):
    transcript = []
    for number, line in enumerate(lines):
        if number % 2 == 0:
            transcript.append({"role": "user", "content": line})
        else:
            transcript.append({"role": "assistant", "content": line})
    return transcript


completion = client.chat.completions.create(model="gpt-4.1-mini", messages=build_prompt("What is a prime?"))
print(completion.choices[0].message.content)

history = build_transcript(["Hi", "Hello! How can I help?", "Name a colour."])
history.append({"role": "user", "content": "And another one."})
completion = client.chat.completions.create(model="gpt-4.1-mini", messages=[SYSTEM] + history)
print(completion.choices[0].message.content)

notes = []
for note in ["The user likes short answers.", "The user is learning French."]:
    notes.append({"role": "developer", "content": f"Note: {note}"})
completion = client.chat.completions.create(
    model="gpt-4.1-mini",
    messages=[SYSTEM, *notes, {"role": "user", "content": "Say thank you."}],
)
print(completion.choices[0].message.content)
