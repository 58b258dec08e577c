//! The entity types `import` creates, with their endpoints, fields and alphabets.

use std::fmt;

/// Most items one bulk-create request of these endpoints takes (`maxItems` of
/// `dnaSequences`, `rnaSequences`, `aaSequences` and `dnaOligos` in Benchling's
/// v2 OpenAPI document).
pub const MAX_BATCH_SIZE: usize = 1000;

/// The entity type of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EntityKind {
    /// DNA sequences (`POST /dna-sequences:bulk-create`).
    DnaSequences,
    /// RNA sequences (`POST /rna-sequences:bulk-create`).
    RnaSequences,
    /// Amino-acid sequences (`POST /aa-sequences:bulk-create`).
    AaSequences,
    /// DNA oligos (`POST /dna-oligos:bulk-create`).
    DnaOligos,
}

/// The letters a sequence may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    Dna,
    Rna,
    AminoAcid,
}

impl Alphabet {
    /// Returns the accepted letters, in upper case; lower case is accepted too.
    pub fn letters(self) -> &'static str {
        match self {
            Alphabet::Dna => "ACGTNRYSWKMBDHV",
            Alphabet::Rna => "ACGUNRYSWKMBDHV",
            Alphabet::AminoAcid => "ACDEFGHIKLMNPQRSTVWYXBZJUO*",
        }
    }

    /// Returns true when `letter` (any case) belongs to the alphabet.
    pub fn accepts(self, letter: u8) -> bool {
        self.letters()
            .as_bytes()
            .contains(&letter.to_ascii_uppercase())
    }

    /// Returns a sentence listing the accepted letters.
    pub fn describe(self) -> &'static str {
        match self {
            Alphabet::Dna => {
                "DNA takes A, C, G, T, N and the IUPAC ambiguity codes R, Y, S, W, K, M, B, D, H, V"
            }
            Alphabet::Rna => {
                "RNA takes A, C, G, U, N and the IUPAC ambiguity codes R, Y, S, W, K, M, B, D, H, V"
            }
            Alphabet::AminoAcid => {
                "amino-acid sequences take the 20 standard one-letter codes \
                 (ACDEFGHIKLMNPQRSTVWY) and X, *, B, Z, J, U, O"
            }
        }
    }
}

impl EntityKind {
    /// Returns the option value, such as `dna-sequences`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::DnaSequences => "dna-sequences",
            EntityKind::RnaSequences => "rna-sequences",
            EntityKind::AaSequences => "aa-sequences",
            EntityKind::DnaOligos => "dna-oligos",
        }
    }

    /// Returns the list field of the request body and of the task's response.
    pub fn list_field(self) -> &'static str {
        match self {
            EntityKind::DnaSequences => "dnaSequences",
            EntityKind::RnaSequences => "rnaSequences",
            EntityKind::AaSequences => "aaSequences",
            EntityKind::DnaOligos => "dnaOligos",
        }
    }

    /// Returns the field that contains the sequence letters.
    pub fn sequence_field(self) -> &'static str {
        match self {
            EntityKind::AaSequences => "aminoAcids",
            _ => "bases",
        }
    }

    /// Returns the alphabet of the sequence letters.
    pub fn alphabet(self) -> Alphabet {
        match self {
            EntityKind::DnaSequences | EntityKind::DnaOligos => Alphabet::Dna,
            EntityKind::RnaSequences => Alphabet::Rna,
            EntityKind::AaSequences => Alphabet::AminoAcid,
        }
    }

    /// Returns true when the entity can be circular. Benchling documents RNA
    /// sequences as linear only, and oligos have no `isCircular` field.
    pub fn allows_circular(self) -> bool {
        self == EntityKind::DnaSequences
    }

    /// Returns true when the entity is a nucleotide sequence.
    pub fn is_nucleotide(self) -> bool {
        self != EntityKind::AaSequences
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dna_takes_iupac_in_any_case() {
        for letter in b"ACGTNRYSWKMBDHVacgtnryswkmbdhv" {
            assert!(Alphabet::Dna.accepts(*letter), "{}", *letter as char);
        }
        for letter in b"UuEFIJLOPQXZ*-. 1" {
            assert!(!Alphabet::Dna.accepts(*letter), "{}", *letter as char);
        }
    }

    #[test]
    fn rna_takes_uracil_not_thymine() {
        assert!(Alphabet::Rna.accepts(b'U'));
        assert!(Alphabet::Rna.accepts(b'u'));
        assert!(!Alphabet::Rna.accepts(b'T'));
        assert!(!Alphabet::Rna.accepts(b't'));
    }

    #[test]
    fn amino_acids_take_standard_and_extended_letters() {
        for letter in b"ACDEFGHIKLMNPQRSTVWYXBZJUO*acdefghiklmnpqrstvwyxbzjuo" {
            assert!(Alphabet::AminoAcid.accepts(*letter), "{}", *letter as char);
        }
        for letter in b"-. 1#" {
            assert!(!Alphabet::AminoAcid.accepts(*letter), "{}", *letter as char);
        }
    }

    #[test]
    fn only_dna_sequences_may_be_circular() {
        assert!(EntityKind::DnaSequences.allows_circular());
        assert!(!EntityKind::RnaSequences.allows_circular());
        assert!(!EntityKind::DnaOligos.allows_circular());
        assert!(!EntityKind::AaSequences.allows_circular());
    }
}
