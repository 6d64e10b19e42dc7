"""Inner Pulse Intake: answers and organises a music therapist's referral emails."""

__version__ = "0.1.0"
