"""The module-level client: `openai.chat.completions.create`."""
import openai

completion = openai.chat.completions.create(
    model="gpt-4.1-mini",
    messages=[{"role": "user", "content": "Say hello."}],
)
print(completion.choices[0].message.content)
