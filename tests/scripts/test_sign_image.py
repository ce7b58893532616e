"""sign-image.sh: Cosign signature with the KMS key, verified, and a Binary Authorization attestation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts import scanner_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

STEM = "sign-image"
GATE = "image-signing"
PROJECT = "nwh-analytics-prd"
KEY = f"projects/{PROJECT}/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/image-signing"
KMS = f"gcpkms://{KEY}/cryptoKeyVersions/1"
ATTESTOR = f"projects/{PROJECT}/attestors/hipaa-prod-pipeline"
SIGN_AND_CREATE = ("beta", "container", "binauthz", "attestations", "sign-and-create")


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def signed(tools: FakeTools, approval: str = "APPROVED") -> FakeTools:
    tools.approve_build(approval)
    tools.on("cosign", ["sign", "--key", KMS, "--tlog-upload=false"], stderr="Pushing signature to: ...\n")
    tools.on(
        "cosign", ["verify", "--key", KMS, "--insecure-ignore-tlog=true"], stdout=fx.text(STEM, "cosign-verify.json")
    )
    # sign-and-create exists on gcloud's beta track only; the GA track answers "Invalid choice".
    tools.on("gcloud", [*SIGN_AND_CREATE], stderr="Created attestation.\n")
    tools.on("gcloud", ["binauthz", "attestations", "list"], stdout=fx.text(STEM, "attestations.json"))
    return tools


def run(tools: FakeTools, *args: str) -> Result:
    return tools.run("sign-image.sh", *(args or ("prod", PROJECT, fx.IMAGE, KEY, ATTESTOR)))


def test_signed_verified_and_attested_image_passes(tools: FakeTools) -> None:
    result = run(signed(tools))
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, 2)
    assert tools.calls("cosign")[0].argv[-1] == fx.IMAGE
    create = next(c.argv for c in tools.calls("gcloud") if "sign-and-create" in c.argv)
    assert tuple(create[:5]) == SIGN_AND_CREATE
    for flag, value in [
        ("--artifact-url", fx.IMAGE),
        ("--attestor", ATTESTOR),
        ("--keyversion", f"{KEY}/cryptoKeyVersions/1"),
    ]:
        assert create[create.index(flag) + 1] == value


def test_signing_failure_fails_before_any_attestation(tools: FakeTools) -> None:
    tools.on(
        "cosign", ["sign"], exit=1, stderr="Error: signing: PermissionDenied: cloudkms.cryptoKeyVersions.useToSign\n"
    )
    result = run(signed(tools))
    assert result.returncode == 1
    assert "cosign sign: cosign failed (exit 1): Error: signing: PermissionDenied" in result.reason
    assert not tools.called("gcloud", "binauthz")
    fx.evidence_failed(tools, GATE)


def test_signature_that_does_not_verify_fails_and_is_never_attested(tools: FakeTools) -> None:
    tools.on("cosign", ["verify"], exit=1, stderr="Error: no matching signatures: invalid signature\n")
    result = run(signed(tools))
    assert result.returncode == 1
    assert "cosign verify: cosign failed (exit 1): Error: no matching signatures" in result.reason
    assert not tools.called("gcloud", "binauthz")


def test_verified_payload_for_another_digest_fails(tools: FakeTools) -> None:
    other = fx.text(STEM, "cosign-verify.json").replace(fx.DIGEST, "sha256:" + "cd" * 32)
    tools.on("cosign", ["verify"], stdout=other)
    result = run(signed(tools))
    assert result.returncode == 1
    assert result.reason.endswith(f"cosign: no signature by {KEY}/cryptoKeyVersions/1 verified for {fx.IMAGE}")
    assert not tools.called("gcloud", "binauthz")


@pytest.mark.parametrize(
    ("listing", "reason"),
    [
        ("[]", "binauthz: no attestation by"),
        (fx.text(STEM, "attestations.json").replace("cryptoKeyVersions/1", "cryptoKeyVersions/2"), "no attestation by"),
        (fx.text(STEM, "attestations.json").replace(fx.DIGEST, "sha256:" + "cd" * 32), "no attestation by"),
        ("", "binauthz attestation list: gcloud printed nothing"),
        ("[{", "binauthz attestation list: gcloud printed malformed JSON"),
        ('{"attestation": {}}', "binauthz attestation list: expected a JSON array"),
    ],
)
def test_missing_foreign_or_malformed_attestation_fails(tools: FakeTools, listing: str, reason: str) -> None:
    tools.on("gcloud", ["binauthz", "attestations", "list"], stdout=listing)
    result = run(signed(tools))
    assert result.returncode == 1 and reason in result.reason
    fx.evidence_failed(tools, GATE)


@pytest.mark.parametrize(
    ("stdout", "reason"),
    [
        ("", "cosign verify: cosign printed nothing"),
        ("not json", "printed malformed JSON"),
        ("{}", "expected a JSON array"),
    ],
)
def test_empty_or_malformed_verify_output_fails(tools: FakeTools, stdout: str, reason: str) -> None:
    tools.on("cosign", ["verify"], stdout=stdout)
    result = run(signed(tools))
    assert result.returncode == 1 and reason in result.reason


def test_attestation_creation_failure_fails(tools: FakeTools) -> None:
    tools.on("gcloud", ["sign-and-create"], exit=1, stderr="ERROR: (gcloud.container.binauthz) NOT_FOUND: attestor\n")
    result = run(signed(tools))
    assert result.returncode == 1 and "binauthz attestation: gcloud failed (exit 1)" in result.reason


def test_missing_cosign_fails(tools: FakeTools) -> None:
    tools.remove("cosign")
    result = run(tools)
    assert result.returncode == 1 and "required tool 'cosign' is not installed" in result.reason


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("prod", PROJECT, fx.IMAGE, KEY),
        ("qa", PROJECT, fx.IMAGE, KEY, ATTESTOR),
        ("prod", PROJECT, fx.IMAGE.split("@")[0] + ":v1.2.3", KEY, ATTESTOR),
        ("prod", PROJECT, fx.IMAGE.split("@")[0], KEY, ATTESTOR),
        ("prod", PROJECT, fx.IMAGE, KEY + "/cryptoKeyVersions/1", ATTESTOR),
        ("prod", PROJECT, fx.IMAGE, "image-signing", ATTESTOR),
        ("prod", PROJECT, fx.IMAGE, KEY, "hipaa-prod-pipeline"),
        ("prod", PROJECT, fx.IMAGE, KEY, "projects/nwh-analytics-stg/attestors/hipaa-prod-pipeline"),
        ("prod", "", fx.IMAGE, KEY, ATTESTOR),
    ],
)
def test_missing_malformed_or_unpinned_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run("sign-image.sh", *args)
    assert result.returncode == 2
    assert result.reason == "usage: sign-image.sh ENV PROJECT_ID IMAGE_REF_WITH_DIGEST SIGNING_KEY ATTESTOR"
    assert tools.calls() == []


@pytest.mark.parametrize("state", ["PENDING", "REJECTED"])
def test_prod_without_approval_signs_and_attests_nothing(tools: FakeTools, state: str) -> None:
    result = run(signed(tools, approval=state))
    assert result.returncode == 1
    assert result.reason.endswith(f"prod deploy refused: build b-123 approval state is {state}, not APPROVED")
    assert tools.calls("cosign") == []
    assert not tools.called("gcloud", "binauthz")
    fx.evidence_failed(tools, GATE)
