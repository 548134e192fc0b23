"""Administration: users and roles, councils, award rounds, holidays."""
