"""Hand-off to the clinic's own systems: domain events from InquiriesTable's stream, on the EventBridge bus
and signed (Standard Webhooks) to each configured HTTPS destination, delivered with retries and replayable.
An event carries identifiers and what identifies no one; a receiver fetches the details by an audited read."""
