"""Bokmål: dates are typed and shown in inputs as dd.mm.åååå (31.03.2023); ISO is accepted too."""

DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '31.03.2023' (also 31.3.2023)
    "%Y-%m-%d",  # '2023-03-31'
]
