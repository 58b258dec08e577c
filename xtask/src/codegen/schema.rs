//! Conversion of OpenAPI schemas into the type model that the emitters print.
//!
//! Each component schema that an endpoint reaches becomes one Rust type named after it
//! (in `PascalCase`). An inline object, enum or union becomes a type named after the
//! schema that defines it and the property path (`DnaAlignmentBase.files[]` becomes
//! `DnaAlignmentBaseFilesItem`). `allOf` parts are merged into one struct.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::names::{field_name, pascal, variant_name, words};

/// Type of a field, list item, map value or union variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    String,
    Bool,
    Integer,
    Number,
    /// Any JSON value.
    Any,
    /// A JSON object with free-form members.
    Object,
    Named(String),
    List(Box<Ty>),
    Map(Box<Ty>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub json_name: String,
    pub rust_name: String,
    pub ty: Ty,
    pub required: bool,
    pub nullable: bool,
    pub read_only: bool,
    pub write_only: bool,
    pub format: Option<String>,
    pub max_items: Option<u64>,
    /// The one value that a single-value string enum allows.
    pub constant: Option<String>,
    /// Whether the field is boxed because its type contains this struct.
    pub boxed: bool,
}

#[derive(Debug, Clone)]
pub struct TaggedVariant {
    pub name: String,
    pub type_name: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct UntaggedVariant {
    pub name: String,
    pub ty: Ty,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Struct {
        fields: Vec<Field>,
        /// `additionalProperties: false` in the document.
        closed: bool,
    },
    /// String enum: (variant name, JSON value) pairs.
    Enum { variants: Vec<(String, String)> },
    /// `oneOf` with a discriminator property.
    Tagged {
        tag: String,
        variants: Vec<TaggedVariant>,
    },
    /// `oneOf` or `anyOf` without a discriminator.
    Untagged {
        variants: Vec<UntaggedVariant>,
        any_of: bool,
    },
    /// A named map or list schema.
    Alias(Ty),
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    /// Component schema name, for types generated from `#/components/schemas/*`.
    pub schema_name: Option<String>,
    /// JSON pointer of the schema in the document.
    pub pointer: String,
    pub kind: Kind,
    /// Whether every required field has a default, so the type can derive `Default`.
    pub default: bool,
}

/// Result of resolving one schema.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub ty: Ty,
    pub nullable: bool,
    pub format: Option<String>,
    pub max_items: Option<u64>,
    pub constant: Option<String>,
}

impl Resolved {
    fn of(ty: Ty) -> Self {
        Resolved {
            ty,
            nullable: false,
            format: None,
            max_items: None,
            constant: None,
        }
    }
}

/// Builds [`TypeDef`]s on demand from the document's component schemas.
pub struct Resolver<'a> {
    schemas: &'a Map<String, Value>,
    pub types: BTreeMap<String, TypeDef>,
    /// Type name reserved for each JSON pointer, set before the type's members resolve so
    /// that recursive schemas terminate.
    names_by_pointer: BTreeMap<String, String>,
    pointers_by_name: BTreeMap<String, String>,
    components: BTreeMap<String, Ty>,
}

pub const SCHEMAS_POINTER: &str = "#/components/schemas/";

fn pointer_escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl<'a> Resolver<'a> {
    pub fn new(schemas: &'a Map<String, Value>) -> Self {
        Resolver {
            schemas,
            types: BTreeMap::new(),
            names_by_pointer: BTreeMap::new(),
            pointers_by_name: BTreeMap::new(),
            components: BTreeMap::new(),
        }
    }

    pub fn schema(&self, name: &str) -> Result<&'a Value, String> {
        self.schemas
            .get(name)
            .ok_or_else(|| format!("schema `{name}` is not in #/components/schemas"))
    }

    /// Resolves the component schema `name`, generating its type on first use.
    pub fn component(&mut self, name: &str) -> Result<Ty, String> {
        if let Some(ty) = self.components.get(name) {
            return Ok(ty.clone());
        }
        let pointer = format!("{SCHEMAS_POINTER}{}", pointer_escape(name));
        if let Some(type_name) = self.names_by_pointer.get(&pointer) {
            return Ok(Ty::Named(type_name.clone()));
        }

        let schema = self.schema(name)?;
        let rust_name = pascal(name);
        let resolved = self.resolve_schema(schema, &pointer, &rust_name, true)?;
        let needs_alias = match &resolved.ty {
            Ty::List(_) | Ty::Map(_) => true,
            Ty::Named(other) => other != &rust_name,
            _ => false,
        };
        let ty = if needs_alias {
            self.reserve(&pointer, &rust_name)?;
            self.insert(TypeDef {
                name: rust_name.clone(),
                schema_name: None,
                pointer: pointer.clone(),
                kind: Kind::Alias(resolved.ty),
                default: false,
            });
            Ty::Named(rust_name.clone())
        } else {
            resolved.ty
        };
        if let Ty::Named(type_name) = &ty {
            if type_name == &rust_name {
                if let Some(def) = self.types.get_mut(type_name) {
                    def.schema_name = Some(name.to_owned());
                }
            }
        }
        self.components.insert(name.to_owned(), ty.clone());
        Ok(ty)
    }

    /// Resolves a schema found at `pointer`; an inline type it needs is named `hint`.
    pub fn resolve(
        &mut self,
        schema: &Value,
        pointer: &str,
        hint: &str,
    ) -> Result<Resolved, String> {
        self.resolve_schema(schema, pointer, hint, false)
    }

    fn resolve_schema(
        &mut self,
        schema: &Value,
        pointer: &str,
        hint: &str,
        is_component: bool,
    ) -> Result<Resolved, String> {
        let Some(object) = schema.as_object() else {
            if schema == &Value::Bool(true) {
                return Ok(Resolved::of(Ty::Any));
            }
            return Err(format!("schema at {pointer} is not an object"));
        };
        let nullable = object.get("nullable") == Some(&Value::Bool(true));
        let format = object
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_owned);

        let mut resolved = self.resolve_object(object, pointer, hint, is_component)?;
        resolved.nullable |= nullable;
        if resolved.format.is_none() {
            resolved.format = format;
        }
        Ok(resolved)
    }

    fn resolve_object(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        hint: &str,
        is_component: bool,
    ) -> Result<Resolved, String> {
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let name = reference_name(reference, pointer)?;
            return Ok(Resolved::of(self.component(name)?));
        }

        if let Some(parts) = object.get("allOf").and_then(Value::as_array) {
            let substantial: Vec<usize> = (0..parts.len())
                .filter(|&index| !is_empty_schema(&parts[index]))
                .collect();
            if substantial.len() == 1 && !object.contains_key("properties") {
                let index = substantial[0];
                return self.resolve_schema(
                    &parts[index],
                    &format!("{pointer}/allOf/{index}"),
                    hint,
                    is_component,
                );
            }
            return self.define_struct(object, pointer, hint);
        }

        if object.contains_key("oneOf") || object.contains_key("anyOf") {
            return self.define_union(object, pointer, hint);
        }

        if let Some(values) = object.get("enum").and_then(Value::as_array) {
            // A `null` among the values repeats the `nullable` flag.
            let values: Vec<String> = values
                .iter()
                .filter(|value| !value.is_null())
                .map(|value| match value {
                    Value::String(text) => Ok(text.clone()),
                    other => Err(format!("enum at {pointer} has a non-string value {other}")),
                })
                .collect::<Result<_, _>>()?;
            if values.len() == 1 && !is_component {
                let mut resolved = Resolved::of(Ty::String);
                resolved.constant = Some(values[0].clone());
                return Ok(resolved);
            }
            return self.define_enum(&values, pointer, hint);
        }

        let type_name = object.get("type").and_then(Value::as_str);
        match type_name {
            Some("array") => {
                let items = object
                    .get("items")
                    .ok_or_else(|| format!("array schema at {pointer} has no `items`"))?;
                let item =
                    self.resolve(items, &format!("{pointer}/items"), &format!("{hint}Item"))?;
                let ty = if item.nullable {
                    // NOTE: a null list item is rare in the document; it decodes as a JSON value.
                    Ty::Any
                } else {
                    item.ty
                };
                let mut resolved = Resolved::of(Ty::List(Box::new(ty)));
                resolved.max_items = object.get("maxItems").and_then(Value::as_u64);
                Ok(resolved)
            }
            Some("string") => Ok(Resolved::of(Ty::String)),
            Some("integer") => Ok(Resolved::of(Ty::Integer)),
            Some("number") => Ok(Resolved::of(Ty::Number)),
            Some("boolean") => Ok(Resolved::of(Ty::Bool)),
            Some("object") | None => {
                let has_properties = object
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|properties| !properties.is_empty());
                if has_properties {
                    return self.define_struct(object, pointer, hint);
                }
                match object.get("additionalProperties") {
                    Some(value @ Value::Object(members)) if !members.is_empty() => {
                        let value = self.resolve(
                            value,
                            &format!("{pointer}/additionalProperties"),
                            &format!("{hint}Value"),
                        )?;
                        Ok(Resolved::of(Ty::Map(Box::new(value.ty))))
                    }
                    _ if type_name.is_some() => Ok(Resolved::of(Ty::Object)),
                    _ => Ok(Resolved::of(Ty::Any)),
                }
            }
            Some(other) => Err(format!("unsupported schema type `{other}` at {pointer}")),
        }
    }

    fn reserve(&mut self, pointer: &str, name: &str) -> Result<(), String> {
        if let Some(existing) = self.pointers_by_name.get(name) {
            if existing != pointer {
                return Err(format!(
                    "the schemas at {existing} and {pointer} both map to the Rust type name \
                     `{name}`; rename one with a correction in xtask/src/codegen/table.rs"
                ));
            }
        }
        self.pointers_by_name
            .insert(name.to_owned(), pointer.to_owned());
        self.names_by_pointer
            .insert(pointer.to_owned(), name.to_owned());
        Ok(())
    }

    fn insert(&mut self, def: TypeDef) {
        self.types.insert(def.name.clone(), def);
    }

    fn define_enum(
        &mut self,
        values: &[String],
        pointer: &str,
        name: &str,
    ) -> Result<Resolved, String> {
        if let Some(existing) = self.names_by_pointer.get(pointer) {
            return Ok(Resolved::of(Ty::Named(existing.clone())));
        }
        self.reserve(pointer, name)?;

        let mut variants: Vec<(String, String)> = Vec::new();
        for value in values {
            let variant = variant_name(value);
            if let Some((_, other)) = variants.iter().find(|(existing, _)| existing == &variant) {
                return Err(format!(
                    "enum at {pointer}: values `{other}` and `{value}` both map to variant `{variant}`"
                ));
            }
            variants.push((variant, value.clone()));
        }

        self.insert(TypeDef {
            name: name.to_owned(),
            schema_name: None,
            pointer: pointer.to_owned(),
            kind: Kind::Enum { variants },
            default: false,
        });
        Ok(Resolved::of(Ty::Named(name.to_owned())))
    }

    fn define_struct(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        name: &str,
    ) -> Result<Resolved, String> {
        if let Some(existing) = self.names_by_pointer.get(pointer) {
            return Ok(Resolved::of(Ty::Named(existing.clone())));
        }
        self.reserve(pointer, name)?;

        let mut merged = Merged::default();
        self.collect(object, pointer, name, &mut merged)?;

        let mut fields = Vec::new();
        for (json_name, (schema, property_pointer, owner)) in &merged.properties {
            let hint = format!("{owner}{}", pascal(json_name));
            let resolved = self.resolve(schema, property_pointer, &hint)?;
            let flag = |key: &str| schema.get(key) == Some(&Value::Bool(true));
            fields.push(Field {
                json_name: json_name.clone(),
                rust_name: field_name(json_name),
                ty: resolved.ty,
                required: merged.required.contains(json_name),
                nullable: resolved.nullable,
                read_only: flag("readOnly"),
                write_only: flag("writeOnly"),
                format: resolved.format,
                max_items: resolved.max_items,
                constant: resolved.constant,
                boxed: false,
            });
        }

        let mut seen = BTreeMap::new();
        for field in &fields {
            if let Some(other) = seen.insert(field.rust_name.clone(), field.json_name.clone()) {
                return Err(format!(
                    "{pointer}: properties `{other}` and `{}` both map to field `{}`",
                    field.json_name, field.rust_name
                ));
            }
        }
        for required in &merged.required {
            if !merged.properties.contains_key(required) {
                eprintln!(
                    "codegen: note: {pointer} requires `{required}`, which it does not define"
                );
            }
        }

        self.insert(TypeDef {
            name: name.to_owned(),
            schema_name: None,
            pointer: pointer.to_owned(),
            kind: Kind::Struct {
                fields,
                closed: merged.closed,
            },
            default: false,
        });
        Ok(Resolved::of(Ty::Named(name.to_owned())))
    }

    /// Gathers the properties and required names of a schema and of its `allOf` parts,
    /// following references; a later part's property replaces an earlier one.
    fn collect(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        owner: &str,
        merged: &mut Merged,
    ) -> Result<(), String> {
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let name = reference_name(reference, pointer)?;
            let target = self
                .schema(name)?
                .as_object()
                .ok_or_else(|| format!("schema `{name}` is not an object"))?;
            let target_pointer = format!("{SCHEMAS_POINTER}{}", pointer_escape(name));
            return self.collect(target, &target_pointer, &pascal(name), merged);
        }

        if object.contains_key("oneOf") || object.contains_key("anyOf") {
            return Err(format!(
                "{pointer}: a union inside `allOf` is not supported"
            ));
        }

        if let Some(parts) = object.get("allOf").and_then(Value::as_array) {
            for (index, part) in parts.iter().enumerate() {
                let part_object = part
                    .as_object()
                    .ok_or_else(|| format!("{pointer}/allOf/{index} is not an object"))?;
                self.collect(
                    part_object,
                    &format!("{pointer}/allOf/{index}"),
                    owner,
                    merged,
                )?;
            }
        }

        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (json_name, schema) in properties {
                let property_pointer =
                    format!("{pointer}/properties/{}", pointer_escape(json_name));
                merged.properties.insert(
                    json_name.clone(),
                    (schema.clone(), property_pointer, owner.to_owned()),
                );
            }
        }
        if let Some(required) = object.get("required").and_then(Value::as_array) {
            merged
                .required
                .extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if object.get("additionalProperties") == Some(&Value::Bool(false)) {
            merged.closed = true;
        }
        Ok(())
    }

    fn define_union(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        name: &str,
    ) -> Result<Resolved, String> {
        if let Some(existing) = self.names_by_pointer.get(pointer) {
            return Ok(Resolved::of(Ty::Named(existing.clone())));
        }
        self.reserve(pointer, name)?;

        let (keyword, members) = match (object.get("oneOf"), object.get("anyOf")) {
            (Some(Value::Array(members)), _) => ("oneOf", members),
            (_, Some(Value::Array(members))) => ("anyOf", members),
            _ => return Err(format!("{pointer}: `oneOf` or `anyOf` is not a list")),
        };

        let kind = match object.get("discriminator") {
            Some(discriminator) => self.tagged(discriminator, members, pointer)?,
            None => self.untagged(members, keyword, pointer, name)?,
        };

        self.insert(TypeDef {
            name: name.to_owned(),
            schema_name: None,
            pointer: pointer.to_owned(),
            kind,
            default: false,
        });
        Ok(Resolved::of(Ty::Named(name.to_owned())))
    }

    fn tagged(
        &mut self,
        discriminator: &Value,
        members: &[Value],
        pointer: &str,
    ) -> Result<Kind, String> {
        let tag = discriminator
            .get("propertyName")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{pointer}: discriminator without `propertyName`"))?
            .to_owned();
        let mapping: BTreeMap<String, String> = discriminator
            .get("mapping")
            .and_then(Value::as_object)
            .map(|mapping| {
                mapping
                    .iter()
                    .filter_map(|(tag, target)| {
                        let target = target.as_str()?;
                        Some((tag.clone(), target.rsplit('/').next()?.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();

        let mut variants = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let reference = member.get("$ref").and_then(Value::as_str).ok_or_else(|| {
                format!("{pointer}/oneOf/{index}: a tagged variant must be a `$ref`")
            })?;
            let schema_name = reference_name(reference, pointer)?;
            let Ty::Named(type_name) = self.component(schema_name)? else {
                return Err(format!(
                    "{pointer}/oneOf/{index}: `{schema_name}` is not an object"
                ));
            };
            let mut tags: Vec<String> = mapping
                .iter()
                .filter(|(_, target)| target.as_str() == schema_name)
                .map(|(tag, _)| tag.clone())
                .collect();
            if tags.is_empty() {
                tags.push(schema_name.to_owned());
            }
            variants.push(TaggedVariant {
                name: String::new(),
                type_name,
                tags,
            });
        }

        let type_names: Vec<String> = variants
            .iter()
            .map(|variant| variant.type_name.clone())
            .collect();
        for (variant, name) in variants.iter_mut().zip(distinct_parts(&type_names)) {
            variant.name = name;
        }
        Ok(Kind::Tagged { tag, variants })
    }

    fn untagged(
        &mut self,
        members: &[Value],
        keyword: &str,
        pointer: &str,
        name: &str,
    ) -> Result<Kind, String> {
        let mut variants: Vec<UntaggedVariant> = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let member_pointer = format!("{pointer}/{keyword}/{index}");
            let resolved = self.resolve(member, &member_pointer, &format!("{name}Object"))?;
            let variant = match &resolved.ty {
                Ty::String => "Text".to_owned(),
                Ty::Bool => "Bool".to_owned(),
                Ty::Integer => "Integer".to_owned(),
                Ty::Number => "Number".to_owned(),
                Ty::Any => "Value".to_owned(),
                Ty::Object | Ty::Map(_) => "Object".to_owned(),
                Ty::List(_) => "List".to_owned(),
                Ty::Named(type_name) if type_name == &format!("{name}Object") => {
                    "Object".to_owned()
                }
                Ty::Named(type_name) => type_name.clone(),
            };
            if variants.iter().any(|existing| existing.name == variant) {
                return Err(format!("{member_pointer}: two variants named `{variant}`"));
            }
            variants.push(UntaggedVariant {
                name: variant,
                ty: resolved.ty,
            });
        }
        Ok(Kind::Untagged {
            variants,
            any_of: keyword == "anyOf",
        })
    }

    /// Marks which structs can derive `Default` and boxes fields that make a struct
    /// contain itself.
    pub fn finish(&mut self) {
        loop {
            let mut changed = false;
            let names: Vec<String> = self.types.keys().cloned().collect();
            for name in names {
                if self.types[&name].default {
                    continue;
                }
                let default = match &self.types[&name].kind {
                    Kind::Struct { fields, .. } => fields.iter().all(|field| {
                        !field.required || field.nullable || self.has_default(&field.ty)
                    }),
                    Kind::Alias(ty) => self.has_default(ty),
                    _ => false,
                };
                if let (true, Some(def)) = (default, self.types.get_mut(&name)) {
                    def.default = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }

        let names: Vec<String> = self.types.keys().cloned().collect();
        for name in names {
            let Kind::Struct { fields, .. } = &self.types[&name].kind else {
                continue;
            };
            let boxed: Vec<bool> = fields
                .iter()
                .map(|field| match &field.ty {
                    Ty::Named(target) => self.contains(target, &name, &mut BTreeSet::new()),
                    _ => false,
                })
                .collect();
            if let Some(Kind::Struct { fields, .. }) =
                self.types.get_mut(&name).map(|def| &mut def.kind)
            {
                for (field, boxed) in fields.iter_mut().zip(boxed) {
                    field.boxed = boxed;
                }
            }
        }
    }

    fn has_default(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Named(name) => self.types.get(name).is_some_and(|def| def.default),
            _ => true,
        }
    }

    /// Returns whether a value of type `name` contains a `target` inline (not behind a list, map or box).
    fn contains(&self, name: &str, target: &str, visited: &mut BTreeSet<String>) -> bool {
        if name == target {
            return true;
        }
        if !visited.insert(name.to_owned()) {
            return false;
        }
        match self.types.get(name).map(|def| &def.kind) {
            Some(Kind::Struct { fields, .. }) => fields.iter().any(|field| match &field.ty {
                Ty::Named(inner) => self.contains(inner, target, visited),
                _ => false,
            }),
            Some(Kind::Alias(Ty::Named(inner))) => self.contains(inner, target, visited),
            _ => false,
        }
    }
}

#[derive(Default)]
struct Merged {
    /// JSON name -> (schema, JSON pointer, Rust name of the schema that defines it).
    properties: BTreeMap<String, (Value, String, String)>,
    required: BTreeSet<String>,
    closed: bool,
}

fn reference_name<'r>(reference: &'r str, pointer: &str) -> Result<&'r str, String> {
    reference
        .strip_prefix(SCHEMAS_POINTER)
        .ok_or_else(|| format!("{pointer}: unsupported reference `{reference}`"))
}

fn is_empty_schema(schema: &Value) -> bool {
    schema.as_object().is_some_and(Map::is_empty)
}

/// Drops the words that all names share at the start and at the end
/// (`DnaSequenceSummary`, `AaSequenceSummary` become `DnaSequence`, `AaSequence`), unless
/// that leaves a name empty or two names equal.
pub fn distinct_parts(names: &[String]) -> Vec<String> {
    let split: Vec<Vec<String>> = names.iter().map(|name| words(name)).collect();
    if split.len() < 2 {
        return names.to_vec();
    }
    let shortest = split.iter().map(Vec::len).min().unwrap_or(0);
    let shared = |at: &dyn Fn(&Vec<String>, usize) -> String| {
        (0..shortest)
            .take_while(|&index| {
                split
                    .iter()
                    .all(|parts| at(parts, index) == at(&split[0], index))
            })
            .count()
    };
    let prefix = shared(&|parts, index| parts[index].clone());
    let suffix = shared(&|parts, index| parts[parts.len() - 1 - index].clone());

    let trimmed: Vec<String> = split
        .iter()
        .map(|parts| {
            let end = parts.len().saturating_sub(suffix);
            if prefix >= end {
                String::new()
            } else {
                parts[prefix..end].concat()
            }
        })
        .collect();
    let unique: BTreeSet<&String> = trimmed.iter().collect();
    if trimmed.iter().any(String::is_empty) || unique.len() != trimmed.len() {
        return names.to_vec();
    }
    trimmed
}
