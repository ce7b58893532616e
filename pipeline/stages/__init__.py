"""One module per stage family; `pipeline.definition` puts their stages in order."""
