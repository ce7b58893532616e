"""The git ref a pipeline build runs the program from, for the drift trigger to check out the same one.

Pure data, no Pulumi. The deploy and drift steps hand Cloud Build's `$BRANCH_NAME` and `$TAG_NAME` to
the program through two environment variables (pipeline/contract.py SOURCE_REF_ENV). `pulumi up`
records the ref on the drift trigger, so the daily drift build checks out and previews exactly what
the last deploy applied; a release tag in staging and prod, main in dev. A program run by hand (a
workstation `pulumi up`, the offline plan) sets neither and the drift trigger follows main.
"""

from __future__ import annotations

from collections.abc import Mapping

from infra.rules.delivery import DEFAULT_SOURCE_REF, release_ref_problem

__all__ = ["DEFAULT_SOURCE_REF", "SOURCE_BRANCH_ENV", "SOURCE_TAG_ENV", "release_ref_problem", "source_ref"]

SOURCE_BRANCH_ENV = "HIPAA_SOURCE_BRANCH"
SOURCE_TAG_ENV = "HIPAA_SOURCE_TAG"


def source_ref(environment: str, environ: Mapping[str, str]) -> str:
    """The full ref (`refs/tags/v1.2.3`) the build runs from; ValueError when it is not one the
    environment deploys from, since verify-release.sh refuses every other ref before a deploy."""
    branch = environ.get(SOURCE_BRANCH_ENV, "").strip()
    tag = environ.get(SOURCE_TAG_ENV, "").strip()
    if branch and tag:
        raise ValueError(f"{SOURCE_BRANCH_ENV} and {SOURCE_TAG_ENV} are both set; a build runs from one ref")
    if not branch and not tag:
        return DEFAULT_SOURCE_REF
    ref = f"refs/heads/{branch}" if branch else f"refs/tags/{tag}"
    problem = release_ref_problem(environment, ref)
    if problem:
        raise ValueError(f"{SOURCE_BRANCH_ENV if branch else SOURCE_TAG_ENV}: {problem}")
    return ref
