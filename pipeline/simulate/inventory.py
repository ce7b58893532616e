"""What each pinned image puts on PATH, and where the simulation takes each tool from.

PROVISIONAL: the image inventory belongs in pipeline/images.py (the wt-pipe branch adds it, each
tool with its source); until it lands this table says what every image provides. Keys are the keys
of pipeline.images.IMAGES, so the image references themselves come from the pipeline.

Every Debian or Alpine image has the same basic commands (BASE_TOOLS); each image adds its own.
`files` are the paths the toolchain step copies out of an image (`docker cp`), and the tool each is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Present in every image the pipeline uses (coreutils, grep, sed, awk, findutils, tar, gzip, sh).
BASE_TOOLS: tuple[str, ...] = (
    "sh",
    "env",
    "cat",
    "cp",
    "mv",
    "rm",
    "ln",
    "ls",
    "mkdir",
    "rmdir",
    "mktemp",
    "chmod",
    "touch",
    "date",
    "sleep",
    "echo",
    "printf",
    "test",
    "[",
    "true",
    "false",
    "head",
    "tail",
    "cut",
    "tr",
    "wc",
    "sort",
    "uniq",
    "comm",
    "tee",
    "basename",
    "dirname",
    "readlink",
    "realpath",
    "stat",
    "du",
    "id",
    "uname",
    "nproc",
    "seq",
    "od",
    "base64",
    "sha256sum",
    "md5sum",
    "timeout",
    "xargs",
    "find",
    "grep",
    "sed",
    "awk",
    "tar",
    "gzip",
    "expr",
    "yes",
    "split",
    "diff",
)


@dataclass(frozen=True)
class ImageTools:
    tools: tuple[str, ...]
    entrypoint: str | None = None  # the image's ENTRYPOINT; None: args[0] is the command
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)  # path in image -> tools found there


IMAGE_TOOLS: dict[str, ImageTools] = {
    "cloud-sdk": ImageTools(
        ("bash", "gcloud", "bq", "gsutil", "kubectl", "docker", "python3", "make", "git"),
    ),
    "jq": ImageTools((), entrypoint="/jq", files={"/jq": ("jq",)}),
    "trivy": ImageTools(("trivy",), entrypoint="trivy", files={"/usr/local/bin/trivy": ("trivy",)}),
    "cosign": ImageTools((), entrypoint="/ko-app/cosign", files={"/ko-app/cosign": ("cosign",)}),
    "pulumi": ImageTools(("bash", "pulumi"), entrypoint=None, files={"/pulumi/bin/.": ("pulumi",)}),
    "checkov": ImageTools(("bash", "checkov", "python3"), entrypoint="checkov"),
    "semgrep": ImageTools(("bash", "semgrep", "python3"), entrypoint=None),
    "prowler": ImageTools(("bash", "prowler", "python3"), entrypoint="prowler"),
    "zap": ImageTools(("bash", "zap-baseline.py", "zap-api-scan.py", "python3"), entrypoint=None),
}
# Images whose only content is one static binary (distroless, FROM scratch): no shell, no basics.
BARE_IMAGES = frozenset({"jq", "cosign"})
