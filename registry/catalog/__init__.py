"""Units, topics and award titles: the catalogues every entry and award refers to."""
