"""Inquiry intake for the clinic: the Lambda code shared by every function.

Layout, one concern per module:
- ``models``: what an inquiry is (API input, stored record, responses).
- ``triage``, ``spam``, ``rate_limit``: what we decide about an inquiry.
- ``store``: where it is kept (the only module that knows DynamoDB item shapes).
- ``dispatch``: how it travels (claim-check messages to the queues).
- ``intake``: accepting a submission, end to end, without any API Gateway types.
- ``api``: the HTTP edge (Powertools resolver, error mapping, CORS).
- ``handlers``: thin Lambda entry points.
"""
