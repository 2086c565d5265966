"""Findings for people and machines: text (terminal), markdown (pull-request comment), SARIF
(code scanning); the JSON form is part of the plan document (lake/plan/render.py)."""
