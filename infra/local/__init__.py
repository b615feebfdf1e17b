"""The whole inquiry pipeline on one machine: ``python -m infra.local`` (or ``make run``).

No Docker, no AWS account. Pieces, each in one obvious place:

- ``config``         ports, region and timings, read once from the environment
- ``aws_emulator``   moto's server on loopback, plus every resource created from template.yaml
- ``lambda_runtime`` the handlers' environment, a Lambda-like context, one invocation at a time
- ``api_gateway``    HTTP requests turned into REST proxy events for the functions; the website and console
- ``cognito``        the care team's local users, and ID tokens checked as API Gateway's authorizer does
- ``event_sources``  SQS event source mapping pollers and the schedule ticks (redispatch, reminders)
- ``outbox``         what the pipeline sent: SES emails and care-team (SNS) notifications
- ``stack``          starts and stops all of the above
- ``child``          runs the stack as a child process (tests, scripts)

Every inquiry field is PHI: this package logs identifiers and status codes only.
"""
