"""Deciding: whether to reply, with what, and what the therapist must follow up (pure)."""
