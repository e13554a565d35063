//! The CRD committed under `helm/helpline/crds/` is the one the Rust type generates.

use helpline_operator::{HelplineCluster, ShardCount};

const COMMITTED: &str = "../../helm/helpline/crds/helplinecluster.yaml";

#[test]
fn the_committed_crd_is_generated_from_the_type() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == helpline_operator::crd_yaml(),
        "{} is stale: run `cargo xtask crd`",
        path.display()
    );
}

#[test]
fn a_spec_takes_auto_or_a_number_of_shards_and_fills_its_defaults() {
    let cluster: HelplineCluster = serde_json::from_value(serde_json::json!({
        "apiVersion": "helpline.dev/v1alpha1",
        "kind": "HelplineCluster",
        "metadata": {"name": "helpline", "namespace": "helpline"},
        "spec": {"statefulSet": "helpline-shards"},
    }))
    .unwrap();
    assert_eq!(cluster.spec.shards, ShardCount::Auto);
    assert_eq!(cluster.spec.processes, 1);
    assert_eq!(cluster.spec.container, "helpline");
    assert_eq!(cluster.spec.recommendation_interval_seconds, 900);
    for (shards, expected) in [
        (serde_json::json!("auto"), Some(ShardCount::Auto)),
        (serde_json::json!(16), Some(ShardCount::Fixed(16))),
        (serde_json::json!("16"), Some(ShardCount::Fixed(16))),
        (serde_json::json!(0), None),
        (serde_json::json!("many"), None),
    ] {
        let parsed = serde_json::from_value::<helpline_operator::HelplineClusterSpec>(
            serde_json::json!({"statefulSet": "s", "shards": shards}),
        )
        .ok()
        .map(|spec| spec.shards);
        assert_eq!(parsed, expected, "{shards}");
    }
    assert_eq!(
        serde_json::to_value(ShardCount::Fixed(4)).unwrap(),
        serde_json::json!(4)
    );
    assert_eq!(
        serde_json::to_value(ShardCount::Auto).unwrap(),
        serde_json::json!("auto")
    );
}
