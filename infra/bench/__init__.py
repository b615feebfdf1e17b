"""``make bench``: cold start, warm intake, end to end, triage, artifact size, cost; each beside a baseline.

    python -m infra.bench            # the full run: writes docs/benchmarks.md and docs/benchmarks.json
    python -m infra.bench --quick    # the smoke run `make test` does (same sections, tiny samples)

Modules: ``cold_start``, ``warm``, ``end_to_end``, ``triage``, ``artifacts``, ``tracing`` (the Tracer
evidence), ``cost`` (prices and the model), ``report`` (JSON and Markdown), ``percentiles``.
"""
