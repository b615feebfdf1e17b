"""The audit trail's copy in object-locked S3: what AuditTable's stream brings, kept six years."""
