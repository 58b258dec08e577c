//! FASTA records, parsed with `noodles-fasta` one record at a time.

use std::sync::Arc;

use noodles_fasta as fasta;

use super::{lines, trim_line_end, Entry, ParsedRecord, Source};

/// Splits FASTA text at its `>` lines and parses each record on its own.
///
/// Non-blank text before the first `>` line becomes an entry that did not parse.
pub(super) fn split(source: &Arc<Source>, text: &[u8]) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut preamble: Option<(usize, usize)> = None;
    let mut current: Option<(usize, usize)> = None;
    let mut offset = 0;

    for (number, line) in lines(text) {
        let start = offset;
        offset += line.len();

        if line.starts_with(b">") {
            if let Some((first_line, begin)) = current.take() {
                entries.push(parse_record(source, first_line, &text[begin..start]));
            }
            current = Some((number, start));
        } else if current.is_none()
            && preamble.is_none()
            && !line.iter().all(u8::is_ascii_whitespace)
        {
            preamble = Some((number, start));
        }
    }
    if let Some((first_line, begin)) = current {
        entries.push(parse_record(source, first_line, &text[begin..]));
    }

    if let Some((line, begin)) = preamble {
        let end = text[begin..]
            .windows(2)
            .position(|pair| pair == b"\n>")
            .map_or(text.len(), |position| begin + position + 1);
        entries.insert(
            0,
            Entry {
                source: Arc::clone(source),
                line,
                name: String::new(),
                raw: text[begin..end].to_vec(),
                parsed: Err("text before the first '>' header line; \
                             every FASTA record starts with a line beginning with '>'"
                    .to_string()),
            },
        );
    }
    entries
}

/// Parses one record: its `>` line at `line` and the sequence lines after it.
fn parse_record(source: &Arc<Source>, line: usize, raw: &[u8]) -> Entry {
    let header = String::from_utf8_lossy(trim_line_end(
        raw.split(|b| *b == b'\n').next().unwrap_or(raw),
    ));
    let guessed_name = header[1..]
        .split_ascii_whitespace()
        .next()
        .unwrap_or("")
        .to_string();

    let mut reader = fasta::io::Reader::new(raw);
    let parsed = match reader.records().next() {
        Some(Ok(record)) => Ok(record),
        Some(Err(error)) => Err(format!("the FASTA record does not parse: {error}")),
        None => Err("the FASTA record does not parse".to_string()),
    };

    let parsed = parsed.and_then(|record| {
        let name = String::from_utf8_lossy(record.name()).into_owned();
        if name.is_empty() {
            return Err("the '>' header line has no name".to_string());
        }
        let description = record
            .description()
            .map(|text| String::from_utf8_lossy(text).trim().to_string())
            .filter(|text| !text.is_empty());

        // Spaces and tabs inside sequence lines carry no meaning in FASTA.
        let sequence: Vec<u8> = record
            .sequence()
            .as_ref()
            .iter()
            .copied()
            .filter(|byte| !matches!(byte, b' ' | b'\t'))
            .collect();

        Ok((
            name,
            ParsedRecord {
                description,
                sequence,
                sequence_lines: sequence_lines(raw, line),
                ..Default::default()
            },
        ))
    });

    match parsed {
        Ok((name, record)) => Entry {
            source: Arc::clone(source),
            line,
            name,
            raw: raw.to_vec(),
            parsed: Ok(record),
        },
        Err(reason) => Entry {
            source: Arc::clone(source),
            line,
            name: guessed_name,
            raw: raw.to_vec(),
            parsed: Err(reason),
        },
    }
}

/// Maps each sequence line of a record to the offset of its first letter.
fn sequence_lines(raw: &[u8], header_line: usize) -> Vec<(usize, usize)> {
    let mut result = Vec::new();
    let mut offset = 0;
    for (number, line) in lines(raw).skip(1) {
        let letters = trim_line_end(line)
            .iter()
            .filter(|byte| !matches!(byte, b' ' | b'\t'))
            .count();
        if letters > 0 {
            result.push((offset, header_line + number - 1));
            offset += letters;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Format;

    fn source() -> Arc<Source> {
        Arc::new(Source {
            display: "test.fa".into(),
            path: None,
            format: Format::Fasta,
        })
    }

    #[test]
    fn records_get_names_lines_and_sequences() {
        let text = b">one first record\nACGT\nAC\n>two\r\nGG GG\r\n\n>three\n";
        let entries = split(&source(), text);
        assert_eq!(entries.len(), 3);

        assert_eq!(entries[0].name, "one");
        assert_eq!(entries[0].line, 1);
        let first = entries[0].parsed.as_ref().unwrap();
        assert_eq!(first.sequence, b"ACGTAC");
        assert_eq!(first.description.as_deref(), Some("first record"));
        assert_eq!(first.sequence_lines, vec![(0, 2), (4, 3)]);

        assert_eq!(entries[1].name, "two");
        assert_eq!(entries[1].line, 4);
        assert_eq!(entries[1].parsed.as_ref().unwrap().sequence, b"GGGG");
        assert_eq!(entries[1].parsed.as_ref().unwrap().description, None);

        assert_eq!(entries[2].name, "three");
        assert_eq!(entries[2].line, 7);
        assert!(entries[2].parsed.as_ref().unwrap().sequence.is_empty());
    }

    #[test]
    fn raw_text_is_kept_per_record() {
        let text = b">a\nAC\n>b\nGT\n";
        let entries = split(&source(), text);
        assert_eq!(entries[0].raw, b">a\nAC\n");
        assert_eq!(entries[1].raw, b">b\nGT\n");
    }

    #[test]
    fn header_without_name_is_reported() {
        let entries = split(&source(), b">\nACGT\n>ok\nAC\n");
        assert_eq!(entries.len(), 2);
        assert!(entries[0].parsed.is_err());
        assert_eq!(entries[0].line, 1);
        assert!(entries[1].parsed.is_ok());
    }

    #[test]
    fn text_before_first_header_is_reported() {
        let entries = split(&source(), b"\nstray text\n>ok\nAC\n");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].line, 2);
        let reason = entries[0].parsed.as_ref().unwrap_err();
        assert!(reason.contains("before the first '>'"), "{reason}");
        assert_eq!(entries[0].raw, b"stray text\n");
        assert_eq!(entries[1].name, "ok");
    }
}
