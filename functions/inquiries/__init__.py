"""Inquiry intake for the clinic: the Lambda code shared by every function.

Layout, by capability:
- ``record``: what every function shares about an inquiry (no pydantic); ``models``: what a person
  submits, validated with pydantic (intake only); ``triage``: when it is urgent.
- ``data``: where it is kept: the only DynamoDB calls, each item shape defined once, domain errors.
- ``intake``: accepting a submission (HTTP edge, decisions, rate limits, dispatch, redispatch).
- ``delivery``: sending the confirmation email and the care-team notification, once each.
- ``care``: the care team's console API and reminders.
- ``rendering`` and ``templates``: what people receive.
- ``settings``: one settings class per function, read at cold start.
- ``aws``, ``observability``, ``ids``: clients, logging and metrics, identifiers.
- ``bounded_post``: one POST bounded in time and in what it reads (the chat notification, the webhook sender).
- ``handlers``: thin Lambda entry points, one per function, imported with garbage collection paused
  (``handlers.partial_batch``: the entry point the Powertools batch consumers share).
"""
