"""English: month first, as the English pages show a date (``Mar. 31, 2023``): typed and shown in
inputs as mm/dd/yyyy (03/31/2023); ISO is accepted too."""

DATE_INPUT_FORMATS = [
    "%m/%d/%Y",  # '03/31/2023' (also 3/31/2023)
    "%Y-%m-%d",  # '2023-03-31'
]
