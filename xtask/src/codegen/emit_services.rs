//! Printing of `crates/benchling-sdk/src/services/`: one handler per API area, the
//! blocking mirrors, the endpoint catalog and the endpoint table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::operations::{Operation, ResponseType};
use super::GENERATED_NOTICE;

/// Rust type of the task response, as written inside a services file.
fn response_type(operation: &Operation) -> String {
    match &operation.response {
        ResponseType::Typed { rust_type, .. } => format!("models::{rust_type}"),
        ResponseType::Empty => "EmptyTaskResponse".to_owned(),
        ResponseType::Untyped => "UntypedTaskResponse".to_owned(),
    }
}

/// Rust type of the task response, as a path from the crate root.
fn response_path(operation: &Operation) -> String {
    match &operation.response {
        ResponseType::Typed { rust_type, .. } => format!("models::{rust_type}"),
        ResponseType::Empty => "tasks::EmptyTaskResponse".to_owned(),
        ResponseType::Untyped => "services::UntypedTaskResponse".to_owned(),
    }
}

fn method_constant(operation: &Operation) -> &'static str {
    match operation.method.as_str() {
        "PATCH" => "Method::PATCH",
        "PUT" => "Method::PUT",
        _ => "Method::POST",
    }
}

/// Parameters of the Rust method after `&self`.
fn parameters(operation: &Operation) -> Vec<String> {
    let mut parameters: Vec<String> = operation
        .path_params
        .iter()
        .map(|name| format!("{name}: &str"))
        .collect();
    if let Some(request) = &operation.request_type {
        parameters.push(format!("request: &models::{request}"));
    }
    parameters
}

/// Arguments that forward the parameters to the async method.
fn arguments(operation: &Operation) -> Vec<String> {
    let mut arguments = operation.path_params.clone();
    if operation.request_type.is_some() {
        arguments.push("request".to_owned());
    }
    arguments
}

fn method_doc(operation: &Operation) -> String {
    let mut doc = format!(
        "Starts a task with `{} {}` (`{}`).\n\n",
        operation.method, operation.path, operation.row.operation_id
    );
    for name in &operation.path_params {
        let _ = writeln!(doc, "- `{name}`: path parameter, percent-encoded.");
    }
    match &operation.request_type {
        Some(request) => {
            let _ = write!(doc, "- Request body: [`models::{request}`]");
            if let (Some(field), Some(limit)) = (operation.row.item_field, operation.item_limit) {
                let _ = write!(doc, "; at most {limit} items in `{field}`");
            }
            doc.push_str(".\n");
        }
        None => doc.push_str("- Request body: none.\n"),
    }
    match &operation.response {
        ResponseType::Typed {
            task_schema,
            rust_type,
        } => {
            let _ = writeln!(
                doc,
                "- Task response: [`models::{rust_type}`], the `response` of schema `{task_schema}`."
            );
        }
        ResponseType::Empty => {
            doc.push_str(
                "- Task response: none; the task's `response` is `{}` ([`EmptyTaskResponse`]).\n",
            );
        }
        ResponseType::Untyped => {
            let _ = writeln!(
                doc,
                "- Task response: [`UntypedTaskResponse`], the JSON value as sent. {}, so this \
                 method does not type it.",
                super::table::untyped_reason(operation.row.operation_id)
            );
        }
    }
    let _ = writeln!(doc, "- Reference: <{}>", operation.reference_url);
    doc.push_str("\n# Errors\n\n");
    if !operation.path_params.is_empty() {
        doc.push_str("Returns [`Error::InvalidInput`](crate::Error::InvalidInput) when a path parameter is empty. ");
    }
    doc.push_str(
        "Returns an error when the request fails, the API returns an error status, or the response has no task id.",
    );
    doc
}

fn doc_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// Prints the files of the services module: relative path -> unformatted contents.
pub fn emit(operations: &[Operation], source_line: &str) -> BTreeMap<String, String> {
    let mut areas: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for operation in operations {
        areas
            .entry(operation.area.as_str())
            .or_default()
            .push(operation);
    }

    let mut files = BTreeMap::new();
    for (area, members) in &areas {
        files.insert(format!("{area}.rs"), emit_area(members));
    }
    files.insert("blocking.rs".to_owned(), emit_blocking(&areas));
    files.insert("mod.rs".to_owned(), emit_mod(&areas));
    files.insert(
        "catalog.rs".to_owned(),
        emit_catalog(operations, source_line),
    );
    files.insert(
        "ENDPOINTS.md".to_owned(),
        emit_table(operations, source_line),
    );
    files
}

fn emit_area(operations: &[&Operation]) -> String {
    let first = operations[0];
    let (area, handler, tag) = (&first.area, &first.handler, &first.tag);
    let area_url = format!(
        "https://benchling.com/api/reference#/{}",
        tag.replace(' ', "%20")
    );

    let uses_path = operations.iter().any(|op| !op.path_params.is_empty());
    let uses_models = operations
        .iter()
        .any(|op| op.request_type.is_some() || matches!(op.response, ResponseType::Typed { .. }));
    let uses_empty = operations
        .iter()
        .any(|op| matches!(op.response, ResponseType::Empty));
    let uses_untyped = operations
        .iter()
        .any(|op| matches!(op.response, ResponseType::Untyped));

    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! Task-creating endpoints of the {tag} area ([reference]({area_url})).\n//!\n//! {GENERATED_NOTICE}\n"
    );
    out.push_str("use reqwest::Method;\n\n");
    if uses_untyped {
        out.push_str("use super::UntypedTaskResponse;\n");
    }
    if uses_path {
        out.push_str("use crate::client::encode_path_segment;\n");
    }
    if uses_models {
        out.push_str("use crate::models;\n");
    }
    if uses_empty {
        out.push_str("use crate::tasks::EmptyTaskResponse;\n");
    }
    out.push_str("use crate::tasks::TaskHelper;\nuse crate::{Benchling, Result};\n\n");

    let _ = writeln!(
        out,
        "/// Task-creating endpoints of the {tag} area, returned by [`Benchling::{area}`].\n#[derive(Clone, Copy)]\npub struct {handler}<'a> {{\n    client: &'a Benchling,\n}}\n"
    );
    let _ = writeln!(
        out,
        "impl Benchling {{\n    /// Returns the task-creating endpoints of the {tag} area.\n    pub fn {area}(&self) -> {handler}<'_> {{\n        {handler} {{ client: self }}\n    }}\n}}\n"
    );

    let _ = writeln!(out, "impl {handler}<'_> {{");
    for (index, operation) in operations.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        doc_lines(&mut out, "    ", &method_doc(operation));
        let _ = writeln!(
            out,
            "    pub async fn {}(&self, {}) -> Result<TaskHelper<{}>> {{",
            operation.row.rust_method,
            parameters(operation).join(", "),
            response_type(operation)
        );
        let path = if operation.path_params.is_empty() {
            format!("{:?}", operation.path)
        } else {
            let mut template = operation.path.clone();
            for name in &operation.path_params {
                template = template.replace(&format!("{{{name}}}"), "{}");
            }
            let encoded: Vec<String> = operation
                .path_params
                .iter()
                .map(|name| format!("encode_path_segment({:?}, {name})?", name.replace('_', " ")))
                .collect();
            let _ = writeln!(
                out,
                "        let path = format!({template:?}, {});",
                encoded.join(", ")
            );
            "&path".to_owned()
        };
        let body = if operation.request_type.is_some() {
            "Some(request)"
        } else {
            "None::<&()>"
        };
        let _ = writeln!(
            out,
            "        self.client\n            .start_task({}, {path}, {body})\n            .await\n    }}",
            method_constant(operation)
        );
    }
    out.push_str("}\n");
    out
}

fn emit_blocking(areas: &BTreeMap<&str, Vec<&Operation>>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! Blocking mirrors of the task-creating endpoint handlers, for [`crate::blocking::Benchling`].\n//!\n//! {GENERATED_NOTICE}\n"
    );
    out.push_str("use super::UntypedTaskResponse;\nuse crate::blocking::{Benchling, TaskHelper};\nuse crate::models;\nuse crate::tasks::EmptyTaskResponse;\nuse crate::Result;\n\n");

    for (area, operations) in areas {
        let first = operations[0];
        let (handler, tag) = (&first.handler, &first.tag);
        let _ = writeln!(
            out,
            "/// Blocking form of [`super::{area}::{handler}`], returned by [`Benchling::{area}`].\n#[derive(Clone, Copy)]\npub struct {handler}<'a> {{\n    client: &'a Benchling,\n}}\n"
        );
        let _ = writeln!(
            out,
            "impl Benchling {{\n    /// Returns the task-creating endpoints of the {tag} area.\n    pub fn {area}(&self) -> {handler}<'_> {{\n        {handler} {{ client: self }}\n    }}\n}}\n"
        );
        let _ = writeln!(out, "impl {handler}<'_> {{");
        for (index, operation) in operations.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            let method = operation.row.rust_method;
            let _ = writeln!(
                out,
                "    /// Blocking form of [`super::{area}::{handler}::{method}`]: `{} {}`.\n    ///\n    /// # Errors\n    ///\n    /// The errors of the async method.",
                operation.method, operation.path
            );
            let _ = writeln!(
                out,
                "    pub fn {method}(&self, {}) -> Result<TaskHelper<{}>> {{",
                parameters(operation).join(", "),
                response_type(operation)
            );
            let _ = writeln!(
                out,
                "        let helper = self\n            .client\n            .block_on(self.client.inner().{area}().{method}({}))??;\n        Ok(self.client.wrap(helper))\n    }}",
                arguments(operation).join(", ")
            );
        }
        out.push_str("}\n\n");
    }
    out
}

fn emit_mod(areas: &BTreeMap<&str, Vec<&Operation>>) -> String {
    let mut out = String::new();
    out.push_str("#![doc = include_str!(\"ENDPOINTS.md\")]\n");
    let _ = writeln!(out, "//!\n//! {GENERATED_NOTICE}\n");
    for area in areas.keys() {
        let _ = writeln!(out, "pub mod {area};");
    }
    out.push_str("#[cfg(feature = \"blocking\")]\npub mod blocking;\npub mod catalog;\n\n");
    for (area, operations) in areas {
        let _ = writeln!(out, "pub use {area}::{};", operations[0].handler);
    }
    out.push_str("pub use catalog::{TaskEndpoint, TaskResponseKind, TASK_ENDPOINTS};\n\n");
    out.push_str("/// Response of a task whose shape the API reference does not document: the JSON value as sent.\npub type UntypedTaskResponse = serde_json::Value;\n");
    out
}

fn string_slice(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("{item:?}")).collect();
    format!("&[{}]", quoted.join(", "))
}

fn option_str(value: Option<&str>) -> String {
    match value {
        Some(text) => format!("Some({text:?})"),
        None => "None".to_owned(),
    }
}

fn emit_catalog(operations: &[Operation], source_line: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! Machine-readable list of Benchling's task-creating endpoints: one [`TaskEndpoint`]
//! per operation whose `202` response is an `AsyncTaskLink`, with its path template, the
//! Rust method that calls it, its request's required fields and bulk limits, and the
//! shape of its task's response.
//!
//! {source_line}
//!
//! {GENERATED_NOTICE}

/// Shape of the `response` of a succeeded task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskResponseKind {{
    /// The `response` property of the named `*AsyncTask` schema.
    Typed(&'static str),
    /// No data: the task's `response` is `{{}}`.
    Empty,
    /// Not documented by the API reference: any JSON value.
    Untyped,
}}

/// One task-creating endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskEndpoint {{
    /// `operationId` in the OpenAPI document.
    pub operation_id: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template below `/api/v2`, with parameters in braces:
    /// `/registries/{{registry_id}}:bulk-register-entities`.
    pub path: &'static str,
    /// Handler accessor on `Benchling`, such as `dna_sequences`.
    pub area: &'static str,
    /// Method on the area's handler, such as `bulk_create`.
    pub rust_method: &'static str,
    /// Schema of the JSON request body, if the endpoint takes one.
    pub request_schema: Option<&'static str>,
    /// Shape of the task's response.
    pub response: TaskResponseKind,
    /// Rust type that the task's response decodes into, as a path from the crate root.
    pub response_type: &'static str,
    /// Top-level JSON fields that the request requires.
    pub required: &'static [&'static str],
    /// Array property of the request that carries the items of a bulk request.
    pub item_field: Option<&'static str>,
    /// Maximum number of items in `item_field` (`maxItems`), where the document sets one.
    pub item_limit: Option<u32>,
    /// JSON fields that each item of `item_field` requires.
    pub item_required: &'static [&'static str],
    /// Whether the API reference attaches an example of the task's response.
    pub has_example: bool,
}}

impl TaskEndpoint {{
    /// Returns the values of the path parameters when `method` and `path` (below
    /// `/api/v2`, without a query) are a request to this endpoint, in template order.
    pub fn match_request<'p>(&self, method: &str, path: &'p str) -> Option<Vec<&'p str>> {{
        if !self.method.eq_ignore_ascii_case(method) {{
            return None;
        }}
        let mut values = Vec::new();
        let mut rest = path;
        let mut template = self.path;
        while !template.is_empty() {{
            if let Some(after_brace) = template.strip_prefix('{{') {{
                let end = after_brace.find('}}')?;
                template = &after_brace[end + 1..];
                let literal_end = template.find('{{').unwrap_or(template.len());
                let next_literal = &template[..literal_end];
                let value_end = if next_literal.is_empty() {{
                    rest.len()
                }} else {{
                    rest.find(next_literal)?
                }};
                let value = &rest[..value_end];
                if value.is_empty() || value.contains('/') {{
                    return None;
                }}
                values.push(value);
                rest = &rest[value_end..];
            }} else {{
                let literal_end = template.find('{{').unwrap_or(template.len());
                rest = rest.strip_prefix(&template[..literal_end])?;
                template = &template[literal_end..];
            }}
        }}
        rest.is_empty().then_some(values)
    }}
}}

/// Returns the endpoint with this `operationId`.
pub fn find(operation_id: &str) -> Option<&'static TaskEndpoint> {{
    TASK_ENDPOINTS
        .iter()
        .find(|endpoint| endpoint.operation_id == operation_id)
}}

/// Returns the endpoint that a request with `method` and `path` (below `/api/v2`) calls,
/// with the values of its path parameters.
pub fn match_request<'p>(method: &str, path: &'p str) -> Option<(&'static TaskEndpoint, Vec<&'p str>)> {{
    TASK_ENDPOINTS
        .iter()
        .find_map(|endpoint| endpoint.match_request(method, path).map(|values| (endpoint, values)))
}}

/// Every task-creating endpoint of the v2 stable API ({} rows), sorted by area and method.
pub static TASK_ENDPOINTS: &[TaskEndpoint] = &[",
        operations.len()
    );
    for operation in operations {
        let response = match &operation.response {
            ResponseType::Typed { task_schema, .. } => {
                format!("TaskResponseKind::Typed({task_schema:?})")
            }
            ResponseType::Empty => "TaskResponseKind::Empty".to_owned(),
            ResponseType::Untyped => "TaskResponseKind::Untyped".to_owned(),
        };
        let item_limit = match operation.item_limit {
            Some(limit) => format!("Some({limit})"),
            None => "None".to_owned(),
        };
        let _ = writeln!(
            out,
            "    TaskEndpoint {{ operation_id: {:?}, method: {:?}, path: {:?}, area: {:?}, rust_method: {:?}, request_schema: {}, response: {response}, response_type: {:?}, required: {}, item_field: {}, item_limit: {item_limit}, item_required: {}, has_example: {} }},",
            operation.row.operation_id,
            operation.method,
            operation.path,
            operation.area,
            operation.row.rust_method,
            option_str(operation.request_schema.as_deref()),
            response_path(operation),
            string_slice(&operation.required),
            option_str(operation.row.item_field),
            string_slice(&operation.item_required),
            operation.example.is_some(),
        );
    }
    out.push_str("];\n");
    out
}

fn emit_table(operations: &[Operation], source_line: &str) -> String {
    let typed = operations
        .iter()
        .filter(|op| matches!(op.response, ResponseType::Typed { .. }))
        .count();
    let empty = operations
        .iter()
        .filter(|op| matches!(op.response, ResponseType::Empty))
        .count();
    let untyped = operations.len() - typed - empty;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "Task-creating endpoints of Benchling's v2 API, one handler per API area.

Each method below sends one request and returns a `TaskHelper<T>` for the task it
starts; `T` is the type that the task's `response` decodes into. Of the {} endpoints,
{typed} have a typed response, {empty} return no data (`EmptyTaskResponse`), and {untyped}
return `UntypedTaskResponse` (a `serde_json::Value`) because the API reference does not
document their response. `services::catalog::TASK_ENDPOINTS` lists the same endpoints
as data.

{source_line}

| Area | Operation | HTTP request | Rust method | Task response |
|---|---|---|---|---|",
        operations.len()
    );
    for operation in operations {
        let mut call_arguments = operation.path_params.clone();
        if operation.request_type.is_some() {
            call_arguments.push("&request".to_owned());
        }
        let call = format!(
            "{}().{}({})",
            operation.area,
            operation.row.rust_method,
            call_arguments.join(", ")
        );
        let response = match &operation.response {
            ResponseType::Typed { rust_type, .. } => format!("`{rust_type}`"),
            ResponseType::Empty => "`EmptyTaskResponse`".to_owned(),
            ResponseType::Untyped => "`UntypedTaskResponse`".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | [`{}`]({}) | `{} {}` | `{call}` | {response} |",
            operation.tag,
            operation.row.operation_id,
            operation.reference_url,
            operation.method,
            operation.path,
        );
    }
    out
}
