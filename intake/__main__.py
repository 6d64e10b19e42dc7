"""Allows `python -m intake`."""

from intake.cli import main

raise SystemExit(main())
