"""deltagrad's application layer: the ``deltagrad`` command, its tour and its playground.

The engine is ``autograd``, the networks ``nn``, the pictures ``viz``; this package is the only
one that uses all three. Run ``deltagrad --help`` (or ``python -m deltagrad --help``).
"""
