"""PHI detection for the pipeline: Presidio over build logs, test outputs and build evidence.

`python -m pipeline.phi scan PATH... [--json PATH]` (see pipeline/phi/cli.py). Modules:
recognizers (what counts as PHI), nlp (spaCy model or tokenizer only), engine (the analyzer,
built once), scanner (files, lines, findings), cli (arguments, output, exit codes).
"""
