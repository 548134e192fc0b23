"""The council's side: a round's pipeline, sessions and minutes, review notes, votes, decisions."""
