"""The daily digest: what the therapist needs to act on, most urgent first."""
