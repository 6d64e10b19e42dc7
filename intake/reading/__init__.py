"""Reading: raw bytes to the text that matters (pure)."""
