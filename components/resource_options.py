"""Resource options shared by the components."""

from __future__ import annotations

from typing import Any

import pulumi


def child_options(parent: pulumi.Resource, protect: bool, **extra: Any) -> pulumi.ResourceOptions:
    """Options for a child resource of a component.

    ``protect`` is set explicitly on every child, with ``retain_on_delete``: protecting only the
    bucket would still let ``pulumi destroy`` delete its policy, encryption and versioning
    settings first, leaving a production bucket unprotected in place.
    """
    return pulumi.ResourceOptions(parent=parent, protect=protect, retain_on_delete=protect, **extra)
