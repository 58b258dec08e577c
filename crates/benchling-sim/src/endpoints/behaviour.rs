//! The behaviour of each operation's task, by operation id.

use serde_json::{json, Map, Value};

use super::entities::{self, BulkMode, EntityKind};
use super::{results, Operation, TaskContext};
use crate::tasks::TaskOutcome;

/// The response a task builds when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behaviour {
    /// Entities built from the items, listed under `response_key`.
    Bulk {
        kind: EntityKind,
        mode: BulkMode,
        response_key: &'static str,
    },
    /// `entities:bulk-upsert`: one list per entity kind, each upserted.
    UpsertEntities,
    /// New workflow tasks copied from `workflowTaskIds`.
    CopyWorkflowTasks,
    /// `{"assayResults": [uuid...], "errors": null}`.
    AssayResults,
    /// DNA sequences translated back from `aaSequenceIds`.
    BackTranslate,
    /// One entry per target id with no matching sequences.
    MatchingRegions {
        response_key: &'static str,
        target_key: &'static str,
        matching_key: &'static str,
    },
    /// A `DnaAlignment` or `NucleotideAlignment`.
    Alignment,
    /// `{"downloadURL": ...}` for exports and audit logs.
    DownloadUrl,
    /// `{"destinationContainers": [...]}`.
    Transfers,
    /// An `AutomationInputGenerator` with status `SUCCEEDED`.
    InputGenerator,
    /// An `AutomationOutputProcessor` with status `SUCCEEDED`.
    OutputProcessor,
    /// A `DataFrame` with the patched fields.
    DataFrame,
    /// An empty `response` object.
    Empty,
}

/// The entity lists of `entities:bulk-upsert` and the kind of each.
pub(crate) const UPSERT_ENTITY_LISTS: &[(&str, EntityKind)] = &[
    ("aaSequences", EntityKind::AaSequence),
    ("customEntities", EntityKind::CustomEntity),
    ("dnaOligos", EntityKind::DnaOligo),
    ("dnaSequences", EntityKind::DnaSequence),
    ("molecules", EntityKind::Molecule),
    ("rnaOligos", EntityKind::RnaOligo),
];

/// Returns the behaviour of an operation, or `None` for an operation the table does not know.
pub(crate) fn behaviour_for(operation_id: &str) -> Option<Behaviour> {
    use BulkMode::{Create, Update, Upsert};
    use EntityKind::*;

    let bulk = |kind, mode, response_key| Behaviour::Bulk {
        kind,
        mode,
        response_key,
    };
    let behaviour = match operation_id {
        "bulkCreateAASequences" => bulk(AaSequence, Create, "aaSequences"),
        "bulkUpdateAASequences" => bulk(AaSequence, Update, "aaSequences"),
        "bulkUpsertAASequences" => bulk(AaSequence, Upsert, "aaSequences"),
        "bulkCreateDNASequences" => bulk(DnaSequence, Create, "dnaSequences"),
        "bulkUpdateDNASequences" => bulk(DnaSequence, Update, "dnaSequences"),
        "bulkUpsertDnaSequences" => bulk(DnaSequence, Upsert, "dnaSequences"),
        "bulkCreateRNASequences" => bulk(RnaSequence, Create, "rnaSequences"),
        "bulkUpdateRNASequences" => bulk(RnaSequence, Update, "rnaSequences"),
        "bulkCreateDNAOligos" | "bulkCreateOligos" => bulk(DnaOligo, Create, "dnaOligos"),
        "bulkUpdateDNAOligos" => bulk(DnaOligo, Update, "dnaOligos"),
        "bulkUpsertDNAOligos" => bulk(DnaOligo, Upsert, "dnaOligos"),
        "bulkCreateRNAOligos" => bulk(RnaOligo, Create, "rnaOligos"),
        "bulkUpdateRNAOligos" => bulk(RnaOligo, Update, "rnaOligos"),
        "bulkUpsertRNAOligos" => bulk(RnaOligo, Upsert, "rnaOligos"),
        "bulkCreateCustomEntities" => bulk(CustomEntity, Create, "customEntities"),
        "bulkUpdateCustomEntities" => bulk(CustomEntity, Update, "customEntities"),
        "bulkUpsertCustomEntities" => bulk(CustomEntity, Upsert, "customEntities"),
        "bulkCreateMolecules" => bulk(Molecule, Create, "molecules"),
        "bulkUpdateMolecules" => bulk(Molecule, Update, "molecules"),
        "bulkUpsertMolecules" => bulk(Molecule, Upsert, "molecules"),
        "bulkCreateMixtures" => bulk(Mixture, Create, "mixtures"),
        "bulkUpdateMixtures" => bulk(Mixture, Update, "mixtures"),
        "bulkCreateContainers" => bulk(Container, Create, "containers"),
        "bulkUpdateContainers" => bulk(Container, Update, "containers"),
        "bulkCreateFeatures" => bulk(Feature, Create, "features"),
        "bulkCreateUsers" => bulk(User, Create, "users"),
        "bulkUpdateUsers" => bulk(User, Update, "users"),
        "bulkCreateWorkflowTasks" => bulk(WorkflowTask, Create, "workflowTasks"),
        "bulkUpdateWorkflowTasks" => bulk(WorkflowTask, Update, "workflowTasks"),
        "bulkCreateWorkflowOutputs" => bulk(WorkflowOutput, Create, "workflowOutputs"),
        "bulkUpdateWorkflowOutputs" => bulk(WorkflowOutput, Update, "workflowOutputs"),
        "bulkCreateAppConfigurationItems" => bulk(AppConfigItem, Create, "appConfigurationItems"),
        "bulkUpdateAppConfigurationItems" => bulk(AppConfigItem, Update, "appConfigurationItems"),
        "bulkUpdateTestOrders" => bulk(TestOrder, Update, "testOrders"),
        "bulkUpsertEntities" => Behaviour::UpsertEntities,
        "bulkCopyWorkflowTasks" => Behaviour::CopyWorkflowTasks,
        "bulkCreateAssayResults" => Behaviour::AssayResults,
        "backTranslate" => Behaviour::BackTranslate,
        "findMatchingRegionsAaSequences" => Behaviour::MatchingRegions {
            response_key: "aaSequenceMatches",
            target_key: "targetAASequenceId",
            matching_key: "matchingAASequenceIds",
        },
        "findMatchingRegionsDnaSequences" => Behaviour::MatchingRegions {
            response_key: "dnaSequenceMatches",
            target_key: "targetDnaSequenceId",
            matching_key: "matchingDnaSequenceIds",
        },
        "createDnaConsensusAlignment"
        | "createDnaTemplateAlignment"
        | "createConsensusNucleotideAlignment"
        | "createTemplateNucleotideAlignment" => Behaviour::Alignment,
        "exportItem" | "auditLog" => Behaviour::DownloadUrl,
        "transferIntoContainers" => Behaviour::Transfers,
        "generateInputWithAutomationInputGenerator" => Behaviour::InputGenerator,
        "processOutputWithAutomationOutputProcessor" => Behaviour::OutputProcessor,
        "patchDataFrame" => Behaviour::DataFrame,
        "autoAnnotateAaSequences"
        | "autoAnnotateDnaSequences"
        | "autoAnnotateRnaSequences"
        | "autofillDNASequenceParts"
        | "autofillDNASequenceTranscriptions"
        | "autofillDNASequenceTranslations"
        | "autofillRNASequenceParts"
        | "autofillRNASequenceTranslations"
        | "optimizeCodons"
        | "registerEntities" => Behaviour::Empty,
        _ => return None,
    };
    Some(behaviour)
}

/// Items a bulk task accepts when the schema sets no `maxItems`. Benchling documents
/// 1,000 for most bulk endpoints and 2,500 for custom entities.
fn default_task_limit(kind: EntityKind) -> usize {
    match kind {
        EntityKind::CustomEntity => 2_500,
        _ => 1_000,
    }
}

impl Behaviour {
    /// Returns whether the task builds entities from a list of items and fails per item.
    pub(crate) fn is_bulk(self) -> bool {
        matches!(self, Self::Bulk { .. } | Self::UpsertEntities)
    }

    /// Decides how the task ends, from the request body and its items.
    pub(crate) fn run(
        self,
        spec: &Operation,
        body: &Map<String, Value>,
        items: &[Value],
        context: &mut TaskContext<'_>,
    ) -> TaskOutcome {
        let response = match self {
            Self::Bulk {
                kind,
                mode,
                response_key,
            } => {
                let limit = spec.item_limit.unwrap_or(default_task_limit(kind));
                let mut outcome =
                    entities::run_bulk(kind, mode, response_key, items, limit, context);
                if let TaskOutcome::Succeeded(response) = &mut outcome {
                    if kind == EntityKind::AaSequence && mode != BulkMode::Create {
                        // The OpenAPI document names this list `AaSequences` (so Benchling's
                        // Python SDK reads that key) while its example uses `aaSequences`.
                        // Sending both serves clients generated either way.
                        response["AaSequences"] = response[response_key].clone();
                    }
                }
                return outcome;
            }
            Self::UpsertEntities => return upsert_entities(body, context),
            Self::CopyWorkflowTasks => results::copied_workflow_tasks(items, context),
            Self::AssayResults => results::assay_results(items, context),
            Self::BackTranslate => results::back_translation(body, items, context),
            Self::MatchingRegions {
                response_key,
                target_key,
                matching_key,
            } => results::matching_regions(items, response_key, target_key, matching_key),
            Self::Alignment => results::alignment(body, context),
            Self::DownloadUrl => results::download_url(context),
            Self::Transfers => results::transfers(items, context),
            Self::InputGenerator => results::input_generator(context),
            Self::OutputProcessor => results::output_processor(context),
            Self::DataFrame => results::data_frame(context),
            Self::Empty => json!({}),
        };
        TaskOutcome::Succeeded(response)
    }
}

/// Upserts every list of an `entities:bulk-upsert` request; the task fails if any item fails,
/// with the index of the item within its own list.
fn upsert_entities(body: &Map<String, Value>, context: &mut TaskContext<'_>) -> TaskOutcome {
    let mut response = Map::new();
    let mut errors = Vec::new();

    for (field, kind) in UPSERT_ENTITY_LISTS {
        let Some(items) = body.get(*field).and_then(Value::as_array) else {
            continue;
        };
        let limit = default_task_limit(*kind);
        match entities::run_bulk(*kind, BulkMode::Upsert, field, items, limit, context) {
            TaskOutcome::Succeeded(mut lists) => {
                if let Some(list) = lists.get_mut(*field) {
                    response.insert((*field).to_owned(), list.take());
                }
            }
            TaskOutcome::Failed {
                errors: item_errors,
                ..
            } => {
                for mut error in item_errors
                    .and_then(|errors| errors.as_array().cloned())
                    .unwrap_or_default()
                {
                    error["field"] = json!(field);
                    errors.push(error);
                }
            }
        }
    }

    if errors.is_empty() {
        TaskOutcome::Succeeded(Value::Object(response))
    } else {
        TaskOutcome::Failed {
            message: "Your request was invalid.".to_owned(),
            errors: Some(Value::Array(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::ROUTES;
    use super::*;

    #[test]
    fn every_operation_has_behaviour() {
        for spec in ROUTES {
            assert!(
                behaviour_for(spec.operation_id).is_some(),
                "{} has no behaviour",
                spec.operation_id
            );
        }
    }

    #[test]
    fn table_lists_sixty_one_operations() {
        assert_eq!(ROUTES.len(), 61);
    }
}
