"""An example of a clinic system receiving the inquiry events (docs/integrations.md, "Connecting a CRM")."""
