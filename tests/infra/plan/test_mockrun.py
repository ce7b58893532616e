"""The mock runner captures what the engine would see; these tests break loudly if an SDK upgrade
changes the mock monitor's gRPC request shape the runner reads (type, parent, object, protect,
ignoreChanges, dependencies), the one SDK internal the runner relies on."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.plan.mockrun import RecordingMonitor, record


class _Holder(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:unit:Holder", name, None, None)
        inner = pulumi.ComponentResource("test:unit:Inner", f"{name}-inner", None, pulumi.ResourceOptions(parent=self))
        bucket = gcp.storage.Bucket(
            f"{name}-bucket",
            name="b-1",
            location="US-CENTRAL1",
            public_access_prevention="enforced",
            opts=pulumi.ResourceOptions(parent=inner, protect=True, ignore_changes=["labels"]),
        )
        # One resource waits for the bucket through an input, another by depends_on alone.
        gcp.storage.BucketIAMMember(
            f"{name}-reader", bucket=bucket.name, role="roles/storage.objectViewer", member="user:x@example.com"
        )
        gcp.pubsub.Topic(f"{name}-topic", opts=pulumi.ResourceOptions(depends_on=[inner]))
        self.register_outputs({})


def _recorded() -> RecordingMonitor:
    return record(lambda: _Holder("h"), stack="unit")


def test_inputs_reach_the_record_in_the_engines_camel_case() -> None:
    (bucket,) = [r for r in _recorded().recorded() if r.type == "gcp:storage/bucket:Bucket"]
    assert bucket.inputs["publicAccessPrevention"] == "enforced"
    assert bucket.inputs["location"] == "US-CENTRAL1"


def test_protect_and_ignored_changes_are_kept() -> None:
    monitor = _recorded()
    (bucket,) = [r for r in monitor.recorded() if r.type == "gcp:storage/bucket:Bucket"]
    assert bucket.protect is True
    assert list(monitor.ignored.values()) == [["labels"]]


def test_urns_name_the_whole_parent_chain() -> None:
    urns = {r.name: r.urn for r in _recorded().recorded()}
    assert urns["h"] == "urn:pulumi:unit::hipaa::test:unit:Holder::h"
    assert urns["h-inner"] == "urn:pulumi:unit::hipaa::test:unit:Holder$test:unit:Inner::h-inner"
    assert urns["h-bucket"] == (
        "urn:pulumi:unit::hipaa::test:unit:Holder$test:unit:Inner$gcp:storage/bucket:Bucket::h-bucket"
    )


def test_registrations_are_recorded_in_order_and_runs_do_not_leak() -> None:
    first = [r.name for r in _recorded().recorded()]
    second = [r.name for r in _recorded().recorded()]
    # The two resources waiting for the bucket register once it has, in either order.
    for run in (first, second):
        assert run[:3] == ["h", "h-inner", "h-bucket"]
        assert sorted(run[3:]) == ["h-reader", "h-topic"]


def test_what_each_resource_waits_for_is_kept_as_engine_urns() -> None:
    """Through an input's Output, and through depends_on on a component (the SDK expands it to the
    component's resources): what `pulumi preview --json` records as newState.dependencies."""
    resources = {r.name: r for r in _recorded().recorded()}
    bucket = resources["h-bucket"].urn
    assert resources["h-reader"].dependencies == (bucket,)
    assert resources["h-topic"].dependencies == (bucket,)
    assert resources["h-bucket"].dependencies == ()
