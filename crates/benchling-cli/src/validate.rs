//! Checks a record before it is sent: name, letters, topology, molecule type
//! and duplicate names.

use std::collections::HashMap;

use crate::entity::EntityKind;
use crate::input::Entry;

/// How many distinct invalid letters a message lists.
const MAX_LISTED_LETTERS: usize = 8;

/// Tracks the names already accepted in one import, to reject duplicates.
#[derive(Debug, Default)]
pub struct NameRegistry {
    seen: HashMap<String, String>,
}

impl NameRegistry {
    /// Records `name` for `location`; returns the location of an earlier record with the same name.
    fn claim(&mut self, name: &str, location: String) -> Option<&str> {
        if self.seen.contains_key(name) {
            return self.seen.get(name).map(String::as_str);
        }
        self.seen.insert(name.to_string(), location);
        None
    }
}

/// Checks one entry for `entity`; returns why it cannot be sent.
///
/// A valid record's name is claimed in `names`, so a later record with the same
/// name is rejected; rejected records claim nothing.
pub fn check(entry: &Entry, entity: EntityKind, names: &mut NameRegistry) -> Result<(), String> {
    let record = entry.parsed.as_ref().map_err(Clone::clone)?;

    if entry.name.trim().is_empty() {
        return Err("the record has no name".to_string());
    }
    if record.sequence.is_empty() {
        return Err("the record has no sequence letters".to_string());
    }

    if let Some(molecule) = &record.molecule_type {
        let nucleotide = molecule.to_ascii_uppercase().contains("NA");
        if nucleotide && !entity.is_nucleotide() {
            return Err(format!(
                "the GenBank record is a nucleotide sequence (molecule type {molecule}) \
                 but --entity {entity} takes amino acids; import proteins from FASTA"
            ));
        }
    }

    if record.circular && !entity.allows_circular() {
        return Err(format!(
            "the record is circular but {entity} are linear only; import it with \
             --entity dna-sequences or mark it linear in the file"
        ));
    }

    check_letters(record, entity)?;

    let location = format!("{}:{}", entry.source.display, entry.line);
    if let Some(first) = names.claim(&entry.name, location) {
        return Err(format!(
            "duplicate name {:?}: the record at {first} has the same name; \
             rename one so the created entities can be told apart",
            entry.name
        ));
    }
    Ok(())
}

/// Rejects a sequence with letters outside the entity's alphabet, naming the
/// first one with its position and line.
fn check_letters(record: &crate::input::ParsedRecord, entity: EntityKind) -> Result<(), String> {
    let alphabet = entity.alphabet();
    let mut first = None;
    let mut count = 0;
    let mut distinct: Vec<u8> = Vec::new();

    for (offset, letter) in record.sequence.iter().enumerate() {
        if alphabet.accepts(*letter) {
            continue;
        }
        count += 1;
        first.get_or_insert(offset);
        if !distinct.contains(letter) && distinct.len() < MAX_LISTED_LETTERS {
            distinct.push(*letter);
        }
    }

    let Some(offset) = first else {
        return Ok(());
    };
    let letter = describe_letter(record.sequence[offset]);
    let line = record
        .line_of_offset(offset)
        .map(|line| format!(" (line {line})"))
        .unwrap_or_default();
    let listed: Vec<String> = distinct.iter().map(|byte| describe_letter(*byte)).collect();
    Err(format!(
        "invalid letter {letter} at position {}{line}; {count} invalid letter(s) in all ({}); {}",
        offset + 1,
        listed.join(", "),
        alphabet_hint(entity, &distinct),
    ))
}

/// Describes the alphabet and, when the invalid letters suggest another entity, names it.
fn alphabet_hint(entity: EntityKind, invalid: &[u8]) -> String {
    let mut hint = entity.alphabet().describe().to_string();
    let only = |letters: &[u8]| {
        invalid
            .iter()
            .all(|byte| letters.contains(&byte.to_ascii_uppercase()))
    };
    let protein_letters = b"ACDEFGHIKLMNPQRSTVWYXBZJUO*";

    match entity {
        EntityKind::DnaSequences | EntityKind::DnaOligos if only(b"U") => {
            hint.push_str(" (for RNA use --entity rna-sequences)")
        }
        EntityKind::RnaSequences if only(b"T") => {
            hint.push_str(" (for DNA use --entity dna-sequences)")
        }
        EntityKind::DnaSequences | EntityKind::DnaOligos | EntityKind::RnaSequences
            if only(protein_letters) =>
        {
            hint.push_str(" (for proteins use --entity aa-sequences)")
        }
        _ => {}
    }
    hint
}

/// Quotes a letter, spelling out the ones that are hard to see.
fn describe_letter(byte: u8) -> String {
    match byte {
        b' ' => "' ' (space)".to_string(),
        b'\t' => "tab".to_string(),
        b'\r' => "carriage return".to_string(),
        byte if byte.is_ascii_graphic() => format!("'{}'", byte as char),
        byte => format!("byte 0x{byte:02x}"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::input::{Format, ParsedRecord, Source};

    fn entry(name: &str, sequence: &str) -> Entry {
        Entry {
            source: Arc::new(Source {
                display: "in.fa".into(),
                path: None,
                format: Format::Fasta,
            }),
            line: 7,
            name: name.into(),
            raw: Vec::new(),
            parsed: Ok(ParsedRecord {
                sequence: sequence.as_bytes().to_vec(),
                sequence_lines: vec![(0, 8), (4, 9)],
                ..Default::default()
            }),
        }
    }

    #[test]
    fn valid_dna_passes() {
        let mut names = NameRegistry::default();
        assert_eq!(
            check(
                &entry("a", "ACGTnnry"),
                EntityKind::DnaSequences,
                &mut names
            ),
            Ok(())
        );
    }

    #[test]
    fn invalid_letter_reports_position_and_line() {
        let mut names = NameRegistry::default();
        let reason = check(
            &entry("a", "ACGTAUGX"),
            EntityKind::DnaSequences,
            &mut names,
        )
        .unwrap_err();
        assert!(reason.contains("'U' at position 6 (line 9)"), "{reason}");
        assert!(
            reason.contains("2 invalid letter(s) in all ('U', 'X')"),
            "{reason}"
        );
        assert!(reason.contains("aa-sequences"), "{reason}");
    }

    #[test]
    fn hint_names_the_likely_entity() {
        let mut names = NameRegistry::default();
        let uracil = check(&entry("u", "ACGUU"), EntityKind::DnaSequences, &mut names).unwrap_err();
        assert!(uracil.contains("--entity rna-sequences"), "{uracil}");

        let protein = check(
            &entry("p", "MKTAYIAKQR"),
            EntityKind::DnaSequences,
            &mut names,
        )
        .unwrap_err();
        assert!(protein.contains("--entity aa-sequences"), "{protein}");

        let thymine = check(&entry("t", "ACGT"), EntityKind::RnaSequences, &mut names).unwrap_err();
        assert!(thymine.contains("--entity dna-sequences"), "{thymine}");
    }

    #[test]
    fn rna_rejects_thymine() {
        let mut names = NameRegistry::default();
        let reason = check(&entry("a", "ACGT"), EntityKind::RnaSequences, &mut names).unwrap_err();
        assert!(reason.contains("'T' at position 4"), "{reason}");
        assert!(check(&entry("b", "ACGU"), EntityKind::RnaSequences, &mut names).is_ok());
    }

    #[test]
    fn protein_accepts_stop_and_rejects_digits() {
        let mut names = NameRegistry::default();
        assert!(check(&entry("a", "MKV*"), EntityKind::AaSequences, &mut names).is_ok());
        let reason = check(&entry("b", "MK1V"), EntityKind::AaSequences, &mut names).unwrap_err();
        assert!(reason.contains("'1' at position 3"), "{reason}");
    }

    #[test]
    fn space_is_spelled_out() {
        assert_eq!(describe_letter(b' '), "' ' (space)");
        assert_eq!(describe_letter(0x01), "byte 0x01");
    }

    #[test]
    fn empty_sequence_is_rejected() {
        let mut names = NameRegistry::default();
        let reason = check(&entry("a", ""), EntityKind::DnaSequences, &mut names).unwrap_err();
        assert!(reason.contains("no sequence"), "{reason}");
    }

    #[test]
    fn duplicate_name_names_first_record() {
        let mut names = NameRegistry::default();
        assert!(check(&entry("a", "ACGT"), EntityKind::DnaSequences, &mut names).is_ok());
        let reason = check(&entry("a", "ACGT"), EntityKind::DnaSequences, &mut names).unwrap_err();
        assert!(reason.contains("duplicate name \"a\""), "{reason}");
        assert!(reason.contains("in.fa:7"), "{reason}");
    }

    #[test]
    fn rejected_record_does_not_claim_its_name() {
        let mut names = NameRegistry::default();
        assert!(check(&entry("a", "AC#"), EntityKind::DnaSequences, &mut names).is_err());
        assert!(check(&entry("a", "ACGT"), EntityKind::DnaSequences, &mut names).is_ok());
    }

    #[test]
    fn circular_record_needs_dna_sequences() {
        let mut names = NameRegistry::default();
        let mut circular = entry("a", "ACGT");
        circular.parsed.as_mut().unwrap().circular = true;
        assert!(check(&circular, EntityKind::DnaSequences, &mut names).is_ok());
        let reason = check(&circular, EntityKind::DnaOligos, &mut names).unwrap_err();
        assert!(reason.contains("linear only"), "{reason}");
    }

    #[test]
    fn nucleotide_genbank_rejected_as_protein() {
        let mut names = NameRegistry::default();
        let mut record = entry("a", "ACGT");
        record.parsed.as_mut().unwrap().molecule_type = Some("DNA".into());
        let reason = check(&record, EntityKind::AaSequences, &mut names).unwrap_err();
        assert!(reason.contains("molecule type DNA"), "{reason}");
    }
}
