//! Bulk-create requests of the four entity types through the SDK's typed endpoints.

use benchling_sdk::models;
use benchling_sdk::tasks::{TaskHelper, TaskResponse, WaitOptions};
use benchling_sdk::{AsyncTaskErrors, Benchling, Error, Result};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::entity::EntityKind;

/// The fields of one created entity that the CLI reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreatedEntity {
    pub id: Option<String>,
    pub name: Option<String>,
    pub length: Option<i64>,
    pub annotations: Option<usize>,
    pub is_circular: Option<bool>,
}

/// The end state of a bulk-create task.
#[derive(Debug, Clone)]
pub enum BulkOutcome {
    /// The task succeeded; the entities in the order of the response.
    Succeeded(Vec<CreatedEntity>),
    /// The task failed; Benchling created none of its items.
    Failed {
        message: Option<String>,
        errors: AsyncTaskErrors,
    },
}

/// A running bulk-create task of one entity type.
#[derive(Debug, Clone)]
pub enum BulkTask {
    Dna(TaskHelper<models::BulkCreateDnaSequencesAsyncTaskResponse>),
    Rna(TaskHelper<models::BulkCreateRnaSequencesAsyncTaskResponse>),
    Aa(TaskHelper<models::BulkCreateAaSequencesAsyncTaskResponse>),
    DnaOligo(TaskHelper<models::BulkCreateDnaOligosAsyncTaskResponse>),
}

/// Sends one bulk-create request with `items` (built by [`crate::request::build_item`]).
pub async fn start(client: &Benchling, entity: EntityKind, items: Vec<Value>) -> Result<BulkTask> {
    let body = json!({ entity.list_field(): items });
    let task = match entity {
        EntityKind::DnaSequences => {
            let request: models::DnaSequencesBulkCreateRequest = typed(body)?;
            BulkTask::Dna(client.dna_sequences().bulk_create(&request).await?)
        }
        EntityKind::RnaSequences => {
            let request: models::RnaSequencesBulkCreateRequest = typed(body)?;
            BulkTask::Rna(client.rna_sequences().bulk_create(&request).await?)
        }
        EntityKind::AaSequences => {
            let request: models::AaSequencesBulkCreateRequest = typed(body)?;
            BulkTask::Aa(client.aa_sequences().bulk_create(&request).await?)
        }
        EntityKind::DnaOligos => {
            let request: models::DnaOligosBulkCreateRequest = typed(body)?;
            BulkTask::DnaOligo(client.dna_oligos().bulk_create(&request).await?)
        }
    };
    Ok(task)
}

/// Converts a request built as JSON into the SDK's request model.
fn typed<T: DeserializeOwned>(body: Value) -> Result<T> {
    serde_json::from_value(body).map_err(|error| Error::InvalidInput {
        name: "bulk-create request",
        value: std::any::type_name::<T>().to_string(),
        reason: format!("the request built from the records does not match the API model: {error}"),
    })
}

impl BulkTask {
    /// Returns the task id.
    pub fn task_id(&self) -> &str {
        match self {
            BulkTask::Dna(task) => task.task_id(),
            BulkTask::Rna(task) => task.task_id(),
            BulkTask::Aa(task) => task.task_id(),
            BulkTask::DnaOligo(task) => task.task_id(),
        }
    }

    /// Waits for the task to end.
    pub async fn wait(&self, options: WaitOptions) -> Result<BulkOutcome> {
        match self {
            BulkTask::Dna(task) => {
                wait_with(task, options, |response| {
                    response
                        .dna_sequences
                        .unwrap_or_default()
                        .into_iter()
                        .map(|sequence| CreatedEntity {
                            id: sequence.id,
                            name: sequence.name,
                            length: sequence.length,
                            annotations: sequence.annotations.map(|list| list.len()),
                            is_circular: sequence.is_circular,
                        })
                        .collect()
                })
                .await
            }
            BulkTask::Rna(task) => {
                wait_with(task, options, |response| {
                    response
                        .rna_sequences
                        .unwrap_or_default()
                        .into_iter()
                        .map(|sequence| CreatedEntity {
                            id: sequence.id,
                            name: sequence.name,
                            length: sequence.length,
                            annotations: sequence.annotations.map(|list| list.len()),
                            is_circular: sequence.is_circular,
                        })
                        .collect()
                })
                .await
            }
            BulkTask::Aa(task) => {
                wait_with(task, options, |response| {
                    response
                        .aa_sequences
                        .unwrap_or_default()
                        .into_iter()
                        .map(|sequence| CreatedEntity {
                            id: sequence.id,
                            name: sequence.name,
                            length: sequence.length,
                            annotations: sequence.annotations.map(|list| list.len()),
                            is_circular: None,
                        })
                        .collect()
                })
                .await
            }
            BulkTask::DnaOligo(task) => {
                wait_with(task, options, |response| {
                    response
                        .dna_oligos
                        .unwrap_or_default()
                        .into_iter()
                        .map(|oligo| CreatedEntity {
                            id: oligo.id,
                            name: oligo.name,
                            length: oligo.length,
                            annotations: oligo.annotations.map(|list| list.len()),
                            is_circular: None,
                        })
                        .collect()
                })
                .await
            }
        }
    }
}

async fn wait_with<T: TaskResponse>(
    task: &TaskHelper<T>,
    options: WaitOptions,
    entities: impl FnOnce(T) -> Vec<CreatedEntity>,
) -> Result<BulkOutcome> {
    let completion = task.wait_for_completion_with(options).await?;
    match (completion.success, completion.response) {
        (true, Some(response)) => Ok(BulkOutcome::Succeeded(entities(response))),
        _ => Ok(BulkOutcome::Failed {
            message: completion.message,
            errors: completion.errors.unwrap_or_default(),
        }),
    }
}
