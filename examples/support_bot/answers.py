"""Answer customer questions from the help-centre knowledge base."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from openai import OpenAI

log = logging.getLogger(__name__)

client = OpenAI()

SYSTEM_PROMPT = (
    "You are Acme's support assistant. Answer in at most three short paragraphs, "
    "cite the help-centre article you used, and never promise refunds."
)


@dataclass
class Answer:
    text: str
    prompt_tokens: int
    completion_tokens: int


def answer_question(question: str, article: str) -> Answer:
    """One-shot Q&A: a system prompt, the article as context, the customer's question."""
    completion = client.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Help-centre article:\n{article}\n\nQuestion: {question}"},
        ],
        temperature=0.2,
        max_completion_tokens=600,
    )
    text = completion.choices[0].message.content
    log.info("answered with %d tokens", completion.usage.total_tokens)
    return Answer(
        text=text or "",
        prompt_tokens=completion.usage.prompt_tokens,
        completion_tokens=completion.usage.completion_tokens,
    )


def stream_answer(question: str):
    """Live chat widget: tokens are pushed to the browser as they arrive."""
    stream = client.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": question},
        ],
        stream=True,
    )
    for chunk in stream:
        delta = chunk.choices[0].delta.content
        if delta:
            yield delta
