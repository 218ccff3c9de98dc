"""The estimation core of the evaluation engine: pure functions, panels in, estimates out.

No Django, no file I/O, no knowledge of the lake or the generator (``tests/unit/architecture``
holds the layer). Three modules:

- :mod:`pht.stats.did` -- Callaway--Sant'Anna group-time ATTs with exposure-weighted cell means,
  their aggregation (simple, event time, cohort), the rate ratio, the unit-clustered multiplier
  bootstrap (Webb, Rademacher, Mammen weights), uniform bands, the pre-trend Wald test, Holm and
  Romano--Wolf adjustment, randomisation inference and the minimum detectable effect;
- :mod:`pht.stats.matching` -- Mahalanobis nearest-neighbour matching of control units and the
  standardised-mean-difference balance table;
- :mod:`pht.stats.compare` -- comparison estimators with pyfixest: a two-way fixed-effects event
  study and a Poisson (PPML) rate ratio with a log-exposure offset.
"""
