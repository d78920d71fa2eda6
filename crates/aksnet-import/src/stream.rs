//! The top level of a document, read element by element: the items of a top-level array, or of a
//! top-level `value`/`data` array, are handed to the shape detector one at a time; anything else
//! is gathered and handed over whole.

use std::fmt;

use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::raw::{Diagnostic, Out};
use crate::shapes;

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

/// One element's text, borrowed from the input (the importer parses slices and strings).
struct RawText<'de>(&'de RawValue);

impl RawText<'_> {
    fn get(&self) -> &str {
        self.0.get()
    }
}

impl<'de> Deserialize<'de> for RawText<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(d).map(RawText)
    }
}

/// The id of a plain resource element, read only up to the `id` key (exports put it first or
/// second). `None` for elements without one and for PowerShell-style envelopes (`ResourceId`),
/// which take the general path. Nested child resources make the fast path fail later on its own.
fn sniff(text: &str) -> Option<String> {
    use serde::Deserializer as _;
    struct Find<'a>(&'a std::cell::RefCell<Option<String>>);
    impl<'de> Visitor<'de> for Find<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a resource object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
            while let Some(k) = m.next_key::<Cow<'de, str>>()? {
                if k.eq_ignore_ascii_case("resourceId") {
                    return Ok(());
                }
                if k.eq_ignore_ascii_case("id") {
                    let v: Cow<'de, str> = m.next_value()?;
                    *self.0.borrow_mut() = Some(v.into_owned());
                    return Ok(()); // stop here: the rest is read by the typed pass
                }
                m.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let found = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    // Returning early leaves the object unfinished, which the deserializer reports; the id found
    // so far is what matters.
    let _ = (&mut de).deserialize_map(Find(&found));
    found.into_inner()
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
        while let Some(raw) = seq.next_element::<RawText<'de>>()? {
            let path = format!("{}[{i}]", self.path);
            let text = raw.get();
            // The fast path: a plain resource (no nested `resources`) typed straight from its text.
            let origin = format!("{}: {path}", self.top.file);
            let fast = sniff(text).is_some_and(|id| self.top.out.try_fast(&id, text, &origin));
            if !fast {
                let v: Value = serde_json::from_str(text).map_err(de::Error::custom)?;
                shapes::walk(v, self.top.file, &path, self.top.out, self.top.diags);
            }
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
