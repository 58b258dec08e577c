//! GenBank records, parsed with `gb-io` one record at a time, and their
//! features reduced to Benchling annotations.

use std::sync::Arc;

use gb_io::seq::{Location, Seq};

use super::{lines, trim_line_end, Entry, Feature, ParsedRecord, Source};

/// Maximum length of an annotation name in Benchling (`SequenceFeatureBase.name.maxLength`).
const MAX_NAME_CHARS: usize = 2048;
/// Maximum length of annotation notes in Benchling (`SequenceFeatureBase.notes.maxLength`).
const MAX_NOTES_CHARS: usize = 10_000;
/// Qualifiers that name a feature, in order of preference.
const NAME_QUALIFIERS: [&str; 4] = ["label", "gene", "product", "locus_tag"];

/// Splits GenBank text into records (`LOCUS` to `//`) and parses each on its own.
///
/// Non-blank text outside records becomes an entry that did not parse.
pub(super) fn split(source: &Arc<Source>, text: &[u8]) -> Vec<Entry> {
    let mut entries = Vec::new();
    // The open chunk: first line, byte offset, and whether it is a record or stray text.
    let mut open: Option<(usize, usize, bool)> = None;
    let mut offset = 0;

    for (number, line) in lines(text) {
        let start = offset;
        offset += line.len();
        let content = trim_line_end(line);

        if content.starts_with(b"LOCUS") {
            if let Some((first, begin, is_record)) = open.take() {
                entries.push(chunk_entry(source, first, &text[begin..start], is_record));
            }
            open = Some((number, start, true));
        } else if content.starts_with(b"//") {
            if let Some((first, begin, is_record)) = open.take() {
                entries.push(chunk_entry(source, first, &text[begin..offset], is_record));
            }
        } else if open.is_none() && !content.iter().all(u8::is_ascii_whitespace) {
            open = Some((number, start, false));
        }
    }
    if let Some((first, begin, is_record)) = open {
        entries.push(chunk_entry(source, first, &text[begin..], is_record));
    }
    entries
}

fn chunk_entry(source: &Arc<Source>, line: usize, raw: &[u8], is_record: bool) -> Entry {
    let entry = |name: String, parsed| Entry {
        source: Arc::clone(source),
        line,
        name,
        raw: raw.to_vec(),
        parsed,
    };

    if !is_record {
        return entry(
            String::new(),
            Err(
                "text outside a GenBank record; records start with a LOCUS line and end with '//'"
                    .to_string(),
            ),
        );
    }

    let guessed_name = String::from_utf8_lossy(raw)
        .split_ascii_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();

    let seq = match gb_io::reader::SeqReader::new(raw).next() {
        Some(Ok(seq)) => seq,
        Some(Err(error)) => {
            return entry(
                guessed_name,
                Err(format!("the GenBank record does not parse: {error}")),
            )
        }
        None => {
            return entry(
                guessed_name,
                Err("the GenBank record does not parse: no record found".to_string()),
            )
        }
    };

    let name = seq
        .name
        .clone()
        .or_else(|| seq.accession.clone())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty());
    let Some(name) = name else {
        return entry(
            guessed_name,
            Err("the record has no name on its LOCUS line and no ACCESSION".to_string()),
        );
    };

    let (features, warnings) = map_features(&seq);
    let record = ParsedRecord {
        description: seq
            .definition
            .as_deref()
            .map(collapse_whitespace)
            .filter(|text| !text.is_empty()),
        sequence: seq.seq.clone(),
        circular: seq.is_circular(),
        molecule_type: seq.molecule_type.clone(),
        features,
        warnings,
        sequence_lines: origin_lines(raw, line),
    };
    entry(name, Ok(record))
}

/// Maps the lines after ORIGIN to the offsets they start at, from their leading position numbers.
fn origin_lines(raw: &[u8], record_line: usize) -> Vec<(usize, usize)> {
    let mut result = Vec::new();
    let mut in_origin = false;
    for (number, line) in lines(raw) {
        let content = trim_line_end(line);
        if !in_origin {
            in_origin = content.starts_with(b"ORIGIN");
            continue;
        }
        let text = String::from_utf8_lossy(content);
        let Some(position) = text
            .split_ascii_whitespace()
            .next()
            .and_then(|first| first.parse::<usize>().ok())
        else {
            continue;
        };
        if position >= 1 {
            result.push((position - 1, record_line + number - 1));
        }
    }
    result
}

/// Turns the features of a record into annotations, with warnings about what
/// had to be simplified or left out. The `source` feature is always left out.
fn map_features(seq: &Seq) -> (Vec<Feature>, Vec<String>) {
    let length = seq.seq.len() as i64;
    let circular = seq.is_circular();
    let mut features = Vec::new();
    let mut simplified = 0;
    // Left-out features counted by description, such as "variation (between-bases location)".
    let mut skipped: std::collections::BTreeMap<String, usize> = Default::default();
    let mut truncated = 0;

    for feature in &seq.features {
        if feature.kind == "source" {
            continue;
        }

        let mut parts = Vec::new();
        if let Err(kind) = flatten(&feature.location, false, &mut parts) {
            *skipped
                .entry(format!("{} ({kind} location)", feature.kind))
                .or_default() += 1;
            continue;
        }
        if parts.is_empty()
            || parts
                .iter()
                .any(|part| part.0 < 0 || part.1 > length || part.0 >= part.1)
        {
            *skipped
                .entry(format!("{} (location outside the sequence)", feature.kind))
                .or_default() += 1;
            continue;
        }

        let ranges: Vec<(i64, i64)> = parts.iter().map(|part| (part.0, part.1)).collect();
        let (start, end, exact) = span(&ranges, length, circular);
        if !exact {
            simplified += 1;
        }

        let reverse = parts.iter().filter(|part| part.2).count();
        let strand = match reverse {
            0 => 1,
            count if count == parts.len() => -1,
            _ => 0,
        };

        let name = NAME_QUALIFIERS
            .iter()
            .find_map(|key| {
                feature
                    .qualifier_values(key)
                    .map(collapse_whitespace)
                    .find(|value| !value.is_empty())
            })
            .unwrap_or_else(|| feature.kind.to_string());
        let notes: Vec<String> = feature
            .qualifier_values("note")
            .map(collapse_whitespace)
            .collect();
        let notes = (!notes.is_empty()).then(|| notes.join("; "));

        let (name, name_cut) = truncate_chars(name, MAX_NAME_CHARS);
        let (notes, notes_cut) = match notes {
            Some(notes) => {
                let (notes, cut) = truncate_chars(notes, MAX_NOTES_CHARS);
                (Some(notes), cut)
            }
            None => (None, false),
        };
        if name_cut || notes_cut {
            truncated += 1;
        }

        features.push(Feature {
            start: start as usize,
            end: end as usize,
            strand,
            kind: feature.kind.to_string(),
            name,
            notes,
        });
    }

    let mut warnings = Vec::new();
    if simplified > 0 {
        warnings.push(format!(
            "{simplified} feature(s) with several parts (join or order) became one annotation \
             over their outer span"
        ));
    }
    if !skipped.is_empty() {
        let total: usize = skipped.values().sum();
        let listed: Vec<String> = skipped
            .iter()
            .map(|(description, count)| format!("{count} {description}"))
            .collect();
        warnings.push(format!(
            "{total} feature(s) left out because Benchling annotations cannot hold their \
             location: {}",
            listed.join(", ")
        ));
    }
    if truncated > 0 {
        warnings.push(format!(
            "{truncated} feature(s) had a name longer than {MAX_NAME_CHARS} or notes longer than \
             {MAX_NOTES_CHARS} characters, cut to that length"
        ));
    }
    (features, warnings)
}

/// Collects the simple ranges of a location as `(start, end, reverse)`; returns
/// the name of the first location type that has no range.
fn flatten(
    location: &Location,
    reverse: bool,
    parts: &mut Vec<(i64, i64, bool)>,
) -> Result<(), &'static str> {
    match location {
        Location::Range((start, _), (end, _)) => {
            parts.push((*start, *end, reverse));
            Ok(())
        }
        Location::Complement(inner) => flatten(inner, !reverse, parts),
        Location::Join(items) | Location::Order(items) => {
            for item in items {
                flatten(item, reverse, parts)?;
            }
            Ok(())
        }
        Location::Between(..) => Err("between-bases"),
        Location::Bond(..) => Err("bond"),
        Location::OneOf(..) => Err("one-of"),
        Location::External(..) => Err("external"),
        Location::Gap(..) => Err("gap"),
    }
}

/// Returns the smallest single span covering `ranges` as `(start, end, exact)`.
///
/// On a circular sequence the span may cross the origin (then `end <= start`):
/// it leaves out the largest stretch not covered by any range. `exact` is true
/// when the ranges cover the whole span, so no gap was filled in.
fn span(ranges: &[(i64, i64)], length: i64, circular: bool) -> (i64, i64, bool) {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable();

    // Merge overlapping or touching ranges.
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (start, end) in sorted {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let covered: i64 = merged.iter().map(|(start, end)| end - start).sum();
    let low = merged[0].0;
    let high = merged[merged.len() - 1].1;

    if circular && merged.len() > 1 {
        let origin_gap = length - high + low;
        let largest_inner = merged
            .windows(2)
            .map(|pair| (pair[1].0 - pair[0].1, pair[1].0, pair[0].1))
            .max_by_key(|gap| gap.0);
        if let Some((gap, start, end)) = largest_inner {
            if gap > origin_gap {
                let span_length = length - gap;
                return (start, end, covered == span_length);
            }
        }
    }
    (low, high, covered == high - low)
}

/// Joins the lines of a value that GenBank wrapped, with one space between words.
fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts `text` to at most `max` characters; returns whether it was cut.
fn truncate_chars(text: String, max: usize) -> (String, bool) {
    match text.char_indices().nth(max) {
        Some((end, _)) => (text[..end].to_string(), true),
        None => (text, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Format;

    fn source() -> Arc<Source> {
        Arc::new(Source {
            display: "test.gb".into(),
            path: None,
            format: Format::GenBank,
        })
    }

    const RECORD: &str = "\
LOCUS       pTEST                     24 bp    DNA     circular SYN 01-JAN-2024
DEFINITION  A test
            plasmid.
ACCESSION   pTEST
FEATURES             Location/Qualifiers
     source          1..24
                     /organism=\"synthetic construct\"
     gene            2..10
                     /gene=\"abc\"
     CDS             complement(12..20)
                     /product=\"Abc protein\"
                     /note=\"first
                     line\"
                     /note=\"second\"
     misc_feature    join(20..24,1..3)
                     /label=\"wrap\"
     intron_test     join(1..3,7..9)
     misc_feature    5^6
ORIGIN
        1 atgcatgcat gcatgcatgc atgc
//
";

    #[test]
    fn record_maps_name_topology_and_features() {
        let entries = split(&source(), RECORD.as_bytes());
        assert_eq!(entries.len(), 1);
        let entry = &entries[0];
        assert_eq!(entry.name, "pTEST");
        assert_eq!(entry.line, 1);

        let record = entry.parsed.as_ref().unwrap();
        assert!(record.circular);
        assert_eq!(record.sequence.len(), 24);
        assert_eq!(record.description.as_deref(), Some("A test plasmid."));
        assert_eq!(record.molecule_type.as_deref(), Some("DNA"));
        assert_eq!(record.sequence_lines, vec![(0, 20)]);

        let names: Vec<&str> = record.features.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["abc", "Abc protein", "wrap", "intron_test"]);

        let gene = &record.features[0];
        assert_eq!((gene.start, gene.end, gene.strand), (1, 10, 1));
        assert_eq!(gene.kind, "gene");

        let cds = &record.features[1];
        assert_eq!((cds.start, cds.end, cds.strand), (11, 20, -1));
        assert_eq!(cds.notes.as_deref(), Some("first line; second"));

        let wrap = &record.features[2];
        assert_eq!((wrap.start, wrap.end), (19, 3));

        let intron = &record.features[3];
        assert_eq!((intron.start, intron.end), (0, 9));
    }

    #[test]
    fn simplified_and_skipped_features_are_warned() {
        let entries = split(&source(), RECORD.as_bytes());
        let warnings = &entries[0].parsed.as_ref().unwrap().warnings;
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("1 feature(s) with several parts"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].contains("1 misc_feature (between-bases location)"),
            "{warnings:?}"
        );
    }

    #[test]
    fn bad_record_does_not_hide_the_next() {
        let text = format!(
            "LOCUS       broken  4 bp    DNA     linear\nFEATURES  ???\n   nonsense((\n//\n{RECORD}"
        );
        let entries = split(&source(), text.as_bytes());
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "broken");
        assert!(entries[0].parsed.is_err());
        assert_eq!(entries[1].name, "pTEST");
        assert_eq!(entries[1].line, 5);
        assert!(entries[1].parsed.is_ok());
    }

    #[test]
    fn stray_text_between_records_is_reported() {
        let text = format!("{RECORD}stray line\n{RECORD}");
        let entries = split(&source(), text.as_bytes());
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[1].line, 22);
        assert!(entries[1]
            .parsed
            .as_ref()
            .unwrap_err()
            .contains("outside a GenBank record"));
    }

    #[test]
    fn span_on_linear_sequence_is_outer_bounds() {
        assert_eq!(span(&[(5, 10)], 100, false), (5, 10, true));
        assert_eq!(span(&[(50, 60), (5, 10)], 100, false), (5, 60, false));
        assert_eq!(span(&[(5, 10), (10, 20)], 100, false), (5, 20, true));
    }

    #[test]
    fn span_on_circular_sequence_crosses_origin() {
        assert_eq!(span(&[(90, 100), (0, 10)], 100, true), (90, 10, true));
        assert_eq!(span(&[(80, 90), (0, 10)], 100, true), (80, 10, false));
        assert_eq!(span(&[(10, 20), (30, 40)], 100, true), (10, 40, false));
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate_chars("ééé".into(), 2), ("éé".to_string(), true));
        assert_eq!(truncate_chars("ab".into(), 2), ("ab".to_string(), false));
    }
}
