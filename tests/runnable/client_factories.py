"""Clients reached through factories: an `@lru_cache` function, a method inherited from a base
class, `client or OpenAI()` with an annotated parameter, a global built on first use, a
cached property, and `self.client` set by a base class."""
from functools import cached_property, lru_cache
from typing import Optional

from openai import OpenAI

_shared = None


@lru_cache
def get_client() -> OpenAI:
    return OpenAI()


def shared_client():
    global _shared
    if _shared is None:
        _shared = OpenAI()
    return _shared


class Provider:
    def _get_client(self) -> OpenAI:
        return OpenAI(max_retries=1)


class Poet(Provider):
    def __init__(self, client: Optional[OpenAI] = None) -> None:
        self.client = client or OpenAI()

    def haiku(self) -> str:
        completion = self._get_client().chat.completions.create(
            model="gpt-4.1-mini",
            messages=[{"role": "user", "content": "Write a haiku about the sea."}],
        )
        return completion.choices[0].message.content

    def limerick(self) -> str:
        completion = self.client.chat.completions.create(
            model="gpt-4.1-mini",
            messages=[{"role": "user", "content": "Write a limerick about a cat."}],
        )
        return completion.choices[0].message.content


class Base:
    def __init__(self) -> None:
        self.client = OpenAI()


class Narrator(Base):
    def tell(self) -> str:
        completion = self.client.chat.completions.create(
            model="gpt-4.1-mini",
            messages=[{"role": "user", "content": "Tell a short story."}],
        )
        return completion.choices[0].message.content


class Critic:
    @cached_property
    def client(self) -> OpenAI:
        return OpenAI()

    def review(self, poem: str) -> str:
        completion = self.client.chat.completions.create(
            model="gpt-4.1-mini",
            messages=[{"role": "user", "content": f"Review this poem: {poem}"}],
        )
        return completion.choices[0].message.content


def riddle() -> str:
    completion = get_client().chat.completions.create(
        model="gpt-4.1-mini",
        messages=[{"role": "system", "content": "Answer in one line."}, {"role": "user", "content": "A riddle?"}],
    )
    return completion.choices[0].message.content


def fable() -> str:
    completion = shared_client().chat.completions.create(
        model="gpt-4.1-mini",
        messages=[{"role": "user", "content": "Tell me a fable."}],
    )
    return completion.choices[0].message.content


poet = Poet()
print(poet.haiku())
print(poet.limerick())
print(riddle())
print(fable())
print(Critic().review("Roses are red."))
print(Narrator().tell())
print(get_client() is get_client())
