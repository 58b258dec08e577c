//! Every example task that the API reference attaches to `GET /tasks/{task_id}` decodes
//! into its endpoint's response type and encodes back to the same JSON. The examples are
//! in `tests/fixtures/task_examples/`, one file per operation.

use benchling_sdk::models;
use benchling_sdk::EmptyTaskResponse;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Reads the example task of an operation.
fn example_task(operation_id: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/task_examples/{operation_id}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path} is not JSON: {error}"))
}

/// Returns the `response` of the example task of an operation, which must have succeeded.
fn example_response(operation_id: &str) -> Value {
    let task = example_task(operation_id);
    assert_eq!(task["status"], "SUCCEEDED", "{operation_id}: example status");
    task.get("response")
        .cloned()
        .unwrap_or_else(|| panic!("{operation_id}: the example has no response"))
}

/// Decodes the example response of an operation as `T` and checks that encoding it
/// gives the same JSON.
fn assert_round_trip<T: DeserializeOwned + Serialize>(operation_id: &str) {
    let response = example_response(operation_id);
    let typed: T = serde_json::from_value(response.clone())
        .unwrap_or_else(|error| panic!("{operation_id}: the example does not decode: {error}"));
    let encoded = serde_json::to_value(&typed).expect("a decoded response encodes");
    assert!(
        same_json(&response, &encoded),
        "{operation_id}: encoding the decoded example changed it\nexample: {response}\nencoded: {encoded}"
    );
}

/// Checks that the example response of an operation fails to decode as `T`, because it
/// has a one-element list at each of `pointers` where the schema has the element, and
/// that it round-trips once those lists are unwrapped.
fn assert_round_trip_after_fix<T: DeserializeOwned + Serialize>(operation_id: &str, pointers: &[&str]) {
    let mut response = example_response(operation_id);
    let published: Result<T, _> = serde_json::from_value(response.clone());
    assert!(
        published.is_err(),
        "{operation_id}: the published example now decodes; remove its entry from EXAMPLE_FIXES in xtask/src/codegen/table.rs"
    );

    unwrap_lists(operation_id, &mut response, pointers);
    let typed: T = serde_json::from_value(response.clone())
        .unwrap_or_else(|error| panic!("{operation_id}: the corrected example does not decode: {error}"));
    let encoded = serde_json::to_value(&typed).expect("a decoded response encodes");
    assert!(
        same_json(&response, &encoded),
        "{operation_id}: encoding the decoded example changed it\nexample: {response}\nencoded: {encoded}"
    );
}

/// Replaces the one-element list at each pointer with its element.
fn unwrap_lists(operation_id: &str, value: &mut Value, pointers: &[&str]) {
    for pointer in pointers {
        let slot = value
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{operation_id}: the example has nothing at {pointer}"));
        let element = match slot {
            Value::Array(items) if items.len() == 1 => items[0].take(),
            other => panic!("{operation_id}: {pointer} is not a one-element list: {other}"),
        };
        *slot = element;
    }
}

/// Checks that the example response of an operation is `{}` and decodes as `EmptyTaskResponse`.
fn assert_empty(operation_id: &str) {
    let response = example_response(operation_id);
    assert_eq!(response, serde_json::json!({}), "{operation_id}: example response");
    let decoded: Result<EmptyTaskResponse, _> = serde_json::from_value(response);
    assert!(decoded.is_ok(), "{operation_id}: {decoded:?}");
}

/// Compares JSON values; numbers are equal when their `f64` values are, so `1` equals `1.0`.
fn same_json(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(l, r)| same_json(l, r))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .all(|(key, value)| right.get(key).is_some_and(|other| same_json(value, other)))
        }
        _ => expected == actual,
    }
}
