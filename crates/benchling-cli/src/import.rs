//! The import: check records, send them in batches, wait for the tasks, and
//! record what happened to every record.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use benchling_sdk::tasks::{AdaptivePoll, WaitOptions};
use benchling_sdk::{AsyncTaskErrors, Benchling, Error};
use futures::StreamExt;
use indicatif::ProgressBar;
use serde_json::Value;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::bulk::{self, BulkOutcome, BulkTask, CreatedEntity};
use crate::entity::EntityKind;
use crate::exit::Status;
use crate::input::{Entry, Format};
use crate::progress;
use crate::request::{build_item, Destination};
use crate::validate::{check, NameRegistry};

/// Settings of an import.
#[derive(Debug, Clone)]
pub struct ImportSettings {
    pub entity: EntityKind,
    pub destination: Destination,
    pub batch_size: usize,
    pub concurrency: usize,
    pub wait: bool,
    pub timeout: Duration,
    /// Marks FASTA records circular.
    pub circular_fasta: bool,
}

/// The fate of one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Valid and waiting to be sent; no record keeps this state after [`execute`].
    Queued,
    /// Created in Benchling.
    Created {
        entity: CreatedEntity,
        task_id: String,
    },
    /// Rejected by the checks before sending.
    Rejected { reason: String },
    /// Not created: the request or the task failed.
    Failed {
        reason: String,
        task_id: Option<String>,
        /// The record's index in its bulk-create request, when Benchling named it.
        index: Option<usize>,
    },
    /// Unknown: the task may have created it (no wait, a timeout, or a lost response).
    Unconfirmed {
        reason: String,
        task_id: Option<String>,
    },
}

/// One record and its fate.
#[derive(Debug, Clone)]
pub struct RecordResult {
    pub entry: Entry,
    pub warnings: Vec<String>,
    pub outcome: Outcome,
}

/// One bulk-create request and its task.
#[derive(Debug, Clone)]
pub struct TaskSummary {
    /// 1-based number of the batch in the import.
    pub batch: usize,
    pub records: usize,
    pub task_id: Option<String>,
    /// `SUCCEEDED`, `FAILED`, `RUNNING` (not waited or timed out), or `NOT SENT`.
    pub state: String,
    /// The error that ended the request or the wait, if any.
    pub error: Option<String>,
}

/// The whole import: every record read, every task, and the exit status.
#[derive(Debug)]
pub struct ImportReport {
    pub entity: EntityKind,
    pub records: Vec<RecordResult>,
    pub tasks: Vec<TaskSummary>,
    pub status: Status,
}

/// Records checked and split into batches, ready to send.
#[derive(Debug)]
pub struct Prepared {
    records: Vec<RecordResult>,
    /// Each batch: indexes into `records` and the items to send.
    batches: Vec<(Vec<usize>, Vec<Value>)>,
}

impl Prepared {
    /// Returns the number of records that passed the checks.
    pub fn valid_count(&self) -> usize {
        self.batches.iter().map(|(members, _)| members.len()).sum()
    }
}

/// Checks every entry and splits the valid ones into batches of `settings.batch_size`.
pub fn prepare(entries: Vec<Entry>, settings: &ImportSettings) -> Prepared {
    let mut names = NameRegistry::default();
    let mut records = Vec::with_capacity(entries.len());
    let mut items = Vec::new();

    for mut entry in entries {
        if settings.circular_fasta && entry.source.format == Format::Fasta {
            if let Ok(record) = entry.parsed.as_mut() {
                record.circular = true;
            }
        }

        let mut warnings = entry
            .parsed
            .as_ref()
            .map(|record| record.warnings.clone())
            .unwrap_or_default();
        let outcome = match check(&entry, settings.entity, &mut names) {
            Ok(()) => {
                let record = entry.parsed.as_ref().expect("checked records parsed");
                let (item, item_warnings) =
                    build_item(settings.entity, &entry.name, record, &settings.destination);
                warnings.extend(item_warnings);
                items.push((records.len(), item));
                Outcome::Queued
            }
            Err(reason) => Outcome::Rejected { reason },
        };
        records.push(RecordResult {
            entry,
            warnings,
            outcome,
        });
    }

    let mut batches = Vec::new();
    let mut iterator = items.into_iter().peekable();
    while iterator.peek().is_some() {
        let (members, items): (Vec<usize>, Vec<Value>) =
            iterator.by_ref().take(settings.batch_size).unzip();
        batches.push((members, items));
    }
    Prepared { records, batches }
}

/// The end of one batch, before it is mapped back to its records.
enum BatchEnd {
    /// The request was not sent or not accepted.
    NotSent {
        error: Option<Error>,
        reason: String,
    },
    /// The task was created and not awaited (`--no-wait`).
    NotWaited { task_id: String },
    /// The task ended.
    Ended {
        task_id: String,
        outcome: BulkOutcome,
    },
    /// The task was created but its end is unknown.
    Unknown {
        task_id: Option<String>,
        error: Option<Error>,
        reason: String,
    },
}

/// Counters behind the progress bar.
#[derive(Debug, Default)]
struct Counters {
    sent: AtomicUsize,
    running: AtomicUsize,
    failed: AtomicUsize,
}

impl Counters {
    fn show(&self, bar: &ProgressBar, valid: usize) {
        bar.set_message(format!(
            "sent {}/{valid}, {} task(s) running, {} not created",
            self.sent.load(Ordering::Relaxed),
            self.running.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
        ));
    }
}

/// Sends the batches, waits for their tasks and returns the report.
///
/// When `interrupt` turns true, batches not yet sent are not sent, and waits
/// stop; their records are reported as not created or unconfirmed.
pub async fn execute(
    client: &Benchling,
    prepared: Prepared,
    settings: &ImportSettings,
    interrupt: watch::Receiver<bool>,
) -> ImportReport {
    let Prepared {
        mut records,
        batches,
    } = prepared;
    let (member_lists, item_lists): (Vec<Vec<usize>>, Vec<Vec<Value>>) =
        batches.into_iter().unzip();
    let valid: usize = member_lists.iter().map(Vec::len).sum();
    let bar = progress::import_bar(valid);
    let counters = Counters::default();
    counters.show(&bar, valid);

    let ends: Vec<(usize, BatchEnd)> = futures::stream::iter(item_lists.into_iter().enumerate())
        .map(|(index, items)| {
            let interrupt = interrupt.clone();
            let counters = &counters;
            let bar = &bar;
            async move {
                let end = run_batch(
                    client,
                    settings,
                    index + 1,
                    items,
                    counters,
                    bar,
                    valid,
                    interrupt,
                )
                .await;
                (index, end)
            }
        })
        .buffer_unordered(settings.concurrency.max(1))
        .collect()
        .await;
    bar.finish_and_clear();

    let mut status = Status::Success;
    let mut tasks = Vec::new();
    let mut ordered = ends;
    ordered.sort_by_key(|(index, _)| *index);
    for (index, end) in ordered {
        let summary = apply(
            &mut records,
            &member_lists[index],
            index + 1,
            end,
            &mut status,
        );
        tasks.push(summary);
    }

    let not_created = records.iter().any(|record| {
        matches!(
            record.outcome,
            Outcome::Rejected { .. } | Outcome::Failed { .. }
        )
    });
    if not_created {
        status = status.worst(Status::Failed);
    }
    if *interrupt.borrow() {
        status = status.worst(Status::Interrupted);
    }

    ImportReport {
        entity: settings.entity,
        records,
        tasks,
        status,
    }
}

/// Sends one batch and waits for its task.
#[allow(clippy::too_many_arguments)]
async fn run_batch(
    client: &Benchling,
    settings: &ImportSettings,
    number: usize,
    items: Vec<Value>,
    counters: &Counters,
    bar: &ProgressBar,
    valid: usize,
    mut interrupt: watch::Receiver<bool>,
) -> BatchEnd {
    let size = items.len();
    if *interrupt.borrow() {
        return BatchEnd::NotSent {
            error: None,
            reason: "not sent: the import was interrupted".to_string(),
        };
    }

    let started = tokio::select! {
        started = bulk::start(client, settings.entity, items) => started,
        () = interrupted(&mut interrupt) => {
            return BatchEnd::Unknown {
                task_id: None,
                error: None,
                reason: "interrupted while the request was being sent; Benchling may have \
                         started the task"
                    .to_string(),
            }
        }
    };
    let task = match started {
        Ok(task) => task,
        Err(error) => return not_sent(number, error),
    };

    let task_id = task.task_id().to_string();
    info!(batch = number, records = size, task_id = %task_id, "bulk-create task started");
    counters.sent.fetch_add(size, Ordering::Relaxed);
    counters.running.fetch_add(1, Ordering::Relaxed);
    counters.show(bar, valid);

    if !settings.wait {
        counters.running.fetch_sub(1, Ordering::Relaxed);
        return BatchEnd::NotWaited { task_id };
    }

    let end = wait(&task, settings.timeout, &mut interrupt).await;
    counters.running.fetch_sub(1, Ordering::Relaxed);
    match &end {
        BatchEnd::Ended {
            outcome: BulkOutcome::Succeeded(created),
            ..
        } => bar.inc(created.len() as u64),
        _ => {
            counters.failed.fetch_add(size, Ordering::Relaxed);
        }
    }
    counters.show(bar, valid);
    end
}

async fn wait(
    task: &BulkTask,
    timeout: Duration,
    interrupt: &mut watch::Receiver<bool>,
) -> BatchEnd {
    let task_id = task.task_id().to_string();
    let options = WaitOptions::new()
        .policy(AdaptivePoll::default())
        .max_wait(timeout);

    let result = tokio::select! {
        result = task.wait(options) => result,
        () = interrupted(interrupt) => {
            return BatchEnd::Unknown {
                task_id: Some(task_id.clone()),
                error: None,
                reason: "interrupted while waiting; the task may still create these records"
                    .to_string(),
            }
        }
    };

    match result {
        Ok(outcome) => BatchEnd::Ended { task_id, outcome },
        Err(error) => {
            warn!(task_id = %task_id, error = %error, "waiting for the bulk-create task failed");
            let reason = match &error {
                Error::WaitTimedOut { waited, .. } => format!(
                    "the task was still running after {}",
                    humantime::format_duration(Duration::from_secs(waited.as_secs()))
                ),
                other => format!("the task's end could not be read: {other}"),
            };
            BatchEnd::Unknown {
                task_id: Some(task_id),
                error: Some(error),
                reason,
            }
        }
    }
}

/// Classifies a failed bulk-create request: not sent at all, or possibly received.
fn not_sent(number: usize, error: Error) -> BatchEnd {
    warn!(batch = number, error = %error, "bulk-create request failed");
    // Only a failed connection proves the request never reached the server.
    let maybe_received = matches!(&error, Error::Transport { source, .. } if !source.is_connect());
    if maybe_received {
        return BatchEnd::Unknown {
            task_id: None,
            reason: format!(
                "the bulk-create request got no answer ({error}); Benchling may have received it, \
                 so check the folder before importing these records again"
            ),
            error: Some(error),
        };
    }
    BatchEnd::NotSent {
        reason: format!("the bulk-create request failed: {error}"),
        error: Some(error),
    }
}

async fn interrupted(interrupt: &mut watch::Receiver<bool>) {
    if interrupt.wait_for(|stop| *stop).await.is_err() {
        // The sender is gone, so no interrupt can come.
        std::future::pending::<()>().await;
    }
}

/// Maps a batch's end back to its records; returns the task's summary.
fn apply(
    records: &mut [RecordResult],
    members: &[usize],
    batch: usize,
    end: BatchEnd,
    status: &mut Status,
) -> TaskSummary {
    let mut summary = TaskSummary {
        batch,
        records: members.len(),
        task_id: None,
        state: String::new(),
        error: None,
    };

    match end {
        BatchEnd::NotSent { error, reason } => {
            if let Some(error) = &error {
                *status = status.worst(Status::of_error(error));
            }
            summary.state = "NOT SENT".into();
            summary.error = Some(reason.clone());
            for &member in members {
                records[member].outcome = Outcome::Failed {
                    reason: reason.clone(),
                    task_id: None,
                    index: None,
                };
            }
        }
        BatchEnd::NotWaited { task_id } => {
            summary.task_id = Some(task_id.clone());
            summary.state = "RUNNING".into();
            for &member in members {
                records[member].outcome = Outcome::Unconfirmed {
                    reason: "not awaited (--no-wait)".to_string(),
                    task_id: Some(task_id.clone()),
                };
            }
        }
        BatchEnd::Unknown {
            task_id,
            error,
            reason,
        } => {
            if let Some(error) = &error {
                *status = status.worst(Status::of_error(error));
            }
            summary.task_id = task_id.clone();
            summary.state = if task_id.is_some() {
                "RUNNING"
            } else {
                "UNKNOWN"
            }
            .into();
            summary.error = Some(reason.clone());
            for &member in members {
                records[member].outcome = Outcome::Unconfirmed {
                    reason: reason.clone(),
                    task_id: task_id.clone(),
                };
            }
        }
        BatchEnd::Ended {
            task_id,
            outcome: BulkOutcome::Succeeded(created),
        } => {
            summary.task_id = Some(task_id.clone());
            summary.state = "SUCCEEDED".into();
            apply_success(records, members, &task_id, created);
        }
        BatchEnd::Ended {
            task_id,
            outcome: BulkOutcome::Failed { message, errors },
        } => {
            summary.task_id = Some(task_id.clone());
            summary.state = "FAILED".into();
            summary.error = message.clone();
            apply_failure(records, members, &task_id, message.as_deref(), &errors);
        }
    }
    summary
}

/// Pairs created entities with records: by name first; when names changed (a
/// naming strategy may rename), by position if the counts agree.
fn apply_success(
    records: &mut [RecordResult],
    members: &[usize],
    task_id: &str,
    created: Vec<CreatedEntity>,
) {
    let mut used = vec![false; created.len()];
    let mut pairs: Vec<Option<usize>> = members
        .iter()
        .map(|&member| {
            let name = &records[member].entry.name;
            let found = created
                .iter()
                .enumerate()
                .position(|(index, entity)| !used[index] && entity.name.as_deref() == Some(name));
            if let Some(index) = found {
                used[index] = true;
            }
            found
        })
        .collect();

    if pairs.iter().any(Option::is_none) && created.len() == members.len() {
        pairs = (0..members.len()).map(Some).collect();
    }

    for (&member, pair) in members.iter().zip(pairs) {
        records[member].outcome = match pair {
            Some(index) => Outcome::Created {
                entity: created[index].clone(),
                task_id: task_id.to_string(),
            },
            None => Outcome::Unconfirmed {
                reason: format!(
                    "task {task_id} succeeded but its response does not list this record; \
                     look for it in Benchling before importing it again"
                ),
                task_id: Some(task_id.to_string()),
            },
        };
    }
}

/// Marks every record of a failed batch as not created, with its own error when Benchling gave one.
///
/// NOTE: a FAILED task returns no response, so this treats the batch as having
/// created nothing. A partial creation by Benchling would not be seen here.
fn apply_failure(
    records: &mut [RecordResult],
    members: &[usize],
    task_id: &str,
    message: Option<&str>,
    errors: &AsyncTaskErrors,
) {
    let mut own: Vec<Vec<String>> = vec![Vec::new(); members.len()];
    let mut general = Vec::new();
    for error in errors.to_list() {
        let text = error_text(&error);
        match error.get("index").and_then(Value::as_u64) {
            Some(index) if (index as usize) < members.len() => own[index as usize].push(text),
            _ => general.push(text),
        }
    }

    let task_message = message.unwrap_or("no message");
    for (index, &member) in members.iter().enumerate() {
        let mut reason = if own[index].is_empty() {
            format!(
                "task {task_id} failed ({task_message}) and returned no entities; this \
                 record had no error of its own, so import it again as is"
            )
        } else {
            format!("Benchling rejected it: {}", own[index].join("; "))
        };
        if !general.is_empty() {
            reason.push_str(&format!(" (task errors: {})", general.join("; ")));
        }
        records[member].outcome = Outcome::Failed {
            reason,
            task_id: Some(task_id.to_string()),
            index: (!own[index].is_empty()).then_some(index),
        };
    }
}

/// Returns the readable part of one task error: its message, else the JSON.
fn error_text(error: &Value) -> String {
    ["message", "userMessage"]
        .iter()
        .find_map(|key| error.get(*key).and_then(Value::as_str))
        .map(str::to_string)
        .unwrap_or_else(|| error.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::input::{ParsedRecord, Source};

    fn entries(names: &[&str], sequence: &str) -> Vec<Entry> {
        let source = Arc::new(Source {
            display: "in.fa".into(),
            path: None,
            format: Format::Fasta,
        });
        names
            .iter()
            .enumerate()
            .map(|(index, name)| Entry {
                source: Arc::clone(&source),
                line: index * 2 + 1,
                name: name.to_string(),
                raw: format!(">{name}\n{sequence}\n").into_bytes(),
                parsed: Ok(ParsedRecord {
                    sequence: sequence.as_bytes().to_vec(),
                    ..Default::default()
                }),
            })
            .collect()
    }

    fn settings(batch_size: usize) -> ImportSettings {
        ImportSettings {
            entity: EntityKind::DnaSequences,
            destination: Destination::default(),
            batch_size,
            concurrency: 2,
            wait: true,
            timeout: Duration::from_secs(60),
            circular_fasta: false,
        }
    }

    #[test]
    fn batches_respect_size_and_order() {
        let names: Vec<String> = (0..7).map(|index| format!("s{index}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let prepared = prepare(entries(&names, "ACGT"), &settings(3));

        let sizes: Vec<usize> = prepared
            .batches
            .iter()
            .map(|(members, _)| members.len())
            .collect();
        assert_eq!(sizes, vec![3, 3, 1]);
        assert_eq!(prepared.batches[1].0, vec![3, 4, 5]);
        assert_eq!(prepared.batches[2].1[0]["name"], "s6");
        assert_eq!(prepared.valid_count(), 7);
    }

    #[test]
    fn rejected_records_stay_out_of_batches() {
        let mut input = entries(&["a", "b", "c"], "ACGT");
        input[1].parsed.as_mut().unwrap().sequence = b"ACGZ".to_vec();
        let prepared = prepare(input, &settings(1000));

        assert_eq!(prepared.batches.len(), 1);
        assert_eq!(prepared.batches[0].0, vec![0, 2]);
        assert!(matches!(
            prepared.records[1].outcome,
            Outcome::Rejected { .. }
        ));
    }

    #[test]
    fn circular_flag_marks_fasta_records() {
        let mut options = settings(10);
        options.circular_fasta = true;
        let prepared = prepare(entries(&["a"], "ACGT"), &options);
        assert_eq!(prepared.batches[0].1[0]["isCircular"], true);
    }

    #[test]
    fn success_pairs_by_name_then_position() {
        let prepared = prepare(entries(&["a", "b"], "ACGT"), &settings(10));
        let mut records = prepared.records;
        let created = vec![
            CreatedEntity {
                id: Some("seq_b".into()),
                name: Some("b".into()),
                ..Default::default()
            },
            CreatedEntity {
                id: Some("seq_a".into()),
                name: Some("a".into()),
                ..Default::default()
            },
        ];
        apply_success(&mut records, &[0, 1], "t1", created);
        let ids: Vec<Option<String>> = records
            .iter()
            .map(|record| match &record.outcome {
                Outcome::Created { entity, .. } => entity.id.clone(),
                _ => None,
            })
            .collect();
        assert_eq!(ids, vec![Some("seq_a".into()), Some("seq_b".into())]);

        let renamed = vec![
            CreatedEntity {
                id: Some("seq_1".into()),
                name: Some("REG-1".into()),
                ..Default::default()
            },
            CreatedEntity {
                id: Some("seq_2".into()),
                name: Some("REG-2".into()),
                ..Default::default()
            },
        ];
        apply_success(&mut records, &[0, 1], "t2", renamed);
        assert!(matches!(
            &records[1].outcome,
            Outcome::Created { entity, .. } if entity.id.as_deref() == Some("seq_2")
        ));
    }

    #[test]
    fn missing_entity_is_unconfirmed() {
        let prepared = prepare(entries(&["a", "b"], "ACGT"), &settings(10));
        let mut records = prepared.records;
        let created = vec![CreatedEntity {
            id: Some("seq_a".into()),
            name: Some("a".into()),
            ..Default::default()
        }];
        apply_success(&mut records, &[0, 1], "t1", created);
        assert!(matches!(records[0].outcome, Outcome::Created { .. }));
        assert!(matches!(records[1].outcome, Outcome::Unconfirmed { .. }));
    }

    #[test]
    fn failure_maps_item_errors_to_records() {
        let prepared = prepare(entries(&["a", "b", "c"], "ACGT"), &settings(10));
        let mut records = prepared.records;
        let errors = AsyncTaskErrors::List(vec![
            json!({"index": 1, "message": "Invalid base"}),
            json!({"code": "x"}),
        ]);
        apply_failure(
            &mut records,
            &[0, 1, 2],
            "t1",
            Some("Your request was invalid."),
            &errors,
        );

        let Outcome::Failed { reason, index, .. } = &records[1].outcome else {
            panic!("record b should have failed: {:?}", records[1].outcome);
        };
        assert_eq!(*index, Some(1));
        assert!(
            reason.starts_with("Benchling rejected it: Invalid base"),
            "{reason}"
        );
        assert!(reason.contains(r#"{"code":"x"}"#), "{reason}");

        let Outcome::Failed { reason, index, .. } = &records[0].outcome else {
            panic!("record a should have failed");
        };
        assert_eq!(*index, None);
        assert!(reason.contains("no error of its own"), "{reason}");
        assert!(reason.contains("Your request was invalid."), "{reason}");
    }
}
