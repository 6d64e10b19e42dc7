"""Ingestion benchmark: the raw IMAP ceiling, the full route, peak memory and IDLE latency.

Starts its own Dovecot and SMTP sink on loopback, appends N messages taken
round-robin from shared/corpus/cases (each with its own Message-ID), then:

a) raw ceiling: imapclient UID FETCH of every message plus email.message_from_bytes;
b) full ingestion of the same backlog (fetch, store, classify, extract, reply
   to the sink), in a child process so its peak RSS (VmHWM) is its own; the
   reading workers it starts are reported apart (CPU, largest peak RSS);
c) delivery-to-reply latency of `intake run` with IDLE over 20 messages.

Prints a table and writes benchmarks/results/ingest.json. With more than
1,000 messages it also ingests 1,000 to compare peak memory.

    PYTHONPATH=. python benchmarks/ingest.py [--messages 2000] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import configs  # noqa: E402

if TYPE_CHECKING:
    from tests.mailservers import Dovecot, SmtpSink

PASSWORD_ENV = "INTAKE_BENCH_IMAP_PASSWORD"
_MESSAGE_ID = re.compile(rb"(?im)^message-id:[^\r\n]*(\r?\n[ \t][^\r\n]*)*\r?\n")


def corpus(shared: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted((shared / "corpus" / "cases").glob("*.eml"))]


def unique(raw: bytes, n: int) -> bytes:
    """The message with a Message-ID of its own, so copies are distinct messages."""
    return f"Message-ID: <bench-{n}@bench.example>\r\n".encode() + _MESSAGE_ID.sub(b"", raw)


def fill(server: Dovecot, user: str, sources: list[bytes], count: int) -> None:
    imap = server.client(user)
    try:
        for start in range(0, count, 500):
            chunk = range(start, min(start + 500, count))
            imap.multiappend("INBOX", [unique(sources[n % len(sources)], n) for n in chunk])
    finally:
        imap.logout()


def new_user(server: Dovecot, name: str) -> str:
    server.add_user(name, "bench-secret")
    return name


def raw_ceiling(server: Dovecot, user: str, batch: int) -> dict[str, float]:
    """UID FETCH of everything in batches, plus parsing each message: the most one could do."""
    started = time.perf_counter()
    imap = server.client(user)
    try:
        imap.select_folder("INBOX", readonly=True)
        uids = imap.search()
        for start in range(0, len(uids), batch):
            fetched = imap.fetch(uids[start : start + batch], ["BODY.PEEK[]"])
            for data in fetched.values():
                email.message_from_bytes(data[b"BODY[]"], policy=email.policy.default)
    finally:
        imap.logout()
    seconds = time.perf_counter() - started
    return {"messages": len(uids), "seconds": seconds, "per_second": len(uids) / seconds}


def write_config(root: Path, server: Dovecot, user: str, sink: SmtpSink, batch: int) -> Path:
    """Reply to everything at once and poll seldom, so the figures time the mail, not limits."""
    return configs.write_config(
        root,
        server,
        sink,
        mailbox={
            "username": user,
            "password_env": PASSWORD_ENV,
            "batch_size": batch,
            "first_run_days": 30,
        },
        reply={"max_per_hour": 1000000, "cooldown_hours": 0},
        schedule={"poll_minutes": 60},
    )


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), PASSWORD_ENV: "bench-secret"}


def full_ingestion(config: Path) -> dict[str, Any]:
    """One `run_cycle` over the whole backlog in a child process; its time and peak RSS."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(config)],
        env=child_env(),
        capture_output=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def timed_stages() -> dict[str, float]:
    """Time the cycle's stages as it runs them: fetch and store; understand, decide and
    record (which sends the replies queued so far between groups); and the sending
    itself, wherever it happens (so it is counted inside process_pending too)."""
    from intake.worker import cycle, delivery

    spent: dict[str, float] = {}
    stages = [(cycle, "fetch_new"), (cycle, "process_pending"), (delivery, "deliver_due")]
    for module, stage in stages:
        original = getattr(module, stage)

        def timed(*args: Any, _original: Any = original, _stage: str = stage) -> Any:
            started = time.perf_counter()
            try:
                return _original(*args)
            finally:
                spent[_stage] = spent.get(_stage, 0.0) + time.perf_counter() - started
                spent[f"{_stage}_peak_rss_mb"] = peak_rss_mb()

        setattr(module, stage, timed)
    return spent


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def child(config: Path) -> None:
    """In the child: ingest once, print seconds, counts and VmHWM as JSON."""
    import logging

    from intake.config import load_config
    from intake.worker.cycle import run_cycle
    from intake.worker.services import build_services
    from intake.worker.understanding_pool import worker_count

    logging.disable(logging.INFO)
    svc = build_services(load_config(config), create_key=True)
    stages = timed_stages()
    started, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
    report = run_cycle(svc)
    seconds = time.perf_counter() - started
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the reading workers, ended
    print(
        json.dumps(
            {
                "messages": report.fetched,
                "processed": report.processed,
                "replies_sent": report.replies_sent,
                "seconds": seconds,
                "per_second": report.fetched / seconds,
                "peak_rss_mb": peak_rss_mb(),
                "cpu_seconds": cpu_seconds(resource.RUSAGE_SELF) - cpu,
                "reading_workers": {
                    "count": worker_count(svc.cfg.extraction.workers),
                    "cpu_seconds": workers.ru_utime + workers.ru_stime,
                    "peak_rss_mb_largest": workers.ru_maxrss / 1024,
                },
                "stage_seconds": stages,
            }
        )
    )


def latency(server: Dovecot, sink: SmtpSink, root: Path) -> list[float]:
    """Seconds from APPEND to the reply reaching the sink, for 20 messages, with IDLE."""
    user = new_user(server, "latency")
    config = write_config(root, server, user, sink, 100)
    keygen = [sys.executable, "-m", "intake", "--config", str(config), "keygen"]
    subprocess.run(keygen, env=child_env(), check=True, capture_output=True)
    worker = subprocess.Popen(
        [sys.executable, "-m", "intake", "--config", str(config), "run"],
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    samples = []
    sink.clear()  # the check below reads every message the sink holds
    try:
        time.sleep(1.5)
        for n in range(20):
            want = f"<bench-{900000 + n}@bench.example>"
            raw = person_message(900000 + n)
            started = time.perf_counter()
            server.append(raw, user=user)
            while not any(str(m.message()["In-Reply-To"]) == want for m in sink.messages):
                if time.perf_counter() - started > 30:
                    raise TimeoutError(f"no reply to message {n}")
                time.sleep(0.002)
            samples.append(time.perf_counter() - started)
            sink.clear()
            time.sleep(0.3)
    finally:
        worker.terminate()
        worker.wait(timeout=15)
    return samples


def person_message(n: int) -> bytes:
    """A short referral from a person, which the service answers."""
    return (
        f"From: Dr Bench {n} <bench{n}@surgery.example>\r\nTo: hello@innerpulse.example\r\n"
        f"Subject: Referral {n}\r\nMessage-ID: <bench-{n}@bench.example>\r\n"
        "Date: Tue, 24 Nov 2026 09:00:00 +0000\r\n\r\nI would like to refer a child for"
        " music therapy. The family consents.\r\n"
    ).encode()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    # imported here, not at the top: the reading workers the child starts import this
    # script again (multiprocessing's spawn), and need none of the test servers
    from tests.mailservers import Dovecot, SmtpSink

    sources = corpus(args.shared)
    root = Path(tempfile.mkdtemp(prefix="bench-"))
    figures: dict[str, Any] = {"messages": args.messages, "batch_size": args.batch}
    with Dovecot() as server, SmtpSink() as sink:
        user = new_user(server, "backlog")
        fill(server, user, sources, args.messages)
        figures["raw"] = raw_ceiling(server, user, args.batch)
        (root / "full").mkdir()
        figures["full"] = full_ingestion(
            write_config(root / "full", server, user, sink, args.batch)
        )
        if args.messages > 1000:
            small = new_user(server, "thousand")
            fill(server, small, sources, 1000)
            (root / "small").mkdir()
            config = write_config(root / "small", server, small, sink, args.batch)
            figures["full_1000"] = full_ingestion(config)
        print(json.dumps({k: figures[k] for k in figures if k != "latency"}), file=sys.stderr)
        (root / "idle").mkdir()
        samples = latency(server, sink, root / "idle")
    figures["ratio"] = figures["full"]["per_second"] / figures["raw"]["per_second"]
    fetch_seconds = figures["full"]["stage_seconds"]["fetch_new"]
    figures["fetch_store_per_second"] = figures["full"]["messages"] / fetch_seconds
    figures["latency"] = {
        "samples": samples,
        "p50": statistics.median(samples),
        "p95": percentile(samples, 0.95),
    }
    if "full_1000" in figures:
        base = figures["full_1000"]["peak_rss_mb"]
        figures["rss_growth_vs_1000"] = figures["full"]["peak_rss_mb"] / base - 1
    report(figures)
    out = ROOT / "benchmarks" / "results" / "ingest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")


def report(f: dict[str, Any]) -> None:
    rows = [
        ("messages", f"{f['messages']}"),
        ("raw ceiling (fetch + parse)", f"{f['raw']['per_second']:.0f} msg/s"),
        ("full ingestion", f"{f['full']['per_second']:.0f} msg/s"),
        ("ratio full / raw (target >= 0.3)", f"{f['ratio']:.2f}"),
        ("fetch + store only", f"{f['fetch_store_per_second']:.0f} msg/s"),
        ("replies sent", f"{f['full']['replies_sent']}"),
        ("peak RSS, full ingestion", f"{f['full']['peak_rss_mb']:.1f} MB"),
    ]
    if "full_1000" in f:
        rows.append(("peak RSS at 1,000", f"{f['full_1000']['peak_rss_mb']:.1f} MB"))
        rows.append(("RSS growth (target <= 20%)", f"{f['rss_growth_vs_1000']:+.0%}"))
    readers = f["full"]["reading_workers"]
    rows.append(("CPU, service process", f"{f['full']['cpu_seconds']:.1f} s"))
    rows.append((f"CPU, {readers['count']} reading workers", f"{readers['cpu_seconds']:.1f} s"))
    rows.append(("peak RSS, largest reading worker", f"{readers['peak_rss_mb_largest']:.1f} MB"))
    rows.append(("IDLE latency p50 (target < 0.8 s)", f"{f['latency']['p50']:.3f} s"))
    rows.append(("IDLE latency p95", f"{f['latency']['p95']:.3f} s"))
    for stage, spent in f["full"]["stage_seconds"].items():
        if stage.endswith("_mb"):
            name = stage.removesuffix("_peak_rss_mb")
            rows.append((f"  peak RSS after {name}", f"{spent:.1f} MB"))
        else:
            rows.append((f"  time in {stage}", f"{spent:.1f} s"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
