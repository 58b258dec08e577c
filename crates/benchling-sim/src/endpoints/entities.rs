//! Bulk create, update and upsert: entities built from the request items.

use serde_json::{json, Map, Value};

use super::TaskContext;
use crate::tasks::TaskOutcome;

/// The kinds of entity that bulk endpoints create, update or upsert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntityKind {
    DnaSequence,
    RnaSequence,
    AaSequence,
    DnaOligo,
    RnaOligo,
    CustomEntity,
    Molecule,
    Mixture,
    Container,
    Feature,
    User,
    WorkflowTask,
    WorkflowOutput,
    AppConfigItem,
    TestOrder,
}

/// Whether a bulk request makes new entities, changes existing ones, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BulkMode {
    Create,
    Update,
    Upsert,
}

/// The letters allowed in a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alphabet {
    Dna,
    Rna,
    AminoAcid,
}

impl Alphabet {
    /// Letters Benchling accepts, compared without case: nucleotides with the IUPAC
    /// ambiguity codes, or the 20 standard amino acids with `X*BZJUO`.
    fn letters(self) -> &'static str {
        match self {
            Self::Dna => "ACGTNRYSWKMBDHV",
            Self::Rna => "ACGUNRYSWKMBDHV",
            Self::AminoAcid => "ACDEFGHIKLMNPQRSTVWYXBZJUO*",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Dna => "DNA bases must be A, C, G, T, N or an IUPAC ambiguity code",
            Self::Rna => {
                "RNA bases must be A, C, G, U, N or an IUPAC ambiguity code (U instead of T)"
            }
            Self::AminoAcid => {
                "amino acids must be one of the 20 standard letters or X, *, B, Z, J, U, O"
            }
        }
    }
}

impl EntityKind {
    /// Prefix of the ids Benchling gives this kind, followed by 8 random letters and digits.
    pub(crate) fn id_prefix(self) -> &'static str {
        match self {
            Self::DnaSequence | Self::RnaSequence | Self::DnaOligo | Self::RnaOligo => "seq_",
            Self::AaSequence => "prtn_",
            Self::CustomEntity => "bfi_",
            Self::Molecule => "mol_",
            Self::Mixture => "mxt_",
            Self::Container => "con_",
            Self::Feature => "feat_",
            Self::User => "ent_",
            Self::WorkflowTask => "wftask_",
            Self::WorkflowOutput => "wfout_",
            Self::AppConfigItem => "aci_",
            Self::TestOrder => "tord_",
        }
    }

    /// Path segment of the entity's API route, for `apiURL`.
    fn api_segment(self) -> &'static str {
        match self {
            Self::DnaSequence => "dna-sequences",
            Self::RnaSequence => "rna-sequences",
            Self::AaSequence => "aa-sequences",
            Self::DnaOligo => "dna-oligos",
            Self::RnaOligo => "rna-oligos",
            Self::CustomEntity => "custom-entities",
            Self::Molecule => "molecules",
            Self::Mixture => "mixtures",
            Self::Container => "containers",
            Self::Feature => "features",
            Self::User => "users",
            Self::WorkflowTask => "workflow-tasks",
            Self::WorkflowOutput => "workflow-outputs",
            Self::AppConfigItem => "app-configuration-items",
            Self::TestOrder => "test-orders",
        }
    }

    /// Returns the request field that names the entity to update.
    fn update_id_field(self) -> &'static str {
        match self {
            Self::Container => "containerId",
            _ => "id",
        }
    }

    /// Returns the sequence field and its alphabet, for sequence and oligo kinds.
    fn sequence(self) -> Option<(&'static str, Alphabet)> {
        match self {
            Self::DnaSequence | Self::DnaOligo => Some(("bases", Alphabet::Dna)),
            Self::RnaSequence | Self::RnaOligo => Some(("bases", Alphabet::Rna)),
            Self::AaSequence => Some(("aminoAcids", Alphabet::AminoAcid)),
            _ => None,
        }
    }

    /// Returns whether the kind is a registry entity (with a folder, schema, fields and aliases).
    fn is_registry_entity(self) -> bool {
        matches!(
            self,
            Self::DnaSequence
                | Self::RnaSequence
                | Self::AaSequence
                | Self::DnaOligo
                | Self::RnaOligo
                | Self::CustomEntity
                | Self::Molecule
                | Self::Mixture
        )
    }
}

/// Request fields that configure the write and are not part of the stored entity.
const REQUEST_ONLY_FIELDS: &[&str] = &["schemaId", "authorIds", "namingStrategy", "registryId"];

/// Builds the task outcome of a bulk request: every entity, or per-item errors.
pub(crate) fn run_bulk(
    kind: EntityKind,
    mode: BulkMode,
    response_key: &str,
    items: &[Value],
    task_limit: usize,
    context: &mut TaskContext<'_>,
) -> TaskOutcome {
    if items.len() > task_limit {
        return TaskOutcome::Failed {
            message: format!(
                "Too many items: {} were sent and at most {task_limit} are allowed per request.",
                items.len()
            ),
            errors: Some(json!([{
                "index": task_limit,
                "message": format!("Item {task_limit} is over the limit of {task_limit} items per request."),
            }])),
        };
    }

    let mut entities = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match build_entity(kind, mode, item, context) {
            Ok(entity) => entities.push(entity),
            Err(message) => errors.push(json!({ "index": index, "message": message })),
        }
    }

    if errors.is_empty() {
        TaskOutcome::Succeeded(json!({ response_key: entities }))
    } else {
        TaskOutcome::Failed {
            message: "Your request was invalid.".to_owned(),
            errors: Some(Value::Array(errors)),
        }
    }
}

/// Builds the stored form of one item, or returns why Benchling would reject it.
pub(crate) fn build_entity(
    kind: EntityKind,
    mode: BulkMode,
    item: &Value,
    context: &mut TaskContext<'_>,
) -> Result<Value, String> {
    let Some(fields) = item.as_object() else {
        return Err("Each item must be a JSON object.".to_owned());
    };
    let mut entity: Map<String, Value> = fields.clone();

    // Updates keep the id they name; creates and upserts get a new one.
    let id_field = kind.update_id_field();
    let id = match (mode, fields.get(id_field).and_then(Value::as_str)) {
        (BulkMode::Update, Some(id)) if !id.is_empty() => id.to_owned(),
        (BulkMode::Update, _) => return Err(format!("Missing required field {id_field}.")),
        _ => context.new_id(kind.id_prefix()),
    };
    entity.remove("containerId");

    if let Some((field, alphabet)) = kind.sequence() {
        match fields.get(field) {
            Some(Value::String(letters)) => {
                check_sequence(letters, alphabet)?;
                entity.insert("length".to_owned(), json!(letters.chars().count()));
            }
            Some(_) => return Err(format!("Field {field} must be a string.")),
            None if mode == BulkMode::Update => {}
            None => return Err(format!("Missing required field {field}.")),
        }
        annotate_ids(&mut entity, "annotations", "ann_", context);
        annotate_ids(&mut entity, "primers", "prmr_", context);
        for list in ["annotations", "primers", "translations", "parts"] {
            if kind != EntityKind::AaSequence || list == "annotations" {
                entity.entry(list).or_insert_with(|| json!([]));
            }
        }
    }

    if let Some(Value::String(name)) = fields.get("name") {
        if name.trim().is_empty() {
            return Err("Field name must not be empty.".to_owned());
        }
    }

    if kind.is_registry_entity() {
        let schema = match fields.get("schemaId") {
            Some(Value::String(schema_id)) => json!({ "id": schema_id, "name": schema_id }),
            _ => Value::Null,
        };
        entity.insert("schema".to_owned(), schema);
        entity.entry("aliases").or_insert_with(|| json!([]));
        entity.entry("customFields").or_insert_with(|| json!({}));
        entity.entry("folderId").or_insert(Value::Null);
        let registry_id = fields.get("registryId").cloned().unwrap_or(Value::Null);
        entity.insert("registryId".to_owned(), registry_id);
        entity.entry("entityRegistryId").or_insert(Value::Null);
        entity.insert("registrationOrigin".to_owned(), Value::Null);
        entity.insert("archiveRecord".to_owned(), Value::Null);
        entity.insert("creator".to_owned(), context.creator());
        entity.insert("authors".to_owned(), json!([context.creator()]));
    }

    let fields_value = entity.remove("fields");
    entity.insert("fields".to_owned(), normalize_fields(fields_value));
    for request_only in REQUEST_ONLY_FIELDS {
        if *request_only != "registryId" || !kind.is_registry_entity() {
            entity.remove(*request_only);
        }
    }

    let timestamp = context.timestamp();
    entity.insert("id".to_owned(), json!(id));
    entity.insert("createdAt".to_owned(), json!(timestamp));
    entity.insert("modifiedAt".to_owned(), json!(timestamp));
    entity.insert(
        "apiURL".to_owned(),
        json!(format!(
            "{}/api/v2/{}/{id}",
            context.base_url,
            kind.api_segment()
        )),
    );
    entity.insert(
        "webURL".to_owned(),
        json!(format!("{}/benchling/f/{id}/edit", context.base_url)),
    );
    Ok(Value::Object(entity))
}

/// Checks every letter of a sequence against its alphabet.
fn check_sequence(letters: &str, alphabet: Alphabet) -> Result<(), String> {
    if letters.is_empty() {
        return Err("The sequence is empty; send at least one letter.".to_owned());
    }
    let allowed = alphabet.letters();
    for (position, letter) in letters.chars().enumerate() {
        if !allowed.contains(letter.to_ascii_uppercase()) {
            return Err(format!(
                "Invalid letter '{letter}' at position {}: {}.",
                position + 1,
                alphabet.describe()
            ));
        }
    }
    Ok(())
}

/// Gives every object in a list field an `id`, keeping ids the request already set.
fn annotate_ids(
    entity: &mut Map<String, Value>,
    list: &str,
    prefix: &str,
    context: &mut TaskContext<'_>,
) {
    let Some(Value::Array(items)) = entity.get_mut(list) else {
        return;
    };
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        if !item.contains_key("id") {
            item.insert("id".to_owned(), json!(context.new_id(prefix)));
        }
    }
}

/// Turns request fields (`{"name": {"value": v}}`) into the response form, which adds
/// `type`, `isMulti`, `displayValue` and `textValue`.
fn normalize_fields(fields: Option<Value>) -> Value {
    let Some(Value::Object(fields)) = fields else {
        return json!({});
    };
    let normalized = fields
        .into_iter()
        .map(|(name, field)| {
            let value = field.get("value").cloned().unwrap_or(Value::Null);
            let text = match &value {
                Value::Null => Value::Null,
                Value::String(text) => json!(text),
                Value::Array(values) => json!(values
                    .iter()
                    .map(|value| value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", ")),
                other => json!(other.to_string()),
            };
            let field_type = match &value {
                Value::Bool(_) => "boolean",
                Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
                Value::Number(_) => "float",
                _ => "text",
            };
            let mut normalized = match field {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            normalized.insert("value".to_owned(), value.clone());
            normalized
                .entry("type")
                .or_insert_with(|| json!(field_type));
            normalized.insert("isMulti".to_owned(), json!(value.is_array()));
            normalized.insert("displayValue".to_owned(), text.clone());
            normalized.insert("textValue".to_owned(), text);
            (name, Value::Object(normalized))
        })
        .collect();
    Value::Object(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dna_accepts_iupac_codes_in_any_case() {
        assert!(check_sequence("ACGTNRYSWKMBDHVacgt", Alphabet::Dna).is_ok());
    }

    #[test]
    fn dna_rejects_uracil_and_digits() {
        let error = check_sequence("ACGU", Alphabet::Dna).unwrap_err();
        assert!(error.contains("'U' at position 4"), "{error}");
        assert!(check_sequence("AC1", Alphabet::Dna).is_err());
    }

    #[test]
    fn rna_rejects_thymine() {
        assert!(check_sequence("ACGU", Alphabet::Rna).is_ok());
        assert!(check_sequence("ACGT", Alphabet::Rna).is_err());
    }

    #[test]
    fn amino_acids_accept_extended_letters() {
        assert!(check_sequence("MKTAYIAKQRX*BZJUO", Alphabet::AminoAcid).is_ok());
        assert!(check_sequence("MK1", Alphabet::AminoAcid).is_err());
    }

    #[test]
    fn empty_sequence_is_rejected() {
        assert!(check_sequence("", Alphabet::Dna).is_err());
    }

    #[test]
    fn fields_gain_response_attributes() {
        let fields = normalize_fields(Some(
            json!({ "Resistance": { "value": "Amp" }, "Ids": { "value": ["a", "b"] } }),
        ));
        assert_eq!(fields["Resistance"]["textValue"], "Amp");
        assert_eq!(fields["Resistance"]["isMulti"], false);
        assert_eq!(fields["Ids"]["isMulti"], true);
        assert_eq!(fields["Ids"]["displayValue"], "a, b");
    }
}
