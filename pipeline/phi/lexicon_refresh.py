"""Cuts the vendored name data of the PHI gate from the 1990 US Census name frequency files.

`python -m pipeline.phi.lexicon_refresh CENSUS_DIR LEXEME_PROB OUT_DIR [--surnames N]` (see
pipeline/phi/data/SOURCE.md for where the inputs come from). CENSUS_DIR holds `dist.female.first`,
`dist.male.first` and `dist.all.last` (NAME PERCENT CUMULATIVE RANK per line); LEXEME_PROB is
spaCy's English lexeme log-probability table (`en_lexeme_prob.json.gz` of spacy-lookups-data).
Writes, one lower-case name per line, gzip-compressed, most frequent first:

- `given-names.txt.gz`: every given name of both lists;
- `surnames.txt.gz`: the N most frequent surnames;
- `common-words.txt.gz`: the names of the two files above that English also writes as ordinary
  words: lower case at most COMMON_WORD_MARGIN (natural log) less likely than capitalised
  ("Brown", "Grant", "Will", "Rose"). Such a word alone is no evidence of a person.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

GIVEN_FILES = ("dist.female.first", "dist.male.first")
SURNAME_FILE = "dist.all.last"
DEFAULT_SURNAMES = 20_000
# ln(P(lower case)) >= ln(P(Capitalised)) - 1: lower case at least e^-1 (37 %) as frequent.
COMMON_WORD_MARGIN = 1.0


def read_census(path: Path) -> list[tuple[str, float]]:
    """(name, percent of population) per line of a census distribution file, in file order."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        fields = line.split()
        if len(fields) != 4 or not fields[0].isalpha():
            raise ValueError(f"{path.name}:{number}: not NAME PERCENT CUMULATIVE RANK")
        rows.append((fields[0].lower(), float(fields[1])))
    if not rows:
        raise ValueError(f"{path.name}: empty")
    return rows


def given_names(census_dir: Path) -> list[str]:
    """Female and male given names together, most frequent (in either list) first."""
    best: dict[str, float] = {}
    for file in GIVEN_FILES:
        for name, percent in read_census(census_dir / file):
            best[name] = max(percent, best.get(name, 0.0))
    return sorted(best, key=lambda name: (-best[name], name))


def is_common_word(name: str, log_prob: Mapping[str, float], floor: float, margin: float = COMMON_WORD_MARGIN) -> bool:
    """English writes the name in lower case too: seen lower case, and not much rarer than capitalised.

    The table's smallest value is its floor for words it barely saw (both spellings of a rare
    surname often sit there); a missing spelling counts as that floor.
    """
    lower, capitalised = log_prob.get(name, floor), log_prob.get(name.capitalize(), floor)
    return lower > floor and lower >= capitalised - margin


def write_names(path: Path, names: Iterable[str]) -> int:
    lines = [f"{name}\n" for name in names]
    # mtime=0: the same input gives the same bytes, so a refresh shows up in git only when data changed.
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write("".join(lines).encode("ascii"))
    return len(lines)


def refresh(census_dir: Path, lexeme_prob: Path, out_dir: Path, surnames: int) -> dict[str, int]:
    given = given_names(census_dir)
    last = [name for name, _ in read_census(census_dir / SURNAME_FILE)][:surnames]
    with gzip.open(lexeme_prob, "rt", encoding="utf-8") as handle:
        log_prob: dict[str, float] = json.load(handle)
    floor = min(log_prob.values())
    common = [name for name in dict.fromkeys([*given, *last]) if is_common_word(name, log_prob, floor)]
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "given-names.txt.gz": write_names(out_dir / "given-names.txt.gz", given),
        "surnames.txt.gz": write_names(out_dir / "surnames.txt.gz", last),
        "common-words.txt.gz": write_names(out_dir / "common-words.txt.gz", common),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.phi.lexicon_refresh", description=__doc__)
    parser.add_argument("census_dir", type=Path)
    parser.add_argument("lexeme_prob", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--surnames", type=int, default=DEFAULT_SURNAMES, metavar="N")
    arguments = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        counts = refresh(arguments.census_dir, arguments.lexeme_prob, arguments.out_dir, arguments.surnames)
    except (OSError, ValueError) as error:
        print(f"lexicon_refresh: ERROR: {error}", file=sys.stderr)
        return 2
    for file, count in counts.items():
        print(f"{file}: {count} names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
