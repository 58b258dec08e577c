//! Printing of `crates/benchling-sdk/src/models/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::names::pascal;
use super::schema::{Field, Kind, TaggedVariant, Ty, TypeDef, UntaggedVariant};
use super::GENERATED_NOTICE;

/// Names the generated code uses itself, which no model type may take.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box",
    "Clone",
    "Debug",
    "Default",
    "Err",
    "FieldId",
    "Key",
    "None",
    "Ok",
    "Option",
    "PartialEq",
    "Result",
    "Self",
    "Shape",
    "Some",
    "String",
    "Vec",
];

/// Returns the Rust spelling of a type.
pub fn rust_type(ty: &Ty) -> String {
    match ty {
        Ty::String => "String".to_owned(),
        Ty::Bool => "bool".to_owned(),
        Ty::Integer => "i64".to_owned(),
        Ty::Number => "f64".to_owned(),
        Ty::Any => "serde_json::Value".to_owned(),
        Ty::Object => "serde_json::Map<String, serde_json::Value>".to_owned(),
        Ty::Named(name) => name.clone(),
        Ty::List(item) => format!("Vec<{}>", rust_type(item)),
        Ty::Map(value) => format!("std::collections::BTreeMap<String, {}>", rust_type(value)),
    }
}

/// Describes a type in words for docs: "list of [`DnaSequence`]".
pub fn describe(ty: &Ty) -> String {
    match ty {
        Ty::String => "string".to_owned(),
        Ty::Bool => "boolean".to_owned(),
        Ty::Integer => "integer".to_owned(),
        Ty::Number => "number".to_owned(),
        Ty::Any => "any JSON value".to_owned(),
        Ty::Object => "object".to_owned(),
        Ty::Named(name) => format!("[`{name}`]"),
        Ty::List(item) => format!("list of {}", describe(item)),
        Ty::Map(value) => format!("map of string to {}", describe(value)),
    }
}

fn field_type(field: &Field) -> String {
    let mut ty = rust_type(&field.ty);
    if field.boxed {
        ty = format!("Box<{ty}>");
    }
    if !field.required || field.nullable {
        ty = format!("Option<{ty}>");
    }
    ty
}

fn field_doc(field: &Field) -> String {
    let mut facts = vec![format!("`{}`: {}", field.json_name, describe(&field.ty))];
    if let Some(format) = &field.format {
        facts[0].push_str(&format!(" (format `{format}`)"));
    }
    if let Some(max) = field.max_items {
        facts[0].push_str(&format!(", at most {max} items"));
    }
    if let Some(constant) = &field.constant {
        facts[0].push_str(&format!(", always `{constant}`"));
    }
    facts.push(
        if field.required {
            "required"
        } else {
            "optional"
        }
        .to_owned(),
    );
    if field.nullable {
        facts.push("nullable".to_owned());
    }
    if field.read_only {
        facts.push("read-only".to_owned());
    }
    if field.write_only {
        facts.push("write-only".to_owned());
    }
    format!("{}.", facts.join("; "))
}

fn doc_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// Describes where a type comes from: its schema name or the JSON pointer of an inline schema.
fn origin(def: &TypeDef) -> String {
    match &def.schema_name {
        Some(name) => format!("Schema `{name}` of the Benchling v2 API."),
        None => format!("Inline schema at `{}`.", def.pointer),
    }
}

/// Prints the files of the models module: relative path -> unformatted source.
pub fn emit(
    types: &BTreeMap<String, TypeDef>,
    usage: &BTreeMap<String, Vec<String>>,
    task_responses: &BTreeSet<String>,
    source_line: &str,
    corrections: &[String],
) -> BTreeMap<String, String> {
    let mut groups: BTreeMap<String, Vec<&TypeDef>> = BTreeMap::new();
    for def in types.values() {
        let letter = def.name[..1].to_ascii_lowercase();
        groups.entry(letter).or_default().push(def);
    }

    let mut files = BTreeMap::new();
    for (letter, defs) in &groups {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "//! Models whose names start with `{}`.\n//!\n//! {GENERATED_NOTICE}\n",
            letter.to_ascii_uppercase()
        );
        out.push_str("use super::support;\n#[allow(unused_imports)]\nuse super::*;\n\n");
        for def in defs {
            let notes = usage.get(&def.name).map(Vec::as_slice).unwrap_or_default();
            emit_type(&mut out, def, types, notes);
            out.push('\n');
        }
        files.insert(format!("{letter}.rs"), out);
    }

    files.insert(
        "mod.rs".to_owned(),
        emit_mod(
            &groups,
            task_responses,
            source_line,
            corrections,
            types.len(),
        ),
    );
    files.insert(
        "support.rs".to_owned(),
        include_str!("../../templates/support.rs").to_owned(),
    );
    files
}

fn emit_mod(
    groups: &BTreeMap<String, Vec<&TypeDef>>,
    task_responses: &BTreeSet<String>,
    source_line: &str,
    corrections: &[String],
    count: usize,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! Request and response types of Benchling's task-creating endpoints ({count} types).
//!
//! {source_line}
//!
//! {GENERATED_NOTICE}
//!
//! # Conventions
//!
//! - A property that the schema does not require is an `Option`. A required property that
//!   the schema marks `nullable` is an `Option` too, and `None` is sent as `null`.
//! - Every struct keeps the members the document does not declare in `extra`, and sends
//!   them back when serialized, so a newer API response survives a decode and encode.
//!   A member in `extra` whose key is also a declared field is sent twice: set the field.
//! - Every string enum has an `Unknown(String)` variant that keeps text this version does
//!   not know; every union has an `Unknown(serde_json::Value)` variant.
//! - A union with a discriminator property (`oneOf` with `discriminator`) picks its variant
//!   by that property. A union without one picks the variant whose required keys, constant
//!   values and declared keys best fit the object, trying the next one when decoding fails.
//! - `number` is `f64`, `integer` is `i64`, and formats such as `date-time` stay `String`."
    );
    if !corrections.is_empty() {
        out.push_str("//!\n//! # Corrections of the document\n//!\n");
        for correction in corrections {
            let _ = writeln!(out, "//! - {correction}");
        }
    }
    out.push('\n');
    out.push_str(
        "#![allow(clippy::large_enum_variant, clippy::enum_variant_names, clippy::upper_case_acronyms)]\n\n",
    );
    out.push_str("mod support;\n\n");
    for letter in groups.keys() {
        let _ = writeln!(out, "mod {letter};");
    }
    out.push('\n');
    for letter in groups.keys() {
        let _ = writeln!(out, "pub use {letter}::*;");
    }
    out.push('\n');
    for name in task_responses {
        let _ = writeln!(out, "impl crate::tasks::TaskResponse for {name} {{}}");
    }
    out
}

fn emit_type(out: &mut String, def: &TypeDef, types: &BTreeMap<String, TypeDef>, notes: &[String]) {
    let mut doc = origin(def);
    for note in notes {
        doc.push_str("\n\n");
        doc.push_str(note);
    }
    match &def.kind {
        Kind::Struct { fields, closed } => emit_struct(out, def, fields, *closed, doc),
        Kind::Enum { variants } => emit_enum(out, &def.name, variants, doc),
        Kind::Tagged { tag, variants } => emit_tagged(out, &def.name, tag, variants, doc),
        Kind::Untagged { variants, any_of } => {
            emit_untagged(out, &def.name, variants, *any_of, types, doc)
        }
        Kind::Alias(ty) => {
            doc.push_str(&format!("\n\nA {}.", describe(ty)));
            doc_lines(out, "", &doc);
            let _ = writeln!(out, "pub type {} = {};", def.name, rust_type(ty));
        }
    }
}

fn emit_struct(out: &mut String, def: &TypeDef, fields: &[Field], closed: bool, mut doc: String) {
    let name = &def.name;
    if closed {
        doc.push_str("\n\nThe document declares no members besides these (`additionalProperties: false`); others are kept in `extra` all the same.");
    }
    doc_lines(out, "", &doc);
    let derives = if def.default {
        "Debug, Clone, PartialEq, Default"
    } else {
        "Debug, Clone, PartialEq"
    };
    let _ = writeln!(out, "#[derive({derives})]\npub struct {name} {{");
    for field in fields {
        doc_lines(out, "    ", &field_doc(field));
        let _ = writeln!(out, "    pub {}: {},", field.rust_name, field_type(field));
    }
    out.push_str(
        "    /// Members that the API document does not declare, kept as received and sent back.\n",
    );
    out.push_str("    pub extra: serde_json::Map<String, serde_json::Value>,\n}\n\n");

    // Decoding: one pass over the object's members.
    let _ = writeln!(out, "impl support::ObjectModel for {name} {{");
    let _ = writeln!(out, "    const NAME: &'static str = \"{name}\";\n");
    out.push_str("    fn read<'de, A: serde::de::MapAccess<'de>>(mut __map: A) -> Result<Self, A::Error> {\n");
    if fields.is_empty() {
        out.push_str("        let mut __extra = serde_json::Map::new();\n");
        out.push_str("        while let Some((key, value)) = __map.next_entry()? {\n");
        out.push_str("            __extra.insert(key, value);\n        }\n");
        out.push_str("        Ok(Self { extra: __extra })\n    }\n}\n\n");
    } else {
        out.push_str("        enum FieldId {\n");
        for field in fields {
            let _ = writeln!(out, "            {},", field_variant(field));
        }
        out.push_str("        }\n");
        out.push_str("        impl support::FieldId for FieldId {\n");
        out.push_str(
            "            fn from_key(key: &str) -> Option<Self> {\n                match key {\n",
        );
        for field in fields {
            let _ = writeln!(
                out,
                "                    \"{}\" => Some(Self::{}),",
                field.json_name,
                field_variant(field)
            );
        }
        out.push_str(
            "                    _ => None,\n                }\n            }\n        }\n\n",
        );
        for field in fields {
            let _ = writeln!(out, "        let mut {} = None;", field.rust_name);
        }
        out.push_str("        let mut __extra = serde_json::Map::new();\n");
        out.push_str(
            "        while let Some(__key) = __map.next_key::<support::Key<FieldId>>()? {\n",
        );
        out.push_str("            match __key {\n");
        for field in fields {
            let target = if field.required {
                "Some(__map.next_value()?)"
            } else {
                "__map.next_value()?"
            };
            let _ = writeln!(
                out,
                "                support::Key::Known(FieldId::{}) => {} = {target},",
                field_variant(field),
                field.rust_name
            );
        }
        out.push_str("                support::Key::Other(key) => {\n");
        out.push_str("                    __extra.insert(key, __map.next_value()?);\n");
        out.push_str("                }\n            }\n        }\n");
        out.push_str("        Ok(Self {\n");
        for field in fields {
            if field.required {
                let _ = writeln!(
                    out,
                    "            {}: support::required({}, \"{}\")?,",
                    field.rust_name, field.rust_name, field.json_name
                );
            } else {
                let _ = writeln!(out, "            {},", field.rust_name);
            }
        }
        out.push_str("            extra: __extra,\n        })\n    }\n}\n\n");
    }

    let _ = writeln!(out, "impl<'de> serde::Deserialize<'de> for {name} {{");
    out.push_str("    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n");
    out.push_str("        support::deserialize_object(deserializer)\n    }\n}\n\n");

    // Encoding: declared fields in document order, then `extra`.
    let _ = writeln!(out, "impl serde::Serialize for {name} {{");
    out.push_str("    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n");
    out.push_str("        use serde::ser::SerializeMap;\n");
    out.push_str("        let mut map = serializer.serialize_map(None)?;\n");
    for field in fields {
        if field.required {
            let _ = writeln!(
                out,
                "        map.serialize_entry(\"{}\", &self.{})?;",
                field.json_name, field.rust_name
            );
        } else {
            let _ = writeln!(
                out,
                "        support::optional(&mut map, \"{}\", &self.{})?;",
                field.json_name, field.rust_name
            );
        }
    }
    out.push_str("        support::extra(&mut map, &self.extra)?;\n        map.end()\n    }\n}\n");
}

fn field_variant(field: &Field) -> String {
    pascal(field.rust_name.trim_start_matches("r#"))
}

fn emit_enum(out: &mut String, name: &str, variants: &[(String, String)], doc: String) {
    doc_lines(out, "", &doc);
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq, Eq, Hash)]\npub enum {name} {{"
    );
    for (variant, value) in variants {
        let _ = writeln!(out, "    /// `{value}`\n    {variant},");
    }
    out.push_str("    /// A value that this version of the SDK does not know, kept as received.\n");
    out.push_str("    Unknown(String),\n}\n\n");

    let _ = writeln!(out, "impl {name} {{");
    out.push_str("    /// Returns the JSON text of the value.\n");
    out.push_str("    pub fn as_str(&self) -> &str {\n        match self {\n");
    for (variant, value) in variants {
        let _ = writeln!(out, "            Self::{variant} => \"{value}\",");
    }
    out.push_str("            Self::Unknown(text) => text,\n        }\n    }\n}\n\n");

    let _ = writeln!(out, "impl support::StringEnum for {name} {{");
    let _ = writeln!(out, "    const NAME: &'static str = \"{name}\";\n");
    out.push_str("    fn from_text(text: &str) -> Option<Self> {\n        match text {\n");
    for (variant, value) in variants {
        let _ = writeln!(out, "            \"{value}\" => Some(Self::{variant}),");
    }
    out.push_str("            _ => None,\n        }\n    }\n\n");
    out.push_str(
        "    fn unknown(text: String) -> Self {\n        Self::Unknown(text)\n    }\n}\n\n",
    );

    let _ = writeln!(out, "impl std::fmt::Display for {name} {{");
    out.push_str(
        "    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n",
    );
    out.push_str("        formatter.write_str(self.as_str())\n    }\n}\n\n");

    let _ = writeln!(out, "impl serde::Serialize for {name} {{");
    out.push_str("    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n");
    out.push_str("        serializer.serialize_str(self.as_str())\n    }\n}\n\n");

    let _ = writeln!(out, "impl<'de> serde::Deserialize<'de> for {name} {{");
    out.push_str("    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n");
    out.push_str("        support::deserialize_string_enum(deserializer)\n    }\n}\n");
}

fn emit_serialize_union<'v>(
    out: &mut String,
    name: &str,
    variants: impl Iterator<Item = &'v String>,
) {
    let _ = writeln!(out, "impl serde::Serialize for {name} {{");
    out.push_str("    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n");
    out.push_str("        match self {\n");
    for variant in variants {
        let _ = writeln!(
            out,
            "            Self::{variant}(value) => value.serialize(serializer),"
        );
    }
    out.push_str(
        "            Self::Unknown(value) => value.serialize(serializer),\n        }\n    }\n}\n",
    );
}

fn emit_tagged(
    out: &mut String,
    name: &str,
    tag: &str,
    variants: &[TaggedVariant],
    mut doc: String,
) {
    doc.push_str(&format!(
        "\n\nOne of several objects, selected by the discriminator property `{tag}`."
    ));
    doc_lines(out, "", &doc);
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq)]\npub enum {name} {{"
    );
    for variant in variants {
        let tags: Vec<String> = variant.tags.iter().map(|tag| format!("`{tag}`")).collect();
        let _ = writeln!(
            out,
            "    /// `{tag}` is {}.\n    {}(Box<{}>),",
            tags.join(" or "),
            variant.name,
            variant.type_name
        );
    }
    let _ = writeln!(
        out,
        "    /// An object whose `{tag}` is missing or names no variant known to this version of the SDK.\n    Unknown(serde_json::Value),\n}}\n"
    );

    let _ = writeln!(out, "impl<'de> serde::Deserialize<'de> for {name} {{");
    out.push_str("    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n");
    out.push_str("        let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;\n");
    let _ = writeln!(
        out,
        "        match value.get(\"{tag}\").and_then(serde_json::Value::as_str) {{"
    );
    for variant in variants {
        let patterns: Vec<String> = variant
            .tags
            .iter()
            .map(|tag| format!("\"{tag}\""))
            .collect();
        let _ = writeln!(
            out,
            "            Some({}) => support::decode(&value).map(Self::{}),",
            patterns.join(" | "),
            variant.name
        );
    }
    out.push_str("            _ => Ok(Self::Unknown(value)),\n        }\n    }\n}\n\n");
    emit_serialize_union(out, name, variants.iter().map(|variant| &variant.name));
}

fn emit_untagged(
    out: &mut String,
    name: &str,
    variants: &[UntaggedVariant],
    any_of: bool,
    types: &BTreeMap<String, TypeDef>,
    mut doc: String,
) {
    let keyword = if any_of { "anyOf" } else { "oneOf" };
    doc.push_str(&format!(
        "\n\nOne of several shapes (`{keyword}` without a discriminator): decoding tries the variants that best fit the value first."
    ));
    doc_lines(out, "", &doc);
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq)]\npub enum {name} {{"
    );
    for variant in variants {
        let ty = match &variant.ty {
            Ty::Named(type_name) => format!("Box<{type_name}>"),
            other => rust_type(other),
        };
        let _ = writeln!(
            out,
            "    /// A {}.\n    {}({ty}),",
            describe(&variant.ty),
            variant.name
        );
    }
    out.push_str("    /// A value that fits no variant.\n    Unknown(serde_json::Value),\n}\n\n");

    let _ = writeln!(out, "impl<'de> serde::Deserialize<'de> for {name} {{");
    out.push_str("    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n");
    out.push_str("        const SHAPES: &[support::Shape] = &[\n");
    for variant in variants {
        let _ = writeln!(out, "            {},", shape(&variant.ty, types));
    }
    out.push_str("        ];\n");
    out.push_str("        let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;\n");
    out.push_str("        for index in support::rank(&value, SHAPES) {\n");
    out.push_str("            let decoded = match index {\n");
    for (index, variant) in variants.iter().enumerate() {
        let _ = writeln!(
            out,
            "                {index} => support::attempt(&value).map(Self::{}),",
            variant.name
        );
    }
    out.push_str("                _ => None,\n            };\n");
    out.push_str("            if let Some(decoded) = decoded {\n                return Ok(decoded);\n            }\n        }\n");
    out.push_str("        Ok(Self::Unknown(value))\n    }\n}\n\n");
    emit_serialize_union(out, name, variants.iter().map(|variant| &variant.name));
}

fn string_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("{item:?}")).collect();
    format!("&[{}]", quoted.join(", "))
}

/// Prints the `support::Shape` that describes values of `ty`.
fn shape(ty: &Ty, types: &BTreeMap<String, TypeDef>) -> String {
    match ty {
        Ty::String => "support::Shape::Text".to_owned(),
        Ty::Bool => "support::Shape::Bool".to_owned(),
        Ty::Integer => "support::Shape::Integer".to_owned(),
        Ty::Number => "support::Shape::Number".to_owned(),
        Ty::Any => "support::Shape::Any".to_owned(),
        Ty::Object | Ty::Map(_) => "support::Shape::Map".to_owned(),
        Ty::List(_) => "support::Shape::List".to_owned(),
        Ty::Named(name) => match types.get(name).map(|def| &def.kind) {
            Some(Kind::Alias(inner)) => shape(inner, types),
            Some(Kind::Enum { .. }) => "support::Shape::Text".to_owned(),
            Some(Kind::Untagged { .. }) | None => "support::Shape::Any".to_owned(),
            Some(Kind::Tagged { tag, variants }) => {
                let tags: Vec<String> = variants
                    .iter()
                    .flat_map(|variant| variant.tags.clone())
                    .collect();
                object_shape(
                    std::slice::from_ref(tag),
                    &[(tag.clone(), tags)],
                    std::slice::from_ref(tag),
                    false,
                )
            }
            Some(Kind::Struct { fields, closed }) => {
                let required: Vec<String> = fields
                    .iter()
                    .filter(|field| field.required)
                    .map(|field| field.json_name.clone())
                    .collect();
                let constants: Vec<(String, Vec<String>)> = fields
                    .iter()
                    .filter_map(|field| {
                        let values = match (&field.constant, &field.ty) {
                            (Some(constant), _) => vec![constant.clone()],
                            (None, Ty::Named(enum_name)) => {
                                match types.get(enum_name).map(|def| &def.kind) {
                                    Some(Kind::Enum { variants }) if variants.len() == 1 => {
                                        vec![variants[0].1.clone()]
                                    }
                                    _ => return None,
                                }
                            }
                            _ => return None,
                        };
                        Some((field.json_name.clone(), values))
                    })
                    .collect();
                let known: Vec<String> =
                    fields.iter().map(|field| field.json_name.clone()).collect();
                object_shape(&required, &constants, &known, *closed)
            }
        },
    }
}

fn object_shape(
    required: &[String],
    constants: &[(String, Vec<String>)],
    known: &[String],
    closed: bool,
) -> String {
    let constants: Vec<String> = constants
        .iter()
        .map(|(key, values)| format!("({key:?}, {})", string_list(values)))
        .collect();
    format!(
        "support::Shape::Object(support::ObjectShape {{ required: {}, constants: &[{}], known: {}, closed: {closed} }})",
        string_list(required),
        constants.join(", "),
        string_list(known)
    )
}

/// Checks that no model type takes a name the generated code uses itself.
pub fn check_names(types: &BTreeMap<String, TypeDef>) -> Result<(), String> {
    for name in RESERVED_TYPE_NAMES {
        if types.contains_key(*name) {
            return Err(format!(
                "a model type is named `{name}`, which the generated code uses"
            ));
        }
    }
    Ok(())
}
