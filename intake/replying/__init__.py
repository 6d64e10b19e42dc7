"""Replying: compose replies from templates (pure) and send them (adapters)."""
