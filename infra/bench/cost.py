"""Cost per 10,000 inquiries on AWS, at the measured durations and the template's memory settings.

The model is deliberately simple and every input is printed beside the result:

- **Lambda** (arm64). Billed duration per invocation = the time its AWS calls take (measured by the
  end-to-end floor on moto: slower than AWS, so an upper bound) + its own CPU work scaled by the
  memory's CPU share (Lambda gives one vCPU at 1,769 MB and proportionally less below) + on a cold
  start, the measured init CPU, scaled the same way. Since 1 August 2025 the INIT phase is billed.
  The clinic's site is quiet, so every invocation is counted as a cold start (an upper bound).
- **Requests and units** per inquiry, from what the code does (see ``UNITS``), with DynamoDB write
  units from the size of a real inquiry item built by ``inquiries.data.items``.
- Free tiers are ignored. Fixed monthly costs (KMS key, WAF, alarms, the redispatch schedule, SQS
  long polling by the event source mappings) are listed apart: they do not grow with inquiries.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

# Lambda gives a function one full vCPU at this much memory, and a proportional share below it.
ONE_VCPU_MB = 1769
INQUIRIES = 10_000
REDISPATCH_RUNS_PER_MONTH = 30 * 24 * 30  # rate(2 minutes)
PRICES_AS_OF = "2026-11-28"
REGION = "us-east-1"


@dataclass(frozen=True)
class Price:
    """One list price (USD) per unit, and where it is published."""

    service: str
    item: str
    usd: float
    per: str
    source: str


PRICES: dict[str, Price] = {p.item: p for p in (
    Price("Lambda", "lambda_gb_second_arm64", 0.0000133334, "GB-second (arm64, first 7.5 billion GB-s/month)",
          "https://aws.amazon.com/lambda/pricing/"),
    Price("Lambda", "lambda_request", 0.20 / 1e6, "request", "https://aws.amazon.com/lambda/pricing/"),
    Price("API Gateway", "rest_api_request", 3.50 / 1e6, "REST API request (first 333 million/month)",
          "https://aws.amazon.com/api-gateway/pricing/"),
    Price("DynamoDB", "write_request_unit", 0.625 / 1e6, "on-demand write request unit",
          "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    Price("DynamoDB", "read_request_unit", 0.125 / 1e6, "on-demand read request unit",
          "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    Price("SQS", "sqs_request", 0.40 / 1e6, "standard queue request (64 KB chunk)", "https://aws.amazon.com/sqs/pricing/"),
    Price("SES", "ses_email", 0.10 / 1000, "outbound email", "https://aws.amazon.com/ses/pricing/"),
    Price("SNS", "sns_publish", 0.50 / 1e6, "publish (64 KB chunk)", "https://aws.amazon.com/sns/pricing/"),
    Price("SNS", "sns_email_delivery", 2.00 / 100_000, "email notification delivered", "https://aws.amazon.com/sns/pricing/"),
    Price("KMS", "kms_request", 0.03 / 10_000, "API request", "https://aws.amazon.com/kms/pricing/"),
    Price("KMS", "kms_key_month", 1.00, "customer managed key per month", "https://aws.amazon.com/kms/pricing/"),
    Price("CloudWatch Logs", "logs_ingested_gb", 0.50, "GB ingested (standard)",
          "https://aws.amazon.com/cloudwatch/pricing/"),
    Price("X-Ray", "xray_trace", 5.00 / 1e6, "trace recorded", "https://aws.amazon.com/xray/pricing/"),
    Price("WAF", "waf_web_acl_month", 5.00, "web ACL per month", "https://aws.amazon.com/waf/pricing/"),
    Price("WAF", "waf_rule_month", 1.00, "rule per month", "https://aws.amazon.com/waf/pricing/"),
    Price("WAF", "waf_request", 0.60 / 1e6, "request inspected", "https://aws.amazon.com/waf/pricing/"),
    Price("CloudWatch", "alarm_month", 0.10, "standard alarm per month", "https://aws.amazon.com/cloudwatch/pricing/"),
    Price("Lambda SnapStart", "snapstart_cache_gb_second", 0.0000015046,
          "GB-second of snapshot cache per published version (Python; minimum 3 hours)",
          "https://aws.amazon.com/lambda/pricing/"),
    Price("Lambda SnapStart", "snapstart_restore_gb", 0.0001397998, "GB restored (Python)",
          "https://aws.amazon.com/lambda/pricing/"),
)}

# Billed units per inquiry (a JSON form post from the website; "n" is per inquiry). Each line says why.
UNITS: dict[str, tuple[float, str]] = {
    "rest_api_request": (2, "POST /inquiries and its CORS preflight (OPTIONS, cached 10 minutes per visitor)"),
    "sqs_request": (6, "two sends (intake), two receives and two deletes (event source mappings)"),
    "ses_email": (1, "the confirmation"),
    "sns_publish": (1, "the care-team notification"),
    "sns_email_delivery": (1, "one care-team email subscription (CareTeamEmail)"),
    "kms_request": (10, "upper bound on a quiet site: SQS, SNS and DynamoDB data-key calls, each cached ~5 minutes"),
    "xray_trace": (2, "the POST and the preflight are sampled (a quiet site stays within the 1/s reservoir)"),
    "waf_request": (2, "every API request is inspected"),
}


@dataclass(frozen=True)
class FunctionProfile:
    """What one function costs per invocation, from measured inputs."""

    name: str
    memory_mb: int
    invocations_per_inquiry: float
    init_cpu_s: float  # measured cold start CPU (fresh process)
    code_ms: float  # its own CPU work per invocation (measured warm, on a 1-vCPU basis)
    io_ms: float  # its AWS calls per invocation (measured by the floor on moto)
    cold_fraction: float = 1.0

    def cpu_scale(self, memory_mb: int | None = None) -> float:
        """How much longer CPU work takes at this memory than with one full vCPU."""
        return max(1.0, ONE_VCPU_MB / (memory_mb or self.memory_mb))

    def cold_start_s(self, memory_mb: int | None = None) -> float:
        """Estimated init wall time at this memory."""
        return round(self.init_cpu_s * self.cpu_scale(memory_mb), 3)

    def billed_ms(self, memory_mb: int | None = None) -> float:
        """Estimated billed milliseconds per invocation (INIT included on a cold start)."""
        cpu_ms = self.code_ms + self.cold_fraction * self.init_cpu_s * 1000
        return math.ceil(self.io_ms + cpu_ms * self.cpu_scale(memory_mb))

    def lambda_usd(self, inquiries: int, memory_mb: int | None = None) -> float:
        """Lambda duration and request charges for ``inquiries`` inquiries."""
        memory = memory_mb or self.memory_mb
        invocations = inquiries * self.invocations_per_inquiry
        gb_seconds = invocations * self.billed_ms(memory) / 1000 * memory / 1024
        return (gb_seconds * PRICES["lambda_gb_second_arm64"].usd
                + invocations * PRICES["lambda_request"].usd)


def dynamodb_units(item_bytes: int, guard_bytes: int) -> dict[str, float]:
    """Write and read units per inquiry for the calls the code makes (1 KB write units, 4 KB reads)."""
    item_wru = math.ceil(item_bytes / 1024)
    guard_wru = math.ceil(guard_bytes / 1024)
    writes = {
        "rate-limit counters (2 updates)": 2,
        "idempotency record (put, then complete)": 2,
        "transaction: inquiry + guard (transactional writes cost double)": 2 * (item_wru + guard_wru),
        "transaction: the week's volume counter (one ADD, docs/reports.md)": 2,
        "dispatch marker removed": item_wru,
        "dispatch-pending index (written, then removed)": 2,
        "status index (new inquiry)": 1,
        "two consumers: claim and mark sent, each": 2 * 2 * item_wru,
    }
    reads = {"two consumers read the inquiry (strongly consistent)": 2 * math.ceil(item_bytes / 4096)}
    return {"write_request_unit": float(sum(writes.values())), "read_request_unit": float(sum(reads.values())),
            "item_bytes": float(item_bytes)}


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (strings and numbers as their text)."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        ((kind, raw),) = value.items()
        if kind in ("S", "N"):
            size += len(str(raw).encode())
        elif kind == "BOOL":
            size += 1
        else:
            size += len(str(raw).encode())
    return size


def sample_items() -> tuple[int, int]:
    """Sizes of a typical inquiry item and its submission guard, built by the data layer."""
    import time

    from inquiries.data.items import InquiryItem, SubmissionGuardItem
    from inquiries.ids import new_inquiry_id
    from inquiries.models import InquiryIn
    from inquiries.peppers import Peppers
    from inquiries.settings import ResponseTimeSettings
    from inquiries.triage import NOT_URGENT

    inquiry = InquiryIn.model_validate({
        "name": "Alex Example", "email": "alex.example@example.com", "phone": "+1 415 555 0100",
        "topic": "anxiety", "consent_to_contact": True, "referral_source": "A friend",
        "message": "I would like to learn about ketamine-assisted therapy and what the first visit involves. " * 3,
    })
    now = time.time()
    inquiry_id = new_inquiry_id(int(now * 1000))
    item = InquiryItem.for_submission(inquiry, inquiry_id=inquiry_id, now=now, triage=NOT_URGENT, spam=False,
                                      retention_days=365, targets=ResponseTimeSettings(),
                                          peppers=Peppers(current=b"bench pepper, at least 16 bytes"))
    guard = SubmissionGuardItem(guard_id="0" * 64, inquiry_id=inquiry_id, expiration=int(now))
    return item_size(dict(item.to_item())), item_size(dict(guard.to_item()))


@dataclass(frozen=True)
class CostLine:
    """One service's charge for INQUIRIES inquiries, with the quantity behind it."""

    service: str
    quantity: float
    unit: str
    usd: float


def per_inquiries(profiles: list[FunctionProfile], log_bytes_per_invocation: float,
                  inquiries: int = INQUIRIES) -> list[CostLine]:
    """The variable cost of ``inquiries`` inquiries, service by service."""
    lines = [CostLine(f"Lambda {p.name} ({p.memory_mb} MB, ~{p.billed_ms():.0f} ms billed)",
                      inquiries * p.invocations_per_inquiry, "invocations", p.lambda_usd(inquiries))
             for p in profiles]
    item_bytes, guard_bytes = sample_items()
    ddb = dynamodb_units(item_bytes, guard_bytes)
    for unit in ("write_request_unit", "read_request_unit"):
        quantity = ddb[unit] * inquiries
        lines.append(CostLine("DynamoDB on demand", quantity, unit.replace("_", " ") + "s",
                              quantity * PRICES[unit].usd))
    for unit, (per_inquiry, _why) in UNITS.items():
        price = PRICES[unit]
        quantity = per_inquiry * inquiries
        lines.append(CostLine(price.service, quantity, price.per, quantity * price.usd))
    invocations = sum(p.invocations_per_inquiry for p in profiles) * inquiries
    # Platform lines per invocation (INIT_START, START, END, REPORT) and one API access log line.
    platform_bytes = 420
    access_log_bytes = 260 * UNITS["rest_api_request"][0] * inquiries
    gigabytes = (invocations * (log_bytes_per_invocation + platform_bytes) + access_log_bytes) / 1e9
    lines.append(CostLine("CloudWatch Logs", gigabytes, "GB ingested", gigabytes * PRICES["logs_ingested_gb"].usd))
    return lines


def fixed_monthly(redispatch: FunctionProfile, alarms: int) -> list[CostLine]:
    """What the stack costs per month whatever the number of inquiries."""
    waf_rules = 3  # InquiryWebAcl's rules (docs/operations.md, "Cost at expected volumes")
    return [
        CostLine("KMS", 1, "customer managed key", PRICES["kms_key_month"].usd),
        CostLine("WAF", 1 + waf_rules, "web ACL + rules", PRICES["waf_web_acl_month"].usd
                 + waf_rules * PRICES["waf_rule_month"].usd),
        CostLine("CloudWatch", alarms, "alarms", alarms * PRICES["alarm_month"].usd),
        CostLine(f"Lambda {redispatch.name} ({redispatch.memory_mb} MB)", REDISPATCH_RUNS_PER_MONTH, "scheduled runs",
                 redispatch.lambda_usd(REDISPATCH_RUNS_PER_MONTH)),
        # Each SQS event source mapping long-polls with several pollers even when the queue is empty.
        CostLine("SQS", 2 * 5 * 3 * 60 * 24 * 30, "empty long polls (2 queues x 5 pollers x 3/min)",
                 2 * 5 * 3 * 60 * 24 * 30 * PRICES["sqs_request"].usd),
    ]


MEMORY_CHOICES = (128, 256, 512, 1024, 1536, ONE_VCPU_MB)
INIT_LIMIT_S = 10.0  # Lambda stops an init that runs longer
# Memory to hold per MiB of the init's peak RSS: Lambda's runtime client, a batch of up to ten messages and
# the SDK's response buffers come on top of it, and Lambda stops an environment that reaches its limit.
MEMORY_HEADROOM = 3


def recommend_memory(profile: FunctionProfile, *, person_waits: bool, peak_rss_mib: float) -> int:
    """The memory setting the measured trade-off picks.

    A person waits on intake: below one vCPU, CPU-bound work costs the same GB-seconds at any memory
    (half the memory, twice the time), so one full vCPU buys the shortest cold start for the price of
    the I/O wait alone. Nobody waits on the consumers and the schedule: the cheapest setting whose cold
    start stays within half of Lambda's init limit and which holds three times the init's peak RSS.
    """
    if person_waits:
        return ONE_VCPU_MB
    fitting = [m for m in MEMORY_CHOICES
               if m >= MEMORY_HEADROOM * peak_rss_mib and profile.cold_start_s(m) <= INIT_LIMIT_S / 2]
    return min(fitting, key=lambda m: (profile.lambda_usd(INQUIRIES, m), m)) if fitting else ONE_VCPU_MB


def as_dict(line: CostLine) -> dict[str, Any]:
    """A cost line for the JSON report."""
    return asdict(line)
