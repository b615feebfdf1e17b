"""A few hundred inquiries through one local stack: every block measured, none lost, none sent twice.

The quick version of ``make bench``'s soak (10,000 there): the shape of the figures and the delivery
counts only, never a time or a ratio (those belong to the machine that ran them).
"""

from __future__ import annotations

import pytest

from infra.bench import soak

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(600)  # a few hundred inquiries through one stack: about a minute on two cores

def test_a_few_hundred_inquiries_are_each_confirmed_and_notified_exactly_once() -> None:
    result = soak.measure(inquiries=300, block=100, clients=8)
    assert [step.stored for step in result.steps] == [100, 200, 300]
    assert all(step.rss_mib > 0 and step.per_second > 0 for step in result.steps)
    assert all(step.api_p95_ms >= step.api_p50_ms > 0 for step in result.steps)
    assert result.lost == 0
    assert result.duplicated == 0
