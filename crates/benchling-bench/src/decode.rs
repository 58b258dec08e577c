//! The decode benchmark: one ended bulk-create task with 1,000 DNA sequences,
//! decoded by this SDK's typed models and by the Python SDK's generated models.
//!
//! The task snapshot is generated deterministically (a fixed-seed SplitMix64
//! stream), written to a file, and read by both sides, which report the
//! SHA-256 of the bytes they decoded.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use benchling_sdk::models::BulkCreateDnaSequencesAsyncTaskResponse;
use benchling_sdk::{AsyncTask, TaskCompletion};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::{BenchError, Result};
use crate::python::{display_path, PythonPeer};
use crate::report::{Table, TargetCheck};
use crate::summary::median;

/// The speed-up over the Python SDK that the typed decode must reach.
const TARGET_SPEEDUP: f64 = 20.0;

/// Settings of the decode benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct DecodeOptions {
    /// DNA sequences in the task response.
    pub sequences: usize,
    /// Bases per sequence.
    pub bases: usize,
    /// Annotations per sequence.
    pub annotations: usize,
    /// Fewest timed iterations of each Rust decoder.
    pub min_iterations: u32,
    /// Minimum total time of each Rust decoder's timed iterations, in seconds.
    pub min_seconds: f64,
    /// Timed iterations of each Python decoder.
    pub python_iterations: u32,
}

/// The timing of one decoder.
#[derive(Debug, Clone, Serialize)]
pub struct DecoderResult {
    /// The decoder and its input.
    pub decoder: String,
    /// Bytes of input per iteration.
    pub input_bytes: usize,
    /// Timed iterations.
    pub iterations: usize,
    /// Median time of one iteration, in milliseconds.
    pub median_ms: f64,
    /// Fastest iteration, in milliseconds.
    pub min_ms: f64,
    /// Input megabytes (10^6 bytes) per second at the median time.
    pub megabytes_per_second: f64,
    /// The command that produced this row.
    pub command: String,
}

impl DecoderResult {
    fn from_samples(
        decoder: impl Into<String>,
        input_bytes: usize,
        seconds: &[f64],
        command: &str,
    ) -> DecoderResult {
        let median_seconds = median(seconds);
        let min_seconds = seconds.iter().copied().fold(f64::INFINITY, f64::min);
        DecoderResult {
            decoder: decoder.into(),
            input_bytes,
            iterations: seconds.len(),
            median_ms: median_seconds * 1e3,
            min_ms: min_seconds * 1e3,
            megabytes_per_second: input_bytes as f64 / median_seconds / 1e6,
            command: command.to_string(),
        }
    }
}

/// The results of the decode benchmark.
#[derive(Debug, Serialize)]
pub struct DecodeReport {
    /// The settings.
    pub options: DecodeOptions,
    /// Size of the task snapshot, in bytes.
    pub snapshot_bytes: usize,
    /// Size of its `response` member, in bytes.
    pub response_bytes: usize,
    /// SHA-256 of the snapshot, in hex.
    pub sha256: String,
    /// True when the Python peer decoded bytes with the same SHA-256.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub python_read_same_bytes: Option<bool>,
    /// Python and SDK versions of the Python peer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub python_versions: Option<String>,
    /// The error that kept the Python SDK's full get-task path from being timed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub python_sdk_path_error: Option<String>,
    /// One row per decoder.
    pub decoders: Vec<DecoderResult>,
    /// The targets and whether they were met.
    pub targets: Vec<TargetCheck>,
}

/// Generates the task snapshot, times every decoder and checks the target.
pub async fn run(
    options: &DecodeOptions,
    python: Option<&PythonPeer>,
    command: &str,
) -> Result<DecodeReport> {
    let snapshot = generate_snapshot(options.sequences, options.bases, options.annotations);
    let sha256 = hex(&Sha256::digest(&snapshot));
    let task: AsyncTask = serde_json::from_slice(&snapshot)
        .map_err(|error| BenchError::output("the generated snapshot", error.to_string()))?;
    let response = task
        .response
        .as_ref()
        .map(|raw| raw.get().as_bytes().to_vec())
        .ok_or_else(|| BenchError::output("the generated snapshot", "it has no response"))?;

    let timing = Timing {
        min_iterations: options.min_iterations.max(1) as usize,
        min_time: Duration::try_from_secs_f64(options.min_seconds.max(0.0)).unwrap_or_default(),
    };
    let mut decoders = vec![
        timing.measure(
            "Rust: serde_json::Value (untyped)",
            &snapshot,
            command,
            |bytes| serde_json::from_slice::<Value>(bytes).map_err(|error| error.to_string()),
        )?,
        timing.measure(
            "Rust: BulkCreateDnaSequencesAsyncTaskResponse from the response bytes",
            &response,
            command,
            |bytes| {
                serde_json::from_slice::<BulkCreateDnaSequencesAsyncTaskResponse>(bytes)
                    .map_err(|error| error.to_string())
            },
        )?,
        timing.measure(
            "Rust: AsyncTask snapshot + TaskCompletion::from_task (typed)",
            &snapshot,
            command,
            |bytes| {
                let task: AsyncTask =
                    serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
                TaskCompletion::<BulkCreateDnaSequencesAsyncTaskResponse>::from_task(
                    "decode-benchmark",
                    &task,
                )
                .map_err(|error| error.to_string())
            },
        )?,
    ];

    let mut report = DecodeReport {
        options: options.clone(),
        snapshot_bytes: snapshot.len(),
        response_bytes: response.len(),
        sha256,
        python_read_same_bytes: None,
        python_versions: None,
        python_sdk_path_error: None,
        decoders: Vec::new(),
        targets: Vec::new(),
    };

    if let Some(peer) = python {
        let file = DataFile::write(&snapshot)?;
        let python_run = run_python(peer, file.path(), options.python_iterations).await;
        drop(file);
        let python_run = python_run?;
        report.python_read_same_bytes = Some(python_run.output.sha256 == report.sha256);
        report.python_versions = Some(format!(
            "Python {}, benchling-sdk {}, benchling-api-client {}",
            python_run.output.python,
            python_run.output.sdk_version,
            python_run.output.api_client_version
        ));
        report.python_sdk_path_error = python_run.output.sdk_path_error.clone();
        decoders.extend(python_run.rows(snapshot.len()));
    }

    report.targets = check_targets(&decoders);
    report.decoders = decoders;
    Ok(report)
}

/// How long each Rust decoder is timed.
struct Timing {
    min_iterations: usize,
    min_time: Duration,
}

impl Timing {
    /// Times `decode` on `bytes` after one untimed warm-up; the decoded value
    /// is dropped outside the timed span.
    fn measure<T>(
        &self,
        decoder: &str,
        bytes: &[u8],
        command: &str,
        decode: impl Fn(&[u8]) -> std::result::Result<T, String>,
    ) -> Result<DecoderResult> {
        let failed = |message: String| {
            BenchError::output(
                decoder,
                format!("decoding the generated bytes failed: {message}"),
            )
        };
        drop(black_box(decode(black_box(bytes)).map_err(failed)?));

        let mut samples = Vec::new();
        let mut total = Duration::ZERO;
        while samples.len() < self.min_iterations || total < self.min_time {
            let started = Instant::now();
            let value = decode(black_box(bytes)).map_err(failed)?;
            let elapsed = started.elapsed();
            drop(black_box(value));
            total += elapsed;
            samples.push(elapsed.as_secs_f64());
        }
        Ok(DecoderResult::from_samples(
            decoder,
            bytes.len(),
            &samples,
            command,
        ))
    }
}

fn check_targets(decoders: &[DecoderResult]) -> Vec<TargetCheck> {
    let find = |prefix: &str| {
        decoders
            .iter()
            .find(|decoder| decoder.decoder.starts_with(prefix))
    };
    let Some(python) = find("Python: json.loads + from_dict") else {
        return Vec::new();
    };

    let mut targets = Vec::new();
    for (name, prefix) in [
        (
            "typed response",
            "Rust: BulkCreateDnaSequencesAsyncTaskResponse",
        ),
        ("snapshot path", "Rust: AsyncTask snapshot"),
    ] {
        if let Some(ours) = find(prefix) {
            let speedup = ours.megabytes_per_second / python.megabytes_per_second;
            targets.push(TargetCheck::new(
                format!("decode: Rust {name} vs Python json.loads + from_dict"),
                format!("≥ {TARGET_SPEEDUP:.0}×"),
                format!(
                    "{speedup:.1}× ({:.0} vs {:.1} MB/s)",
                    ours.megabytes_per_second, python.megabytes_per_second
                ),
                speedup >= TARGET_SPEEDUP,
            ));
        }
    }
    targets
}

/// The snapshot written to a temporary file for the Python peer; removed on drop.
struct DataFile {
    path: PathBuf,
}

impl DataFile {
    fn write(bytes: &[u8]) -> Result<DataFile> {
        let path = std::env::temp_dir().join(format!(
            "benchling-bench-decode-{}.json",
            std::process::id()
        ));
        std::fs::write(&path, bytes).map_err(|source| BenchError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(DataFile { path })
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DataFile {
    fn drop(&mut self) {
        // A leftover file in the temporary directory is harmless, so a failure is ignored.
        let _ = std::fs::remove_file(&self.path);
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerDecodeOutput {
    sha256: String,
    python: String,
    sdk_version: String,
    api_client_version: String,
    json_loads: Vec<f64>,
    from_dict: Vec<f64>,
    total: Vec<f64>,
    sdk_path: Option<Vec<f64>>,
    sdk_path_error: Option<String>,
}

struct PythonDecodeRun {
    output: PeerDecodeOutput,
    command: String,
}

impl PythonDecodeRun {
    /// Rows of the Python decoders; every rate is per byte of the whole snapshot.
    fn rows(&self, snapshot_bytes: usize) -> Vec<DecoderResult> {
        let output = &self.output;
        let mut rows = vec![
            DecoderResult::from_samples(
                "Python: json.loads",
                snapshot_bytes,
                &output.json_loads,
                &self.command,
            ),
            DecoderResult::from_samples(
                "Python: BulkCreateDnaSequencesAsyncTaskResponse.from_dict",
                snapshot_bytes,
                &output.from_dict,
                &self.command,
            ),
            DecoderResult::from_samples(
                "Python: json.loads + from_dict",
                snapshot_bytes,
                &output.total,
                &self.command,
            ),
        ];
        if let Some(samples) = output
            .sdk_path
            .as_deref()
            .filter(|samples| !samples.is_empty())
        {
            rows.push(DecoderResult::from_samples(
                "Python: SDK get-task parse + wait_for_response decode",
                snapshot_bytes,
                samples,
                &self.command,
            ));
        }
        rows
    }
}

async fn run_python(peer: &PythonPeer, file: &Path, iterations: u32) -> Result<PythonDecodeRun> {
    let script = "decode_peer.py";
    let args = vec![display_path(file), iterations.max(1).to_string()];
    let command = peer.command_line(script, &args);
    let value = peer
        .run_json(script, &args, &[], Duration::from_secs(900))
        .await?;
    let output: PeerDecodeOutput = serde_json::from_value(value)
        .map_err(|error| BenchError::output(&command, error.to_string()))?;
    for (name, samples) in [
        ("jsonLoads", &output.json_loads),
        ("fromDict", &output.from_dict),
        ("total", &output.total),
    ] {
        if samples.is_empty() {
            return Err(BenchError::output(
                &command,
                format!("`{name}` has no timings"),
            ));
        }
    }
    Ok(PythonDecodeRun { output, command })
}

/// A SplitMix64 stream: a fixed, portable sequence for a given seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..bound`; `bound` must be positive.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

const FEATURE_TYPES: [&str; 6] = [
    "promoter",
    "CDS",
    "terminator",
    "rep_origin",
    "misc_feature",
    "RBS",
];
const COLORS: [&str; 5] = ["#85DAE9", "#F58A5E", "#FAAC61", "#84B0F6", "#C6A3DC"];

/// Builds the `GET /tasks/{id}` body of a `SUCCEEDED` bulk create of
/// `sequences` DNA sequences, each with `bases` bases and `annotations`
/// annotations, in the field layout Benchling returns. Same arguments, same bytes.
pub fn generate_snapshot(sequences: usize, bases: usize, annotations: usize) -> Vec<u8> {
    let mut random = SplitMix64(0x0B3E_C411_5EED);
    let timestamp = "2024-05-01T12:00:00.000Z";
    let creator = json!({"handle": "bench", "id": "ent_Bench001", "name": "Bench Runner"});
    let span = bases.max(1) as u64;

    let items: Vec<Value> = (0..sequences)
        .map(|index| {
            let letters: String = (0..bases)
                .map(|_| char::from(b"ACGT"[(random.next() >> 62) as usize]))
                .collect();
            let features: Vec<Value> = (0..annotations)
                .map(|feature| {
                    let start = random.below(span);
                    let end = (start + 50 + random.below(950)).min(span);
                    json!({
                        "color": COLORS[feature % COLORS.len()],
                        "customFields": [],
                        "end": end,
                        "name": format!("feature-{index}-{feature}"),
                        "notes": "",
                        "start": start,
                        "strand": if random.next() & 1 == 0 { 1 } else { -1 },
                        "type": FEATURE_TYPES[feature % FEATURE_TYPES.len()],
                    })
                })
                .collect();
            let id = format!("seq_{index:08}");
            json!({
                "aliases": [format!("bench-alias-{index}")],
                "annotations": features,
                "apiURL": format!("https://bench.benchling.com/api/v2/dna-sequences/{id}"),
                "archiveRecord": null,
                "authors": [creator.clone()],
                "bases": letters,
                "createdAt": timestamp,
                "creator": creator.clone(),
                "customFields": {"Project": {"value": "decode benchmark"}},
                "dnaAlignmentIds": [],
                "entityRegistryId": null,
                "fields": {
                    "Resistance": {
                        "displayValue": "Amp",
                        "isMulti": false,
                        "textValue": "Amp",
                        "type": "text",
                        "value": "Amp"
                    }
                },
                "folderId": "lib_Bench001",
                "id": id,
                "isCircular": index % 2 == 0,
                "length": bases,
                "modifiedAt": timestamp,
                "name": format!("bench-sequence-{index}"),
                "parts": [],
                "primers": [],
                "registrationOrigin": null,
                "registryId": null,
                "schema": {"id": "ts_Bench001", "name": "Plasmid"},
                "transcriptions": [],
                "translations": [],
                "url": format!("https://bench.benchling.com/s/{id}"),
                "webURL": format!("https://bench.benchling.com/benchling/f/lib_Bench001/{id}/edit"),
            })
        })
        .collect();

    let snapshot = json!({"status": "SUCCEEDED", "response": {"dnaSequences": items}});
    // Serializing a `Value` built in memory cannot fail.
    serde_json::to_vec(&snapshot).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl DecodeReport {
    /// Renders the results as Markdown.
    pub fn to_markdown(&self) -> String {
        let options = &self.options;
        let mut text = format!(
            "### Decode: one task snapshot with {} DNA sequences of {} bases and {} annotations each\n\n\
             Snapshot {} bytes (response member {} bytes), SHA-256 {}.\n",
            options.sequences,
            options.bases,
            options.annotations,
            self.snapshot_bytes,
            self.response_bytes,
            self.sha256
        );
        if let Some(same) = self.python_read_same_bytes {
            text.push_str(&format!(
                "The Python peer decoded bytes with the same SHA-256: {}.\n",
                if same { "yes" } else { "NO" }
            ));
        }
        if let Some(versions) = &self.python_versions {
            text.push_str(&format!("Python peer: {versions}.\n"));
        }
        text.push_str(
            "MB/s is input megabytes (10^6 bytes) per second at the median time; Python rates \
             are per byte of the whole snapshot.\n\n",
        );

        let mut table = Table::new([
            "decoder",
            "input bytes",
            "iterations",
            "median ms",
            "min ms",
            "MB/s",
        ]);
        for decoder in &self.decoders {
            table.row([
                decoder.decoder.clone(),
                decoder.input_bytes.to_string(),
                decoder.iterations.to_string(),
                format!("{:.1}", decoder.median_ms),
                format!("{:.1}", decoder.min_ms),
                format!("{:.1}", decoder.megabytes_per_second),
            ]);
        }
        text.push_str(&table.render());

        let mut commands: Vec<&str> = self
            .decoders
            .iter()
            .map(|decoder| decoder.command.as_str())
            .collect();
        commands.dedup();
        text.push_str("\nCommands:\n\n");
        for command in commands {
            text.push_str(&format!("- `{command}`\n"));
        }
        if let Some(error) = &self.python_sdk_path_error {
            text.push_str(&format!(
                "\nThe Python SDK's get-task path could not be timed: {error}\n"
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_is_deterministic() {
        assert_eq!(generate_snapshot(3, 100, 2), generate_snapshot(3, 100, 2));
    }

    #[test]
    fn snapshot_decodes_as_typed_response() {
        let snapshot = generate_snapshot(2, 50, 3);
        let task: AsyncTask = serde_json::from_slice(&snapshot).unwrap();
        let completion =
            TaskCompletion::<BulkCreateDnaSequencesAsyncTaskResponse>::from_task("t", &task)
                .unwrap();
        let sequences = completion.response.unwrap().dna_sequences.unwrap();
        assert_eq!(sequences.len(), 2);
        assert_eq!(sequences[0].bases.as_deref().map(str::len), Some(50));
        assert_eq!(sequences[1].annotations.as_ref().map(Vec::len), Some(3));
    }
}
