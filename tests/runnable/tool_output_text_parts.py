"""A tool message whose content is a list of text parts, after assistant text."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[
        {"role": "user", "content": "How many open tickets are assigned to me?"},
        {
            "role": "assistant",
            "content": "Let me check the tracker.",
            "tool_calls": [
                {"id": "call_tickets", "type": "function", "function": {"name": "count_tickets", "arguments": '{"assignee": "me"}'}}
            ],
        },
        {
            "role": "tool",
            "tool_call_id": "call_tickets",
            "content": [{"type": "text", "text": "open: 7"}, {"type": "text", "text": "overdue: 2"}],
        },
    ],
    tools=[
        {
            "type": "function",
            "function": {
                "name": "count_tickets",
                "parameters": {"type": "object", "properties": {"assignee": {"type": "string"}}, "required": ["assignee"]},
                "strict": False,
            },
        }
    ],
)
print(completion.choices[0].message.content)
