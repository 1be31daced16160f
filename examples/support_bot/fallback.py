"""Cheap fallback model on Groq for when OpenAI is rate limiting us.

Groq's SDK has the same `chat.completions.create` shape, but its server does not
implement the Responses API: the tool must leave this file alone.
"""

from __future__ import annotations

import os

from groq import Groq

groq_client = Groq(api_key=os.environ.get("GROQ_API_KEY"))


def fallback_answer(question: str) -> str:
    completion = groq_client.chat.completions.create(
        model="llama-3.3-70b-versatile",
        messages=[
            {"role": "system", "content": "You are a concise support assistant."},
            {"role": "user", "content": question},
        ],
    )
    return completion.choices[0].message.content
