"""InquiryStatsTable: the weekly counters reports read (``reports.contributions`` says what they count).

Item: key ``week`` (``week#2026-W49``) + ``counter_set`` (``<figure>#<shard>``), numeric attributes, one
per counter (``level#urgent``, ``all#all#b3``, ...), only ever changed with ``ADD``. A write picks one of
``SHARDS`` items of each figure at random, so concurrent transactions (two submissions at once) rarely
touch the same item (DynamoDB cancels a transaction that conflicts with another on an item); a read adds
the shards up. No attribute holds PHI: names and numbers of closed vocabularies.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inquiries import aws
from inquiries.data.items import plain_values
from inquiries.data.pages import query_pages

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from inquiries.reports.contributions import Counts

SHARDS = 4
WEEK_PREFIX = "week#"

# Per week, per figure: counter -> sum over the shards.
WeekCounters = dict[str, dict[str, int]]


def week_key(week: str) -> str:
    """The partition key of a week's counters."""
    return WEEK_PREFIX + week


@dataclass(frozen=True)
class StatsRecords:
    """Counter updates (for a caller's transaction) and reads of whole weeks."""

    stats_table: str

    def updates(self, deltas: Counts, shard: int | None = None) -> list[TransactWriteItemTypeDef]:
        """One ``ADD`` update per (week, figure) in ``deltas``, on one shard (random unless given): the writes
        to put in the transaction of the change that causes them."""
        chosen = secrets.randbelow(SHARDS) if shard is None else shard
        writes: list[TransactWriteItemTypeDef] = []
        for (week, figure), counters in sorted(deltas.items()):
            names = {f"#c{i}": name for i, name in enumerate(sorted(counters))}
            values: dict[str, Any] = {f":c{i}": {"N": str(counters[name])} for i, name in enumerate(sorted(counters))}
            writes.append({"Update": {
                "TableName": self.stats_table,
                "Key": {"week": {"S": week_key(week)}, "counter_set": {"S": f"{figure}#{chosen}"}},
                "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(names))),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }})
        return writes

    def week(self, week: str) -> WeekCounters:
        """Every counter of one week by figure, the shards added up (one Query, paged)."""
        totals: WeekCounters = defaultdict(lambda: defaultdict(int))
        kwargs: dict[str, Any] = {"TableName": self.stats_table, "KeyConditionExpression": "#w = :w",
                                  "ExpressionAttributeNames": {"#w": "week"},
                                  "ExpressionAttributeValues": {":w": {"S": week_key(week)}}}
        for page in query_pages(aws.dynamodb(), kwargs, domain=True):
            for item in page.get("Items", []):
                values = plain_values(item)
                figure = str(values.pop("counter_set")).rsplit("#", 1)[0]
                values.pop("week", None)
                for counter, count in values.items():
                    if isinstance(count, int):
                        totals[figure][counter] += count
        return {figure: dict(counters) for figure, counters in totals.items()}
