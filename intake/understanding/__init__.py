"""Understanding: what kind of email this is and what a referral says (pure).

`parse_email` is the one entry point the rest of the service uses; `explain`
renders a parsed email field by field with its evidence.
"""

from intake.understanding.explain import explain
from intake.understanding.parse import DEFAULT_REQUIRED, parse_email

__all__ = ["DEFAULT_REQUIRED", "explain", "parse_email"]
