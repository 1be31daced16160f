"""Classify incoming tickets and summarise long threads."""

from __future__ import annotations

import json
from typing import Literal

import openai
from pydantic import BaseModel

client = openai.OpenAI(timeout=30)

TRIAGE_SCHEMA = {
    "type": "object",
    "properties": {
        "category": {"type": "string", "enum": ["billing", "shipping", "account", "bug", "other"]},
        "urgency": {"type": "integer", "minimum": 1, "maximum": 5},
        "needs_human": {"type": "boolean"},
    },
    "required": ["category", "urgency", "needs_human"],
    "additionalProperties": False,
}


def triage_ticket(subject: str, body: str) -> dict:
    """Structured output with a JSON schema; the JSON text is decoded by hand."""
    completion = client.chat.completions.create(
        model="gpt-4.1",
        messages=[
            {"role": "developer", "content": "Classify the support ticket."},
            {"role": "user", "content": f"Subject: {subject}\n\n{body}"},
        ],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "ticket_triage", "schema": TRIAGE_SCHEMA, "strict": True},
        },
        reasoning_effort="low",
    )
    return json.loads(completion.choices[0].message.content)


class ThreadSummary(BaseModel):
    headline: str
    customer_sentiment: Literal["positive", "neutral", "negative"]
    open_questions: list[str]


def summarise_thread(messages: list[str]) -> ThreadSummary | None:
    """Structured output parsed into a pydantic model by the SDK."""
    transcript = "\n---\n".join(messages)
    completion = client.beta.chat.completions.parse(
        model="gpt-4.1",
        messages=[
            {"role": "system", "content": "Summarise this support thread for the next agent."},
            {"role": "user", "content": transcript},
        ],
        response_format=ThreadSummary,
    )
    return completion.choices[0].message.parsed
