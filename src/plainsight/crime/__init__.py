"""crime stage."""
