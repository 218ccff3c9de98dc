"""PHT: the platform for Norway's primary health team (primærhelseteam) scheme."""

__version__ = "0.1.0"
