"""Non-strict tools (no `strict`, and `strict: None`) with tool_choice="required"."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Book a table for two tonight."}],
    tools=[
        {
            "type": "function",
            "function": {
                "name": "book_table",
                "parameters": {
                    "type": "object",
                    "properties": {"people": {"type": "integer"}, "time": {"type": "string"}},
                    "required": ["people"],
                },
            },
        },
        {
            "type": "function",
            "function": {
                "name": "cancel_booking",
                "parameters": {"type": "object", "properties": {"booking_id": {"type": "string"}}},
                "strict": None,
            },
        },
    ],
    tool_choice="required",
    parallel_tool_calls=False,
)
print(completion.usage.total_tokens)
