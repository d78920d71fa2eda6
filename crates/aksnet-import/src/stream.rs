//! The top level of a document, read element by element: the items of a top-level array, or of a
//! top-level `value`/`data` array, are handed to the shape detector one at a time; anything else
//! is gathered and handed over whole.

use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::{shapes, Diagnostic, Out};

pub(crate) struct Top<'a, 'b> {
    pub file: &'a str,
    pub out: &'a mut Out<'b>,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Streams the elements of an array to the shape detector.
struct Items<'a, 'b> {
    top: Top<'a, 'b>,
    path: String,
}

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of resources")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            shapes::walk(
                v,
                self.top.file,
                &format!("{}[{i}]", self.path),
                self.top.out,
                self.top.diags,
            );
            i += 1;
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON document")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Items {
            top: self,
            path: "$".into(),
        }
        .visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut rest = Map::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            let lower = key.to_ascii_lowercase();
            if (lower == "value" || lower == "data") && !streamed && rest.is_empty() {
                // Only a list page / Resource Graph result starts with its array; stream it.
                map.next_value_seed(Items {
                    top: Top {
                        file: self.file,
                        out: self.out,
                        diags: self.diags,
                    },
                    path: format!("$.{key}"),
                })?;
                streamed = true;
            } else {
                let v = map.next_value::<Value>()?;
                rest.insert(key, v);
            }
        }
        if !streamed {
            shapes::walk(Value::Object(rest), self.file, "$", self.out, self.diags);
        }
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
}
