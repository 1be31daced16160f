"""Order-status questions: the model may ask for an order lookup through a tool."""

from __future__ import annotations

from openai import OpenAI


class OrderAssistant:
    def __init__(self, api_key: str | None = None) -> None:
        self.client = OpenAI(api_key=api_key)
        self.tokens_used = 0

    def reply(self, customer_message: str) -> str:
        """Offer the lookup tool; this path only shows the model's text reply."""
        completion = self.client.chat.completions.create(
            model="gpt-4.1",
            messages=[
                {"role": "system", "content": "You help customers track their orders."},
                {"role": "user", "content": customer_message},
            ],
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": "lookup_order",
                        "description": "Fetch the status and tracking link of an order.",
                        "parameters": {
                            "type": "object",
                            "properties": {"order_id": {"type": "string"}},
                            "required": ["order_id"],
                        },
                    },
                },
                {
                    "type": "function",
                    "function": {
                        "name": "open_return",
                        "parameters": {
                            "type": "object",
                            "properties": {"order_id": {"type": "string"}, "reason": {"type": "string"}},
                            "required": ["order_id", "reason"],
                            "additionalProperties": False,
                        },
                        "strict": True,
                    },
                },
            ],
            tool_choice="auto",
            parallel_tool_calls=False,
        )
        self.tokens_used += completion.usage.total_tokens
        return completion.choices[0].message.content or "Let me check that for you."

    def suggest_replies(self, customer_message: str) -> list[str]:
        """Three alternative replies for the agent to pick from: `n` has no Responses equivalent."""
        completion = self.client.chat.completions.create(
            model="gpt-4.1-mini",
            messages=[{"role": "user", "content": f"Draft a reply to: {customer_message}"}],
            n=3,
            stop=["\n\n---"],
        )
        return [choice.message.content for choice in completion.choices]
