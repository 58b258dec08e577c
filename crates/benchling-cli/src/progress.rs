//! Progress bars on stderr, and a log writer that does not tear them.
//!
//! Bars are drawn only when stderr is a terminal. Log lines are written while the
//! bars are cleared ([`MultiProgress::suspend`]), then the bars are drawn again.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

static BARS: OnceLock<MultiProgress> = OnceLock::new();

/// Returns the process-wide set of bars; hidden when stderr is not a terminal.
pub fn bars() -> &'static MultiProgress {
    BARS.get_or_init(|| {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        MultiProgress::with_draw_target(target)
    })
}

/// Returns a bar of `total` records for an import.
pub fn import_bar(total: usize) -> ProgressBar {
    let bar = bars().add(ProgressBar::new(total as u64));
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed:>4} [{bar:30}] {pos}/{len} created  {msg}",
        )
        .expect("the template is valid")
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Returns a spinner for one task.
pub fn task_spinner(task_id: &str) -> ProgressBar {
    let spinner = bars().add(ProgressBar::new_spinner());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {elapsed:>4} {prefix} {msg}")
            .expect("the template is valid"),
    );
    spinner.set_prefix(task_id.to_string());
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}

/// A `tracing` writer that prints each log line between redraws of the bars.
#[derive(Debug, Default)]
pub struct LogWriter {
    buffer: Vec<u8>,
}

impl Write for LogWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let buffer = std::mem::take(&mut self.buffer);
        bars().suspend(|| std::io::stderr().write_all(&buffer))
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        // A log line that cannot be written to stderr has nowhere else to go.
        let _ = self.flush();
    }
}

/// Makes one [`LogWriter`] per log event.
pub fn make_log_writer() -> LogWriter {
    LogWriter::default()
}
