"""The benchmark's results as one JSON document, and the same figures as docs/benchmarks.md."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from infra.bench import cost
from infra.bench.artifacts import ArtifactSize
from infra.bench.bytecode import BytecodeEffect
from infra.bench.cold_start import INTAKE_FLOOR, PAUSED_FLOOR, PYDANTIC_FLOOR, TRACER_FLOOR, ColdStart
from infra.bench.end_to_end import THROUGHPUT_GOAL, EndToEnd
from infra.bench.soak import P95_GROWTH_GOAL, RSS_GOAL_MIB, Soak
from infra.bench.tracing import TracerEvidence
from infra.bench.triage import TriageSpeed
from infra.bench.warm import WarmIntake

COLD_START_GOAL = 1.3
WARM_P99_GOAL = 3.0
SECTIONS = ("goals", "cold_start", "library_floors", "bytecode", "warm_intake", "end_to_end", "soak", "profile",
            "triage",
            "artifacts", "tracer", "memory", "cost", "snapstart")


def profiles(cold: list[ColdStart], warm: WarmIntake, e2e: EndToEnd,
             memory: dict[str, int]) -> dict[str, cost.FunctionProfile]:
    """Each function's cost inputs, from this run's measurements."""
    init = {c.function: c.cpu_s for c in cold}
    steps = e2e.floor_step_ms
    one_call_ms = steps["IntakeFunction"] / 8  # intake makes eight calls; redispatch makes one query
    return {
        "IntakeFunction": cost.FunctionProfile("IntakeFunction", memory["IntakeFunction"], 1, init["IntakeFunction"],
                                               warm.intake_p50_ms, steps["IntakeFunction"]),
        # The preflight runs the same function: no AWS call, the hello-world's share of work.
        "IntakeFunction (CORS preflight)": cost.FunctionProfile(
            "IntakeFunction (CORS preflight)", memory["IntakeFunction"], 1, 0.0, warm.hello_p50_ms, 0.0, 0.0),
        "SendConfirmationFunction": cost.FunctionProfile(
            "SendConfirmationFunction", memory["SendConfirmationFunction"], 1, init["SendConfirmationFunction"],
            warm.intake_p50_ms, steps["SendConfirmationFunction"]),
        "NotifyCareTeamFunction": cost.FunctionProfile(
            "NotifyCareTeamFunction", memory["NotifyCareTeamFunction"], 1, init["NotifyCareTeamFunction"],
            warm.intake_p50_ms, steps["NotifyCareTeamFunction"]),
        # Runs on its schedule, not per inquiry: counted in the fixed monthly costs.
        "RedispatchFunction": cost.FunctionProfile(
            "RedispatchFunction", memory["RedispatchFunction"], 1, init["RedispatchFunction"], warm.hello_p50_ms,
            one_call_ms),
    }


def build(*, mode: str, generated_at: str, machine: dict[str, Any], cold: list[ColdStart], floors: list[ColdStart],
          bytecode: BytecodeEffect | None, warm: WarmIntake,
          e2e: EndToEnd, soak: Soak, busy_profile: dict[str, dict[str, Any]],
          triage: TriageSpeed, artifacts: list[ArtifactSize], tracer: TracerEvidence,
          memory: dict[str, int], alarms: int) -> dict[str, Any]:
    """Every section, with the goals evaluated on this run's figures."""
    by_name = profiles(cold, warm, e2e, memory)
    rss = {c.function: c.rss_mib for c in cold}
    memory_rows = []
    for name in ("IntakeFunction", "SendConfirmationFunction", "NotifyCareTeamFunction", "RedispatchFunction"):
        profile = by_name[name]
        memory_rows.append({
            "function": name, "memory_mb": profile.memory_mb,
            "recommended_mb": cost.recommend_memory(profile, person_waits=name == "IntakeFunction",
                                                    peak_rss_mib=rss[name]),
            "init_cpu_s": profile.init_cpu_s, "code_ms": round(profile.code_ms, 3), "io_ms": profile.io_ms,
            "choices": [{"memory_mb": m, "cold_start_s": profile.cold_start_s(m), "billed_ms": profile.billed_ms(m),
                         "lambda_usd_per_10k": round(profile.lambda_usd(cost.INQUIRIES, m), 4)}
                        for m in cost.MEMORY_CHOICES],
        })
    per_inquiry = [p for name, p in by_name.items() if name != "RedispatchFunction"]
    lines = cost.per_inquiries(per_inquiry, warm.log_bytes_per_request)
    fixed = cost.fixed_monthly(by_name["RedispatchFunction"], alarms)
    intake = by_name["IntakeFunction"]
    gb = intake.memory_mb / 1024
    snapstart = {
        "restore_usd_per_cold_start": round(gb * cost.PRICES["snapstart_restore_gb"].usd, 7),
        "init_usd_per_cold_start": round(gb * intake.init_cpu_s * intake.cpu_scale()
                                         * cost.PRICES["lambda_gb_second_arm64"].usd, 7),
        "cache_usd_per_month_per_version": round(gb * 30 * 24 * 3600 * cost.PRICES["snapstart_cache_gb_second"].usd, 2),
        "init_s_saved_at_most": intake.cold_start_s(),
        "adopted": False,
    }
    goals = []
    for c in cold:
        goals.append({"goal": f"{c.function} cold start CPU <= {COLD_START_GOAL}x baseline", "measured": c.cpu_ratio,
                      "met": c.cpu_ratio <= COLD_START_GOAL})
        goals.append({"goal": f"{c.function} peak RSS <= {COLD_START_GOAL}x baseline", "measured": c.rss_ratio,
                      "met": c.rss_ratio <= COLD_START_GOAL})
    goals.append({"goal": f"warm intake p99 <= {WARM_P99_GOAL}x hello world", "measured": warm.p99_ratio,
                  "met": warm.p99_ratio <= WARM_P99_GOAL})
    goals.append({"goal": f"end-to-end inquiries/s >= {THROUGHPUT_GOAL}x floor", "measured": e2e.throughput_ratio,
                  "met": e2e.throughput_ratio >= THROUGHPUT_GOAL})
    goals.append({"goal": f"soak: API p95 at {soak.steps[-1].stored} inquiries <= {P95_GROWTH_GOAL}x p95 at "
                          f"{soak.steps[0].stored}",
                  "measured": soak.p95_growth, "met": soak.p95_growth <= P95_GROWTH_GOAL})
    rss_share = round(soak.final_rss_mib / RSS_GOAL_MIB, 2)
    goals.append({"goal": f"soak: stack RSS at {soak.steps[-1].stored} inquiries < 1 GiB (as a share of 1 GiB)",
                  "measured": rss_share, "met": soak.final_rss_mib < RSS_GOAL_MIB})
    goals.append({"goal": "soak: inquiries lost or sent twice (count)", "measured": float(soak.lost + soak.duplicated),
                  "met": soak.lost == soak.duplicated == 0})
    return {
        "mode": mode, "generated_at": generated_at, "machine": machine,
        "goals": goals,
        "cold_start": [{**asdict(c), "cpu_ratio": c.cpu_ratio, "rss_ratio": c.rss_ratio} for c in cold],
        "library_floors": [{**asdict(c), "cpu_ratio": c.cpu_ratio, "rss_ratio": c.rss_ratio} for c in floors],
        "bytecode": None if bytecode is None else {**asdict(bytecode), "source_ratio": bytecode.source_ratio,
                                                   "bytecode_ratio": bytecode.bytecode_ratio},
        "warm_intake": {**asdict(warm), "p50_ratio": warm.p50_ratio, "p99_ratio": warm.p99_ratio},
        "end_to_end": {"clients": e2e.clients,
                       "pipeline": {**asdict(e2e.pipeline), "per_second": e2e.pipeline.per_second},
                       "floor": {**asdict(e2e.floor), "per_second": e2e.floor.per_second},
                       "floor_step_ms": e2e.floor_step_ms, "throughput_ratio": e2e.throughput_ratio,
                       "cpu_ms_per_inquiry": e2e.cpu_ms_per_inquiry},
        "soak": soak.as_dict(),
        "profile": busy_profile,
        "triage": {**asdict(triage), "ratio": triage.ratio},
        "artifacts": [asdict(a) for a in artifacts],
        "tracer": asdict(tracer),
        "memory": memory_rows,
        "cost": {
            "inquiries": cost.INQUIRIES, "region": cost.REGION, "prices_as_of": cost.PRICES_AS_OF,
            "lines": [cost.as_dict(line) for line in lines],
            "total_usd": round(sum(line.usd for line in lines), 4),
            "fixed_monthly": [cost.as_dict(line) for line in fixed],
            "fixed_monthly_usd": round(sum(line.usd for line in fixed), 2),
            "units_per_inquiry": {k: {"n": n, "why": why} for k, (n, why) in cost.UNITS.items()},
            "prices": [asdict(p) for p in cost.PRICES.values()],
        },
        "snapstart": snapstart,
    }


def _mib(n: float) -> str:
    return f"{n / 1024 / 1024:.2f}"


def _yes(met: bool) -> str:
    return "met" if met else "**not met**"


def markdown(data: dict[str, Any]) -> str:
    """docs/benchmarks.md: every figure beside its baseline, the goals, and the decisions they support."""
    out: list[str] = []
    add = out.append
    m = data["machine"]
    add("# Benchmarks\n")
    add(f"Written by `make bench` ({data['mode']} run, {data['generated_at']}) on {m['platform']}, "
        f"Python {m['python']}, {m['cpus']} CPUs shared with other work; the JSON is "
        "[`benchmarks.json`](benchmarks.json). Absolute times depend on the machine: the figures that carry "
        "over are the ratios to the baseline measured in the same run. Reproduce with `make bench` "
        "(`python -m infra.bench --quick` is the smoke run `make test` does).\n")
    add("## Goals\n")
    add("| goal | measured | |\n|---|---|---|")
    for g in data["goals"]:
        add(f"| {g['goal']} | {g['measured']:.2f}x | {_yes(g['met'])} |")
    add("")
    add(_COLD_START_TEXT)
    add("| function | CPU s | baseline CPU s | CPU ratio | peak RSS MiB | baseline MiB | RSS ratio | runs |")
    add("|---|---|---|---|---|---|---|---|")
    for c in data["cold_start"]:
        add(f"| {c['function']} | {c['cpu_s']:.3f} | {c['baseline_cpu_s']:.3f} | {c['cpu_ratio']:.2f}x | "
            f"{c['rss_mib']:.1f} | {c['baseline_rss_mib']:.1f} | {c['rss_ratio']:.2f}x | {c['runs']} |")
    add("")
    add(_LIBRARY_FLOORS_TEXT)
    add("| the baseline plus | CPU s | baseline CPU s | CPU ratio | peak RSS MiB | baseline MiB | RSS ratio | runs |")
    add("|---|---|---|---|---|---|---|---|")
    for c in data["library_floors"]:
        add(f"| {c['function']} | {c['cpu_s']:.3f} | {c['baseline_cpu_s']:.3f} | {c['cpu_ratio']:.2f}x | "
            f"{c['rss_mib']:.1f} | {c['baseline_rss_mib']:.1f} | {c['rss_ratio']:.2f}x | {c['runs']} |")
    add("")
    add(_cold_start_analysis(data))
    add(_bytecode_text(data["bytecode"]))
    w = data["warm_intake"]
    add("## Warm intake, in-process\n")
    add("The intake handler module Lambda imports, its service on the in-memory fakes of "
        "`tests/support/fakes.py`, against Powertools' own hello world (its quick start: an "
        "`APIGatewayRestResolver` route that logs a line and adds a metric, under `inject_lambda_context` and "
        "`log_metrics`, without Tracer as ours now are) on the same route and the same API Gateway event "
        "shape (a JSON `POST /inquiries` with a phone number), requests alternating.\n")
    add("| handler | p50 ms | p99 ms |\n|---|---|---|")
    add(f"| intake (validate, rate-limit, idempotency, store, dispatch) | {w['intake_p50_ms']:.3f} | "
        f"{w['intake_p99_ms']:.3f} |")
    add(f"| hello world | {w['hello_p50_ms']:.3f} | {w['hello_p99_ms']:.3f} |")
    add(f"| ratio | {w['p50_ratio']:.2f}x | {w['p99_ratio']:.2f}x |")
    spread = ", ".join(f"{r:.2f}x" for r in w["block_p99_ratios"])
    add(f"\n{w['blocks']} blocks of {w['requests']} requests each, every block with fresh fakes; each figure is "
        "the median over the blocks of that block's percentile, so one burst of other work on this shared "
        f"machine moves one block, not the figure (the blocks' p99 ratios, in order: {spread}). The p99 goal "
        f"(at most 3x) is {_yes(w['p99_ratio'] <= WARM_P99_GOAL)}. Intake validates the body with pydantic's core (the "
        "address and phone number included), triages the message, checks the client's rate limit, runs "
        "Powertools idempotency, writes the inquiry and dispatches it, so its p50 is a few times the hello "
        "world's; its tail stays closer because both share the same pauses (garbage collection, the "
        "scheduler). The hello world's p99 is a few tenths of a millisecond, so a handful of pauses moves a "
        "single block's ratio by a whole unit. "
        f"The intake handler printed {w['log_bytes_per_request']:.0f} bytes of log lines and "
        "metrics per request (the CloudWatch Logs input of the cost model). Per-character work in Python is "
        "kept off the common path (issue 17): the strict JSON reader scans for nesting depth only when a body "
        "has more opening brackets than the limit and finds lone surrogates with one regular expression, and "
        "ASCII text is cleaned with `str.translate` (`tests/unit/test_warm_intake_costs.py` pins the same "
        "answers). Reproduce this section alone, or against another checkout's `functions` folder: "
        "`python -m infra.bench.warm [--against DIR --rounds 3]`.\n")
    e = data["end_to_end"]
    p, f = e["pipeline"], e["floor"]
    add("## End to end on the local stack\n")
    add(f"{e['clients']} concurrent clients on 127.0.0.1 submit {p['inquiries']} inquiries to the local stack "
        "(`infra.local`: moto, the API Gateway emulator, the real handlers, SQS pollers); the clock stops when "
        "InquiriesTable shows every one confirmed and notified and the event log holds its `inquiry.received`. The "
        "floor is the same AWS work done by plain boto3 in one process: every call the handlers make per inquiry, "
        "the events path's included (counted equal by action and table in `tests/e2e/test_bench_floor_calls.py`), "
        "with the same concurrency, against the same moto (see `infra/bench/end_to_end.py`). "
        "The two run in alternating rounds of a quarter of the inquiries each, so both meet the tables as full "
        "and the shared machine as busy; each side's figure is all its inquiries over all its rounds' seconds.\n")
    add("| | inquiries/s | API p50 ms | API p99 ms |\n|---|---|---|---|")
    add(f"| pipeline | {p['per_second']:.2f} | {p['api_p50_ms']:.1f} | {p['api_p99_ms']:.1f} |")
    add(f"| floor | {f['per_second']:.2f} | {f['api_p50_ms']:.1f} | {f['api_p99_ms']:.1f} |")
    add(f"| ratio | {e['throughput_ratio']:.2f}x | | |")
    cpu = e.get("cpu_ms_per_inquiry") or {}
    if cpu:
        add("\nCPU ms per inquiry, by process, over each side's rounds (what each side needs of the machine, "
            "however busy it was; a process uses one core at most):\n")
        add("| | stack (moto, API emulator, pollers) | handler workers | benchmark clients |\n|---|---|---|---|")
        for side in ("pipeline", "floor"):
            c = cpu.get(side, {})
            add(f"| {side} | {c.get('stack', 0):.1f} | {c.get('handler workers', 0):.1f} | "
                f"{c.get('benchmark clients', 0):.1f} |")
    met = _yes(e["throughput_ratio"] >= THROUGHPUT_GOAL)
    add(f"\nThe goal (at least {THROUGHPUT_GOAL}x the floor) is {met}. The floor's "
        "\"API\" latency is its intake calls alone; the pipeline's adds HTTP, the API Gateway emulator and the "
        "handler. The handlers run in worker processes, one invocation at a time each, as Lambda's execution "
        "environments (`infra/local/handler_process.py`; intake has up to two, each delivery one): the emulator's "
        "Python and the handlers' use both cores, as the floor's client and moto do. The pipeline also does what "
        "the floor leaves out, all in the emulator's process: the event source mappings' polling (empty receives "
        "and stream reads between batches, ArchiveAuditFunction's stream), the local outbox's SNS subscriptions "
        "and the pollers' deletes.\n")
    add(_END_TO_END_PROFILE)
    add(_soak_text(data["soak"]))
    add(_profile_text(data["profile"]))
    t = data["triage"]
    add("## Triage\n")
    add(f"`{t['check']}`: **{t['us_per_message']:.2f} µs per message** against {t['baseline_us_per_message']:.2f} µs "
        f"for the baseline (one case-insensitive word search) on the same messages ({t['ratio']:.2f}x), over "
        f"{t['messages']} assessments of the triage corpus's training rounds (tests/data/triage, crisis and "
        "ordinary, English and Spanish; `make triage` reports its recall and median per message on the same "
        "corpus). Best of five blocks, so the figure is the check's cost rather than the machine's busiest "
        "moment. The model file is read on the first message with words, not at import (before the blocks).\n")
    add("## Artifact size (`sam build`)\n")
    if data["artifacts"]:
        add("| artifact | files | unzipped MiB | zipped MiB |\n|---|---|---|---|")
        for a in data["artifacts"]:
            add(f"| {a['name']} | {a['files']} | {_mib(a['unzipped_bytes'])} | {_mib(a['zipped_bytes'])} |")
        add("\nEvery function ships only the `inquiries` package; the third-party code is in the one layer "
            "(Lambda's limit is 250 MB unzipped for a function and its layers). Without Tracer the layer no "
            "longer carries `aws-xray-sdk` and `wrapt`.\n")
    else:
        add("Not measured in this run: `.aws-sam/build` is missing (`make bench` runs `make sam-build` first).\n")
    floors = {c["function"]: c for c in data["library_floors"]}
    add(_tracer_text(data["tracer"], floors[TRACER_FLOOR], floors[PAUSED_FLOOR]))
    add(_memory_text(data["memory"]))
    add(_cost_text(data["cost"]))
    add(_snapstart_text(data["snapstart"]))
    return "\n".join(out).rstrip() + "\n"


def _soak_text(k: dict[str, Any]) -> str:
    growth_met = k["p95_growth"] <= P95_GROWTH_GOAL
    rss_met = k["final_rss_mib"] < RSS_GOAL_MIB
    counted_met = k["lost"] == k["duplicated"] == 0
    out = [
        "## A busy day on the local stack (the soak)\n",
        f"{k['clients']} concurrent clients on 127.0.0.1 submit {k['inquiries']:,} inquiries to one local stack (a "
        "child `python -m infra.local`, each request from its own loopback address) in blocks of "
        f"{k['block']:,}; after each block the run waits until every inquiry of the block is confirmed and "
        "notified (`infra/bench/soak.py`). Inquiries per second is the block's inquiries over the time from its "
        "first POST to its last delivery; queue age is the p95, over the block, of the time from an inquiry's "
        "`created_at` to its later delivery (both stored); RSS is the stack's processes' (the emulator's and "
        "the handlers').\n",
        "| stored | API p50 ms | API p95 ms | inquiries/s | queue age p95 s | stack RSS MiB |",
        "|---|---|---|---|---|---|",
    ]
    out += [f"| {s['stored']:,} | {s['api_p50_ms']:.0f} | {s['api_p95_ms']:.0f} | {s['per_second']:.2f} | "
            f"{s['queue_age_p95_s']:.2f} | {s['rss_mib']:.0f} |" for s in k["steps"]]
    out.append(
        f"\nAPI p95 at the end is {k['p95_growth']:.2f}x the first block's (goal: at most {P95_GROWTH_GOAL}x, "
        f"{_yes(growth_met)}); the stack ends at {k['final_rss_mib']:.0f} MiB (goal: under 1 GiB, "
        f"{_yes(rss_met)}). Every accepted inquiry was counted in the outbox and the event log: {k['lost']} "
        "without its confirmation email, its notification or its `inquiry.received` event, "
        f"{k['duplicated']} with more than one of any (goal: none of either, {_yes(counted_met)}). RSS is the "
        "stack's process and the processes its handlers run in.\n")
    return "\n".join(out)


def _profile_text(profile: dict[str, dict[str, Any]]) -> str:
    out = [_PROFILE_TEXT, "| moto | stored | stack RSS MiB | block s | API p50 ms | objects alive that grew most |",
           "|---|---|---|---|---|---|"]
    for name, variant in profile.items():
        for row in variant["blocks"]:
            grew = ", ".join(f"`{g['type'].rsplit('.', 1)[-1]}` +{g['objects']:,}" for g in row["grew"][:3])
            out.append(f"| {name} | {row['stored']:,} | {row['rss_mib']:.0f} | {row['seconds']:.1f} | "
                       f"{row['api_p50_ms']:.0f} | {grew} |")
    out.append("\nWhere the CPU went (py-spy, share of busy samples; idle threads left out):\n")
    for name, variant in profile.items():
        hot = variant["profile"]
        if hot is None:
            out.append(f"- moto {name}: not profiled (py-spy missing)")
            continue
        ran = "; ".join(f"`{f['function']}` {f['share']:.0%}" for f in hot["own"][:4])
        seen = "; ".join(f"`{f['function']}` {f['share']:.0%}" for f in hot["anywhere"][:6])
        out.append(f"- moto {name}: running {ran}. On the stack: {seen}.")
    out.append(_UPSTREAM_TEXT)
    return "\n".join(out)


_END_TO_END_PROFILE = """### Where the pipeline's time went (issue 23), and what changed

Measured with py-spy (`--gil`: the thread holding the interpreter lock) on the stack's process and a
per-action CPU count of moto's `call_action`, while 150 inquiries went through (8 clients; load average
7-10 on the shared 2-core machine, so shares, not seconds, are the finding):

- **One interpreter lock for everything.** moto, the API emulator, the pollers and every handler ran in
  one process: the stack used one core however many requests waited (the floor's client and moto are two
  processes). The handlers now run in worker processes (above); the stack's own process keeps moto.
- **moto's generic serializer.** In moto 5.2 every answer is written by walking botocore's shapes: a
  DynamoDB Streams `GetRecords` page of inquiry records cost ~42 ms (30% of moto's CPU, all of it
  serialization: the events path's pollers read every record with both images), `GetItem` ~2.5 ms, the
  benchmark's own `BatchGetItem` read-backs ~25 ms. Shim: DynamoDB item answers and `GetRecords` written as
  DynamoDB JSON (`GetRecords` ~2 ms), pinned by a test that every data-plane answer reads the same
  through boto3.
- **SNS signs a new certificate per notification** for each non-raw SQS subscription (the outbox's and the
  phone's) and keeps every PEM: one certificate per subscription now, every envelope still verifiable.
- **EventBridge parses each target's JSONPath input paths for every event** (InquiryEventBus's archive
  is a target): parsed once now.
- **The benchmark's read-backs** (every 100 ms, every inquiry of the round) loaded the emulator it
  measured: now only what is not delivered yet, seldom while many are left.
- Left as it is: `UpdateItem` (~2.5-3 ms in moto: its expression validators deep-copy and walk the AST
  ten times; the floor makes the same calls) and werkzeug's `Connection: close` on every answer (a TCP
  connection and a thread per AWS call, on both sides).

"""

_PROFILE_TEXT = """### What made the local stack slow down and grow, and what changed

`python -m infra.bench.busy_day` (run by `make bench`) profiles the local stack: the stack runs in a child
process that posts blocks of inquiries (8 clients, 127.0.0.1) and, after each block is delivered, reports
its RSS and the objects alive after a full collection that grew most since the previous block (`gc`: what
holds memory), while py-spy samples the child from outside (CPU: where its threads ran). It runs twice:
moto as it is (`LOCAL_MOTO_SHIMS=0`) and with `infra/local/moto_shims.py`.

What it found, and each fix:

- **Memory: moto keeps every object it ever made.** `moto.core.common_models.BaseModel.__new__` appends
  every model instance to a class-level list, `instances_tracked` (for its `/moto-api/` dashboard), so
  nothing moto creates is freed: every SQS message, every SES email, and the two whole-table copies each
  DynamoDB transaction makes (`Table`, `Item` and `DynamoType` objects by the hundred thousand). That is
  the faster-than-linear growth: each transaction's copy is as large as the table. Fix: the lists become
  weak (`WeakInstances`): the dashboard still lists what is alive.
- **CPU: each transaction copies whole tables.** `transact_write_items` deep-copies every table it names
  so that it can roll back: intake's commit and every care change cost time and garbage proportional to
  the table. Fix: snapshot only the items the transaction touches (and the stream's length); moto's own
  checks and writes run unchanged, and a failed transaction still rolls back every touched item in every
  table (`tests/integration/test_local_moto_shims.py`).
- **CPU: a queue's retention check counts the queue.** For every message handed out, `receive_message`
  calls `get_queue_attributes`, which counts every message in the queue: quadratic in a backlog, so a
  backlog made itself worse. Fix: read `MessageRetentionPeriod` from the queue; a message past it is still
  dropped (tested).
- **Ours: the outbox kept everything.** The local outbox (and the SES v2 content kept beside moto's
  emails, and moto's own list of sent emails) now keep the newest `LOCAL_OUTBOX_LIMIT` (2,000) of each.
"""

_UPSTREAM_TEXT = """
#### For moto's issue tracker (not yet filed)

> **Memory and time grow with everything a long-running moto server has ever held.** (moto 5.2.5, server
> mode, Python 3.11.) 1. `BaseModel.__new__` appends every instance to `cls.instances_tracked`, a plain
> list, so no model instance is ever freed: a server that sends and deletes SQS messages, sends SES email
> or runs DynamoDB transactions grows without bound (a weak collection would keep the dashboard working).
> 2. `DynamoDBBackend.transact_write_items` deep-copies every table a transaction names, so each
> transaction costs time and memory proportional to the table's size (snapshotting the touched items is
> enough to roll back). 3. `SQSBackend.receive_message` calls `is_message_valid_based_on_retention_period`
> for each message, which calls `get_queue_attributes`, which counts every message in the queue: receiving
> from a backlog of n messages is O(n^2). Reproduction and a patch: this repository's
> `infra/local/moto_shims.py` and `tests/integration/test_local_moto_shims.py`.

> **Server-mode costs per request that AWS does not have.** (moto 5.2.5, server mode, Python 3.11.)
> 1. Since the move to `ActionResult` and the shape-driven `ResponseSerializer`, DynamoDB answers are
> written by walking botocore's model for every attribute value: a DynamoDB Streams `GetRecords` page of
> 100 records with `NEW_AND_OLD_IMAGES` takes ~40 ms, a `GetItem` ~2 ms, where `dynamo_json_dump` of the
> same result takes a fraction of a millisecond and reads the same through boto3. 2. `Subscription.
> get_post_data` builds and signs a new X.509 certificate for every notification to a non-raw SQS or HTTP
> subscription and keeps each PEM in `SNSBackend._message_public_keys` forever: two RSA signatures per
> notification and a dictionary that only grows (one certificate per subscription verifies the same).
> 3. `EventTemplateParser.parse` parses each target's input paths with `jsonpath_ng` for every event (PLY,
> ~1 ms each); the parsed paths could be cached by their text. 4. The server answers every request with
> `Connection: close` (werkzeug's development server), so every SDK call opens a TCP connection and the
> server starts a thread for it. Reproduction and patches for 1-3: this repository's
> `infra/local/moto_shims.py` and `tests/integration/test_local_moto_shims.py`.
"""


_COLD_START_TEXT = """## Cold start and peak RSS

Each sample is a fresh `python` process that does what Lambda's init does: imports the handler module
named in template.yaml with that function's environment from the template (`AWS_LAMBDA_FUNCTION_NAME`
set, so Powertools behaves as in Lambda) and creates the boto3 clients the function uses. The baseline
is a fresh interpreter that imports boto3, creates the same clients and a Powertools `Logger`. Function
and baseline runs alternate; the figures are medians. CPU is user + system time and peak RSS is
`ru_maxrss`, from the child's own `getrusage` once its init is done. Each child is forked by a shell:
Linux carries a process's peak RSS across `vfork` + `exec`, so a child spawned straight from the
benchmark reported the benchmark's own peak RSS (54.7 MiB here) instead of its own. The interpreter is
this machine's (`.venv`), with bytecode already compiled, as the baseline's is; one core of this machine
stands in for Lambda's vCPU. Every function in template.yaml has a row. One function's row alone, in a
few minutes: `python -m infra.bench.cold_start --function IntakeFunction --runs 11`; with
`--against OTHER/functions` (another commit's `functions` folder, e.g. from `git archive`) it alternates
that code too, for a before/after under the same drift.
"""

_LIBRARY_FLOORS_TEXT = """### What the libraries alone cost

The same measurement for the baseline plus one library and nothing of ours (IntakeFunction's
environment), imported the way the handlers import (the cyclic garbage collector paused, then the
import's objects frozen: `inquiries.handlers`) and alternating with the plain baseline: the least a
function using that library can cost. The first row is the pause alone, on the baseline's own imports.
"""


def _goal_summary(cold: dict[str, dict[str, Any]]) -> str:
    """Which functions start within the CPU goal in this run, and which do not."""
    def listed(rows: list[dict[str, Any]]) -> str:
        return ", ".join(f"{c['function']} {c['cpu_ratio']:.2f}x" for c in rows) or "none"

    within = [c for c in cold.values() if c["cpu_ratio"] <= COLD_START_GOAL]
    beyond = [c for c in cold.values() if c["cpu_ratio"] > COLD_START_GOAL]
    return (f"In this run {len(within)} of {len(cold)} functions start within {COLD_START_GOAL}x the baseline's "
            f"CPU ({listed(within)}); beyond it: {listed(beyond)}.")


def _cold_start_analysis(data: dict[str, Any]) -> str:
    """What was taken out of init, and what IntakeFunction's init is made of beyond its libraries."""
    cold = {c["function"]: c for c in data["cold_start"]}
    floors = {c["function"]: c for c in data["library_floors"]}
    # A JSON written before intake's floor became pydantic_core's names it by pydantic: the row is the one that
    # ends like INTAKE_FLOOR.
    floor = floors.get(INTAKE_FLOOR) or next(row for name, row in floors.items()
                                             if name.endswith(INTAKE_FLOOR.rsplit(":", 1)[1]))
    intake, paused = cold["IntakeFunction"], floors[PAUSED_FLOOR]
    tracer, pydantic = floors[TRACER_FLOOR], floors[PYDANTIC_FLOOR]
    return f"""Before issue 13: 1.9x to 2.5x CPU and 1.6x RSS (its table, and this benchmark on the code it
started from). What was taken out of init:

- **The cyclic garbage collector** during the import: much of an import's CPU goes to collections that
  walk the new objects, none of them garbage. `inquiries.handlers` pauses collection while a handler
  module imports (its own imports, Powertools, boto3) and its last line freezes what the import created
  and resumes collecting, so later collections skip those objects too (`gc.freeze`);
  `tests/unit/test_cold_start_imports.py` checks no collection runs during any handler's import and that
  collection is back on afterwards. On the baseline's own imports the pause alone gives
  {paused['cpu_ratio']:.2f}x in this run: the baseline, as issue 13 defines it, does not pause, which is
  why the functions that load little beyond it can come out near or under 1.0x.
- **Tracer** (loading the X-Ray SDK: {tracer['cpu_ratio'] - paused['cpu_ratio']:.2f}x the baseline's CPU and
  {tracer['rss_mib'] - paused['rss_mib']:.0f} MiB more per cold start in this run): dropped, see "Tracer".
- **pydantic**, from every function: {pydantic['cpu_ratio'] - paused['cpu_ratio']:.2f}x the
  baseline in this run for importing it and building one model, most of the headroom the goal leaves.
  Settings are frozen, type-checked classes that compile nothing at import (`inquiries.settings`, same
  rules: a bad value still stops the cold start naming the variable); the stored record, the shared vocabulary and the
  error body are in `inquiries.record`; the care API reads and answers with dataclasses. Intake validates
  every submission with pydantic's core alone (issue 17): a `SchemaValidator` built from the core schema
  `inquiries.models_core` writes out, the one pydantic builds for `InquiryIn` with the same rule functions
  (`tests/unit/test_inquiry_core_schema.py` holds the two to the same schema and the same answers). pydantic
  describes them all only when `make openapi` writes docs/openapi.json, and
  `tests/unit/test_cold_start_imports.py` fails if any handler loads it.
- **Powertools' batch utility**, whose import loads every event data class and asyncio (~20 ms), for one
  loop: the consumers answer their SQS batches with `inquiries.delivery.sqs_batch` (the same partial
  batch response).
- **Triage's rule index** is read from `triage/rules_index.json`, built from the rules by `make
  triage-index` (a test fails when it is stale), instead of parsing every pattern at import; patterns are
  compiled on their first use, and **triage's model** (`triage/model.json`) is read on the first message
  with words, not at import.
- **Jinja** is imported on first use (SendConfirmationFunction loads it at init: every message it sends
  is rendered with it); **phonenumbers** on first use (a phone number is optional); **the address
  validator** only by intake, which reads an address in every submission.
- **pydantic's plugin scan** is skipped with `PYDANTIC_DISABLE_PLUGINS=__all__` (no plugin is installed).
- **What only some of intake's requests need** (issue 17): the HTML pages (Jinja, the templates: only a
  plain form post's error page or urgent page), the Turnstile check (unless a secret is configured: then
  every submission needs it and it loads at init), `gettext` (English, the source language, needs no
  catalog) and the pydantic schemas of the answers (the 202 body is a dataclass intake writes; the error
  body's schema is built for docs/openapi.json only) are loaded by the request that uses them. Intake's
  item and submission hold PHI and make no repr or field-by-field equality (no method to compile, and
  nothing to print a value). `tests/unit/test_cold_start_intake.py` fails if init loads any of them again,
  and checks what every submission needs (pydantic's core and intake's validator, email_validator, zoneinfo,
  idempotency) stays in init, and that neither init nor the first requests load pydantic.

Nothing every request needs was moved into the first request to flatter the figure. {_goal_summary(cold)}
Every submission is validated with pydantic's core (its address with email_validator), routed by Powertools'
REST resolver and given a due time in the clinic's time zone: those libraries alone cost
{floor['cpu_ratio']:.2f}x the baseline before a line of ours runs (the table above), and intake's own code
(triage, idempotency, the service, the data layer, the validator) adds
{intake['cpu_ratio'] - floor['cpu_ratio']:.2f}x to reach {intake['cpu_ratio']:.2f}x. Before issue 17's last pass
intake loaded pydantic itself and built `InquiryIn` at init (1.37x on a quiet machine); validating with the
core alone took that ~45 ms out, and the first requests do not load it either. What our part is made of (on
top of the libraries' floor, `python -m infra.bench.cold_start --function IntakeFunction --breakdown`): about
9 ms creating 17 dataclasses (Python 3.11 and 3.12 compile each generated method from source), under 1 ms
building the validator, 3-4 ms importing Powertools' idempotency utility, and the rest loading some 35
modules of ours; all of it is used by every submission.

CareApiFunction and RemindCareTeamFunction (the care team's console and reminders, issue 10),
RightsApiFunction (issue 21), ArchiveAuditFunction, PublishEventsFunction and DeliverWebhookFunction
(issue 22) are measured the same way; they are not on an inquiry's path, so their memory stays at the
Globals' 512 MB and they are left out of the memory and cost sections.
"""


def _bytecode_text(b: dict[str, Any] | None) -> str:
    if b is None:
        return ("## Bytecode\n\nNot measured in this run: `build/host-layer` is missing (`make bench` builds it "
                "with `make host-layer`).\n")
    saved = b["source_cpu_s"] - b["bytecode_cpu_s"]
    return f"""## Bytecode

Lambda cannot write `__pycache__` under /var/task or /opt, so a module shipped without its bytecode is
compiled from source at every cold start; the artifacts used to be built that way (the layer with
`pip --no-compile`, the functions with `__pycache__` removed). `functions/Makefile` now compiles every
module of every artifact with the runtime's Python version (3.12), hash-based and unchecked (PEP 552:
deployed code never changes, and a zip's 2-second timestamps would make timestamp-checked bytecode look
stale); `tests/ops/test_build.py` checks each module's bytecode is of its current source. The cold-start
figures above, like the baseline, already had bytecode; this is what shipping it changes on Lambda, for
{b['function']}'s init with the host copy of the layer, medians of {b['runs']} alternating runs:

| {b['function']} init | CPU s | vs baseline |
|---|---|---|
| compiled from source (as deployed before) | {b['source_cpu_s']:.3f} | {b['source_ratio']:.2f}x |
| with the bytecode the artifacts now ship | {b['bytecode_cpu_s']:.3f} | {b['bytecode_ratio']:.2f}x |
| baseline | {b['baseline_cpu_s']:.3f} | 1.00x |

{saved:.2f} s of CPU less per cold start on Lambda. The
artifacts grow accordingly (the sizes below include the bytecode).
"""


def _tracer_text(tracer: dict[str, Any], cost: dict[str, Any], paused: dict[str, Any]) -> str:
    lines = ["## Tracer\n",
             "What the code sent to X-Ray with Powertools' Tracer as it was configured (`auto_patch=False`, "
             "`capture_response=False`, `capture_error=False`), captured from the SDK's UDP emitter on 127.0.0.1 "
             "for two invocations (`infra/bench/tracing.py`):\n"]
    if tracer.get("error"):
        lines.append(f"Not captured in this run: {tracer['error']}\n")
    for doc in tracer["subsegments"]:
        lines.append(f"- subsegment `{doc.get('name')}`: annotations {doc.get('annotations', {})}, "
                     f"metadata {sorted(doc.get('metadata', {}))}, duration recorded: {doc.get('duration_recorded')}")
    lines.append(f"""
That is all Tracer added: one subsegment per invocation repeating the invocation's duration, with a
`ColdStart` flag and the service name. Patching libraries stays off (the SDK would record botocore error
texts, which can quote an address, and the chat webhook's secret URL). Lambda's active tracing
(`Tracing: Active`, kept in template Globals, and API Gateway's `TracingEnabled`) still records every
invocation without any SDK in the function: the `AWS::Lambda` segment (status, throttles, retries) and the
`AWS::Lambda::Function` segment with its `Init` subsegment on a cold start (so cold starts stay visible),
`Invocation` and `Overhead`. Loading the X-Ray SDK adds {cost['cpu_ratio'] - paused['cpu_ratio']:.2f}x the
baseline's CPU and {cost['rss_mib'] - paused['rss_mib']:.0f} MiB of peak RSS to every cold start in this run
("What the libraries alone cost"), so **Tracer is removed** and the layer no longer ships
`aws-xray-sdk` and `wrapt`.
To trace a specific call later, add a subsegment around it deliberately, with no payload.
""")
    return "\n".join(lines)


def _memory_text(rows: list[dict[str, Any]]) -> str:
    lines = ["## Memory settings\n",
             "Lambda gives a function CPU in proportion to its memory, one full vCPU at 1,769 MB. Below that, "
             "CPU-bound work (the init, the handler's own code) takes proportionally longer, so it costs the "
             "same GB-seconds at any memory; only time spent waiting on AWS calls costs more at more memory. "
             "Estimates per setting, from this run's init CPU, handler CPU and the floor's AWS-call times "
             "(moto: slower than AWS, so an upper bound), every invocation counted cold:\n",
             "| function | template MB | picked by the rule | " + " | ".join(
                 f"{c['memory_mb']} MB: cold start s / $ per 10k calls" for c in rows[0]["choices"]) + " |",
             "|---|---|---|" + "---|" * len(rows[0]["choices"])]
    for r in rows:
        cells = " | ".join(f"{c['cold_start_s']:.2f} / {c['lambda_usd_per_10k']:.4f}" for c in r["choices"])
        lines.append(f"| {r['function']} | {r['memory_mb']} | {r['recommended_mb']} | {cells} |")
    lines.append("""
- **IntakeFunction: 1,769 MB.** A person waits on it, and nearly every submission on a quiet site meets a
  cold start. At one full vCPU the init takes a third of its time at 512 MB for the same GB-seconds; the
  extra cost is the I/O wait billed at more memory, a few cents per 10,000 inquiries.
- **SendConfirmationFunction, NotifyCareTeamFunction, RedispatchFunction: 256 MB.** Nobody waits on a
  queue consumer or the schedule: the cheapest setting whose cold start stays within half of Lambda's
  10 s init limit and which holds three times the init's peak RSS (Lambda's runtime client, a batch of up
  to ten messages and the SDK's buffers come on top of it). 128 MB fails the second test (the peak is
  ~60 MiB) and would save about a cent per 10,000 messages.

Confirm on AWS after deploying with [AWS Lambda Power Tuning](https://github.com/alexcasalboni/aws-lambda-power-tuning)
(deploy it from the Serverless Application Repository into the dev account, then run its state machine
per function with the `live` alias ARN, `powerValues` `[256, 512, 1024, 1769]`, `num` 50, `strategy`
`balanced`, and a payload from `events/`; for the consumers use an SQS event naming an inquiry that
exists in dev, and the intake payload must be a POST with a fresh `Idempotency-Key` each time, so use
`payloadS3` with one event per invocation, or test with `GET /health` for init only). Power Tuning
invokes each setting warm and cold; compare its cost and duration per setting with the table above and
change `MemorySize` in template.yaml if it disagrees. `docs/operations.md` has the runbook entry.
""")
    return "\n".join(lines)


def _cost_text(c: dict[str, Any]) -> str:
    lines = [f"## Cost per {c['inquiries']:,} inquiries on AWS\n",
             f"{c['region']}, list prices as of {c['prices_as_of']} (sources below; free tiers ignored; re-check the "
             "pages before quoting). Lambda at the measured durations and the template's memory settings.\n",
             "| service | quantity | unit | USD |\n|---|---|---|---|"]
    for line in c["lines"]:
        lines.append(f"| {line['service']} | {line['quantity']:,.6g} | {line['unit']} | {line['usd']:.4f} |")
    lines.append(f"| **total** | | | **{c['total_usd']:.2f}** |")
    by_service: dict[str, float] = {}
    for line in c["lines"]:
        service = "Lambda" if line["service"].startswith("Lambda") else line["service"]
        by_service[service] = by_service.get(service, 0.0) + line["usd"]
    top = sorted(by_service.items(), key=lambda item: -item[1])[:3]
    lines.append(f"\n{c['total_usd'] / c['inquiries'] * 100:.3f} US cents per inquiry; the largest shares: "
                 + ", ".join(f"{name} ${usd:.2f}" for name, usd in top)
                 + ". Lambda is counted with every invocation cold and its AWS calls timed on moto, so it is "
                 "an upper bound.\n")
    lines.append("Units per inquiry (besides Lambda and DynamoDB, whose units come from the code and a real item):\n")
    for name, u in c["units_per_inquiry"].items():
        lines.append(f"- `{name}`: {u['n']} ({u['why']})")
    lines.append("\nFixed per month, whatever the number of inquiries:\n")
    lines.append("| service | quantity | unit | USD |\n|---|---|---|---|")
    for line in c["fixed_monthly"]:
        lines.append(f"| {line['service']} | {line['quantity']:,.6g} | {line['unit']} | {line['usd']:.2f} |")
    lines.append(f"| **total** | | | **{c['fixed_monthly_usd']:.2f}** |")
    lines.append("\nPrice table:\n")
    lines.append("| service | USD | per | source |\n|---|---|---|---|")
    for p in c["prices"]:
        lines.append(f"| {p['service']} | {p['usd']:.10g} | {p['per']} | {p['source']} |")
    lines.append("")
    return "\n".join(lines)


def _snapstart_text(s: dict[str, Any]) -> str:
    return f"""## SnapStart

Lambda SnapStart supports the Python 3.12+ managed runtimes on published versions (our `live` alias
points at one), on arm64 as well as x86_64 (the limitations the Lambda guide lists today are provisioned
concurrency, EFS and ephemeral storage above 512 MB; arm64 and X-Ray were excluded only in the Java
launch). Runtime hooks come from the `snapshot_restore_py` library included in the runtime:
`@register_before_snapshot` and `@register_after_restore`; anything unique made at init must be refreshed
after a restore. Here that would be nothing we rely on for uniqueness (ids and claim tokens come from
`secrets` at request time), but the Powertools cold-start flag, botocore's connection pools and the
cached SSM webhook URL would be carried from the snapshot. Sources:
<https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html>,
<https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html>,
<https://aws.amazon.com/lambda/pricing/>.

Pricing for Python: a cache charge per GB-second of the function's memory for every published version,
for as long as it is active (minimum 3 hours), and a restore charge per GB restored. For IntakeFunction at
its memory setting, from this run's figures:

| | USD |
|---|---|
| restore, per cold start | {s['restore_usd_per_cold_start']:.7f} |
| the init it replaces, per cold start (billed since August 2025) | {s['init_usd_per_cold_start']:.7f} |
| snapshot cache, per month, per published version | {s['cache_usd_per_month_per_version']:.2f} |

A restore costs more than the init it replaces, and the cache alone costs more per month than Lambda for
10,000 inquiries. The most it could save is the init itself, about {s['init_s_saved_at_most']:.2f} s at one
vCPU by this run's estimate, minus the restore time, which is not free either. **Not adopted**: it does not
pay at the clinic's volume. Revisit if cold-start latency still matters after the memory change and the
clinic accepts a fixed monthly charge for it.
"""
