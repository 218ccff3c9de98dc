"""Validation of the evaluation engine on synthetic lakes whose truth is known.

This is the only code that reads the lake's ``truth/`` dataset. It sits above both the generator
(``pht.synth``) and the engine (``pht.engine``), and nothing but the command line imports it
(``tests/unit/architecture/test_layers.py`` holds that).
"""
