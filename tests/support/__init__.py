"""Shared test helpers: API Gateway events, a Lambda context, a moto stack built from template.yaml."""
