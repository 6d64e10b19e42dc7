"""The CLI's subcommands, one module per area; each has register(sub)."""
