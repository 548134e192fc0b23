"""Public consultation pages: the proposed list and the comment form."""
