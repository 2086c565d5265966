"""IAM policy documents of the lake, as plain dicts built by small pure functions.

Nothing here touches Pulumi: callers resolve ARNs first, then serialise the dict at the edge.
"""
