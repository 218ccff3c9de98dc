"""API endpoints of the finance app (mounted under /api/ by pht.api)."""

from ninja import Router

router = Router(tags=["finance"])
