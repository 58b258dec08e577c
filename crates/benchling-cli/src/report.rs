//! Import results: the files of records not created, and the table or JSON on stdout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::import::{ImportReport, Outcome, RecordResult};

/// A file written with the records of one input that were not created.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedFile {
    /// The input, as named on the command line.
    pub source: String,
    pub path: PathBuf,
    pub records: usize,
}

/// A file of records not created that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the records not created from {source_name} to {}: {error}; pass --failed-dir with a writable folder", path.display())]
pub struct WriteError {
    pub source_name: String,
    pub path: PathBuf,
    #[source]
    pub error: std::io::Error,
}

/// Returns the path of the file for the records of `input` not created.
///
/// `reads.fasta.gz` becomes `reads.fasta.failed.fasta` in `dir`, or beside the
/// input when `dir` is `None`. Embedded inputs without a path go to the
/// temporary folder when `dir` is `None`.
pub fn failed_path(
    display: &str,
    path: Option<&Path>,
    extension: &str,
    dir: Option<&Path>,
) -> PathBuf {
    let file_name = path
        .and_then(Path::file_name)
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| {
            Path::new(display).file_name().map_or_else(
                || "input".to_string(),
                |name| name.to_string_lossy().into_owned(),
            )
        });
    let stem = file_name.strip_suffix(".gz").unwrap_or(&file_name);
    let name = format!("{stem}.failed.{extension}");

    let folder = match (dir, path) {
        (Some(dir), _) => dir.to_path_buf(),
        (None, Some(path)) => match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => return PathBuf::from(name),
        },
        (None, None) => std::env::temp_dir(),
    };
    folder.join(name)
}

/// Writes the records that were not created (rejected or failed), one file per
/// input, each record exactly as it was read.
pub fn write_failed_files(
    report: &ImportReport,
    dir: Option<&Path>,
) -> Result<Vec<FailedFile>, WriteError> {
    let mut by_source: BTreeMap<String, Vec<&RecordResult>> = BTreeMap::new();
    for record in &report.records {
        if matches!(
            record.outcome,
            Outcome::Rejected { .. } | Outcome::Failed { .. }
        ) {
            by_source
                .entry(record.entry.source.display.clone())
                .or_default()
                .push(record);
        }
    }

    let mut written = Vec::new();
    for (display, records) in by_source {
        let source = &records[0].entry.source;
        let path = failed_path(
            &display,
            source.path.as_deref(),
            source.format.extension(),
            dir,
        );

        let mut text = Vec::new();
        for record in &records {
            text.extend_from_slice(&record.entry.raw);
            if !record.entry.raw.ends_with(b"\n") {
                text.push(b'\n');
            }
        }
        std::fs::write(&path, text).map_err(|error| WriteError {
            source_name: display.clone(),
            path: path.clone(),
            error,
        })?;
        written.push(FailedFile {
            source: display,
            path,
            records: records.len(),
        });
    }
    Ok(written)
}

/// Counts of records by outcome.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub records: usize,
    pub created: usize,
    pub rejected: usize,
    pub failed: usize,
    pub unconfirmed: usize,
}

pub fn counts(report: &ImportReport) -> Counts {
    let mut counts = Counts {
        records: report.records.len(),
        ..Counts::default()
    };
    for record in &report.records {
        match record.outcome {
            Outcome::Created { .. } => counts.created += 1,
            Outcome::Rejected { .. } => counts.rejected += 1,
            Outcome::Failed { .. } => counts.failed += 1,
            Outcome::Unconfirmed { .. } | Outcome::Queued => counts.unconfirmed += 1,
        }
    }
    counts
}

fn location(record: &RecordResult) -> String {
    format!("{}:{}", record.entry.source.display, record.entry.line)
}

/// Builds the JSON document of an import.
pub fn to_json(report: &ImportReport, failed_files: &[FailedFile]) -> Value {
    let counts = counts(report);
    let mut created = Vec::new();
    let mut not_created = Vec::new();
    let mut unconfirmed = Vec::new();
    let mut warnings = Vec::new();

    for record in &report.records {
        let entry = &record.entry;
        for warning in &record.warnings {
            warnings.push(json!({
                "file": entry.source.display,
                "line": entry.line,
                "name": entry.name,
                "message": warning,
            }));
        }
        match &record.outcome {
            Outcome::Created { entity, task_id } => created.push(json!({
                "file": entry.source.display,
                "line": entry.line,
                "name": entry.name,
                "id": entity.id,
                "benchlingName": entity.name,
                "length": entity.length,
                "annotations": entity.annotations,
                "isCircular": entity.is_circular,
                "taskId": task_id,
            })),
            Outcome::Rejected { reason } => not_created.push(json!({
                "file": entry.source.display,
                "line": entry.line,
                "name": entry.name,
                "stage": "rejected",
                "reason": reason,
            })),
            Outcome::Failed {
                reason,
                task_id,
                index,
            } => not_created.push(json!({
                "file": entry.source.display,
                "line": entry.line,
                "name": entry.name,
                "stage": "failed",
                "reason": reason,
                "taskId": task_id,
                "index": index,
            })),
            Outcome::Unconfirmed { reason, task_id } => unconfirmed.push(json!({
                "file": entry.source.display,
                "line": entry.line,
                "name": entry.name,
                "reason": reason,
                "taskId": task_id,
            })),
            Outcome::Queued => unconfirmed.push(json!({
                "file": entry.source.display,
                "line": entry.line,
                "name": entry.name,
                "reason": "not sent",
                "taskId": null,
            })),
        }
    }

    let tasks: Vec<Value> = report
        .tasks
        .iter()
        .map(|task| {
            json!({
                "batch": task.batch,
                "records": task.records,
                "taskId": task.task_id,
                "state": task.state,
                "error": task.error,
            })
        })
        .collect();
    let files: Vec<Value> = failed_files
        .iter()
        .map(|file| {
            json!({
                "source": file.source,
                "path": file.path.display().to_string(),
                "records": file.records,
            })
        })
        .collect();

    json!({
        "entity": report.entity.as_str(),
        "summary": {
            "records": counts.records,
            "created": counts.created,
            "rejected": counts.rejected,
            "failed": counts.failed,
            "unconfirmed": counts.unconfirmed,
        },
        "created": created,
        "notCreated": not_created,
        "unconfirmed": unconfirmed,
        "warnings": warnings,
        "tasks": tasks,
        "failedRecordFiles": files,
        "exitCode": report.status.code(),
    })
}

/// Builds the readable report of an import.
pub fn to_table(report: &ImportReport, failed_files: &[FailedFile]) -> String {
    let counts = counts(report);
    let mut out = String::new();

    let created: Vec<Vec<String>> = report
        .records
        .iter()
        .filter_map(|record| match &record.outcome {
            Outcome::Created { entity, .. } => Some(vec![
                record.entry.name.clone(),
                entity.id.clone().unwrap_or_else(|| "-".into()),
                entity
                    .length
                    .map_or_else(|| "-".into(), |length| length.to_string()),
                location(record),
            ]),
            _ => None,
        })
        .collect();
    if !created.is_empty() {
        out.push_str(&format!("Created {} {}:\n", created.len(), report.entity));
        out.push_str(&table(&["RECORD", "ID", "LENGTH", "SOURCE"], &created));
        out.push('\n');
    }

    let not_created: Vec<Vec<String>> = report
        .records
        .iter()
        .filter_map(|record| {
            let (stage, reason) = match &record.outcome {
                Outcome::Rejected { reason } => ("rejected", reason),
                Outcome::Failed { reason, .. } => ("failed", reason),
                _ => return None,
            };
            Some(vec![
                display_name(record),
                location(record),
                stage.to_string(),
                reason.clone(),
            ])
        })
        .collect();
    if !not_created.is_empty() {
        out.push_str(&format!("Not created ({}):\n", not_created.len()));
        out.push_str(&table(
            &["RECORD", "SOURCE", "STAGE", "REASON"],
            &not_created,
        ));
        out.push('\n');
    }

    let unconfirmed: Vec<Vec<String>> = report
        .records
        .iter()
        .filter_map(|record| match &record.outcome {
            Outcome::Unconfirmed { reason, task_id } => Some(vec![
                display_name(record),
                location(record),
                task_id.clone().unwrap_or_else(|| "-".into()),
                reason.clone(),
            ]),
            Outcome::Queued => Some(vec![
                display_name(record),
                location(record),
                "-".into(),
                "not sent".into(),
            ]),
            _ => None,
        })
        .collect();
    if !unconfirmed.is_empty() {
        out.push_str(&format!(
            "Unconfirmed ({}), not written to the failed-records files because they may exist:\n",
            unconfirmed.len()
        ));
        out.push_str(&table(
            &["RECORD", "SOURCE", "TASK", "REASON"],
            &unconfirmed,
        ));
        out.push('\n');
    }

    let warnings: Vec<Vec<String>> = report
        .records
        .iter()
        .flat_map(|record| {
            record
                .warnings
                .iter()
                .map(move |warning| vec![display_name(record), location(record), warning.clone()])
        })
        .collect();
    if !warnings.is_empty() {
        out.push_str(&format!("Warnings ({}):\n", warnings.len()));
        out.push_str(&table(&["RECORD", "SOURCE", "WARNING"], &warnings));
        out.push('\n');
    }

    if !report.tasks.is_empty() {
        let rows: Vec<Vec<String>> = report
            .tasks
            .iter()
            .map(|task| {
                vec![
                    task.batch.to_string(),
                    task.records.to_string(),
                    task.task_id.clone().unwrap_or_else(|| "-".into()),
                    task.state.clone(),
                ]
            })
            .collect();
        out.push_str(&format!("Tasks ({}):\n", rows.len()));
        out.push_str(&table(&["BATCH", "RECORDS", "TASK", "STATE"], &rows));
        out.push('\n');
    }

    let mut pending_tasks: Vec<&str> = Vec::new();
    for record in &report.records {
        if let Outcome::Unconfirmed {
            task_id: Some(task_id),
            ..
        } = &record.outcome
        {
            if !pending_tasks.contains(&task_id.as_str()) {
                pending_tasks.push(task_id);
            }
        }
    }
    if !pending_tasks.is_empty() {
        out.push_str(&format!(
            "Wait for the unconfirmed records with: benchling tasks wait {}\n",
            pending_tasks.join(" ")
        ));
    }

    for file in failed_files {
        out.push_str(&format!(
            "Wrote the {} record(s) of {} that were not created to {}; fix the reasons listed above, then import that file.\n",
            file.records,
            file.source,
            file.path.display()
        ));
    }

    let sources: std::collections::BTreeSet<&str> = report
        .records
        .iter()
        .map(|record| record.entry.source.display.as_str())
        .collect();
    out.push_str(&format!(
        "{} record(s) read from {} file(s): {} created, {} rejected before sending, \
         {} failed (in Benchling or while sending), {} unconfirmed; {} task(s).\n",
        counts.records,
        sources.len(),
        counts.created,
        counts.rejected,
        counts.failed,
        counts.unconfirmed,
        report.tasks.len(),
    ));
    out
}

fn display_name(record: &RecordResult) -> String {
    if record.entry.name.is_empty() {
        "(no name)".to_string()
    } else {
        record.entry.name.clone()
    }
}

/// Aligns rows under headers with two spaces between columns; the last column is not padded.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers
        .iter()
        .map(|header| header.chars().count())
        .collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }

    let mut out = String::new();
    let header_row: Vec<String> = headers.iter().map(|header| header.to_string()).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::from("  ");
        for (index, cell) in row.iter().enumerate() {
            if index + 1 == row.len() {
                line.push_str(cell);
            } else {
                let padding = widths[index] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(padding + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_path_sits_beside_input_without_gz() {
        assert_eq!(
            failed_path(
                "d/reads.fa.gz",
                Some(Path::new("d/reads.fa.gz")),
                "fasta",
                None
            ),
            PathBuf::from("d/reads.fa.failed.fasta")
        );
        assert_eq!(
            failed_path("p.gb", Some(Path::new("p.gb")), "gb", None),
            PathBuf::from("p.gb.failed.gb")
        );
        assert_eq!(
            failed_path(
                "x/p.gb",
                Some(Path::new("x/p.gb")),
                "gb",
                Some(Path::new("out"))
            ),
            PathBuf::from("out/p.gb.failed.gb")
        );
        assert_eq!(
            failed_path("data/NC_1.faa", None, "fasta", None),
            std::env::temp_dir().join("NC_1.faa.failed.fasta")
        );
    }

    #[test]
    fn table_aligns_columns() {
        let text = table(
            &["A", "BB"],
            &[
                vec!["long".into(), "x".into()],
                vec!["s".into(), "yy".into()],
            ],
        );
        assert_eq!(text, "  A     BB\n  long  x\n  s     yy\n");
    }
}
