//! Result tables (Markdown) and target checks shared by every benchmark.

use serde::Serialize;

use crate::budget::BudgetReport;
use crate::decode::DecodeReport;
use crate::machine::Machine;
use crate::scale::ScaleReport;
use crate::summary::Summary;

/// Every result of one run of the runner.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The command line of this run.
    pub command: String,
    /// The machine it ran on.
    pub machine: Machine,
    /// The rate-budget benchmark, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetReport>,
    /// The decode benchmark, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decode: Option<DecodeReport>,
    /// The scale benchmark, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleReport>,
}

impl Report {
    /// Renders the report as Markdown tables.
    pub fn to_markdown(&self) -> String {
        let machine = &self.machine;
        let mut text = format!(
            "Command: `{}`\n\nMachine: {} CPUs ({}), {} GiB, Linux {}, {} build\n",
            self.command,
            machine.cpus,
            machine.cpu_model,
            machine.memory_gib,
            machine.kernel,
            machine.build_profile
        );
        if let Some(budget) = &self.budget {
            text.push('\n');
            text.push_str(&budget.to_markdown());
        }
        if let Some(decode) = &self.decode {
            text.push('\n');
            text.push_str(&decode.to_markdown());
        }
        if let Some(scale) = &self.scale {
            text.push('\n');
            text.push_str(&scale.to_markdown());
        }

        let targets: Vec<&TargetCheck> = self
            .budget
            .iter()
            .flat_map(|budget| &budget.targets)
            .chain(self.decode.iter().flat_map(|decode| &decode.targets))
            .chain(self.scale.iter().flat_map(|scale| &scale.targets))
            .collect();
        if !targets.is_empty() {
            text.push_str("\n### Targets\n\n");
            let mut table = Table::new(["target", "goal", "measured", "met"]);
            for target in targets {
                table.row([
                    target.name.clone(),
                    target.goal.clone(),
                    target.measured.clone(),
                    if target.met { "yes" } else { "no" }.to_string(),
                ]);
            }
            text.push_str(&table.render());
        }
        text
    }
}

/// One target and whether the measured value meets it.
#[derive(Debug, Clone, Serialize)]
pub struct TargetCheck {
    /// The measured quantity.
    pub name: String,
    /// The goal, for example `≤ 2.00 s`.
    pub goal: String,
    /// The measured value.
    pub measured: String,
    /// True when the measured value meets the goal.
    pub met: bool,
}

impl TargetCheck {
    /// Builds a check.
    pub fn new(
        name: impl Into<String>,
        goal: impl Into<String>,
        measured: impl Into<String>,
        met: bool,
    ) -> Self {
        TargetCheck {
            name: name.into(),
            goal: goal.into(),
            measured: measured.into(),
            met,
        }
    }
}

/// A Markdown table with padded columns.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Starts a table with these column headers.
    pub fn new<const N: usize>(headers: [&str; N]) -> Table {
        Table {
            headers: headers.iter().map(|header| header.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing cells are left empty.
    pub fn row<const N: usize>(&mut self, cells: [String; N]) {
        self.rows.push(cells.to_vec());
    }

    /// Renders the table, one line per row.
    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let cell = |row: &Vec<String>, column: usize| row.get(column).cloned().unwrap_or_default();
        let widths: Vec<usize> = (0..columns)
            .map(|column| {
                self.rows
                    .iter()
                    .map(|row| cell(row, column).chars().count())
                    .chain([self.headers[column].chars().count(), 3])
                    .max()
                    .unwrap_or(3)
            })
            .collect();

        let line = |cells: Vec<String>| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(text, width)| format!("{text:<width$}"))
                .collect();
            format!("| {} |\n", padded.join(" | "))
        };

        let mut text = line(self.headers.clone());
        text.push_str(&line(
            widths.iter().map(|width| "-".repeat(*width)).collect(),
        ));
        for row in &self.rows {
            text.push_str(&line(
                (0..columns).map(|column| cell(row, column)).collect(),
            ));
        }
        text
    }
}

/// Formats the p50 and p95 of a summary in seconds, or `n/a`.
pub fn seconds_p50_p95(summary: &Option<Summary>) -> String {
    match summary {
        Some(summary) => format!("{:.2} / {:.2}", summary.p50, summary.p95),
        None => "n/a".to_string(),
    }
}

/// Quotes command-line words that contain spaces or shell characters, for display.
pub fn shell_words(words: impl IntoIterator<Item = String>) -> String {
    words
        .into_iter()
        .map(|word| {
            if !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
            {
                word
            } else {
                format!("'{}'", word.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pads_columns() {
        let mut table = Table::new(["a", "long header"]);
        table.row(["value".to_string(), "x".to_string()]);
        assert_eq!(
            table.render(),
            "| a     | long header |\n| ----- | ----------- |\n| value | x           |\n"
        );
    }

    #[test]
    fn shell_words_quotes_spaces() {
        assert_eq!(
            shell_words(["run".to_string(), "a b".to_string(), "it's".to_string()]),
            r"run 'a b' 'it'\''s'"
        );
    }
}
