//! A serde `Deserializer` over a borrowed `serde_json::Value` that matches struct field names and
//! unit enum variants case-insensitively, as Azure Resource Manager does, and counts the object
//! keys that match no field (unknown properties, ignored).

use std::cell::Cell;

use serde::de::value::{StrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::Value;

/// A JSON value read case-insensitively.
pub struct Ci<'v, 'c> {
    value: &'v Value,
    unknown: &'c Cell<usize>,
}

impl<'v, 'c> Ci<'v, 'c> {
    /// Wraps a value; unknown keys are counted into `unknown`.
    pub fn new(value: &'v Value, unknown: &'c Cell<usize>) -> Self {
        Self { value, unknown }
    }
}

type Error = serde_json::Error;

static NULL: Value = Value::Null;

impl<'de> de::Deserializer<'de> for Ci<'_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    v.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    v.visit_i64(i)
                } else {
                    v.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => v.visit_str(s),
            Value::Array(a) => v.visit_seq(Seq {
                iter: a.iter(),
                unknown: self.unknown,
            }),
            Value::Object(m) => v.visit_map(Obj {
                iter: m.iter(),
                value: None,
                unknown: self.unknown,
                fields: None,
            }),
        }
    }

    /// `null` and `{}` (how exports write an absent reference) are `None`.
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => v.visit_none(),
            Value::Object(o) if o.is_empty() => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    /// `null` is an empty list.
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => v.visit_seq(Seq {
                iter: [].iter(),
                unknown: self.unknown,
            }),
            _ => self.deserialize_any(v),
        }
    }

    /// `null` is an empty map.
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => self.deserialize_any_owned(v),
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(m) => v.visit_map(Obj {
                iter: m.iter(),
                value: None,
                unknown: self.unknown,
                fields: Some(fields),
            }),
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => {
                let canonical = variants
                    .iter()
                    .find(|x| x.eq_ignore_ascii_case(s))
                    .map_or_else(|| s.clone(), |x| (*x).to_string());
                let d: StringDeserializer<Error> = canonical.into_deserializer();
                v.visit_enum(d)
            }
            other => de::Deserializer::deserialize_enum(other.clone(), name, variants, v),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct tuple tuple_struct identifier ignored_any
    }
}

impl Ci<'_, '_> {
    /// An empty map for `null` maps.
    fn deserialize_any_owned<'de, V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let empty = serde_json::Map::new();
        v.visit_map(Obj {
            iter: empty.iter(),
            value: None,
            unknown: self.unknown,
            fields: None,
        })
    }
}

struct Seq<'v, 'c> {
    iter: std::slice::Iter<'v, Value>,
    unknown: &'c Cell<usize>,
}

impl<'de> SeqAccess<'de> for Seq<'_, '_> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.iter.next() {
            Some(v) => seed
                .deserialize(Ci {
                    value: v,
                    unknown: self.unknown,
                })
                .map(Some),
            None => Ok(None),
        }
    }
}

struct Obj<'v, 'c> {
    iter: serde_json::map::Iter<'v>,
    value: Option<&'v Value>,
    unknown: &'c Cell<usize>,
    /// For structs: the field names, to which keys are matched case-insensitively.
    fields: Option<&'static [&'static str]>,
}

impl<'de> MapAccess<'de> for Obj<'_, '_> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((k, v)) = self.iter.next() else {
            return Ok(None);
        };
        self.value = Some(v);
        let key: &str = match self.fields {
            Some(fields) if !fields.contains(&k.as_str()) => {
                match fields.iter().find(|f| f.eq_ignore_ascii_case(k)) {
                    Some(f) => f,
                    None => {
                        self.unknown.set(self.unknown.get() + 1);
                        k
                    }
                }
            }
            _ => k,
        };
        seed.deserialize(StrDeserializer::<Error>::new(key))
            .map(Some)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let v = self.value.take().unwrap_or(&NULL);
        seed.deserialize(Ci {
            value: v,
            unknown: self.unknown,
        })
    }
}

/// Deserializes `T` from `value` case-insensitively; on failure, the JSON path of the problem.
/// The path is worked out only when the fast attempt fails.
pub fn from_value<T: de::DeserializeOwned>(
    value: Value,
    unknown: &Cell<usize>,
) -> Result<T, (String, String)> {
    match T::deserialize(Ci::new(&value, unknown)) {
        Ok(t) => Ok(t),
        Err(_) => {
            let scratch = Cell::new(0);
            match serde_path_to_error::deserialize::<_, T>(Ci::new(&value, &scratch)) {
                Err(e) => Err((e.path().to_string(), e.inner().to_string())),
                Ok(_) => Err(("$".into(), "inconsistent deserialization".into())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct T {
        address_prefix: String,
        next_hop_type: Hop,
        #[serde(default)]
        inner: Option<Box<T>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Hop {
        VirtualAppliance,
        Internet,
    }

    #[test]
    fn keys_and_variants_match_case_insensitively_and_unknowns_are_counted() {
        let unknown = Cell::new(0);
        let v = serde_json::json!({ "AddressPrefix": "0.0.0.0/0", "NEXTHOPTYPE": "virtualappliance", "extra": 1,
            "inner": { "addressprefix": "10.0.0.0/8", "nextHopType": "Internet", "more": 2 } });
        let t: T = from_value(v, &unknown).unwrap();
        assert_eq!(t.address_prefix, "0.0.0.0/0");
        assert_eq!(t.next_hop_type, Hop::VirtualAppliance);
        assert_eq!(t.inner.unwrap().next_hop_type, Hop::Internet);
        assert_eq!(unknown.get(), 2);
    }

    #[test]
    fn errors_carry_the_json_path() {
        let unknown = Cell::new(0);
        let v = serde_json::json!({ "addressPrefix": "x", "nextHopType": "Internet", "inner": { "addressPrefix": 5, "nextHopType": "Internet" } });
        let (path, msg) = from_value::<T>(v, &unknown).unwrap_err();
        assert_eq!(path, "inner.addressPrefix");
        assert!(msg.contains("invalid type"), "{msg}");
    }
}
