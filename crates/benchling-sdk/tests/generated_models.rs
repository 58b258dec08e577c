//! Decoding rules of the generated models: unknown members, unknown enum values, nulls,
//! missing required fields, unions and request construction.

use benchling_sdk::models::{
    AppConfigItemBooleanCreate, BatchOrInaccessibleResource, CheckoutRecordAssignee,
    CheckoutRecordStatus, DnaSequenceCreate, DnaSequencesBulkCreateRequest, Entity, NamingStrategy,
};
use serde_json::{json, Value};

fn sequence_json() -> Value {
    json!({"bases": "ACGT", "isCircular": false, "name": "pSample"})
}

#[test]
fn unknown_member_kept_in_extra() {
    let mut input = sequence_json();
    input["futureField"] = json!({"nested": [1, 2]});

    let sequence: DnaSequenceCreate = serde_json::from_value(input.clone()).unwrap();

    assert_eq!(sequence.name, "pSample");
    assert_eq!(sequence.extra.len(), 1);
    assert_eq!(sequence.extra["futureField"], json!({"nested": [1, 2]}));
    assert_eq!(serde_json::to_value(&sequence).unwrap(), input);
}

#[test]
fn unknown_enum_value_kept_as_text() {
    let mut input = sequence_json();
    input["namingStrategy"] = json!("A_NEWER_STRATEGY");

    let sequence: DnaSequenceCreate = serde_json::from_value(input.clone()).unwrap();

    assert_eq!(
        sequence.naming_strategy,
        Some(NamingStrategy::Unknown("A_NEWER_STRATEGY".into()))
    );
    assert_eq!(serde_json::to_value(&sequence).unwrap(), input);
}

#[test]
fn known_enum_value_decodes() {
    let status: CheckoutRecordStatus = serde_json::from_value(json!("CHECKED_OUT")).unwrap();

    assert_eq!(status, CheckoutRecordStatus::CheckedOut);
    assert_eq!(status.as_str(), "CHECKED_OUT");
    assert_eq!(status.to_string(), "CHECKED_OUT");
}

#[test]
fn null_optional_field_is_none() {
    let mut input = sequence_json();
    input["folderId"] = Value::Null;

    let sequence: DnaSequenceCreate = serde_json::from_value(input).unwrap();

    assert_eq!(sequence.folder_id, None);
    assert!(sequence.extra.is_empty());
    assert_eq!(serde_json::to_value(&sequence).unwrap(), sequence_json());
}

#[test]
fn missing_required_field_named() {
    let mut input = sequence_json();
    input.as_object_mut().unwrap().remove("bases");

    let error = serde_json::from_value::<DnaSequenceCreate>(input).unwrap_err();

    assert!(
        error.to_string().contains("missing field `bases`"),
        "{error}"
    );
}

#[test]
fn wrong_type_is_an_error() {
    let mut input = sequence_json();
    input["isCircular"] = json!("yes");

    let error = serde_json::from_value::<DnaSequenceCreate>(input).unwrap_err();

    assert!(error.to_string().contains("invalid type"), "{error}");
}

#[test]
fn required_nullable_field_sent_as_null() {
    let input = json!({"appId": "app_1", "path": ["a"], "type": "boolean", "value": null});

    let item: AppConfigItemBooleanCreate = serde_json::from_value(input.clone()).unwrap();

    assert_eq!(item.value, None);
    assert_eq!(serde_json::to_value(&item).unwrap(), input);
}

#[test]
fn required_nullable_field_still_required() {
    let input = json!({"appId": "app_1", "path": ["a"], "type": "boolean"});

    let error = serde_json::from_value::<AppConfigItemBooleanCreate>(input).unwrap_err();

    assert!(
        error.to_string().contains("missing field `value`"),
        "{error}"
    );
}

#[test]
fn tagged_union_picks_variant_by_tag() {
    let input = json!({"entityType": "dna_sequence", "id": "seq_1", "bases": "ACGT"});

    let entity: Entity = serde_json::from_value(input.clone()).unwrap();

    let Entity::DnaSequence(sequence) = &entity else {
        panic!("expected a DNA sequence, got {entity:?}");
    };
    assert_eq!(sequence.id.as_deref(), Some("seq_1"));
    assert_eq!(serde_json::to_value(&entity).unwrap(), input);
}

#[test]
fn tagged_union_keeps_unknown_tag() {
    let input = json!({"entityType": "plasmid_library", "id": "lib_1"});

    let entity: Entity = serde_json::from_value(input.clone()).unwrap();

    assert_eq!(entity, Entity::Unknown(input.clone()));
    assert_eq!(serde_json::to_value(&entity).unwrap(), input);
}

#[test]
fn untagged_union_uses_constant_value() {
    let inaccessible = json!({
        "inaccessibleId": "bat_1",
        "resourceType": "inaccessible_resource",
        "type": "batch"
    });
    let batch = json!({"id": "bat_2", "name": "Batch 2"});

    let first: BatchOrInaccessibleResource = serde_json::from_value(inaccessible.clone()).unwrap();
    let second: BatchOrInaccessibleResource = serde_json::from_value(batch.clone()).unwrap();

    assert!(
        matches!(first, BatchOrInaccessibleResource::InaccessibleResource(_)),
        "{first:?}"
    );
    assert!(
        matches!(second, BatchOrInaccessibleResource::Batch(_)),
        "{second:?}"
    );
    assert_eq!(serde_json::to_value(&first).unwrap(), inaccessible);
    assert_eq!(serde_json::to_value(&second).unwrap(), batch);
}

#[test]
fn untagged_union_prefers_declared_keys() {
    let user = json!({"handle": "lpasteur", "id": "ent_1", "name": "Louis Pasteur"});

    let assignee: CheckoutRecordAssignee = serde_json::from_value(user.clone()).unwrap();

    assert!(
        matches!(assignee, CheckoutRecordAssignee::UserSummary(_)),
        "{assignee:?}"
    );
    assert_eq!(serde_json::to_value(&assignee).unwrap(), user);
}

#[test]
fn untagged_union_keeps_unfitting_value() {
    let assignee: CheckoutRecordAssignee = serde_json::from_value(json!("ent_1")).unwrap();

    assert_eq!(assignee, CheckoutRecordAssignee::Unknown(json!("ent_1")));
}

#[test]
fn request_built_with_defaults() {
    let request = DnaSequencesBulkCreateRequest {
        dna_sequences: Some(vec![DnaSequenceCreate {
            name: "pSample".into(),
            bases: "ACGT".into(),
            ..Default::default()
        }]),
        ..Default::default()
    };

    let sent = serde_json::to_value(&request).unwrap();

    assert_eq!(
        sent,
        json!({"dnaSequences": [{"bases": "ACGT", "isCircular": false, "name": "pSample"}]})
    );
}
