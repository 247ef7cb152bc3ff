"""deltagrad's neural networks, built from ``autograd.Value``."""
