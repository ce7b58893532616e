"""Great Expectations suites for the BigQuery tables: curated encounters and the de-identified outputs."""
