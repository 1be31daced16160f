"""A conversation whose history grows turn by turn."""
from openai import OpenAI

client = OpenAI()
history = [{"role": "system", "content": "You are a patient tutor."}]
for question in ["What is a prime?", "Give an example.", "And a counterexample?"]:
    history.append({"role": "user", "content": question})
    reply = client.chat.completions.create(model="gpt-4.1-mini", messages=history)
    answer = reply.choices[0].message.content
    print(answer)
    history.append({"role": "assistant", "content": answer})
