//! Task-creating endpoints: routing, request validation and what each task returns.

mod behaviour;
mod entities;
mod results;
mod table;

use rand::distr::{Alphanumeric, SampleString};
use rand::rngs::SmallRng;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::tasks::TaskOutcome;

pub(crate) use behaviour::Behaviour;

/// A task-creating operation the simulator serves, with the facts of Benchling's
/// OpenAPI document that its request validation uses.
#[derive(Debug)]
#[non_exhaustive]
pub struct Operation {
    /// The OpenAPI operation id, such as `bulkCreateDNASequences`.
    pub operation_id: &'static str,
    /// The HTTP method, `POST` or `PATCH`.
    pub method: &'static str,
    /// Path template under `/api/v2`, for example `/registries/{registry_id}:bulk-register-entities`.
    pub path: &'static str,
    /// Whether the operation takes a JSON body.
    pub has_body: bool,
    /// Top-level fields that must be present and not null.
    pub required: &'static [&'static str],
    /// The list field whose length is the request's item count.
    pub item_field: Option<&'static str>,
    /// The schema's `maxItems` for `item_field`.
    pub item_limit: Option<usize>,
    /// Fields every item of `item_field` must have.
    pub item_required: &'static [&'static str],
}

/// Returns every task-creating operation the simulator serves (61, the v2 stable API's).
pub fn operations() -> &'static [Operation] {
    table::ROUTES
}

/// One task-creating endpoint: its facts and what its task returns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route {
    pub(crate) spec: &'static Operation,
    pub(crate) behaviour: Behaviour,
}

/// Values a task may use while it builds its response.
pub(crate) struct TaskContext<'a> {
    pub(crate) rng: &'a mut SmallRng,
    pub(crate) base_url: &'a str,
    /// RFC 3339 time of the request.
    pub(crate) timestamp: String,
    pub(crate) path_params: Vec<(&'static str, String)>,
}

impl TaskContext<'_> {
    /// Returns a new id in Benchling's style: the prefix and 8 random letters and digits.
    pub(crate) fn new_id(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", Alphanumeric.sample_string(self.rng, 8))
    }

    pub(crate) fn timestamp(&self) -> String {
        self.timestamp.clone()
    }

    /// Returns the value of a path parameter, such as `registry_id`.
    pub(crate) fn path_param(&self, name: &str) -> Option<&str> {
        self.path_params
            .iter()
            .find(|(param, _)| *param == name)
            .map(|(_, value)| value.as_str())
    }

    /// Returns the user every simulated entity is created by.
    pub(crate) fn creator(&self) -> Value {
        json!({ "id": "ent_simuser1", "handle": "simulator", "name": "Benchling Simulator" })
    }
}

/// All task-creating endpoints the simulator serves.
#[derive(Debug)]
pub(crate) struct Routes {
    routes: Vec<Route>,
}

/// The outcome of looking up a path.
pub(crate) enum RouteMatch<'a> {
    Found {
        route: &'a Route,
        params: Vec<(&'static str, String)>,
    },
    /// The path exists but not for this method; the value is the allowed method.
    WrongMethod(&'static str),
    NotFound,
}

impl Routes {
    pub(crate) fn new() -> Self {
        let routes = table::ROUTES
            .iter()
            .map(|spec| Route {
                spec,
                behaviour: behaviour::behaviour_for(spec.operation_id).unwrap_or(Behaviour::Empty),
            })
            .collect();
        Self { routes }
    }

    pub(crate) fn len(&self) -> usize {
        self.routes.len()
    }

    /// Finds the endpoint of a path relative to `/api/v2`.
    pub(crate) fn find(&self, method: &str, path: &str) -> RouteMatch<'_> {
        let mut allowed = None;
        for route in &self.routes {
            if let Some(params) = match_template(route.spec.path, path) {
                if route.spec.method == method {
                    return RouteMatch::Found { route, params };
                }
                allowed = Some(route.spec.method);
            }
        }
        match allowed {
            Some(method) => RouteMatch::WrongMethod(method),
            None => RouteMatch::NotFound,
        }
    }
}

impl Route {
    pub(crate) fn operation_id(&self) -> &'static str {
        self.spec.operation_id
    }

    /// Checks a request body (`Value::Null` when the operation takes none) and returns
    /// its top-level object and item count.
    pub(crate) fn validate(&self, body: &Value) -> Result<(Map<String, Value>, usize), ApiError> {
        let spec = self.spec;
        let object = match body {
            Value::Object(object) => object.clone(),
            Value::Null if !spec.has_body => Map::new(),
            _ => {
                return Err(ApiError::bad_request(
                    "The request body must be a JSON object.",
                ))
            }
        };

        for field in spec.required {
            if object.get(*field).is_none_or(Value::is_null) {
                return Err(ApiError::bad_request(format!(
                    "Missing required field {field}."
                )));
            }
        }

        if self.behaviour == Behaviour::UpsertEntities {
            let count = behaviour::UPSERT_ENTITY_LISTS
                .iter()
                .filter_map(|(field, _)| object.get(*field).and_then(Value::as_array))
                .map(Vec::len)
                .sum();
            return Ok((object, count));
        }

        let Some(item_field) = spec.item_field else {
            return Ok((object, 0));
        };
        let items = match object.get(item_field) {
            Some(Value::Array(items)) => items,
            Some(_) => {
                return Err(ApiError::bad_request(format!(
                    "Field {item_field} must be a list."
                )))
            }
            None if self.behaviour.is_bulk() => {
                return Err(ApiError::bad_request(format!(
                    "Missing required field {item_field}."
                )))
            }
            None => return Ok((object, 0)),
        };
        if let Some(limit) = spec.item_limit {
            if items.len() > limit {
                return Err(ApiError::bad_request(format!(
                    "Too many items in {item_field}: {} were sent and at most {limit} are allowed.",
                    items.len()
                )));
            }
        }
        if !spec.item_required.is_empty() {
            for (index, item) in items.iter().enumerate() {
                let Some(item) = item.as_object() else {
                    return Err(ApiError::bad_request(format!(
                        "{item_field}[{index}] must be a JSON object."
                    )));
                };
                for field in spec.item_required {
                    if item.get(*field).is_none_or(Value::is_null) {
                        return Err(ApiError::bad_request(format!(
                            "Missing required field {field} in {item_field}[{index}]."
                        )));
                    }
                }
            }
        }
        let count = items.len();
        Ok((object, count))
    }

    /// Decides how the task of a validated request ends.
    pub(crate) fn run(
        &self,
        body: &Map<String, Value>,
        context: &mut TaskContext<'_>,
    ) -> TaskOutcome {
        let items = self
            .spec
            .item_field
            .and_then(|field| body.get(field))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        self.behaviour.run(self.spec, body, items, context)
    }
}

/// Matches a path against a template whose `{name}` parameters may share a segment
/// with literal text (`/registries/{registry_id}:bulk-register-entities`). A parameter
/// matches one or more characters other than `/`. Returns the parameters on a match.
pub(crate) fn match_template(
    template: &'static str,
    path: &str,
) -> Option<Vec<(&'static str, String)>> {
    let mut params = Vec::new();
    let mut template_rest = template;
    let mut path_rest = path;

    while !template_rest.is_empty() {
        match template_rest.find('{') {
            Some(0) => {
                let close = template_rest.find('}')?;
                let name = &template_rest[1..close];
                template_rest = &template_rest[close + 1..];

                // The value runs up to the literal text that follows it in the same
                // segment, or to the end of the segment.
                let literal_end = template_rest
                    .find(['{', '/'])
                    .unwrap_or(template_rest.len());
                let literal = &template_rest[..literal_end];
                let segment_end = path_rest.find('/').unwrap_or(path_rest.len());
                let value_end = if literal.is_empty() {
                    segment_end
                } else {
                    path_rest[..segment_end].rfind(literal)?
                };
                if value_end == 0 {
                    return None;
                }
                params.push((name, path_rest[..value_end].to_owned()));
                path_rest = &path_rest[value_end..];
            }
            Some(start) => {
                path_rest = path_rest.strip_prefix(&template_rest[..start])?;
                template_rest = &template_rest[start..];
            }
            None => {
                path_rest = path_rest.strip_prefix(template_rest)?;
                template_rest = "";
            }
        }
    }

    path_rest.is_empty().then_some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_matches_literal_path() {
        assert_eq!(
            match_template("/dna-sequences:bulk-create", "/dna-sequences:bulk-create"),
            Some(vec![])
        );
        assert_eq!(
            match_template("/dna-sequences:bulk-create", "/dna-sequences:bulk-update"),
            None
        );
        assert_eq!(match_template("/exports", "/exports/x"), None);
    }

    #[test]
    fn template_extracts_parameter_before_suffix() {
        let params = match_template(
            "/registries/{registry_id}:bulk-register-entities",
            "/registries/src_1:bulk-register-entities",
        );
        assert_eq!(params, Some(vec![("registry_id", "src_1".to_owned())]));
    }

    #[test]
    fn template_extracts_whole_segment_parameter() {
        let params = match_template("/audit/log/{object_id}", "/audit/log/seq_abc");
        assert_eq!(params, Some(vec![("object_id", "seq_abc".to_owned())]));
        assert_eq!(
            match_template("/audit/log/{object_id}", "/audit/log/"),
            None
        );
        assert_eq!(
            match_template("/audit/log/{object_id}", "/audit/log/a/b"),
            None
        );
    }

    #[test]
    fn template_rejects_empty_parameter() {
        assert_eq!(
            match_template(
                "/registries/{registry_id}:bulk-register-entities",
                "/registries/:bulk-register-entities"
            ),
            None
        );
    }
}
