"""Where inquiries and their companions are kept: the only DynamoDB calls in the Lambda code.

- ``items``: every item shape, defined once (typed write models with ``to_item`` / ``from_item``),
  and the table, index and key-prefix names the tools and tests share.
- ``inquiries``: InquiriesTable (new inquiry with its submission guard, reads, dispatch marker).
- ``delivery``: the consumers' leases on one send (claim, mark sent or failed, release).
- ``rate_limits``: RateLimitTable's fixed-window counters (the *decision* lives in intake).
- ``idempotency``: the Powertools persistence layer on IdempotencyTable.
- ``care``: the care team's reads and versioned changes (StatusIndex lists, spam release, reminders).
- ``audit``: AuditTable (who read or changed which inquiry, never an inquiry field).
- ``lookups``: InquiryLookupTable (reference and keyed phone and name hashes, written with each inquiry) and
  the care API's searches through it and EmailHashIndex.
- ``errors``: the domain exceptions raised instead of botocore's.
- ``pages``: a Query or Scan followed page by page (``query_pages``, ``scan_pages``, ``query_count``), written
  once for every paged read here and in the maintenance commands.
"""
