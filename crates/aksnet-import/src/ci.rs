//! Case-insensitive reading, as Azure Resource Manager reads: a wrapper around any serde
//! `Deserializer` that matches struct field names and unit enum variants case-insensitively,
//! reads `null` as an empty list or map and `null` or `{}` as an absent optional value, and counts
//! the object keys that match no field (unknown properties, ignored). Wrapped around JSON text it
//! is the importer's fast path; wrapped around a `&serde_json::Value` (see [`from_value`]) the
//! general path, which also gives the JSON path of a problem.
//!
//! A value a template cannot know before deployment arrives as the unknown marker
//! ([`aksnet_model::maybe`]). Where the model takes one (a [`aksnet_model::Maybe`], read from any
//! JSON) it is kept; anywhere else the resource fails with "value unknown before deployment at
//! <property>: <expression> (<reason>)" rather than a type error.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

use aksnet_model::maybe::{UnknownValue, MARKER_KEY};
use serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer,
    StringDeserializer,
};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use serde::Deserialize;
use serde_json::Value;

/// Object keys that matched no modelled property (ignored): how many, and their names.
#[derive(Debug, Default)]
pub struct Ignored {
    count: Cell<usize>,
    names: RefCell<BTreeSet<String>>,
    /// The names in the order they were first noted, to roll an attempt back.
    journal: RefCell<Vec<String>>,
}

/// Where an [`Ignored`] stood before an attempt ([`Ignored::checkpoint`]).
#[derive(Clone, Copy, Debug)]
pub struct Checkpoint {
    count: usize,
    names: usize,
}

impl Ignored {
    /// How many keys were ignored.
    pub fn count(&self) -> usize {
        self.count.get()
    }

    /// The names of the keys ignored, each once, sorted.
    pub fn names(&self) -> Vec<String> {
        self.names.borrow().iter().cloned().collect()
    }

    /// Notes one ignored key.
    fn note(&self, key: &str) {
        self.count.set(self.count.get() + 1);
        let mut names = self.names.borrow_mut();
        if !names.contains(key) {
            names.insert(key.to_string());
            self.journal.borrow_mut().push(key.to_string());
        }
    }

    /// Where it stands now.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            count: self.count.get(),
            names: self.journal.borrow().len(),
        }
    }

    /// Forgets what an attempt that failed noted since `at` (its keys are noted again when the
    /// resource is read another way).
    pub fn roll_back(&self, at: Checkpoint) {
        self.count.set(at.count);
        let mut journal = self.journal.borrow_mut();
        let mut names = self.names.borrow_mut();
        for n in journal.drain(at.names..) {
            names.remove(&n);
        }
    }
}

/// Wraps a deserializer.
pub struct CiDe<'c, D> {
    inner: D,
    unknown: &'c Ignored,
}

impl<'c, D> CiDe<'c, D> {
    /// Wraps `inner`; unknown keys are counted into `unknown`.
    pub fn new(inner: D, unknown: &'c Ignored) -> Self {
        Self { inner, unknown }
    }

    /// The visitor wrapper for what `self` reads as `shape`.
    fn wrap<V>(&self, v: V, shape: Shape) -> Wrap<'c, V> {
        Wrap {
            v,
            unknown: self.unknown,
            shape,
        }
    }
}

/// Deserializes `T` from `value` case-insensitively; on failure, the error with its JSON path
/// (naming the property when it is a value unknown before deployment). The path is worked out
/// only when the fast attempt fails.
pub fn from_value<T: DeserializeOwned>(
    value: &Value,
    unknown: &Ignored,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    T::deserialize(CiDe::new(value, unknown)).or_else(|_| {
        let scratch = Ignored::default();
        serde_path_to_error::deserialize(CiDe::new(value, &scratch))
            .map_err(|e| with_unknown_property(value, e))
    })
}

macro_rules! forward {
    ($shape:expr; $($method:ident),*) => {
        $(fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            let w = self.wrap(v, $shape);
            self.inner.$method(w)
        })*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for CiDe<'_, D> {
    type Error = D::Error;

    // Any JSON (a `Value`, a `Maybe`): the unknown marker too.
    forward!(Shape::Any; deserialize_any, deserialize_ignored_any);

    forward!(
        Shape::Plain;
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_unit,
        deserialize_identifier
    );

    /// `null` and `{}` (how exports write an absent reference) are `None`.
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_any(Opt {
            v,
            unknown: self.unknown,
        })
    }

    /// `null` is an empty list.
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let w = self.wrap(v, Shape::Seq);
        self.inner.deserialize_any(w)
    }

    /// `null` is an empty map.
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let w = self.wrap(v, Shape::Map);
        self.inner.deserialize_any(w)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        let w = self.wrap(v, Shape::Plain);
        self.inner.deserialize_unit_struct(name, w)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        let w = self.wrap(v, Shape::Plain);
        self.inner.deserialize_newtype_struct(name, w)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        let w = self.wrap(v, Shape::Plain);
        self.inner.deserialize_tuple(len, w)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        let w = self.wrap(v, Shape::Plain);
        self.inner.deserialize_tuple_struct(name, len, w)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        let w = self.wrap(v, Shape::Struct(fields));
        self.inner.deserialize_struct(name, fields, w)
    }

    /// Unit variants given as strings are matched case-insensitively.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        let w = Variants { v, name, variants };
        self.inner.deserialize_any(w)
    }
}

/// What a visitor expects, for what the wrapper adds: `null` as an empty list or map, struct
/// fields matched case-insensitively, and the unknown marker refused except where any JSON is.
#[derive(Clone, Copy)]
enum Shape {
    /// Any JSON, the unknown marker included.
    Any,
    /// A value of one type (a string, a number, ...), not a list, map or struct.
    Plain,
    Seq,
    Map,
    Struct(&'static [&'static str]),
}

/// Wraps a visitor so that what it visits is read case-insensitively too.
struct Wrap<'c, V> {
    v: V,
    unknown: &'c Ignored,
    shape: Shape,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.v.expecting(f)
    }
    fn visit_bool<E: de::Error>(self, x: bool) -> Result<V::Value, E> {
        self.v.visit_bool(x)
    }
    fn visit_i64<E: de::Error>(self, x: i64) -> Result<V::Value, E> {
        self.v.visit_i64(x)
    }
    fn visit_u64<E: de::Error>(self, x: u64) -> Result<V::Value, E> {
        self.v.visit_u64(x)
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<V::Value, E> {
        self.v.visit_f64(x)
    }
    fn visit_str<E: de::Error>(self, x: &str) -> Result<V::Value, E> {
        self.v.visit_str(x)
    }
    fn visit_borrowed_str<E: de::Error>(self, x: &'de str) -> Result<V::Value, E> {
        self.v.visit_borrowed_str(x)
    }
    fn visit_string<E: de::Error>(self, x: String) -> Result<V::Value, E> {
        self.v.visit_string(x)
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        match self.shape {
            Shape::Seq => self.v.visit_seq(Empty(std::marker::PhantomData)),
            Shape::Map => self.v.visit_map(Empty(std::marker::PhantomData)),
            Shape::Any | Shape::Plain | Shape::Struct(_) => self.v.visit_unit(),
        }
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.v.visit_none()
    }
    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<V::Value, D2::Error> {
        self.v.visit_some(CiDe::new(d, self.unknown))
    }
    fn visit_newtype_struct<D2: Deserializer<'de>>(self, d: D2) -> Result<V::Value, D2::Error> {
        self.v.visit_newtype_struct(CiDe::new(d, self.unknown))
    }
    /// Elements the visitor leaves (a struct read from a longer array) are skipped.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<V::Value, A::Error> {
        let value = self.v.visit_seq(SeqWrap {
            seq: &mut seq,
            unknown: self.unknown,
        })?;
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(value)
    }
    /// Where a specific type is expected, an object whose first key is the marker's is refused
    /// ([`unknown_marker`]); the key read to tell is given out again.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        let fields = match self.shape {
            Shape::Struct(fields) => Some(fields),
            Shape::Any | Shape::Plain | Shape::Seq | Shape::Map => None,
        };
        let unknown = self.unknown;
        if let Shape::Any = self.shape {
            return self.v.visit_map(MapWrap {
                map,
                unknown,
                fields,
            });
        }
        match map.next_key()? {
            None => self.v.visit_map(MapWrap {
                map: Empty(std::marker::PhantomData),
                unknown,
                fields,
            }),
            Some(Key(first)) if first == MARKER_KEY => {
                let marker: Value = map.next_value()?;
                Err(unknown_marker(&marker))
            }
            Some(Key(first)) => self.v.visit_map(MapWrap {
                map: Replay {
                    map,
                    first: Some(first),
                },
                unknown,
                fields,
            }),
        }
    }
}

/// The words that begin the error for a value unknown before deployment met where the model
/// needs the value.
pub(crate) const UNKNOWN_BEFORE_DEPLOYMENT: &str = "value unknown before deployment";

/// The error for the unknown marker's content `marker` met where the model needs a value (the
/// general path adds the property: [`from_value`]).
fn unknown_marker<E: de::Error>(marker: &Value) -> E {
    match UnknownValue::deserialize(marker) {
        Ok(u) => E::custom(format!("{UNKNOWN_BEFORE_DEPLOYMENT}: {u}")),
        Err(e) => E::custom(format!("malformed unknown-value marker: {e}")),
    }
}

/// When the value at `e`'s path is the unknown marker, the error says so with the property:
/// "value unknown before deployment at <property>: <expression> (<reason>)".
fn with_unknown_property(
    value: &Value,
    e: serde_path_to_error::Error<serde_json::Error>,
) -> serde_path_to_error::Error<serde_json::Error> {
    use serde_path_to_error::Segment;
    let mut at = Some(value);
    for segment in e.path().iter() {
        at = match (segment, at) {
            (Segment::Seq { index }, Some(Value::Array(a))) => a.get(*index),
            (Segment::Map { key }, Some(Value::Object(o))) => o.get(key).or_else(|| {
                o.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v)
            }),
            _ => None,
        };
    }
    match at.and_then(UnknownValue::from_marker) {
        Some(Ok(u)) => {
            let message = format!("{UNKNOWN_BEFORE_DEPLOYMENT} at {}: {u}", e.path());
            serde_path_to_error::Error::new(e.path().clone(), de::Error::custom(message))
        }
        // Inside a value read whole (a tagged enum such as a rule collection), the path stops
        // at the value: a marker within it is the likelier cause of a type error.
        _ => match at.and_then(|v| marker_within(v, String::new())) {
            Some((inner, u)) if e.inner().to_string().starts_with("invalid type") => {
                let message = format!("{UNKNOWN_BEFORE_DEPLOYMENT} at {}{inner}: {u}", e.path());
                serde_path_to_error::Error::new(e.path().clone(), de::Error::custom(message))
            }
            _ => e,
        },
    }
}

/// The first unknown marker inside `v`, with its path below `v` (`.rules[0].x`).
fn marker_within(v: &Value, at: String) -> Option<(String, UnknownValue)> {
    if let Some(Ok(u)) = UnknownValue::from_marker(v) {
        return Some((at, u));
    }
    match v {
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| marker_within(x, format!("{at}[{i}]"))),
        Value::Object(o) => o
            .iter()
            .find_map(|(k, x)| marker_within(x, format!("{at}.{k}"))),
        _ => None,
    }
}

/// No elements: what `null` holds where a list or a map is expected.
struct Empty<E>(std::marker::PhantomData<E>);

impl<'de, E: de::Error> SeqAccess<'de> for Empty<E> {
    type Error = E;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, _: T) -> Result<Option<T::Value>, E> {
        Ok(None)
    }
}

impl<'de, E: de::Error> MapAccess<'de> for Empty<E> {
    type Error = E;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, _: K) -> Result<Option<K::Value>, E> {
        Ok(None)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, _: T) -> Result<T::Value, E> {
        Err(de::Error::custom("value without a key"))
    }
}

struct SeqWrap<'c, A> {
    seq: A,
    unknown: &'c Ignored,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for SeqWrap<'_, A> {
    type Error = A::Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.seq.next_element_seed(SeedWrap {
            seed,
            unknown: self.unknown,
        })
    }
}

struct MapWrap<'c, A> {
    map: A,
    unknown: &'c Ignored,
    /// For structs: the field names, to which keys are matched case-insensitively.
    fields: Option<&'static [&'static str]>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for MapWrap<'_, A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(Key(key)) = self.map.next_key()? else {
            return Ok(None);
        };
        let canonical: &str = match self.fields {
            Some(fields) if !fields.contains(&key.as_ref()) => {
                match fields.iter().find(|f| f.eq_ignore_ascii_case(&key)) {
                    Some(f) => f,
                    None => {
                        self.unknown.note(&key);
                        &key
                    }
                }
            }
            _ => &key,
        };
        seed.deserialize(StrDeserializer::<A::Error>::new(canonical))
            .map(Some)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(SeedWrap {
            seed,
            unknown: self.unknown,
        })
    }
}

/// An object key, borrowed from the input where it can be (serde's own `Cow<str>` always copies).
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

struct SeedWrap<'c, T> {
    seed: T,
    unknown: &'c Ignored,
}

impl<'de, T: DeserializeSeed<'de>> DeserializeSeed<'de> for SeedWrap<'_, T> {
    type Value = T::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T::Value, D::Error> {
        self.seed.deserialize(CiDe::new(d, self.unknown))
    }
}

/// An optional value: `null` and `{}` are `None`; anything else is handed on, an object with the
/// key read to tell it from `{}` given out again.
struct Opt<'c, V> {
    v: V,
    unknown: &'c Ignored,
}

impl<'c, V> Opt<'c, V> {
    fn some<'de, D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error>
    where
        V: Visitor<'de>,
    {
        self.v.visit_some(CiDe::new(d, self.unknown))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Opt<'_, V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.v.expecting(f)
    }
    fn visit_bool<E: de::Error>(self, x: bool) -> Result<V::Value, E> {
        self.some(x.into_deserializer())
    }
    fn visit_i64<E: de::Error>(self, x: i64) -> Result<V::Value, E> {
        self.some(x.into_deserializer())
    }
    fn visit_u64<E: de::Error>(self, x: u64) -> Result<V::Value, E> {
        self.some(x.into_deserializer())
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<V::Value, E> {
        self.some(x.into_deserializer())
    }
    fn visit_str<E: de::Error>(self, x: &str) -> Result<V::Value, E> {
        self.some(StrDeserializer::new(x))
    }
    fn visit_borrowed_str<E: de::Error>(self, x: &'de str) -> Result<V::Value, E> {
        self.some(BorrowedStrDeserializer::new(x))
    }
    fn visit_string<E: de::Error>(self, x: String) -> Result<V::Value, E> {
        self.some(StringDeserializer::new(x))
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.v.visit_none()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.some(SeqAccessDeserializer::new(seq))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        let Some(Key(first)) = map.next_key()? else {
            return self.v.visit_none();
        };
        // `some` wraps the rest in `CiDe`, which reads the object case-insensitively.
        self.some(MapAccessDeserializer::new(Replay {
            map,
            first: Some(first),
        }))
    }
}

/// A map whose first key was already read, given out again before the rest.
struct Replay<'de, A> {
    map: A,
    first: Option<Cow<'de, str>>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<'de, A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(Cow::Borrowed(k)) => seed.deserialize(BorrowedStrDeserializer::new(k)).map(Some),
            Some(Cow::Owned(k)) => seed.deserialize(StringDeserializer::new(k)).map(Some),
            None => self.map.next_key_seed(seed),
        }
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// An enum. A variant given as a string is matched case-insensitively; one given as a
/// single-key object is read by `serde_json` as is (the model's enums are unit enums).
struct Variants<V> {
    v: V,
    name: &'static str,
    variants: &'static [&'static str],
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Variants<V> {
    type Value = V::Value;
    /// As `serde_json` says it when neither form is found.
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("string or map")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<V::Value, E> {
        let canonical = self
            .variants
            .iter()
            .find(|x| x.eq_ignore_ascii_case(s))
            .map_or(s, |x| x);
        self.v.visit_enum(StrDeserializer::<E>::new(canonical))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let object = Value::deserialize(MapAccessDeserializer::new(map))?;
        Deserializer::deserialize_enum(object, self.name, self.variants, self.v)
            .map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct T {
        address_prefix: String,
        next_hop_type: Hop,
        #[serde(default)]
        list: Vec<u32>,
        #[serde(default)]
        tags: std::collections::BTreeMap<String, String>,
        #[serde(default)]
        reference: Option<R>,
        #[serde(default)]
        inner: Option<Box<T>>,
        #[serde(default)]
        next_hop_ip_address: Option<aksnet_model::Maybe<String>>,
        #[serde(default)]
        raw: Option<Value>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct R {
        id: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Hop {
        VirtualAppliance,
        Internet,
    }

    /// Reads `text` both ways (from the text and from its `Value`), checks they agree, and
    /// returns the result and the unknown-key count.
    fn both(text: &str) -> (Result<T, String>, usize) {
        let unknown = Ignored::default();
        let mut de = serde_json::Deserializer::from_str(text);
        let from_text = T::deserialize(CiDe::new(&mut de, &unknown)).map_err(|e| e.to_string());
        let (text_unknown, value_unknown) = (unknown.count(), Ignored::default());
        let value: Value = serde_json::from_str(text).unwrap();
        let from_tree = from_value::<T>(&value, &value_unknown);
        assert_eq!(from_text.is_ok(), from_tree.is_ok(), "{text}");
        if from_text.is_ok() {
            assert_eq!(text_unknown, value_unknown.count(), "{text}");
        }
        (
            from_tree.map_err(|e| format!("{} at {}", e.inner(), e.path())),
            value_unknown.count(),
        )
    }

    #[test]
    fn keys_and_variants_match_case_insensitively_and_unknowns_are_counted() {
        let (t, unknown) = both(
            r#"{ "AddressPrefix": "0.0.0.0/0", "NEXTHOP\u0054YPE": "virtualappliance", "extra": {"a": [1]}, "List": [1, 2],
            "inner": { "addressprefix": "10.0.0.0/8", "nextHopType": "Internet", "more": 2 } }"#,
        );
        let t = t.unwrap();
        assert_eq!(t.address_prefix, "0.0.0.0/0");
        assert_eq!(t.next_hop_type, Hop::VirtualAppliance);
        assert_eq!(t.list, [1, 2]);
        assert_eq!(t.inner.unwrap().next_hop_type, Hop::Internet);
        assert_eq!(unknown, 2);
    }

    #[test]
    fn null_is_empty_and_empty_objects_are_absent() {
        let (t, unknown) = both(
            r#"{ "addressPrefix": "x", "nextHopType": "Internet", "list": null, "tags": null,
            "reference": {}, "inner": null }"#,
        );
        let t = t.unwrap();
        assert!(t.list.is_empty() && t.tags.is_empty());
        assert_eq!((t.reference, t.inner), (None, None));
        assert_eq!(unknown, 0);
        let (t, unknown) = both(
            r#"{ "addressPrefix": "x", "nextHopType": "Internet", "Reference": {"ID": "r", "x": 1} }"#,
        );
        assert_eq!(t.unwrap().reference, Some(R { id: "r".into() }));
        assert_eq!(unknown, 1);
    }

    #[test]
    fn variants_as_objects_and_structs_as_arrays_read_as_serde_json_reads_them() {
        let (t, _) = both(
            r#"{ "addressPrefix": "x", "nextHopType": {"Internet": null}, "reference": ["r", 2] }"#,
        );
        let t = t.unwrap();
        assert_eq!(t.next_hop_type, Hop::Internet);
        assert_eq!(t.reference, Some(R { id: "r".into() }));
        let (t, _) = both(r#"{ "addressPrefix": "x", "nextHopType": {"internet": null} }"#);
        assert_eq!(
            t.unwrap_err(),
            "unknown variant `internet`, expected `VirtualAppliance` or `Internet` at nextHopType"
        );
    }

    #[test]
    fn errors_carry_the_json_path() {
        let (t, _) = both(
            r#"{ "addressPrefix": "x", "nextHopType": "Internet", "inner": { "addressPrefix": 5, "nextHopType": "Internet" } }"#,
        );
        assert_eq!(
            t.unwrap_err(),
            "invalid type: integer `5`, expected a string at inner.addressPrefix"
        );
        let (t, _) = both(r#"{ "addressPrefix": "x", "nextHopType": "Nowhere" }"#);
        assert_eq!(
            t.unwrap_err(),
            "unknown variant `Nowhere`, expected `VirtualAppliance` or `Internet` at nextHopType"
        );
        let (t, _) = both(r#"{ "addressPrefix": "x", "nextHopType": 7 }"#);
        assert_eq!(
            t.unwrap_err(),
            "invalid type: integer `7`, expected string or map at nextHopType"
        );
        let (t, _) = both(r#"{ "addressPrefix": "x", "nextHopType": "Internet", "reference": 7 }"#);
        assert_eq!(
            t.unwrap_err(),
            "invalid type: integer `7`, expected struct R at reference"
        );
    }

    const MARKER: &str =
        r#"{ "$unknown": { "expression": "parameters('prefix')", "reason": "no value given" } }"#;

    /// The unknown marker where a `Maybe` is taken is kept, read from the text or the tree,
    /// and inside any JSON (`Value`) it stays as written.
    #[test]
    fn the_unknown_marker_is_kept_where_the_model_takes_it() {
        let (t, unknown) = both(&format!(
            r#"{{ "addressPrefix": "x", "nextHopType": "VirtualAppliance", "NextHopIpAddress": {MARKER},
            "raw": {{ "a": {MARKER} }} }}"#
        ));
        let t = t.unwrap();
        let u = t.next_hop_ip_address.unwrap().unknown().cloned().unwrap();
        assert_eq!(u.expression, "parameters('prefix')");
        assert_eq!(t.raw.unwrap()["a"]["$unknown"]["reason"], "no value given");
        assert_eq!(unknown, 0);
        let (t, _) = both(
            r#"{ "addressPrefix": "x", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4" }"#,
        );
        assert_eq!(
            t.unwrap().next_hop_ip_address,
            Some(aksnet_model::Maybe::Known("10.0.0.4".into()))
        );
    }

    /// Anywhere else — a string, an optional struct, a list, a map, an enum — the marker fails
    /// the read with the property, the expression and the reason.
    #[test]
    fn the_unknown_marker_where_a_value_is_needed_names_the_property() {
        let want = |at: &str| {
            format!(
                "value unknown before deployment at {at}: parameters('prefix') (no value given)"
            )
        };
        for (text, at) in [
            (
                format!(r#"{{ "addressPrefix": {MARKER}, "nextHopType": "Internet" }}"#),
                "addressPrefix",
            ),
            (
                format!(r#"{{ "addressPrefix": "x", "nextHopType": {MARKER} }}"#),
                "nextHopType",
            ),
            (
                format!(
                    r#"{{ "addressPrefix": "x", "nextHopType": "Internet", "reference": {MARKER} }}"#
                ),
                "reference",
            ),
            (
                format!(
                    r#"{{ "addressPrefix": "x", "nextHopType": "Internet", "list": {MARKER} }}"#
                ),
                "list",
            ),
            (
                format!(
                    r#"{{ "addressPrefix": "x", "nextHopType": "Internet", "tags": {{ "a": {MARKER} }} }}"#
                ),
                "tags.a",
            ),
            (
                format!(
                    r#"{{ "addressPrefix": "x", "nextHopType": "Internet", "inner": {{ "AddressPrefix": {MARKER}, "nextHopType": "Internet" }} }}"#
                ),
                "inner.addressPrefix",
            ),
        ] {
            let (t, _) = both(&text);
            let e = t.unwrap_err();
            assert!(e.starts_with(&want(at)), "{text}: {e}");
        }
    }

    /// Inside a value serde reads whole (a tagged enum: a rule collection), the error's path
    /// stops at the value; the marker within is found and named with its own path.
    #[test]
    fn the_unknown_marker_inside_a_tagged_enum_names_its_own_path() {
        let value: Value = serde_json::from_str(&format!(
            r#"{{ "priority": 100, "ruleCollections": [{{ "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
              "name": "c", "priority": 100, "action": {{ "type": "Allow" }},
              "rules": [{{ "ruleType": "NetworkRule", "name": "r", "ipProtocols": ["TCP"],
                "sourceAddresses": [{MARKER}], "destinationAddresses": ["*"], "destinationPorts": ["443"] }}] }}] }}"#
        ))
        .unwrap();
        let e =
            from_value::<aksnet_model::firewall::RuleCollectionGroup>(&value, &Ignored::default())
                .unwrap_err();
        let shown = e.inner().to_string();
        assert!(
            shown.starts_with("value unknown before deployment at ruleCollections[0].rules[0].sourceAddresses[0]: parameters('prefix') (no value given)"),
            "{shown}"
        );
    }
}
