//! Builds the bulk-create items from records: the field mapping shown in `import --help`.

use serde_json::{json, Map, Value};

use crate::entity::EntityKind;
use crate::input::ParsedRecord;

/// Folder, schema and registry settings of the created entities.
#[derive(Debug, Clone, Default)]
pub struct Destination {
    pub folder_id: Option<String>,
    pub schema_id: Option<String>,
    pub registry_id: Option<String>,
    pub naming_strategy: Option<NamingStrategy>,
}

/// Benchling's `NamingStrategy` values for registering entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NamingStrategy {
    /// Generate new registry ids.
    NewIds,
    /// Generate registry ids from the entity names.
    IdsFromNames,
    /// Generate new registry ids and replace the names with them.
    DeleteNames,
    /// Generate new registry ids, rename from the name template, keep the old name as an alias.
    SetFromNameParts,
    /// Generate new registry ids and rename from the name template.
    ReplaceNamesFromParts,
    /// Use the entity names as registry ids.
    KeepNames,
    /// Generate registry ids and names from the name template.
    ReplaceIdAndNameFromParts,
}

impl NamingStrategy {
    /// Returns the value as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            NamingStrategy::NewIds => "NEW_IDS",
            NamingStrategy::IdsFromNames => "IDS_FROM_NAMES",
            NamingStrategy::DeleteNames => "DELETE_NAMES",
            NamingStrategy::SetFromNameParts => "SET_FROM_NAME_PARTS",
            NamingStrategy::ReplaceNamesFromParts => "REPLACE_NAMES_FROM_PARTS",
            NamingStrategy::KeepNames => "KEEP_NAMES",
            NamingStrategy::ReplaceIdAndNameFromParts => "REPLACE_ID_AND_NAME_FROM_PARTS",
        }
    }
}

/// Builds one bulk-create item; returns it with warnings about values that had to change.
///
/// The record must have passed [`crate::validate::check`] for `entity`.
pub fn build_item(
    entity: EntityKind,
    name: &str,
    record: &ParsedRecord,
    destination: &Destination,
) -> (Value, Vec<String>) {
    let mut item = Map::new();
    let mut warnings = Vec::new();

    item.insert("name".into(), json!(name));
    item.insert(
        entity.sequence_field().into(),
        json!(String::from_utf8_lossy(&record.sequence)),
    );
    if entity == EntityKind::DnaSequences {
        item.insert("isCircular".into(), json!(record.circular));
    }
    if let Some(description) = &record.description {
        item.insert("aliases".into(), json!([description]));
    }

    if !record.features.is_empty() {
        let (annotations, reverse_on_rna) = annotations(entity, record);
        if reverse_on_rna > 0 {
            warnings.push(format!(
                "{reverse_on_rna} reverse-strand feature(s) were sent with strand 0 because \
                 RNA annotations take strand 0 or 1"
            ));
        }
        item.insert("annotations".into(), Value::Array(annotations));
    }

    let optional = [
        ("folderId", destination.folder_id.as_deref()),
        ("schemaId", destination.schema_id.as_deref()),
        ("registryId", destination.registry_id.as_deref()),
        (
            "namingStrategy",
            destination.naming_strategy.map(NamingStrategy::as_str),
        ),
    ];
    for (field, value) in optional {
        if let Some(value) = value {
            item.insert(field.into(), json!(value));
        }
    }

    (Value::Object(item), warnings)
}

/// Builds the annotations of a record; returns them with the number of
/// reverse-strand features changed to strand 0 for RNA.
fn annotations(entity: EntityKind, record: &ParsedRecord) -> (Vec<Value>, usize) {
    let length = record.sequence.len();
    let mut reverse_on_rna = 0;

    let annotations = record
        .features
        .iter()
        .map(|feature| {
            // Benchling's API reference for `DnaAnnotation.end`: "The end of the
            // sequence is always represented as 0."
            let end = if feature.end == length {
                0
            } else {
                feature.end
            };
            let mut annotation = json!({
                "start": feature.start,
                "end": end,
                "type": feature.kind,
                "name": feature.name,
            });

            match entity {
                EntityKind::AaSequences => {}
                EntityKind::RnaSequences if feature.strand < 0 => {
                    reverse_on_rna += 1;
                    annotation["strand"] = json!(0);
                }
                _ => annotation["strand"] = json!(feature.strand),
            }
            if let Some(notes) = &feature.notes {
                annotation["notes"] = json!(notes);
            }
            annotation
        })
        .collect();
    (annotations, reverse_on_rna)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Feature;

    fn record() -> ParsedRecord {
        ParsedRecord {
            description: Some("A test plasmid.".into()),
            sequence: b"ACGTACGTAC".to_vec(),
            circular: true,
            features: vec![
                Feature {
                    start: 2,
                    end: 10,
                    strand: -1,
                    kind: "CDS".into(),
                    name: "abc".into(),
                    notes: Some("a note".into()),
                },
                Feature {
                    start: 8,
                    end: 2,
                    strand: 1,
                    kind: "misc_feature".into(),
                    name: "wrap".into(),
                    notes: None,
                },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn dna_item_has_every_mapped_field() {
        let destination = Destination {
            folder_id: Some("lib_1".into()),
            schema_id: Some("ts_1".into()),
            registry_id: Some("src_1".into()),
            naming_strategy: Some(NamingStrategy::KeepNames),
        };
        let (item, warnings) = build_item(EntityKind::DnaSequences, "pX", &record(), &destination);
        assert!(warnings.is_empty());
        assert_eq!(
            item,
            json!({
                "name": "pX",
                "bases": "ACGTACGTAC",
                "isCircular": true,
                "aliases": ["A test plasmid."],
                "annotations": [
                    {"start": 2, "end": 0, "strand": -1, "type": "CDS", "name": "abc", "notes": "a note"},
                    {"start": 8, "end": 2, "strand": 1, "type": "misc_feature", "name": "wrap"}
                ],
                "folderId": "lib_1",
                "schemaId": "ts_1",
                "registryId": "src_1",
                "namingStrategy": "KEEP_NAMES"
            })
        );
    }

    #[test]
    fn protein_item_uses_amino_acids_without_strand() {
        let (item, _) = build_item(
            EntityKind::AaSequences,
            "p",
            &record(),
            &Destination::default(),
        );
        assert_eq!(item["aminoAcids"], "ACGTACGTAC");
        assert!(item.get("bases").is_none());
        assert!(item.get("isCircular").is_none());
        assert!(item["annotations"][0].get("strand").is_none());
    }

    #[test]
    fn rna_reverse_strand_becomes_zero_with_warning() {
        let (item, warnings) = build_item(
            EntityKind::RnaSequences,
            "r",
            &record(),
            &Destination::default(),
        );
        assert_eq!(item["annotations"][0]["strand"], 0);
        assert_eq!(warnings.len(), 1);
        assert!(item.get("isCircular").is_none());
    }

    #[test]
    fn record_without_features_or_description_sends_no_lists() {
        let plain = ParsedRecord {
            sequence: b"ACGT".to_vec(),
            ..Default::default()
        };
        let (item, _) = build_item(EntityKind::DnaOligos, "o", &plain, &Destination::default());
        assert_eq!(item, json!({"name": "o", "bases": "ACGT"}));
    }
}
