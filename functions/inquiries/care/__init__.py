"""The care team's work on inquiries: listing, reading, updating, auditing, response-time targets."""
