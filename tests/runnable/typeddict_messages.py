"""Messages written with the SDK's TypedDicts (`ChatCompletionUserMessageParam(role=..., content=...)`):
inline with a system prompt, a history grown turn by turn, and a prompt built by a function."""
from openai import OpenAI
from openai.types.chat import ChatCompletionAssistantMessageParam, ChatCompletionMessageParam
from openai.types.chat import ChatCompletionSystemMessageParam as System
from openai.types.chat import ChatCompletionUserMessageParam

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4.1-mini",
    messages=[
        System(role="system", content="You are terse."),
        ChatCompletionUserMessageParam(role="user", content="Name a prime."),
    ],
)
print(completion.choices[0].message.content)

history: list[ChatCompletionMessageParam] = [System(role="system", content="You are a patient tutor.")]
for question in ["What is a prime?", "Give an example."]:
    history.append(ChatCompletionUserMessageParam(role="user", content=question))
    reply = client.chat.completions.create(model="gpt-4.1-mini", messages=history)
    answer = reply.choices[0].message.content or ""
    print(answer)
    history.append(ChatCompletionAssistantMessageParam(role="assistant", content=answer))


def build_prompt(question):
    return [
        System(role="system", content="Answer in one sentence."),
        ChatCompletionUserMessageParam(role="user", content=question),
    ]


completion = client.chat.completions.create(model="gpt-4.1-mini", messages=build_prompt("What is a composite?"))
print(completion.choices[0].message.content)
