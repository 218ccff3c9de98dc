"""Where the demo sits in the synthetic Norway: its seed and its municipality.

Defined here, below the apps and the site, so that both read the same values without an upward import.
"""

DEMO_SEED = 2017
DEMO_MUNICIPALITY = "0828"  # Seljord, a real pilot municipality (small)
