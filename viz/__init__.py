"""deltagrad's pictures of computation graphs (Graphviz)."""
