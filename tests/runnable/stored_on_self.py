"""A class that keeps its client and its last response on `self`, read by other methods."""
from typing import Optional

from openai import OpenAI
from openai.types.chat import ChatCompletion


class Assistant:
    _last: Optional[ChatCompletion] = None

    def __init__(self, model: str) -> None:
        self.client = OpenAI()
        self.model = model

    def ask(self, question: str) -> None:
        self._last = self.client.chat.completions.create(
            model=self.model,
            messages=[{"role": "user", "content": question}],
        )

    def answer(self) -> str:
        if self._last is None:
            return "(nothing asked yet)"
        return self._last.choices[0].message.content

    def tokens(self) -> int:
        usage = self._last.usage
        return usage.prompt_tokens + usage.completion_tokens


assistant = Assistant("gpt-4.1-mini")
print(assistant.answer())
assistant.ask("Name a prime number.")
print(assistant.answer())
print(assistant.tokens() > 0)
