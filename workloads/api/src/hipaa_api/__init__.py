"""Read-only API over de-identified aggregates: no PHI in, none out, none in its logs."""
