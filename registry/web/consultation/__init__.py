"""Public consultation: the proposed list, each proposal's public facts, and a comment form."""
