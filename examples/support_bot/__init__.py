"""A customer-support assistant: answers questions, triages tickets and looks up orders."""

__all__ = ["answers", "drafts", "fallback", "orders", "triage"]
