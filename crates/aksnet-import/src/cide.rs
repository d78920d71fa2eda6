//! The case-insensitive reading of `ci.rs`, straight from JSON text: a wrapper around any serde
//! `Deserializer` that matches struct field names and unit enum variants case-insensitively and
//! counts unknown keys, without building a `serde_json::Value` first. The fast path of the
//! importer; anything it cannot read goes through `ci.rs` for the exact error and path.

use std::cell::Cell;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};

/// Wraps a deserializer.
pub struct CiDe<'c, D> {
    inner: D,
    unknown: &'c Cell<usize>,
}

impl<'c, D> CiDe<'c, D> {
    /// Wraps `inner`; unknown keys are counted into `unknown`.
    pub fn new(inner: D, unknown: &'c Cell<usize>) -> Self {
        Self { inner, unknown }
    }
}

macro_rules! forward {
    ($($method:ident),*) => {
        $(fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.inner.$method(Wrap { v, unknown: self.unknown, fields: None })
        })*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for CiDe<'_, D> {
    type Error = D::Error;

    forward!(
        deserialize_any,
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
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any,
        deserialize_option
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_unit_struct(
            name,
            Wrap {
                v,
                unknown: self.unknown,
                fields: None,
            },
        )
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_newtype_struct(
            name,
            Wrap {
                v,
                unknown: self.unknown,
                fields: None,
            },
        )
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_tuple(
            len,
            Wrap {
                v,
                unknown: self.unknown,
                fields: None,
            },
        )
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_tuple_struct(
            name,
            len,
            Wrap {
                v,
                unknown: self.unknown,
                fields: None,
            },
        )
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_struct(
            name,
            fields,
            Wrap {
                v,
                unknown: self.unknown,
                fields: Some(fields),
            },
        )
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        // Unit variants arrive as strings: match them case-insensitively.
        self.inner.deserialize_any(EnumWrap { v, variants, name })
    }
}

/// Wraps a visitor so that what it visits is read case-insensitively too.
struct Wrap<'c, V> {
    v: V,
    unknown: &'c Cell<usize>,
    fields: Option<&'static [&'static str]>,
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
        self.v.visit_unit()
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.v.visit_none()
    }
    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<V::Value, D2::Error> {
        self.v.visit_some(CiDe {
            inner: d,
            unknown: self.unknown,
        })
    }
    fn visit_newtype_struct<D2: Deserializer<'de>>(self, d: D2) -> Result<V::Value, D2::Error> {
        self.v.visit_newtype_struct(CiDe {
            inner: d,
            unknown: self.unknown,
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.v.visit_seq(SeqWrap {
            seq,
            unknown: self.unknown,
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.v.visit_map(MapWrap {
            map,
            unknown: self.unknown,
            fields: self.fields,
        })
    }
}

struct SeqWrap<'c, A> {
    seq: A,
    unknown: &'c Cell<usize>,
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
    unknown: &'c Cell<usize>,
    fields: Option<&'static [&'static str]>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for MapWrap<'_, A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key::<std::borrow::Cow<'de, str>>()? else {
            return Ok(None);
        };
        let canonical: &str = match self.fields {
            Some(fields) if !fields.contains(&key.as_ref()) => {
                match fields.iter().find(|f| f.eq_ignore_ascii_case(&key)) {
                    Some(f) => f,
                    None => {
                        self.unknown.set(self.unknown.get() + 1);
                        &key
                    }
                }
            }
            _ => &key,
        };
        seed.deserialize(de::value::StrDeserializer::<A::Error>::new(canonical))
            .map(Some)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(SeedWrap {
            seed,
            unknown: self.unknown,
        })
    }
}

struct SeedWrap<'c, T> {
    seed: T,
    unknown: &'c Cell<usize>,
}

impl<'de, T: DeserializeSeed<'de>> DeserializeSeed<'de> for SeedWrap<'_, T> {
    type Value = T::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T::Value, D::Error> {
        self.seed.deserialize(CiDe {
            inner: d,
            unknown: self.unknown,
        })
    }
}

/// Reads a unit enum variant from a string, case-insensitively.
struct EnumWrap<V> {
    v: V,
    variants: &'static [&'static str],
    name: &'static str,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for EnumWrap<V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "a variant of {}", self.name)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<V::Value, E> {
        let canonical = self
            .variants
            .iter()
            .find(|x| x.eq_ignore_ascii_case(s))
            .map_or_else(|| s.to_string(), |x| (*x).to_string());
        let d: de::value::StringDeserializer<E> = canonical.into_deserializer();
        self.v.visit_enum(d)
    }
    fn visit_enum<A: EnumAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        self.v.visit_enum(a)
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
        list: Vec<u32>,
        #[serde(default)]
        inner: Option<Box<T>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Hop {
        VirtualAppliance,
        Internet,
    }

    #[test]
    fn reads_text_case_insensitively_and_counts_unknowns() {
        let unknown = Cell::new(0);
        let text = r#"{ "AddressPrefix": "0.0.0.0/0", "NEXTHOPTYPE": "virtualappliance", "extra": {"a": [1]}, "List": [1, 2],
            "inner": { "addressprefix": "10.0.0.0/8", "nextHopType": "Internet", "more": 2 } }"#;
        let mut de = serde_json::Deserializer::from_str(text);
        let t = T::deserialize(CiDe::new(&mut de, &unknown)).unwrap();
        assert_eq!(t.address_prefix, "0.0.0.0/0");
        assert_eq!(t.next_hop_type, Hop::VirtualAppliance);
        assert_eq!(t.list, [1, 2]);
        assert_eq!(t.inner.unwrap().next_hop_type, Hop::Internet);
        assert_eq!(unknown.get(), 2);
    }
}
