"""A custom tool with a grammar format, forced by `tool_choice`."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-5",
    messages=[{"role": "user", "content": "How many users signed up yesterday?"}],
    tools=[
        {
            "type": "custom",
            "custom": {
                "name": "run_sql",
                "description": "Run a read-only SQL query.",
                "format": {"type": "grammar", "grammar": {"definition": "start: /SELECT .+/", "syntax": "lark"}},
            },
        }
    ],
    tool_choice={"type": "custom", "custom": {"name": "run_sql"}},
)
print(completion.usage.total_tokens)
