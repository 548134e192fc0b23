"""The public statistics page, its CSV files and the yearly report."""
