"""Results yielded by a generator of the module and read in the loops over it."""
from openai import OpenAI

client = OpenAI()


def answers(questions):
    for question in questions:
        response = client.chat.completions.create(
            model="gpt-4.1-mini",
            messages=[{"role": "user", "content": question}],
        )
        yield response


for response in answers(["Name a river.", "Name a mountain."]):
    print(response.choices[0].message.content, response.usage.completion_tokens)
