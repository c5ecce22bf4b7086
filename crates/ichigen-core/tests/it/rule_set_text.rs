//! Rule sets given as JSON text (the vectors pass JSON values, so the text path is
//! tested here).

use ichigen_core::rules::{EXAMPLE_RULE_SET_JSON, RuleSet};

#[test]
fn malformed_json_text_is_ruleset_parse_with_line_and_column() {
    let err = RuleSet::from_json("{\n  \"name\": \"x\",\n  \"rules\": [ }").unwrap_err();
    assert_eq!(err.code(), "RULESET_INVALID");
    assert_eq!(err.issues().len(), 1);
    assert_eq!(err.issues()[0].code, "RULESET_PARSE");
    assert_eq!(err.issues()[0].path, "$");
    assert!(
        err.issues()[0].message.contains("line 3"),
        "{}",
        err.issues()[0].message
    );
}

#[test]
fn json_text_problems_are_reported_like_values() {
    let err = RuleSet::from_json(
        r#"{"name": "x", "rules": [{"id": "a", "when": {"gfit": true}, "then": []}]}"#,
    )
    .unwrap_err();
    let got: Vec<(&str, &str)> = err
        .issues()
        .iter()
        .map(|i| (i.code.as_str(), i.path.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("RULESET_UNKNOWN_FIELD", "$.rules[0].when.gfit"),
            ("RULESET_EMPTY_LIST", "$.rules[0].then")
        ]
    );
    assert!(
        err.issues()[0].message.contains("did you mean `gift`?"),
        "{}",
        err.issues()[0].message
    );
}

#[test]
fn the_example_rule_set_round_trips_through_its_definition() {
    let set = RuleSet::from_json(EXAMPLE_RULE_SET_JSON).unwrap();
    let again = RuleSet::from_def(set.definition().clone()).unwrap();
    assert_eq!(again.definition(), set.definition());
}
