"""Reading: raw bytes to the text that matters (pure).

`read_message` turns bytes into a MessageView; `split_quoted` separates the
sender's new words from quoted and forwarded history; `split_signature`
finds the sign-off block where the sender's name, role and phone live.
"""

from intake.reading.limits import DEFAULT_LIMITS, ReadingLimits
from intake.reading.message import ForwardedMessage, MessageView, read_message

__all__ = ["DEFAULT_LIMITS", "ForwardedMessage", "MessageView", "ReadingLimits", "read_message"]
