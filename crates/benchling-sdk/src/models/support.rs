//! Decoding and encoding helpers shared by the generated models.
//!
//! Structs decode through [`ObjectModel::read`], a loop over the JSON object's members
//! that matches each key against the struct's known fields and keeps every other member
//! in `extra`. This avoids `#[serde(flatten)]`, which buffers each object and slows typed
//! decoding by about 30%.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::Serialize;
use serde_json::{Map, Value};

/// Known fields of one generated struct, looked up by JSON key.
pub(crate) trait FieldId: Sized {
    fn from_key(key: &str) -> Option<Self>;
}

/// Key of a member of a JSON object: a known field, or a key kept in `extra`.
pub(crate) enum Key<F> {
    Known(F),
    Other(String),
}

impl<'de, F: FieldId> de::Deserialize<'de> for Key<F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor(PhantomData))
    }
}

struct KeyVisitor<F>(PhantomData<F>);

impl<'de, F: FieldId> Visitor<'de> for KeyVisitor<F> {
    type Value = Key<F>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<F>, E> {
        Ok(match F::from_key(key) {
            Some(field) => Key::Known(field),
            None => Key::Other(key.to_owned()),
        })
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Key<F>, E> {
        Ok(match F::from_key(&key) {
            Some(field) => Key::Known(field),
            None => Key::Other(key),
        })
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Key<F>, E> {
        match std::str::from_utf8(key) {
            Ok(key) => self.visit_str(key),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(key), &self)),
        }
    }
}

/// A generated struct that decodes from a JSON object.
pub(crate) trait ObjectModel: Sized {
    /// Rust type name, for error messages.
    const NAME: &'static str;

    fn read<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Decodes a JSON object into `T`.
pub(crate) fn deserialize_object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: ObjectModel,
{
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: ObjectModel> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "a JSON object for {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read(map)
    }
}

/// Returns the value of a required field, or serde's `missing field` error.
pub(crate) fn required<T, E: de::Error>(value: Option<T>, name: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(name))
}

/// Writes an optional field; `None` writes nothing.
pub(crate) fn optional<M, T>(
    map: &mut M,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error>
where
    M: SerializeMap,
    T: Serialize,
{
    match value {
        Some(value) => map.serialize_entry(key, value),
        None => Ok(()),
    }
}

/// Writes the members kept in `extra`.
pub(crate) fn extra<M: SerializeMap>(
    map: &mut M,
    extra: &Map<String, Value>,
) -> Result<(), M::Error> {
    for (key, value) in extra {
        map.serialize_entry(key, value)?;
    }
    Ok(())
}

/// A generated string enum with a catch-all variant for unknown text.
pub(crate) trait StringEnum: Sized {
    /// Rust type name, for error messages.
    const NAME: &'static str;

    fn from_text(text: &str) -> Option<Self>;

    fn unknown(text: String) -> Self;
}

/// Decodes a JSON string into `T`, keeping text that names no known variant.
pub(crate) fn deserialize_string_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: StringEnum,
{
    deserializer.deserialize_str(StringEnumVisitor(PhantomData))
}

struct StringEnumVisitor<T>(PhantomData<T>);

impl<'de, T: StringEnum> Visitor<'de> for StringEnumVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "a string for {}", T::NAME)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        Ok(T::from_text(text).unwrap_or_else(|| T::unknown(text.to_owned())))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<T, E> {
        Ok(match T::from_text(&text) {
            Some(value) => value,
            None => T::unknown(text),
        })
    }
}

/// Decodes a buffered JSON value into one variant of a union.
pub(crate) fn decode<T: DeserializeOwned, E: de::Error>(value: &Value) -> Result<T, E> {
    T::deserialize(value).map_err(E::custom)
}

/// Decodes a buffered JSON value, or returns `None` when it does not fit `T`.
pub(crate) fn attempt<T: DeserializeOwned>(value: &Value) -> Option<T> {
    T::deserialize(value).ok()
}

/// Values that one variant of a union without a discriminator accepts.
// Not every shape occurs in every version of the document.
#[allow(dead_code)]
pub(crate) enum Shape {
    Text,
    Bool,
    Integer,
    Number,
    List,
    /// Any JSON object, with members of one type.
    Map,
    Any,
    Object(ObjectShape),
}

/// The facts about one object variant that tell it apart from the others.
pub(crate) struct ObjectShape {
    /// Keys the variant requires.
    pub(crate) required: &'static [&'static str],
    /// Keys whose string value must be one of the listed ones when present.
    pub(crate) constants: &'static [(&'static str, &'static [&'static str])],
    /// Keys the variant declares.
    pub(crate) known: &'static [&'static str],
    /// Whether the variant declares no other keys.
    pub(crate) closed: bool,
}

impl Shape {
    /// Returns how well `value` fits: `None` when it cannot be this variant, otherwise a
    /// score that grows with matched constants and declared keys.
    fn score(&self, value: &Value) -> Option<usize> {
        let fits = match self {
            Shape::Text => value.is_string(),
            Shape::Bool => value.is_boolean(),
            Shape::Integer => value.is_i64() || value.is_u64(),
            Shape::Number => value.is_number(),
            Shape::List => value.is_array(),
            Shape::Map => value.is_object(),
            Shape::Any => true,
            Shape::Object(shape) => return shape.score(value),
        };
        fits.then_some(0)
    }
}

impl ObjectShape {
    fn score(&self, value: &Value) -> Option<usize> {
        let object = value.as_object()?;
        if !self.required.iter().all(|key| object.contains_key(*key)) {
            return None;
        }
        if self.closed && !object.keys().all(|key| self.known.contains(&key.as_str())) {
            return None;
        }

        let mut score = 1;
        for (key, allowed) in self.constants {
            match object.get(*key) {
                None => {}
                Some(Value::String(text)) if allowed.contains(&text.as_str()) => score += 1000,
                Some(_) => return None,
            }
        }
        score += object
            .keys()
            .filter(|key| self.known.contains(&key.as_str()))
            .count();
        Some(score)
    }
}

/// Returns the indexes of the variants that `value` may be, best fit first; variants with
/// equal scores keep their order in the document.
pub(crate) fn rank(value: &Value, shapes: &[Shape]) -> Vec<usize> {
    let mut scored: Vec<(usize, usize)> = shapes
        .iter()
        .enumerate()
        .filter_map(|(index, shape)| shape.score(value).map(|score| (index, score)))
        .collect();
    scored.sort_by_key(|&(_, score)| std::cmp::Reverse(score));
    scored.into_iter().map(|(index, _)| index).collect()
}
