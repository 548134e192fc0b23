"""Public verification of awards by their code."""
