"""Clients passed to parameters without annotation, where every caller is in the module: a
function nested in another, a private function with two callers (one passing the client by
keyword, one recursing with its own parameter), an async nested function, and a private method
called only as `self._ask(...)` in its class."""
import asyncio

from openai import AsyncOpenAI, OpenAI

client = OpenAI()


def compare(first: str, second: str) -> str:
    def describe(llm, text):
        completion = llm.chat.completions.create(
            model="gpt-4.1-mini",
            messages=[{"role": "user", "content": f"Describe in one line: {text}"}],
        )
        return completion.choices[0].message.content

    return f"{describe(client, first)} / {describe(llm=OpenAI(max_retries=1), text=second)}"


def _complete(llm, prompt, retries=0):
    if retries:
        return _complete(llm, prompt, retries - 1)
    completion = llm.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": prompt}],
        max_tokens=50,
    )
    return completion.choices[0].message.content


def summarize(review: str) -> str:
    return _complete(client, f"Summarize: {review}")


def rate(review: str) -> str:
    return _complete(prompt=f"Rate from 1 to 5: {review}", llm=OpenAI(timeout=20), retries=2)


async def translate(texts: list[str]) -> list[str]:
    async def one(llm, text):
        completion = await llm.chat.completions.create(
            model="gpt-4.1-mini",
            messages=[{"role": "user", "content": f"Translate to French: {text}"}],
        )
        return completion.choices[0].message.content

    llm = AsyncOpenAI()
    return [await one(llm, text) for text in texts]


class Librarian:
    def __init__(self) -> None:
        self.client = OpenAI()

    def _ask(self, llm, question):
        completion = llm.chat.completions.create(
            model="gpt-4.1-mini",
            messages=[{"role": "user", "content": question}],
        )
        return completion.choices[0].message.content

    def shelf_for(self, title: str) -> str:
        return self._ask(self.client, f"Which shelf holds {title}?")


print(compare("a cat", "a dog"))
print(summarize("Great book."))
print(rate("Great book."))
print(asyncio.run(translate(["hello", "goodbye"])))
print(Librarian().shelf_for("Dune"))
