"""API endpoints of the care app (mounted under /api/ by pht.api)."""

from ninja import Router

router = Router(tags=["care"])
