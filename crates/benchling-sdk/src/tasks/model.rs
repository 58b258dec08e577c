//! Wire types of the task API: `AsyncTaskLink` and `AsyncTask`.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The response of a task-creating endpoint: HTTP 202 with `{"taskId": "..."}`.
///
/// Fields the API adds beyond `taskId` are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsyncTaskLink {
    /// Id of the task, for `GET /api/v2/tasks/{taskId}`.
    #[serde(rename = "taskId")]
    pub task_id: String,
    /// Unknown fields of the link, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AsyncTaskLink {
    /// Creates a link for a task id.
    pub fn new(task_id: impl Into<String>) -> Self {
        AsyncTaskLink {
            task_id: task_id.into(),
            extra: Map::new(),
        }
    }
}

/// Status of a task.
///
/// Statuses that the API does not document yet are kept as text in
/// [`AsyncTaskStatus::Other`] and count as "not ended": a wait goes on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AsyncTaskStatus {
    /// `RUNNING`: the task has not ended.
    Running,
    /// `SUCCEEDED`: the task ended and `response` contains its result.
    Succeeded,
    /// `FAILED`: the task ended with `message` and possibly `errors`.
    Failed,
    /// A status the API does not document, kept as sent.
    Other(String),
}

impl AsyncTaskStatus {
    /// Returns the status as the API spells it.
    pub fn as_str(&self) -> &str {
        match self {
            AsyncTaskStatus::Running => "RUNNING",
            AsyncTaskStatus::Succeeded => "SUCCEEDED",
            AsyncTaskStatus::Failed => "FAILED",
            AsyncTaskStatus::Other(text) => text,
        }
    }

    /// Returns true for `SUCCEEDED` and `FAILED`, the two statuses that end a task.
    pub fn is_ended(&self) -> bool {
        matches!(self, AsyncTaskStatus::Succeeded | AsyncTaskStatus::Failed)
    }
}

impl From<&str> for AsyncTaskStatus {
    fn from(text: &str) -> Self {
        match text {
            "RUNNING" => AsyncTaskStatus::Running,
            "SUCCEEDED" => AsyncTaskStatus::Succeeded,
            "FAILED" => AsyncTaskStatus::Failed,
            other => AsyncTaskStatus::Other(other.to_string()),
        }
    }
}

impl fmt::Display for AsyncTaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AsyncTaskStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AsyncTaskStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(AsyncTaskStatus::from(text.as_ref()))
    }
}

/// The `errors` of a failed task: one object or a list, with free-form fields.
///
/// Bulk tasks usually send a list such as `[{"index": 0, "message": "..."}]`.
///
/// ```
/// use benchling_sdk::AsyncTaskErrors;
///
/// let errors: AsyncTaskErrors = serde_json::from_str(r#"[{"index": 2, "message": "Name is empty"}]"#)?;
/// for error in errors.to_list() {
///     println!("item {}: {}", error["index"], error["message"]);
/// }
/// assert_eq!(errors.len(), 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AsyncTaskErrors {
    /// A list of errors, usually one object per failed item.
    List(Vec<Value>),
    /// A single error object.
    Object(Map<String, Value>),
    /// Any other JSON value, kept as sent.
    Other(Value),
}

impl Default for AsyncTaskErrors {
    /// Returns an empty list, the value used when a failed task sent no `errors`.
    fn default() -> Self {
        AsyncTaskErrors::List(Vec::new())
    }
}

impl AsyncTaskErrors {
    /// Returns the number of errors: the list's length, 1 for an object.
    pub fn len(&self) -> usize {
        match self {
            AsyncTaskErrors::List(items) => items.len(),
            AsyncTaskErrors::Object(map) if map.is_empty() => 0,
            AsyncTaskErrors::Object(_) => 1,
            AsyncTaskErrors::Other(Value::Null) => 0,
            AsyncTaskErrors::Other(_) => 1,
        }
    }

    /// Returns true when there is no error.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the errors as a list of JSON values, an object becoming a one-item list.
    pub fn to_list(&self) -> Vec<Value> {
        match self {
            AsyncTaskErrors::List(items) => items.clone(),
            AsyncTaskErrors::Object(map) if map.is_empty() => Vec::new(),
            AsyncTaskErrors::Object(map) => vec![Value::Object(map.clone())],
            AsyncTaskErrors::Other(Value::Null) => Vec::new(),
            AsyncTaskErrors::Other(value) => vec![value.clone()],
        }
    }
}

/// A snapshot of a task, as returned by `GET /api/v2/tasks/{taskId}`.
///
/// `response` is kept as raw JSON so that a typed decode reads it once, without an
/// intermediate `serde_json::Value`. Use [`AsyncTask::response_value`] for a `Value`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AsyncTask {
    /// Status of the task.
    pub status: AsyncTaskStatus,
    /// The result, present only when the task `SUCCEEDED`.
    pub response: Option<Box<RawValue>>,
    /// A human-readable reason, present only when the task `FAILED`.
    pub message: Option<String>,
    /// Per-item errors, present only when a bulk task `FAILED`.
    pub errors: Option<AsyncTaskErrors>,
    /// Unknown fields of the snapshot, kept as sent.
    pub extra: Map<String, Value>,
}

impl AsyncTask {
    /// Creates a snapshot with a status and nothing else.
    pub fn new(status: AsyncTaskStatus) -> Self {
        AsyncTask {
            status,
            response: None,
            message: None,
            errors: None,
            extra: Map::new(),
        }
    }

    /// Returns the response decoded as a `serde_json::Value`, when there is one.
    pub fn response_value(&self) -> Option<Value> {
        self.response
            .as_ref()
            .map(|raw| serde_json::from_str(raw.get()).unwrap_or(Value::Null))
    }
}

impl PartialEq for AsyncTask {
    fn eq(&self, other: &Self) -> bool {
        self.status == other.status
            && self.response.as_ref().map(|raw| raw.get())
                == other.response.as_ref().map(|raw| raw.get())
            && self.message == other.message
            && self.errors == other.errors
            && self.extra == other.extra
    }
}

impl Serialize for AsyncTask {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &self.status)?;
        if let Some(response) = &self.response {
            map.serialize_entry("response", response)?;
        }
        if let Some(message) = &self.message {
            map.serialize_entry("message", message)?;
        }
        if let Some(errors) = &self.errors {
            map.serialize_entry("errors", errors)?;
        }
        for (key, value) in &self.extra {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

// A hand-written visitor because `#[serde(flatten)]` cannot be combined with a
// `RawValue` field: flatten buffers the whole object first.
impl<'de> Deserialize<'de> for AsyncTask {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TaskVisitor;

        impl<'de> Visitor<'de> for TaskVisitor {
            type Value = AsyncTask;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an AsyncTask object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AsyncTask, A::Error> {
                let mut status = None;
                let mut task = AsyncTask::new(AsyncTaskStatus::Running);

                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "status" => status = Some(map.next_value::<AsyncTaskStatus>()?),
                        "response" => task.response = map.next_value::<Option<Box<RawValue>>>()?,
                        "message" => task.message = map.next_value()?,
                        "errors" => {
                            task.errors = match map.next_value::<Option<AsyncTaskErrors>>()? {
                                Some(AsyncTaskErrors::Other(Value::Null)) | None => None,
                                errors => errors,
                            }
                        }
                        _ => {
                            let value = map.next_value::<Value>()?;
                            task.extra.insert(key.into_owned(), value);
                        }
                    }
                }

                task.status = status.ok_or_else(|| de::Error::missing_field("status"))?;

                // `"response": null` decodes as `Some(RawValue("null"))`; treat it as absent.
                if task
                    .response
                    .as_ref()
                    .is_some_and(|raw| raw.get() == "null")
                {
                    task.response = None;
                }
                Ok(task)
            }
        }

        deserializer.deserialize_map(TaskVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_keeps_unknown_text() {
        let task: AsyncTask = serde_json::from_str(r#"{"status": "QUEUED"}"#).unwrap();
        assert_eq!(task.status, AsyncTaskStatus::Other("QUEUED".into()));
        assert!(!task.status.is_ended());
        assert_eq!(task.status.to_string(), "QUEUED");
    }

    #[test]
    fn task_missing_status_is_an_error() {
        let error = serde_json::from_str::<AsyncTask>(r#"{"response": {}}"#).unwrap_err();
        assert!(
            error.to_string().contains("missing field `status`"),
            "{error}"
        );
    }

    #[test]
    fn task_round_trips_with_extra_fields() {
        let text = json!({
            "status": "FAILED",
            "message": "bad bases",
            "errors": [{"index": 0, "message": "invalid base Z"}],
            "createdAt": "2026-01-01T00:00:00Z"
        });
        let task: AsyncTask = serde_json::from_value(text.clone()).unwrap();
        assert_eq!(task.status, AsyncTaskStatus::Failed);
        assert_eq!(task.errors.as_ref().map(AsyncTaskErrors::len), Some(1));
        assert_eq!(
            task.extra.get("createdAt"),
            Some(&json!("2026-01-01T00:00:00Z"))
        );
        assert_eq!(serde_json::to_value(&task).unwrap(), text);
    }

    #[test]
    fn response_kept_as_raw_json() {
        let task: AsyncTask =
            serde_json::from_str(r#"{"status":"SUCCEEDED","response":{"a": [1, 2]}}"#).unwrap();
        assert_eq!(task.response.as_ref().unwrap().get(), r#"{"a": [1, 2]}"#);
        assert_eq!(task.response_value(), Some(json!({"a": [1, 2]})));
    }

    #[test]
    fn null_response_is_absent() {
        let task: AsyncTask =
            serde_json::from_str(r#"{"status":"SUCCEEDED","response":null}"#).unwrap();
        assert!(task.response.is_none());
    }

    #[test]
    fn errors_as_object_or_list() {
        let one: AsyncTaskErrors = serde_json::from_value(json!({"message": "x"})).unwrap();
        assert!(matches!(one, AsyncTaskErrors::Object(_)));
        assert_eq!(one.len(), 1);
        assert_eq!(one.to_list(), vec![json!({"message": "x"})]);

        let many: AsyncTaskErrors =
            serde_json::from_value(json!([{"index": 0}, {"index": 1}])).unwrap();
        assert_eq!(many.len(), 2);

        let text: AsyncTaskErrors = serde_json::from_value(json!("boom")).unwrap();
        assert_eq!(text, AsyncTaskErrors::Other(json!("boom")));

        assert!(AsyncTaskErrors::default().is_empty());
    }

    #[test]
    fn link_keeps_extra_fields() {
        let link: AsyncTaskLink =
            serde_json::from_value(json!({"taskId": "t1", "future": true})).unwrap();
        assert_eq!(link.task_id, "t1");
        assert_eq!(link.extra.get("future"), Some(&json!(true)));
        assert_eq!(
            serde_json::to_value(&link).unwrap(),
            json!({"taskId": "t1", "future": true})
        );
    }
}
