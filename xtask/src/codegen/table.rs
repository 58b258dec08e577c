//! The reviewed mapping from each task-creating operation to its Rust method and to the
//! shape of its task's response.
//!
//! The OpenAPI document does not link an operation to the `*AsyncTask` schema of the task it
//! starts, so this table does. Each row rests on one of these facts:
//! - the schema name matches the operation (`bulkCreateDNASequences` and
//!   `BulkCreateDnaSequencesAsyncTask`);
//! - the named examples of `GET /tasks/{task_id}` (`"DNA Sequences - Bulk Create"`) show the
//!   response, and `EmptySuccessTaskResponse` marks a task that returns no data;
//! - no schema or example documents the response: the row is [`Response::Untyped`] and the
//!   method returns the JSON value as sent.
//!
//! The generator fails when a row names an operation, schema, example or field that the
//! document does not have, or when the document has a task-creating operation without a row.

/// Shape of the `response` of a succeeded task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// The `response` property of the named `*AsyncTask` schema.
    Task(&'static str),
    /// No data (`{}`), as the named example shows.
    Empty,
    /// Not documented: decoded as any JSON value.
    Untyped,
}

/// One task-creating operation.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub operation_id: &'static str,
    /// Method name on the area's handler.
    pub rust_method: &'static str,
    pub response: Response,
    /// Array property of the request that carries the items of a bulk request.
    pub item_field: Option<&'static str>,
    /// Key of the example attached to `GET /tasks/{task_id}` for this operation.
    pub example: Option<&'static str>,
}

const fn row(
    operation_id: &'static str,
    rust_method: &'static str,
    response: Response,
    item_field: Option<&'static str>,
    example: Option<&'static str>,
) -> Row {
    Row {
        operation_id,
        rust_method,
        response,
        item_field,
        example,
    }
}

use Response::{Empty, Task, Untyped};

/// Sorted by area, then by Rust method.
pub const ROWS: &[Row] = &[
    // AA Sequences
    row(
        "autoAnnotateAaSequences",
        "auto_annotate",
        Untyped,
        Some("aaSequenceIds"),
        None,
    ),
    row(
        "backTranslate",
        "back_translate",
        Untyped,
        Some("aaSequenceIds"),
        None,
    ),
    row(
        "bulkCreateAASequences",
        "bulk_create",
        Task("BulkCreateAaSequencesAsyncTask"),
        Some("aaSequences"),
        Some("AA Sequences - Bulk Create"),
    ),
    row(
        "bulkUpdateAASequences",
        "bulk_update",
        Task("BulkUpdateAaSequencesAsyncTask"),
        Some("aaSequences"),
        Some("AA Sequences - Bulk Update"),
    ),
    row(
        "bulkUpsertAASequences",
        "bulk_upsert",
        Untyped,
        Some("aaSequences"),
        None,
    ),
    row(
        "findMatchingRegionsAaSequences",
        "find_matching_regions",
        Task("FindMatchingRegionsAsyncTask"),
        Some("targetAASequenceIds"),
        Some("AA Sequences - Find Matching Region"),
    ),
    // Apps
    row(
        "bulkCreateAppConfigurationItems",
        "bulk_create_configuration_items",
        Untyped,
        Some("appConfigurationItems"),
        None,
    ),
    row(
        "bulkUpdateAppConfigurationItems",
        "bulk_update_configuration_items",
        Untyped,
        Some("appConfigurationItems"),
        None,
    ),
    // Assay Results
    row(
        "bulkCreateAssayResults",
        "bulk_create",
        Untyped,
        Some("assayResults"),
        None,
    ),
    // Audit
    row(
        "auditLog",
        "export_log",
        Task("ExportAuditLogAsyncTask"),
        None,
        Some("Audit - Export Audit Log"),
    ),
    // Containers
    row(
        "bulkCreateContainers",
        "bulk_create",
        Task("BulkCreateContainersAsyncTask"),
        Some("containers"),
        Some("Containers - Bulk Create"),
    ),
    row(
        "bulkUpdateContainers",
        "bulk_update",
        Task("BulkUpdateContainersAsyncTask"),
        Some("containers"),
        Some("Containers - Bulk Update"),
    ),
    row(
        "transferIntoContainers",
        "transfer_into_containers",
        Task("TransfersAsyncTask"),
        Some("transfers"),
        Some("Containers - Transfers"),
    ),
    // Custom Entities
    row(
        "bulkCreateCustomEntities",
        "bulk_create",
        Task("BulkCreateCustomEntitiesAsyncTask"),
        Some("customEntities"),
        Some("Custom Entities - Bulk Create"),
    ),
    row(
        "bulkUpdateCustomEntities",
        "bulk_update",
        Task("BulkUpdateCustomEntitiesAsyncTask"),
        Some("customEntities"),
        Some("Custom Entities - Bulk Update"),
    ),
    row(
        "bulkUpsertCustomEntities",
        "bulk_upsert",
        Untyped,
        Some("customEntities"),
        None,
    ),
    // Data Frames
    row("patchDataFrame", "update", Untyped, None, None),
    // DNA Alignments
    row(
        "createDnaConsensusAlignment",
        "create_consensus_alignment",
        Task("CreateConsensusAlignmentAsyncTask"),
        Some("files"),
        Some("DNA Alignments - Create Consensus Alignment"),
    ),
    row(
        "createDnaTemplateAlignment",
        "create_template_alignment",
        Task("CreateTemplateAlignmentAsyncTask"),
        Some("files"),
        Some("DNA Alignments - Create Template Alignment"),
    ),
    // DNA Oligos
    row(
        "bulkCreateDNAOligos",
        "bulk_create",
        Task("BulkCreateDnaOligosAsyncTask"),
        Some("dnaOligos"),
        Some("DNA Oligos - Bulk Create"),
    ),
    row(
        "bulkUpdateDNAOligos",
        "bulk_update",
        Task("BulkUpdateDnaOligosAsyncTask"),
        Some("dnaOligos"),
        Some("DNA Oligos - Bulk Update"),
    ),
    row(
        "bulkUpsertDNAOligos",
        "bulk_upsert",
        Untyped,
        Some("dnaOligos"),
        None,
    ),
    // DNA Sequences
    row(
        "autoAnnotateDnaSequences",
        "auto_annotate",
        Empty,
        Some("dnaSequenceIds"),
        Some("DNA Sequences - Auto Annotate"),
    ),
    row(
        "autofillDNASequenceParts",
        "autofill_parts",
        Empty,
        Some("dnaSequenceIds"),
        Some("DNA Sequences - Autofill Parts"),
    ),
    row(
        "autofillDNASequenceTranscriptions",
        "autofill_transcriptions",
        Empty,
        Some("dnaSequenceIds"),
        Some("DNA Sequences - Autofill Transcriptions"),
    ),
    row(
        "autofillDNASequenceTranslations",
        "autofill_translations",
        Empty,
        Some("dnaSequenceIds"),
        Some("DNA Sequences - Autofill Translations"),
    ),
    row(
        "bulkCreateDNASequences",
        "bulk_create",
        Task("BulkCreateDnaSequencesAsyncTask"),
        Some("dnaSequences"),
        Some("DNA Sequences - Bulk Create"),
    ),
    row(
        "bulkUpdateDNASequences",
        "bulk_update",
        Task("BulkUpdateDnaSequencesAsyncTask"),
        Some("dnaSequences"),
        Some("DNA Sequences - Bulk Update"),
    ),
    row(
        "bulkUpsertDnaSequences",
        "bulk_upsert",
        Untyped,
        Some("dnaSequences"),
        None,
    ),
    row(
        "findMatchingRegionsDnaSequences",
        "find_matching_regions",
        Task("FindMatchingRegionsDnaAsyncTask"),
        Some("targetDnaSequenceIds"),
        None,
    ),
    row(
        "optimizeCodons",
        "optimize_codons",
        Untyped,
        Some("dnaSequenceIds"),
        None,
    ),
    // Entities
    row("bulkUpsertEntities", "bulk_upsert", Untyped, None, None),
    // Exports
    row(
        "exportItem",
        "export",
        Task("ExportsAsyncTask"),
        None,
        Some("Exports - Export Item"),
    ),
    // Feature Libraries
    row(
        "bulkCreateFeatures",
        "bulk_create_features",
        Task("BulkCreateFeaturesAsyncTask"),
        Some("features"),
        Some("Features - Bulk Create"),
    ),
    // Lab Automation
    row(
        "generateInputWithAutomationInputGenerator",
        "generate_input",
        Task("AIGGenerateInputAsyncTask"),
        None,
        Some("Lab Automation - Generate Input"),
    ),
    row(
        "processOutputWithAutomationOutputProcessor",
        "process_output",
        Task("AOPProcessOutputAsyncTask"),
        None,
        Some("Lab Automation - Process Output"),
    ),
    // Mixtures
    row(
        "bulkCreateMixtures",
        "bulk_create",
        Untyped,
        Some("mixtures"),
        None,
    ),
    row(
        "bulkUpdateMixtures",
        "bulk_update",
        Untyped,
        Some("mixtures"),
        None,
    ),
    // Molecules
    row(
        "bulkCreateMolecules",
        "bulk_create",
        Untyped,
        Some("molecules"),
        None,
    ),
    row(
        "bulkUpdateMolecules",
        "bulk_update",
        Untyped,
        Some("molecules"),
        None,
    ),
    row(
        "bulkUpsertMolecules",
        "bulk_upsert",
        Untyped,
        Some("molecules"),
        None,
    ),
    // Nucleotide Alignments
    row(
        "createConsensusNucleotideAlignment",
        "create_consensus_alignment",
        Task("CreateNucleotideConsensusAlignmentAsyncTask"),
        Some("files"),
        None,
    ),
    row(
        "createTemplateNucleotideAlignment",
        "create_template_alignment",
        Task("CreateNucleotideTemplateAlignmentAsyncTask"),
        Some("files"),
        None,
    ),
    // Oligos
    row(
        "bulkCreateOligos",
        "bulk_create",
        Untyped,
        Some("oligos"),
        None,
    ),
    // Registry
    row(
        "registerEntities",
        "register_entities",
        Empty,
        Some("entityIds"),
        Some("Registry - Bulk Register Entities"),
    ),
    // RNA Oligos
    row(
        "bulkCreateRNAOligos",
        "bulk_create",
        Task("BulkCreateRnaOligosAsyncTask"),
        Some("rnaOligos"),
        Some("RNA Oligos - Bulk Create"),
    ),
    row(
        "bulkUpdateRNAOligos",
        "bulk_update",
        Task("BulkUpdateRnaOligosAsyncTask"),
        Some("rnaOligos"),
        Some("RNA Oligos - Bulk Update"),
    ),
    row(
        "bulkUpsertRNAOligos",
        "bulk_upsert",
        Untyped,
        Some("rnaOligos"),
        None,
    ),
    // RNA Sequences
    row(
        "autoAnnotateRnaSequences",
        "auto_annotate",
        Empty,
        Some("rnaSequenceIds"),
        Some("RNA Sequences - Auto Annotate"),
    ),
    row(
        "autofillRNASequenceParts",
        "autofill_parts",
        Empty,
        Some("rnaSequenceIds"),
        Some("RNA Sequences - Autofill Parts"),
    ),
    row(
        "autofillRNASequenceTranslations",
        "autofill_translations",
        Empty,
        Some("rnaSequenceIds"),
        Some("RNA Sequences - Autofill Translations"),
    ),
    row(
        "bulkCreateRNASequences",
        "bulk_create",
        Task("BulkCreateRnaSequencesAsyncTask"),
        Some("rnaSequences"),
        Some("RNA Sequences - Bulk Create"),
    ),
    row(
        "bulkUpdateRNASequences",
        "bulk_update",
        Task("BulkUpdateRnaSequencesAsyncTask"),
        Some("rnaSequences"),
        Some("RNA Sequences - Bulk Update"),
    ),
    // Test Orders
    row(
        "bulkUpdateTestOrders",
        "bulk_update",
        Untyped,
        Some("testOrders"),
        None,
    ),
    // Users
    row(
        "bulkCreateUsers",
        "bulk_create",
        Untyped,
        Some("users"),
        None,
    ),
    row(
        "bulkUpdateUsers",
        "bulk_update",
        Untyped,
        Some("users"),
        None,
    ),
    // Workflow Outputs
    row(
        "bulkCreateWorkflowOutputs",
        "bulk_create",
        Untyped,
        Some("workflowOutputs"),
        None,
    ),
    row(
        "bulkUpdateWorkflowOutputs",
        "bulk_update",
        Untyped,
        Some("workflowOutputs"),
        None,
    ),
    // Workflow Tasks
    row(
        "bulkCopyWorkflowTasks",
        "bulk_copy",
        Untyped,
        Some("workflowTaskIds"),
        None,
    ),
    row(
        "bulkCreateWorkflowTasks",
        "bulk_create",
        Untyped,
        Some("workflowTasks"),
        None,
    ),
    row(
        "bulkUpdateWorkflowTasks",
        "bulk_update",
        Untyped,
        Some("workflowTasks"),
        None,
    ),
];

/// Returns why an operation has no typed response, for its method's docs.
pub fn untyped_reason(operation_id: &str) -> &'static str {
    match operation_id {
        "autoAnnotateAaSequences" => {
            "The API reference documents no response for this task (the DNA and RNA \
             auto-annotate tasks return an empty response)"
        }
        _ => "The API reference documents no response for this task",
    }
}

/// One correction applied to the document before generation.
#[derive(Debug, Clone, Copy)]
pub struct PropertyRename {
    /// JSON pointer of the `properties` object that contains the property.
    pub properties: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub reason: &'static str,
}

/// Corrections of the document, each justified by the document itself.
pub const PROPERTY_RENAMES: &[PropertyRename] = &[PropertyRename {
    properties:
        "/components/schemas/BulkUpdateAaSequencesAsyncTask/allOf/1/properties/response/properties",
    from: "AaSequences",
    to: "aaSequences",
    reason: "the example `AA Sequences - Bulk Update` of `GET /tasks/{task_id}` and the bulk \
             create schema both spell the property `aaSequences`",
}];

/// An example of `GET /tasks/{task_id}` that contradicts its schema: at `pointer` (inside
/// the task's `response`) the example has a one-element list where the schema has the
/// element itself. The generated tests check that the example as published fails to
/// decode there, then unwrap the list and check the round trip.
#[derive(Debug, Clone, Copy)]
pub struct ExampleFix {
    pub operation_id: &'static str,
    pub pointer: &'static str,
}

/// Reason shared by every [`ExampleFix`], printed in the generated tests.
pub const EXAMPLE_FIX_REASON: &str = "the schema `Fields` is an object, but these examples wrap \
     it in a one-element list (the AA sequence and oligo examples do not)";

pub const EXAMPLE_FIXES: &[ExampleFix] = &[
    ExampleFix {
        operation_id: "bulkCreateDNASequences",
        pointer: "/dnaSequences/0/fields",
    },
    ExampleFix {
        operation_id: "bulkCreateRNASequences",
        pointer: "/rnaSequences/0/fields",
    },
    ExampleFix {
        operation_id: "bulkUpdateDNASequences",
        pointer: "/dnaSequences/0/fields",
    },
    ExampleFix {
        operation_id: "bulkUpdateRNASequences",
        pointer: "/rnaSequences/0/fields",
    },
];
