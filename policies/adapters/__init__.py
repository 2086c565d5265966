"""Builders of the normalised lake model from each source: the offline plan, a Pulumi preview
(the policy pack), and later the live account."""
