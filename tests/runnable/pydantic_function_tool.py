"""`openai.pydantic_function_tool(Model)` in `tools=`."""
import openai
from openai import OpenAI
from pydantic import BaseModel

client = OpenAI()


class Lookup(BaseModel):
    sku: str
    warehouse: str


completion = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Is SKU 42 in stock in Leeds?"}],
    tools=[openai.pydantic_function_tool(Lookup)],
    tool_choice="required",
)
print(completion.usage.prompt_tokens > 0, completion.choices[0].message.content or "")
