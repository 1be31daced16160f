"""`.parse()` with a pydantic model."""
from openai import OpenAI
from pydantic import BaseModel

client = OpenAI()


class MathAnswer(BaseModel):
    steps: list[str]
    final_answer: str
    confidence: float


completion = client.chat.completions.parse(
    model="gpt-4.1",
    messages=[
        {"role": "system", "content": "You are a helpful math tutor. Guide the user through the solution."},
        {"role": "user", "content": "How can I solve 8x + 7 = -23?"},
    ],
    response_format=MathAnswer,
)
answer = completion.choices[0].message.parsed
print(type(answer).__name__, len(answer.steps), answer.final_answer, answer.confidence)
