//! Reading sequence files: gzip detection, format detection, and one [`Entry`]
//! per record with the line it starts on.
//!
//! A file is read whole into memory and split into records before parsing, so
//! that a record that does not parse is reported on its own line and the other
//! records of the file still go through.

mod fasta;
mod genbank;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

/// The first two bytes of a gzip stream (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A sequence file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Fasta,
    GenBank,
}

impl Format {
    /// Returns the file extension used for records written back in this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Fasta => "fasta",
            Format::GenBank => "gb",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Fasta => "FASTA",
            Format::GenBank => "GenBank",
        })
    }
}

/// The file a record came from, as the user named it.
#[derive(Debug)]
pub struct Source {
    /// The path as given on the command line, or a label for embedded data.
    pub display: String,
    /// The path on disk, or `None` for embedded data.
    pub path: Option<PathBuf>,
    /// The format the file was parsed as.
    pub format: Format,
}

/// One record of an input file, parsed or not.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The file the record came from.
    pub source: Arc<Source>,
    /// Line of the record's header (`>` or `LOCUS`), counted from 1.
    pub line: usize,
    /// The record's name, or the best guess when it did not parse (may be empty).
    pub name: String,
    /// The record's text exactly as in the (decompressed) file, for writing it back.
    pub raw: Vec<u8>,
    /// The parsed record, or why it could not be parsed.
    pub parsed: Result<ParsedRecord, String>,
}

/// The content of a record that parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedRecord {
    /// FASTA description or GenBank DEFINITION.
    pub description: Option<String>,
    /// The letters of the sequence, without line breaks or spaces.
    pub sequence: Vec<u8>,
    /// GenBank topology; always false for FASTA unless the user marks it.
    pub circular: bool,
    /// GenBank molecule type from the LOCUS line, such as `DNA` or `mRNA`.
    pub molecule_type: Option<String>,
    /// Features to turn into annotations.
    pub features: Vec<Feature>,
    /// Warnings about what was simplified or left out while reading the record.
    pub warnings: Vec<String>,
    /// For each line of sequence text: the 0-based offset in `sequence` of its
    /// first letter and its line number, to point at the line of a bad letter.
    pub sequence_lines: Vec<(usize, usize)>,
}

impl ParsedRecord {
    /// Returns the file line that contains the letter at 0-based `offset`, when known.
    pub fn line_of_offset(&self, offset: usize) -> Option<usize> {
        let index = self
            .sequence_lines
            .partition_point(|(start, _)| *start <= offset);
        index
            .checked_sub(1)
            .map(|index| self.sequence_lines[index].1)
    }
}

/// A GenBank feature reduced to what a Benchling annotation holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// 0-based inclusive start.
    pub start: usize,
    /// 0-based exclusive end; smaller than `start` for a feature that wraps
    /// around the origin of a circular sequence.
    pub end: usize,
    /// 1 forward, -1 reverse, 0 for a feature with parts on both strands.
    pub strand: i8,
    /// The feature key, such as `CDS` or `misc_feature`.
    pub kind: String,
    /// From the `label`, `gene`, `product` or `locus_tag` qualifier, else the key.
    pub name: String,
    /// The `note` qualifiers joined with "; ".
    pub notes: Option<String>,
}

/// The format option of `import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FormatChoice {
    /// Detect from the first non-blank line: `>` for FASTA, `LOCUS` for GenBank.
    #[default]
    Auto,
    /// FASTA: records start with a `>` line
    Fasta,
    /// GenBank flat file: records run from `LOCUS` to `//`
    #[value(name = "genbank")]
    GenBank,
}

/// A file that cannot be read as a whole.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot decompress {file}: it starts like gzip but is not valid gzip ({source})")]
    Gzip {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot tell the format of {file}: its first line starts with {start:?} instead of \
         '>' (FASTA) or 'LOCUS' (GenBank); pass --format fasta or --format genbank"
    )]
    UnknownFormat { file: String, start: String },
    #[error("{file} contains no records; check that it is a FASTA or GenBank file")]
    Empty { file: String },
}

/// Reads a file from disk and splits it into entries.
pub fn read_file(path: &Path, choice: FormatChoice) -> Result<Vec<Entry>, InputError> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| InputError::Io {
        file: display.clone(),
        source,
    })?;
    parse_bytes(&display, Some(path.to_path_buf()), &bytes, choice)
}

/// Splits the content of a file (plain or gzip) into entries.
pub fn parse_bytes(
    display: &str,
    path: Option<PathBuf>,
    bytes: &[u8],
    choice: FormatChoice,
) -> Result<Vec<Entry>, InputError> {
    let text = decompress(display, bytes)?;
    let format = match choice {
        FormatChoice::Fasta => Format::Fasta,
        FormatChoice::GenBank => Format::GenBank,
        FormatChoice::Auto => detect_format(display, &text)?,
    };
    let source = Arc::new(Source {
        display: display.to_string(),
        path,
        format,
    });

    let entries = match format {
        Format::Fasta => fasta::split(&source, &text),
        Format::GenBank => genbank::split(&source, &text),
    };
    if entries.is_empty() {
        return Err(InputError::Empty {
            file: display.to_string(),
        });
    }
    Ok(entries)
}

fn decompress(display: &str, bytes: &[u8]) -> Result<Vec<u8>, InputError> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(bytes.to_vec());
    }

    // MultiGzDecoder also reads concatenated members, as written by bgzip.
    let mut text = Vec::new();
    MultiGzDecoder::new(bytes)
        .read_to_end(&mut text)
        .map_err(|source| InputError::Gzip {
            file: display.to_string(),
            source,
        })?;
    Ok(text)
}

fn detect_format(display: &str, text: &[u8]) -> Result<Format, InputError> {
    let first = lines(text)
        .map(|(_, line)| trim_line_end(line))
        .find(|line| !line.iter().all(u8::is_ascii_whitespace));
    let Some(first) = first else {
        return Err(InputError::Empty {
            file: display.to_string(),
        });
    };

    // A UTF-8 byte order mark is tolerated before the first line.
    let first = first.strip_prefix(b"\xef\xbb\xbf").unwrap_or(first);
    if first.starts_with(b">") {
        Ok(Format::Fasta)
    } else if first.starts_with(b"LOCUS") {
        Ok(Format::GenBank)
    } else {
        let start = String::from_utf8_lossy(&first[..first.len().min(20)]).into_owned();
        Err(InputError::UnknownFormat {
            file: display.to_string(),
            start,
        })
    }
}

/// Iterates over the lines of `text` with their 1-based numbers; each line keeps its line break.
pub(crate) fn lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    text.split_inclusive(|byte| *byte == b'\n')
        .enumerate()
        .map(|(index, line)| (index + 1, line))
}

/// Removes a trailing `\n` or `\r\n`.
pub(crate) fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::GzEncoder;
    use flate2::Compression;

    use super::*;

    #[test]
    fn gzip_detected_by_magic_bytes() {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(b">a\nACGT\n").unwrap();
        let compressed = encoder.finish().unwrap();

        let entries = parse_bytes("a.fa.gz", None, &compressed, FormatChoice::Auto).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].source.format, Format::Fasta);
        assert_eq!(entries[0].parsed.as_ref().unwrap().sequence, b"ACGT");
    }

    #[test]
    fn truncated_gzip_is_an_error() {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(b">a\nACGT\n").unwrap();
        let compressed = encoder.finish().unwrap();

        let error = parse_bytes("a.gz", None, &compressed[..12], FormatChoice::Auto).unwrap_err();
        assert!(matches!(error, InputError::Gzip { .. }), "{error}");
    }

    #[test]
    fn format_detected_from_first_line() {
        assert_eq!(detect_format("f", b"\n\n>x\nAC\n").unwrap(), Format::Fasta);
        assert_eq!(
            detect_format("f", b"LOCUS       X  4 bp    DNA\n").unwrap(),
            Format::GenBank
        );
        assert_eq!(
            detect_format("f", b"\xef\xbb\xbf>x\n").unwrap(),
            Format::Fasta
        );
    }

    #[test]
    fn unknown_format_names_file_and_fix() {
        let error = detect_format("notes.txt", b"hello world\n").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("notes.txt"), "{text}");
        assert!(text.contains("--format"), "{text}");
    }

    #[test]
    fn empty_file_is_an_error() {
        let error = parse_bytes("empty.fa", None, b"\n  \n", FormatChoice::Auto).unwrap_err();
        assert!(matches!(error, InputError::Empty { .. }), "{error}");
    }

    #[test]
    fn line_of_offset_finds_line() {
        let record = ParsedRecord {
            sequence_lines: vec![(0, 2), (4, 3), (8, 4)],
            ..Default::default()
        };
        assert_eq!(record.line_of_offset(0), Some(2));
        assert_eq!(record.line_of_offset(3), Some(2));
        assert_eq!(record.line_of_offset(4), Some(3));
        assert_eq!(record.line_of_offset(100), Some(4));
        assert_eq!(ParsedRecord::default().line_of_offset(0), None);
    }
}
