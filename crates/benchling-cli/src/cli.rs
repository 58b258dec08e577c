//! Command-line arguments and help texts.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::entity::EntityKind;
use crate::exit::EXIT_CODES_HELP;
use crate::exit_codes_help;
use crate::input::FormatChoice;
use crate::request::NamingStrategy;

/// Register sequences in Benchling and follow its asynchronous tasks.
#[derive(Debug, Parser)]
#[command(name = "benchling", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub connection: Connection,

    #[command(flatten)]
    pub global: GlobalOptions,

    #[command(subcommand)]
    pub command: Command,
}

/// Tenant and credentials. Each option falls back to its environment variable.
#[derive(Clone, Args)]
#[command(next_help_heading = "Connection")]
pub struct Connection {
    /// Tenant URL, such as https://example.benchling.com
    #[arg(long, env = "BENCHLING_TENANT_URL", global = true, value_name = "URL")]
    pub tenant_url: Option<String>,

    /// Personal API key (prefer the environment variable: command lines are visible to other users)
    #[arg(
        long,
        env = "BENCHLING_API_KEY",
        hide_env_values = true,
        global = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,

    /// OAuth2 client id of a Benchling App (with --client-secret)
    #[arg(long, env = "BENCHLING_CLIENT_ID", global = true, value_name = "ID")]
    pub client_id: Option<String>,

    /// OAuth2 client secret of a Benchling App (with --client-id)
    #[arg(
        long,
        env = "BENCHLING_CLIENT_SECRET",
        hide_env_values = true,
        global = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,
}

// Written by hand so that the API key and the client secret never reach Debug output.
impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |secret: &Option<String>| secret.as_ref().map(|_| "<redacted>");
        f.debug_struct("Connection")
            .field("tenant_url", &self.tenant_url)
            .field("api_key", &redacted(&self.api_key))
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(&self.client_secret))
            .finish()
    }
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalOptions {
    /// Log more to stderr: -v info, -vv debug (each poll and retry), -vvv trace. RUST_LOG overrides it
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Tries per HTTP request, the first included; 429, 502, 503, 504 and connection failures of GET requests are retried
    #[arg(long, default_value_t = 5, global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_tries: u32,

    /// Timeout of one HTTP request, such as 10s or 500ms
    #[arg(long, default_value = "10s", global = true, value_name = "DURATION",
          value_parser = parse_duration)]
    pub request_timeout: Duration,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Register sequences from FASTA or GenBank files through bulk-create tasks
    #[command(after_help = EXIT_CODES_HELP, after_long_help = IMPORT_HELP)]
    Import(ImportArgs),

    /// Read or wait for tasks by id
    #[command(subcommand)]
    Tasks(TasksCommand),

    /// Import the bundled pPCP1 plasmid and chloroplast proteins into a simulated tenant
    #[command(after_long_help = DEMO_HELP)]
    Demo(DemoArgs),
}

/// Output format of results on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for reading
    #[default]
    Table,
    /// One JSON document for scripts
    Json,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// FASTA or GenBank files, plain or gzip-compressed
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Entity type to create
    #[arg(long, value_enum)]
    pub entity: EntityKind,

    /// Folder to create the entities in (may be left out with --registry-id)
    #[arg(long, value_name = "ID", required_unless_present = "registry_id")]
    pub folder_id: Option<String>,

    /// Schema of the created entities, such as ts_abc123
    #[arg(long, value_name = "ID")]
    pub schema_id: Option<String>,

    /// Registry to register the entities in (needs --naming-strategy)
    #[arg(long, value_name = "ID", requires = "naming_strategy")]
    pub registry_id: Option<String>,

    /// Naming strategy of the registry for the entities (needs --registry-id)
    #[arg(long, value_enum, value_name = "STRATEGY", requires = "registry_id")]
    pub naming_strategy: Option<NamingStrategy>,

    /// Records per bulk-create request, 1 to 1000 (the endpoints' limit)
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = parse_batch_size)]
    pub batch_size: usize,

    /// Bulk-create tasks running at once
    #[arg(long, default_value_t = 4, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,

    /// Start the tasks, print their ids and exit without waiting
    #[arg(long)]
    pub no_wait: bool,

    /// Maximum wait for each task, such as 90s or 30m
    #[arg(long, default_value = "30m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Input format; by default detected from the first line
    #[arg(long, value_enum, default_value_t = FormatChoice::Auto)]
    pub format: FormatChoice,

    /// Mark FASTA records circular (GenBank records keep their LOCUS topology); dna-sequences only
    #[arg(long)]
    pub circular: bool,

    /// Folder for the files of records not created (default: beside each input file)
    #[arg(long, value_name = "DIR")]
    pub failed_dir: Option<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// Print one snapshot of a task (exit 0 whatever its status)
    Get(TaskGetArgs),
    /// Wait until tasks end and print how each ended
    #[command(after_help = EXIT_CODES_HELP)]
    Wait(TaskWaitArgs),
}

#[derive(Debug, Args)]
pub struct TaskGetArgs {
    /// Task id, as returned by the endpoint that created the task
    #[arg(value_name = "TASK_ID")]
    pub task_id: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct TaskWaitArgs {
    /// Task ids
    #[arg(required = true, value_name = "TASK_ID")]
    pub task_ids: Vec<String>,

    /// Fixed time between two polls of a task, such as 2s. Without it, polls
    /// start 1 s apart and grow to a tenth of the task's age, at most 10 s
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub interval: Option<Duration>,

    /// Maximum wait for each task, such as 90s or 10m
    #[arg(long, default_value = "10m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How much faster than real time the simulated tenant runs its tasks
    #[arg(long, default_value_t = 10.0, value_name = "FACTOR")]
    pub time_scale: f64,

    /// Records per bulk-create request, so several tasks run at once
    #[arg(long, default_value_t = 25, value_name = "N", value_parser = parse_batch_size)]
    pub batch_size: usize,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// Parses a duration such as `500ms`, `10s`, `2m` or `1h 30m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim()).map_err(|error| {
        format!("{error}; write a number with a unit, such as 500ms, 10s, 2m or 1h")
    })?;
    if duration.is_zero() {
        return Err("the duration must be longer than zero, such as 500ms or 10s".to_string());
    }
    Ok(duration)
}

fn parse_batch_size(text: &str) -> Result<usize, String> {
    let size: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number; use 1 to 1000"))?;
    match size {
        0 => Err("the batch size must be at least 1".to_string()),
        size if size > crate::entity::MAX_BATCH_SIZE => Err(format!(
            "{size} is over the limit of {} records per bulk-create request that Benchling \
             accepts for these entities; use {} or less",
            crate::entity::MAX_BATCH_SIZE,
            crate::entity::MAX_BATCH_SIZE
        )),
        size => Ok(size),
    }
}

const IMPORT_HELP: &str = concat!(
    "\
Input:
  Files may be FASTA or GenBank, plain or gzip-compressed (detected from the
  first two bytes, 1f 8b). The format is detected from the first non-blank line
  ('>' for FASTA, 'LOCUS' for GenBank) unless --format is given. Each file is
  read into memory whole.

Field mapping (Benchling bulk-create request field <- input):
  name            FASTA: the id (the header text up to the first space or tab)
                  GenBank: the LOCUS name, or ACCESSION when LOCUS has none
  aliases         [FASTA description (header text after the id)] or
                  [GenBank DEFINITION]; left out when empty
  bases           the sequence letters as written, without line breaks (and
                  without spaces and tabs in FASTA); aminoAcids for aa-sequences
  isCircular      dna-sequences only: GenBank LOCUS topology; FASTA records are
                  linear unless --circular is given
  annotations     one per GenBank feature except 'source':
                    start   0-based first base of the feature
                    end     0-based end, exclusive; written as 0 when the feature
                            reaches the end of the sequence, as Benchling's API
                            reference specifies; a feature that crosses the
                            origin of a circular record has end < start
                    strand  1 forward, -1 complement, 0 parts on both strands
                            (left out for aa-sequences; RNA takes 0 or 1, so a
                            complement feature on RNA is sent as 0, with a warning)
                    type    the feature key, such as CDS or misc_feature
                    name    the first of the qualifiers label, gene, product,
                            locus_tag; else the feature key
                    notes   the note qualifiers, joined with '; '
                  Features with several parts (join, order) become one annotation
                  over their outer span (with a warning); features whose location
                  has no range (n^n+1, gap, bond, one-of, external) are left out
                  (with a warning). Fuzzy ends (<, >) are used as plain ends.
  folderId, schemaId, registryId, namingStrategy
                  from --folder-id, --schema-id, --registry-id, --naming-strategy

Checks before sending (a failing record is reported with its file and line and
is not sent; the others still are):
  - the record parses and has a name and at least one letter;
  - every letter belongs to the entity's alphabet, in upper or lower case:
      dna-sequences, dna-oligos  A C G T N and IUPAC codes R Y S W K M B D H V
      rna-sequences              A C G U N and IUPAC codes R Y S W K M B D H V
      aa-sequences               A C D E F G H I K L M N P Q R S T V W Y and
                                 X * B Z J U O
    gaps ('-', '.'), digits and other characters are rejected;
  - a circular record goes only to dna-sequences (RNA sequences and oligos are
    linear only), and a GenBank nucleotide record does not go to aa-sequences;
  - names are unique across the whole import, so each created entity maps back
    to one record.

Sending and waiting:
  Valid records are sent in bulk-create requests of --batch-size records
  (at most 1000, the endpoints' limit). Up to --concurrency tasks run at once,
  each awaited with adaptive polling (1 s at first, then a tenth of the
  task's age, at most 10 s) through the client's rate-limit pacing and retries.
  A progress bar on stderr shows records sent, tasks running and records
  created when stderr is a terminal.

Results:
  stdout lists every record read: created (with its Benchling id and length),
  not created (with the reason: the local check, or Benchling's per-item error
  mapped back to the record), or unconfirmed (the task did not end within
  --timeout, could not be polled, or --no-wait was given: check it later with
  'benchling tasks wait TASK_ID' before importing these records again).
  A failed bulk-create task returns no entities, so all of its records are
  listed as not created; those without an error of their own show the task's
  message.
  Records not created are written, exactly as they appear in the input, to
  <input>.failed.fasta or <input>.failed.gb beside each input file (or in
  --failed-dir); the output names each file. Fix them and import that file.
  Unconfirmed records are not written there, because they may exist already.

",
    exit_codes_help!()
);

const DEMO_HELP: &str = "\
The demo starts a simulated Benchling tenant on 127.0.0.1 inside this process
(no network access and no credentials needed) and imports, with the same code
as 'benchling import':
  - data/NC_005816.gb: the Yersinia pestis pPCP1 plasmid, 9,609 bp, circular,
    with its gene, CDS and other features, as one DNA sequence;
  - data/NC_000932.faa: the 85 proteins of the Arabidopsis thaliana
    chloroplast genome, as amino-acid sequences.
Both files are built into the binary. Tasks of the simulated tenant take
20 s plus 100 ms per record in simulated time, run --time-scale times faster.";

#[cfg(test)]
mod tests {
    use super::Connection;

    #[test]
    fn connection_debug_hides_secrets() {
        let connection = Connection {
            tenant_url: Some("https://example.benchling.com".into()),
            api_key: Some("sk_secret_value".into()),
            client_id: Some("app_1".into()),
            client_secret: Some("cs_secret_value".into()),
        };
        let text = format!("{connection:?}");
        assert!(!text.contains("secret_value"), "{text}");
        assert!(text.contains("app_1"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}
