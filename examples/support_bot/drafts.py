"""Draft e-mail replies in the background worker (asyncio)."""

from __future__ import annotations

import asyncio

from openai import AsyncOpenAI

aclient = AsyncOpenAI(max_retries=5)

SIGNATURE = "\n\nBest regards,\nThe Acme support team"


async def draft_reply(ticket_body: str, tone: str = "friendly") -> str:
    completion = await aclient.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[
            {"role": "system", "content": f"Write a {tone} e-mail reply. Do not add a signature."},
            {"role": "user", "content": ticket_body},
        ],
        max_tokens=400,
        metadata={"feature": "email-drafts"},
    )
    return completion.choices[0].message.content + SIGNATURE


async def raw_completion(ticket_body: str):
    """Handed to the caller as is: its readers are in demo.py, migrated in the same run."""
    response = await aclient.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[{"role": "user", "content": ticket_body}],
    )
    return response


async def draft_all(bodies: list[str]) -> list[str]:
    return await asyncio.gather(*(draft_reply(body) for body in bodies))
