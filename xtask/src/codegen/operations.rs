//! The task-creating operations of the document, checked against the reviewed table.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::names::{pascal, snake};
use super::schema::{Kind, Resolver, Ty, SCHEMAS_POINTER};
use super::table::{self, Response, Row};

/// Response type of an operation's task.
#[derive(Debug, Clone)]
pub enum ResponseType {
    /// The `response` property of the `*AsyncTask` schema `task_schema`.
    Typed {
        task_schema: String,
        rust_type: String,
    },
    Empty,
    Untyped,
}

/// One task-creating operation with everything the emitters print.
#[derive(Debug, Clone)]
pub struct Operation {
    pub row: Row,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template relative to `/api/v2`.
    pub path: String,
    pub tag: String,
    /// Snake-case area name: the handler's module and accessor method.
    pub area: String,
    pub handler: String,
    pub path_params: Vec<String>,
    pub request_schema: Option<String>,
    pub request_type: Option<String>,
    pub response: ResponseType,
    pub reference_url: String,
    /// Top-level required JSON fields of the request.
    pub required: Vec<String>,
    pub item_limit: Option<u64>,
    pub item_required: Vec<String>,
    /// Example task (the `AsyncTask` JSON) attached to `GET /tasks/{task_id}`.
    pub example: Option<Value>,
}

/// An operation as found in the document, before its types are resolved.
pub struct Found {
    row: Row,
    method: String,
    path: String,
    tag: String,
    path_params: Vec<String>,
    request_schema: Option<String>,
    example: Option<Value>,
}

fn is_task_creating(operation: &Value) -> bool {
    operation
        .pointer("/responses/202/content/application~1json/schema/$ref")
        .and_then(Value::as_str)
        == Some("#/components/schemas/AsyncTaskLink")
}

/// Finds every task-creating operation and pairs it with its row of the reviewed table.
pub fn collect(document: &Value) -> Result<Vec<Found>, String> {
    let paths = document
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("the document has no `paths`")?;
    let rows: BTreeMap<&str, &Row> = table::ROWS
        .iter()
        .map(|row| (row.operation_id, row))
        .collect();
    let examples = task_examples(document)?;

    let mut found = Vec::new();
    let mut unmapped = Vec::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, operation) in item {
            if !operation.is_object() || !is_task_creating(operation) {
                continue;
            }
            let operation_id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{method} {path} has no operationId"))?;
            let Some(row) = rows.get(operation_id) else {
                unmapped.push(format!("{} {path} ({operation_id})", method.to_uppercase()));
                continue;
            };
            found.push(inspect(row, method, path, operation, &examples)?);
        }
    }

    if !unmapped.is_empty() {
        return Err(format!(
            "task-creating operations without a row in xtask/src/codegen/table.rs: {}",
            unmapped.join(", ")
        ));
    }
    let present: BTreeSet<&str> = found.iter().map(|op| op.row.operation_id).collect();
    let missing: Vec<&str> = rows
        .keys()
        .filter(|id| !present.contains(*id))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "rows of xtask/src/codegen/table.rs name operations that are not task-creating in the document: {}",
            missing.join(", ")
        ));
    }

    let used: BTreeSet<&str> = table::ROWS.iter().filter_map(|row| row.example).collect();
    for (key, value) in &examples {
        let succeeded = value.get("status").and_then(Value::as_str) == Some("SUCCEEDED");
        if succeeded && !used.contains(key.as_str()) {
            return Err(format!(
                "the example `{key}` of GET /tasks/{{task_id}} belongs to no row of xtask/src/codegen/table.rs"
            ));
        }
    }

    found.sort_by(|left, right| {
        (snake(&left.tag), left.row.rust_method).cmp(&(snake(&right.tag), right.row.rust_method))
    });
    Ok(found)
}

/// Returns the examples of `GET /tasks/{task_id}`: key -> example value.
fn task_examples(document: &Value) -> Result<BTreeMap<String, Value>, String> {
    let examples = document
        .pointer("/paths/~1tasks~1{task_id}/get/responses/200/content/application~1json/examples")
        .and_then(Value::as_object)
        .ok_or("GET /tasks/{task_id} has no examples")?;
    let mut values = BTreeMap::new();
    for (key, example) in examples {
        let value = match example.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference
                    .strip_prefix("#/components/examples/")
                    .ok_or_else(|| {
                        format!("example `{key}` has an unsupported reference {reference}")
                    })?;
                document
                    .pointer(&format!("/components/examples/{name}/value"))
                    .ok_or_else(|| format!("example `{key}`: {reference} has no value"))?
            }
            None => example
                .get("value")
                .ok_or_else(|| format!("example `{key}` has no value"))?,
        };
        values.insert(key.clone(), value.clone());
    }
    Ok(values)
}

fn inspect(
    row: &Row,
    method: &str,
    path: &str,
    operation: &Value,
    examples: &BTreeMap<String, Value>,
) -> Result<Found, String> {
    let id = row.operation_id;
    let tag = operation
        .pointer("/tags/0")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{id} has no tag"))?
        .to_owned();

    let path_params: Vec<String> = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split('}').next())
        .map(str::to_owned)
        .collect();
    let declared: BTreeSet<&str> = operation
        .get("parameters")
        .and_then(Value::as_array)
        .map(|parameters| {
            parameters
                .iter()
                .filter(|parameter| parameter.get("in").and_then(Value::as_str) == Some("path"))
                .filter_map(|parameter| parameter.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    for name in &path_params {
        if !declared.contains(name.as_str()) {
            return Err(format!("{id}: path parameter `{name}` is not declared"));
        }
    }

    let request_schema =
        match operation.pointer("/requestBody/content/application~1json/schema/$ref") {
            Some(reference) => Some(
                reference
                    .as_str()
                    .and_then(|reference| reference.strip_prefix(SCHEMAS_POINTER))
                    .ok_or_else(|| format!("{id}: unsupported request body reference {reference}"))?
                    .to_owned(),
            ),
            None if operation.get("requestBody").is_some() => {
                return Err(format!(
                    "{id}: the request body is not a JSON schema reference"
                ));
            }
            None => None,
        };

    let example = match row.example {
        Some(key) => Some(
            examples
                .get(key)
                .cloned()
                .ok_or_else(|| format!("{id}: GET /tasks/{{task_id}} has no example `{key}`"))?,
        ),
        None => None,
    };
    if row.response == Response::Empty {
        if let Some(example) = &example {
            let response = example.get("response");
            if response != Some(&Value::Object(Default::default())) {
                return Err(format!(
                    "{id} is marked Empty but its example's response is {response:?}"
                ));
            }
        }
    }

    Ok(Found {
        row: *row,
        method: method.to_uppercase(),
        path: path.to_owned(),
        tag,
        path_params,
        request_schema,
        example,
    })
}

/// Resolves the request and response types of one operation.
pub fn resolve_types(found: Found, resolver: &mut Resolver<'_>) -> Result<Operation, String> {
    let id = found.row.operation_id;

    let request_type = match &found.request_schema {
        Some(schema) => match resolver.component(schema)? {
            Ty::Named(name) => Some(name),
            other => {
                return Err(format!(
                    "{id}: request schema `{schema}` is not an object ({other:?})"
                ))
            }
        },
        None => None,
    };

    let response = match found.row.response {
        Response::Empty => ResponseType::Empty,
        Response::Untyped => ResponseType::Untyped,
        Response::Task(task_schema) => {
            if !task_schema.ends_with("AsyncTask") {
                return Err(format!(
                    "{id}: `{task_schema}` is not an `*AsyncTask` schema"
                ));
            }
            let schema = resolver.schema(task_schema)?;
            let pointer_tail = "/allOf/1/properties/response";
            let response = schema
                .pointer(pointer_tail)
                .ok_or_else(|| format!("{id}: `{task_schema}` has no property {pointer_tail}"))?;
            if response
                .as_object()
                .is_some_and(|members| members.is_empty())
            {
                return Err(format!(
                    "{id}: `{task_schema}` declares an empty response; mark the row Empty"
                ));
            }
            let pointer = format!("{SCHEMAS_POINTER}{task_schema}{pointer_tail}");
            let resolved = resolver.resolve(
                response,
                &pointer,
                &format!("{}Response", pascal(task_schema)),
            )?;
            let Ty::Named(rust_type) = resolved.ty else {
                return Err(format!(
                    "{id}: the response of `{task_schema}` is not an object"
                ));
            };
            ResponseType::Typed {
                task_schema: task_schema.to_owned(),
                rust_type,
            }
        }
    };

    let (required, item_limit, item_required) =
        request_facts(&found.row, request_type.as_deref(), resolver)?;

    let reference_url = format!(
        "https://benchling.com/api/reference#/{}/{}",
        found.tag.replace(' ', "%20"),
        id
    );
    Ok(Operation {
        row: found.row,
        area: snake(&found.tag),
        handler: format!("{}Handler", pascal(&found.tag)),
        method: found.method,
        path: found.path,
        tag: found.tag,
        path_params: found.path_params,
        request_schema: found.request_schema,
        request_type,
        response,
        reference_url,
        required,
        item_limit,
        item_required,
        example: found.example,
    })
}

type RequestFacts = (Vec<String>, Option<u64>, Vec<String>);

/// Returns the request's required fields, and the limit and required fields of the items
/// in its item field.
fn request_facts(
    row: &Row,
    request_type: Option<&str>,
    resolver: &Resolver<'_>,
) -> Result<RequestFacts, String> {
    let id = row.operation_id;
    let Some(request_type) = request_type else {
        if row.item_field.is_some() {
            return Err(format!(
                "{id} has no request body but its row names an item field"
            ));
        }
        return Ok((Vec::new(), None, Vec::new()));
    };
    let Some(Kind::Struct { fields, .. }) = resolver.types.get(request_type).map(|def| &def.kind)
    else {
        return Err(format!(
            "{id}: request type `{request_type}` is not a struct"
        ));
    };
    let required = fields
        .iter()
        .filter(|field| field.required)
        .map(|field| field.json_name.clone())
        .collect();

    let Some(item_field) = row.item_field else {
        return Ok((required, None, Vec::new()));
    };
    let field = fields
        .iter()
        .find(|field| field.json_name == item_field)
        .ok_or_else(|| format!("{id}: request `{request_type}` has no field `{item_field}`"))?;
    let Ty::List(item) = &field.ty else {
        return Err(format!("{id}: request field `{item_field}` is not a list"));
    };
    let item_required = match item.as_ref() {
        Ty::Named(name) => required_of(name, resolver),
        _ => Vec::new(),
    };
    Ok((required, field.max_items, item_required))
}

/// Required JSON fields of a struct, or the fields that every variant of a tagged union
/// requires.
fn required_of(name: &str, resolver: &Resolver<'_>) -> Vec<String> {
    match resolver.types.get(name).map(|def| &def.kind) {
        Some(Kind::Struct { fields, .. }) => fields
            .iter()
            .filter(|field| field.required)
            .map(|field| field.json_name.clone())
            .collect(),
        Some(Kind::Tagged { variants, .. }) => {
            let mut sets = variants.iter().map(|variant| {
                required_of(&variant.type_name, resolver)
                    .into_iter()
                    .collect::<BTreeSet<_>>()
            });
            let first = sets.next().unwrap_or_default();
            sets.fold(first, |shared, set| {
                shared.intersection(&set).cloned().collect()
            })
            .into_iter()
            .collect()
        }
        Some(Kind::Alias(Ty::Named(inner))) => required_of(inner, resolver),
        _ => Vec::new(),
    }
}
