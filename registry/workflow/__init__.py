"""The nomination workflow: states and actions, dossiers, reviews and ballots, consultation, decisions, notices."""
