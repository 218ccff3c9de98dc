"""The project's own locale formats (settings.FORMAT_MODULE_PATH), on top of Django's.

Only what differs from Django's locale is set here: a date is typed as the page's language writes it
(``DATE_INPUT_FORMATS[0]``, also how a date input shows its value), and ISO ``YYYY-MM-DD`` is accepted
besides, so clients and tests that post ISO keep working. Everything else (``DATE_FORMAT`` for the
``day`` filter, separators) falls through to Django's module for the language.
"""
