"""Exercise the support bot end to end, printing what each call gets back.

Made for `migrate verify`, which runs it on the original and on the migrated copy of
the project, each against a local fake OpenAI server, and compares the two runs:

    migrate verify examples/ -- python examples/demo.py     # from the repository root
    cd examples && migrate verify . -- python demo.py        # or from here

It needs `openai` and `pydantic` (`pip install 'openai-responses-migrate[verify]'`).
Run outside `verify`, it would call whatever OPENAI_BASE_URL / OPENAI_API_KEY point at.

Every call the tool migrates is exercised (Q&A with a system prompt, JSON-schema
output, tools, `parse` into a pydantic model, async).  The calls it reports (streaming,
`n=3`, a returned result) run too: they stay on chat.completions in both trees.
`fallback.py` (the Groq client) is not imported: it needs the `groq` package and a
Groq server.  Calls are made one after another, so the server sees them in the same
order on every run.
"""

from __future__ import annotations

import asyncio

from support_bot import answers, drafts, orders, triage

ARTICLE = "Refunds: items can be returned within 30 days of delivery for a full refund."
TICKET = "My parcel says delivered but it isn't here. Order #A-1042. What can I do?"


def show(title: str, value: object) -> None:
    print(f"== {title}")
    print(value)


def main() -> None:
    # Migrated: system prompt -> instructions=, max_completion_tokens, usage fields.
    answer = answers.answer_question("Can I return a jacket after three weeks?", ARTICLE)
    show("answers.answer_question", f"{answer.text} (tokens: {answer.prompt_tokens} in, {answer.completion_tokens} out)")

    # Migrated: the chunk loop becomes a loop over Responses events (RSP130).
    show("answers.stream_answer", "".join(answers.stream_answer("Where is my order?")))

    # Migrated: response_format json_schema -> text.format, reasoning_effort -> reasoning.
    show("triage.triage_ticket", triage.triage_ticket("Missing parcel", TICKET))

    # Migrated: beta.chat.completions.parse -> responses.parse(text_format=...).
    summary = triage.summarise_thread([TICKET, "Agent: I've opened a claim with the carrier.", "Customer: Thanks."])
    show("triage.summarise_thread", summary.model_dump_json() if summary else None)

    # Migrated: tools flattened (the fake model calls a tool, so the reply is the fallback text).
    assistant = orders.OrderAssistant()
    show("orders.OrderAssistant.reply", assistant.reply("Where is order A-1042?"))
    show("orders.OrderAssistant.tokens_used", assistant.tokens_used)

    # Reported (RSP201 n=3 / stop, RSP302 iterating choices): stays on chat.completions.
    show("orders.OrderAssistant.suggest_replies", orders.OrderAssistant().suggest_replies(TICKET))

    asyncio.run(async_main())


async def async_main() -> None:
    # Migrated: async client, max_tokens -> max_output_tokens, metadata kept.
    show("drafts.draft_reply", await drafts.draft_reply(TICKET, tone="apologetic"))
    # Migrated too (through asyncio.gather); a single body keeps the request order fixed.
    show("drafts.draft_all", await drafts.draft_all([TICKET]))
    # Migrated with its reads here (RSP140/RSP141): the result crosses modules in one run.
    raw = await drafts.raw_completion(TICKET)
    show("drafts.raw_completion", raw.choices[0].message.content)


if __name__ == "__main__":
    main()
