//! Sample JSON values that fit the generated types, for the generated endpoint tests.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::schema::{Kind, Ty, TypeDef};

/// Nesting depth down to which [`Sampler::full`] fills optional fields too.
const FULL_DEPTH: usize = 3;
/// Nesting depth at which sampling stops, so that recursive types end.
const MAX_DEPTH: usize = 8;

pub struct Sampler<'a> {
    types: &'a BTreeMap<String, TypeDef>,
}

impl<'a> Sampler<'a> {
    pub fn new(types: &'a BTreeMap<String, TypeDef>) -> Self {
        Sampler { types }
    }

    /// Returns a value with only the required fields of every object.
    pub fn minimal(&self, ty: &Ty) -> Value {
        self.sample(ty, 0, 0)
    }

    /// Returns a value with every field of the outer objects, down to a fixed depth.
    pub fn full(&self, ty: &Ty) -> Value {
        self.sample(ty, 0, FULL_DEPTH)
    }

    fn sample(&self, ty: &Ty, depth: usize, full_until: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        match ty {
            Ty::String => json!("text"),
            Ty::Bool => json!(true),
            Ty::Integer => json!(7),
            Ty::Number => json!(2.5),
            Ty::Any => json!({"sample": "value"}),
            Ty::Object => json!({"key": "value"}),
            Ty::List(item) => Value::Array(vec![self.sample(item, depth + 1, full_until)]),
            Ty::Map(value) => json!({"key": self.sample(value, depth + 1, full_until)}),
            Ty::Named(name) => self.named(name, depth, full_until),
        }
    }

    fn named(&self, name: &str, depth: usize, full_until: usize) -> Value {
        let Some(def) = self.types.get(name) else {
            return Value::Null;
        };
        match &def.kind {
            Kind::Struct { fields, .. } => {
                let mut object = Map::new();
                for field in fields {
                    let include = field.required || depth < full_until;
                    if !include {
                        continue;
                    }
                    let value = match &field.constant {
                        Some(constant) => json!(constant),
                        None => self.sample(&field.ty, depth + 1, full_until),
                    };
                    if value.is_null() && !field.required {
                        continue;
                    }
                    object.insert(field.json_name.clone(), value);
                }
                Value::Object(object)
            }
            Kind::Enum { variants } => json!(variants[0].1),
            Kind::Tagged { tag, variants } => {
                let variant = &variants[0];
                let mut value = self.named(&variant.type_name, depth, full_until);
                if let Value::Object(object) = &mut value {
                    object.insert(tag.clone(), json!(variant.tags[0]));
                }
                value
            }
            Kind::Untagged { variants, .. } => self.sample(&variants[0].ty, depth, full_until),
            Kind::Alias(ty) => self.sample(ty, depth, full_until),
        }
    }
}
