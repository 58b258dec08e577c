//! Printing of the generated tests and their fixtures under `crates/benchling-sdk/tests/`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::names::snake;
use super::operations::{Operation, ResponseType};
use super::sample::Sampler;
use super::schema::Ty;
use super::table;
use super::GENERATED_NOTICE;

/// Prints the test files and fixtures: path below `tests/` -> contents.
pub fn emit(
    operations: &[Operation],
    sampler: &Sampler<'_>,
) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    for operation in operations {
        if let Some(example) = &operation.example {
            let text = serde_json::to_string_pretty(example).map_err(|error| {
                format!(
                    "cannot print the example of {}: {error}",
                    operation.row.operation_id
                )
            })?;
            files.insert(
                format!("fixtures/task_examples/{}.json", operation.row.operation_id),
                text + "\n",
            );
        }
    }
    files.insert(
        "generated_examples.rs".to_owned(),
        emit_examples(operations),
    );
    files.insert(
        "generated_endpoints.rs".to_owned(),
        emit_endpoints(operations, sampler)?,
    );
    Ok(files)
}

fn emit_examples(operations: &[Operation]) -> String {
    let mut out = format!("// {GENERATED_NOTICE}\n\n");
    out.push_str(include_str!("../../templates/examples_test.rs"));
    for operation in operations {
        if operation.example.is_none() {
            continue;
        }
        let id = operation.row.operation_id;
        let fixes = example_fixes(id);
        let check = match &operation.response {
            ResponseType::Typed { rust_type, .. } if !fixes.is_empty() => format!(
                "// The published example is corrected because {}.\n    assert_round_trip_after_fix::<models::{rust_type}>({id:?}, &[{}]);",
                table::EXAMPLE_FIX_REASON,
                fixes.join(", ")
            ),
            ResponseType::Typed { rust_type, .. } => {
                format!("assert_round_trip::<models::{rust_type}>({id:?});")
            }
            ResponseType::Empty => format!("assert_empty({id:?});"),
            ResponseType::Untyped => continue,
        };
        let _ = writeln!(
            out,
            "\n#[test]\nfn {}_example() {{\n    {check}\n}}",
            snake(id)
        );
    }
    out
}

/// Sample value of a path parameter: a space and a slash check the encoding.
fn path_arg(name: &str) -> String {
    format!("{} 1/a", name.replace('_', "-"))
}

fn emit_endpoints(operations: &[Operation], sampler: &Sampler<'_>) -> Result<String, String> {
    let mut out = format!("// {GENERATED_NOTICE}\n\n");
    out.push_str(include_str!("../../templates/endpoints_test.rs"));

    out.push_str("\n/// Returns one case per task-creating endpoint, in catalog order.\nfn cases() -> Vec<Case> {\n    vec![\n");
    for operation in operations {
        let id = operation.row.operation_id;
        let args: Vec<String> = operation
            .path_params
            .iter()
            .map(|name| format!("{:?}", path_arg(name)))
            .collect();
        let request = match &operation.request_type {
            Some(name) => {
                let sample = sampler.minimal(&Ty::Named(name.clone()));
                format!("Some(r#\"{}\"#)", compact(&sample, id)?)
            }
            None => "None".to_owned(),
        };
        let response = match (&operation.response, &operation.example) {
            (ResponseType::Typed { .. }, Some(_)) => {
                let fixes = example_fixes(id);
                if fixes.is_empty() {
                    format!("example_response({id:?})")
                } else {
                    format!("fixed_example_response({id:?}, &[{}])", fixes.join(", "))
                }
            }
            (ResponseType::Typed { rust_type, .. }, None) => {
                let sample = sampler.full(&Ty::Named(rust_type.clone()));
                format!(
                    "serde_json::from_str(r#\"{}\"#).expect(\"sample JSON\")",
                    compact(&sample, id)?
                )
            }
            (ResponseType::Empty, _) => "json!({})".to_owned(),
            (ResponseType::Untyped, _) => "json!({\"sample\": \"untyped response\"})".to_owned(),
        };
        let _ = writeln!(
            out,
            "        Case {{ operation_id: {id:?}, path_args: &[{}], request: {request}, response: {response} }},",
            args.join(", ")
        );
    }
    out.push_str("    ]\n}\n");

    out.push_str("\n/// Calls the endpoint method of a case and waits for its typed response.\nasync fn call(client: &Benchling, case: &Case) -> benchling_sdk::Result<Value> {\n    match case.operation_id {\n");
    for operation in operations {
        let _ = writeln!(
            out,
            "        {:?} => {{\n            let task = client.{}().{}({}).await?;\n            Ok(to_json(task.wait_for_response().await?))\n        }}",
            operation.row.operation_id,
            operation.area,
            operation.row.rust_method,
            call_arguments(operation)
        );
    }
    out.push_str("        other => panic!(\"no call for {other}\"),\n    }\n}\n");

    out.push_str("\n/// Blocking form of [`call`].\n#[cfg(feature = \"blocking\")]\nfn call_blocking(client: &benchling_sdk::blocking::Benchling, case: &Case) -> benchling_sdk::Result<Value> {\n    match case.operation_id {\n");
    for operation in operations {
        let _ = writeln!(
            out,
            "        {:?} => {{\n            let task = client.{}().{}({})?;\n            Ok(to_json(task.wait_for_response()?))\n        }}",
            operation.row.operation_id,
            operation.area,
            operation.row.rust_method,
            call_arguments(operation)
        );
    }
    out.push_str("        other => panic!(\"no call for {other}\"),\n    }\n}\n");
    Ok(out)
}

/// Pointers of the corrections of an operation's example, as Rust string literals.
fn example_fixes(operation_id: &str) -> Vec<String> {
    table::EXAMPLE_FIXES
        .iter()
        .filter(|fix| fix.operation_id == operation_id)
        .map(|fix| format!("{:?}", fix.pointer))
        .collect()
}

fn call_arguments(operation: &Operation) -> String {
    let mut arguments: Vec<String> = (0..operation.path_params.len())
        .map(|index| format!("case.path_args[{index}]"))
        .collect();
    if let Some(request) = &operation.request_type {
        arguments.push(format!("&request::<models::{request}>(case)"));
    }
    arguments.join(", ")
}

fn compact(value: &Value, operation_id: &str) -> Result<String, String> {
    let text = serde_json::to_string(value)
        .map_err(|error| format!("cannot print the sample of {operation_id}: {error}"))?;
    if text.contains("\"#") {
        return Err(format!(
            "the sample of {operation_id} cannot be a raw string literal"
        ));
    }
    Ok(text)
}
