"""openai-responses-migrate: move Chat Completions calls to the Responses API."""

__version__ = "0.1.0"
