"""Number formatting: the registry's older library name for ``pht_format`` (``thousands`` = ``number``)."""

from pht.apps.accounts.templatetags.pht_format import register

__all__ = ["register"]
