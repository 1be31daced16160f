"""`.parse()` with a nested pydantic model and a Literal field."""
from typing import Literal

from openai import OpenAI
from pydantic import BaseModel

client = OpenAI()


class Item(BaseModel):
    name: str
    quantity: int


class Order(BaseModel):
    customer: str
    items: list[Item]
    status: Literal["new", "paid", "shipped"]


completion = client.chat.completions.parse(
    model="gpt-4.1",
    messages=[{"role": "user", "content": "Jane ordered two lamps and a rug; she has paid."}],
    response_format=Order,
)
order = completion.choices[0].message.parsed
print(order.customer, order.status, [(i.name, i.quantity) for i in order.items])
