"""What every command shares: exit codes and loading the configuration."""

from __future__ import annotations

import argparse

from intake.config import Config, load_config

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def load(args: argparse.Namespace) -> Config:
    return load_config(args.config)
