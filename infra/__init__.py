"""Everything that is not Lambda code: building AWS resources from template.yaml, the local stack."""
