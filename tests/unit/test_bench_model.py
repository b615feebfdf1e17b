"""The benchmark's arithmetic: percentiles, the Lambda duration model and the memory rule."""

from __future__ import annotations

from infra.bench.cost import ONE_VCPU_MB, FunctionProfile, dynamodb_units, recommend_memory
from infra.bench.percentiles import percentile, ratio

INTAKE = FunctionProfile("IntakeFunction", 512, 1, init_cpu_s=0.5, code_ms=1.0, io_ms=60.0)


def test_p99_is_a_measured_sample_not_an_interpolation() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 99) == 99.0
    assert percentile(samples, 50) == 50.0
    assert percentile([3.0, 1.0, 2.0], 99) == 3.0


def test_ratio_without_a_baseline_is_zero_not_an_error() -> None:
    assert ratio(1.0, 0.0) == 0.0
    assert ratio(3.0, 2.0) == 1.5


def test_cpu_work_takes_longer_below_one_vcpu_and_not_above() -> None:
    assert INTAKE.cold_start_s(ONE_VCPU_MB) == 0.5
    assert INTAKE.cold_start_s(ONE_VCPU_MB // 2) > 0.99
    assert INTAKE.cold_start_s(2 * ONE_VCPU_MB) == 0.5


def test_cpu_bound_work_costs_about_the_same_at_any_memory_below_one_vcpu() -> None:
    cpu_only = FunctionProfile("cpu", 512, 1, init_cpu_s=1.0, code_ms=0.0, io_ms=0.0)
    at_256, at_1024 = cpu_only.lambda_usd(10_000, 256), cpu_only.lambda_usd(10_000, 1024)
    assert abs(at_256 - at_1024) / at_1024 < 0.01


def test_waiting_on_aws_costs_more_at_more_memory() -> None:
    io_only = FunctionProfile("io", 512, 1, init_cpu_s=0.0, code_ms=0.0, io_ms=100.0)
    assert io_only.lambda_usd(10_000, 1024) > 2 * io_only.lambda_usd(10_000, 256)


def test_a_function_a_person_waits_on_gets_one_vcpu() -> None:
    assert recommend_memory(INTAKE, person_waits=True, peak_rss_mib=60) == ONE_VCPU_MB


def test_a_consumer_gets_the_cheapest_size_with_room_and_a_safe_cold_start() -> None:
    consumer = FunctionProfile("consumer", 256, 1, init_cpu_s=0.4, code_ms=1.0, io_ms=60.0)
    assert recommend_memory(consumer, person_waits=False, peak_rss_mib=60) == 256
    assert recommend_memory(consumer, person_waits=False, peak_rss_mib=150) == 512
    slow = FunctionProfile("slow", 256, 1, init_cpu_s=1.5, code_ms=1.0, io_ms=60.0)
    assert recommend_memory(slow, person_waits=False, peak_rss_mib=60) == 1024


def test_transactional_writes_cost_double_and_large_items_cost_more_units() -> None:
    small = dynamodb_units(item_bytes=900, guard_bytes=200)
    large = dynamodb_units(item_bytes=2100, guard_bytes=200)
    assert large["write_request_unit"] - small["write_request_unit"] == 2 * 2 + 2 + 2 * 2 * 2
