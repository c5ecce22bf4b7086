use ichigen_testkit::vectors::{run_file, vector_files, vectors_dir};

#[test]
fn every_vector_passes() {
    let files = vector_files(&vectors_dir());
    assert!(
        files.len() >= 60,
        "expected at least 60 vectors, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        if let Err(e) = run_file(f) {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn the_shared_sample_order_is_the_core_sample() {
    let shared: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(vectors_dir().join("sample_order.json")).unwrap(),
    )
    .unwrap();
    let core: serde_json::Value = serde_json::from_str(ichigen_core::sample::ORDER_JSON).unwrap();
    assert_eq!(
        shared, core,
        "tests/vectors/sample_order.json drifted from ichigen_core::sample::ORDER_JSON"
    );
}
