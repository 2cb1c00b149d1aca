//! The streaming and whole-document bundle readers agree on every `bundle-parsing` fixture.

use msc4268_model::wire::bundle::{parse, parse_value};
use msc4268_protocol::cases::BundleParsingInput;
use serde_json::Value;

#[test]
fn streaming_and_whole_document_readers_agree_on_the_fixture_corpus() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bundle-parsing");
    let mut seen = 0;
    for file in std::fs::read_dir(&dir).expect("the bundle-parsing fixtures") {
        let text = std::fs::read_to_string(file.expect("a fixture file").path())
            .expect("a readable fixture");
        let fixture: Value = serde_json::from_str(&text).expect("fixture JSON");
        for group in fixture["groups"].as_array().expect("groups") {
            for case in group["cases"].as_array().expect("cases") {
                let input: BundleParsingInput =
                    serde_json::from_value(case["input"].clone()).expect("a bundle-parsing input");
                let bytes = input.bytes().expect("the plaintext bytes");
                let whole = std::str::from_utf8(&bytes)
                    .map_err(|_| ())
                    .and_then(|t| serde_json::from_str::<Value>(t).map_err(|_| ()))
                    .map(|v| parse_value(&v));
                match whole {
                    Ok(expected) => assert_eq!(parse(&bytes), expected, "{}", case["id"]),
                    Err(()) => {
                        assert_eq!(parse(&bytes).expect_err("not JSON, so rejected").rule, "B1")
                    }
                }
                seen += 1;
            }
        }
    }
    assert!(
        seen > 50,
        "only {seen} bundle-parsing cases found in {}",
        dir.display()
    );
}
