"""Pure domain rules: dataclasses and functions, no Django, no I/O.

Every rule returns a result that explains itself: which rule, which inputs, why.
Parameters that change by year are passed in as data (see ``pht.refdata.params``).
"""
