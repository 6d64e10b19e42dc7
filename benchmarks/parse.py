"""Throughput of parse_email against the ceiling of bare stdlib parsing.

Over the corpus and realmail messages, compares email.message_from_bytes
(policy=default) + get_body (the ceiling) with the project's parse_email,
in messages per second, separately for messages with and without
attachments. Prints a table and writes benchmarks/results/parse.json.

    python benchmarks/parse.py [--shared DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from intake.errors import MessageError  # noqa: E402
from intake.understanding import parse_email  # noqa: E402


def _messages(shared: Path) -> list[bytes]:
    files = sorted((shared / "corpus" / "cases").glob("*.eml"))
    realmail = shared / "realmail"
    if realmail.is_dir():
        for source in sorted(p for p in realmail.iterdir() if p.is_dir() and p.name != "LICENSES"):
            files += sorted(p for p in source.rglob("*") if p.is_file())
    return [p.read_bytes() for p in files]


def _has_attachment(raw: bytes) -> bool:
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        return any(part.get_content_disposition() == "attachment" for part in msg.walk())
    except Exception:  # unparsable counts as plain
        return False


def _ceiling(raw: bytes) -> None:
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain", "html"))
        if body is not None:
            body.get_content()
    except Exception:  # the ceiling ignores errors the project must handle
        pass


def _ours(raw: bytes) -> None:
    with contextlib.suppress(MessageError):
        parse_email(raw)


def _rate(func, messages: list[bytes], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        for raw in messages:
            func(raw)
    elapsed = time.perf_counter() - started
    return len(messages) * repeat / elapsed if elapsed else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    messages = _messages(args.shared)
    if not messages:
        print(f"no messages under {args.shared}", file=sys.stderr)
        return 2
    groups = {
        "without_attachments": [m for m in messages if not _has_attachment(m)],
        "with_attachments": [m for m in messages if _has_attachment(m)],
    }
    results: dict[str, dict[str, float]] = {}
    print(f"{'group':<22}{'msgs':>6}{'ceiling/s':>12}{'parse/s':>10}{'ratio':>8}")
    for name, group in groups.items():
        if not group:
            continue
        ceiling = _rate(_ceiling, group, args.repeat)
        ours = _rate(_ours, group, args.repeat)
        results[name] = {
            "messages": len(group),
            "ceiling_msgs_per_s": round(ceiling, 1),
            "parse_msgs_per_s": round(ours, 1),
            "ratio": round(ours / ceiling, 3),
        }
        print(f"{name:<22}{len(group):>6}{ceiling:>12.1f}{ours:>10.1f}{ours / ceiling:>8.3f}")
    out = REPO / "benchmarks" / "results" / "parse.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
