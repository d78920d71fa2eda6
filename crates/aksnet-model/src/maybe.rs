//! Values a template cannot know before deployment.
//!
//! An ARM template states some values as expressions Azure evaluates only while deploying —
//! `reference(firewallId).ipConfigurations[0].properties.privateIPAddress`, the firewall's private
//! IP used as a route's next hop. The template importer hands such a value on as the *unknown
//! marker*, the JSON object `{"$unknown": {"expression": "<the ARM expression>", "reason": "<why>"}}`
//! in place of the value. A property that may hold one is typed [`Maybe<T>`]; every other property
//! refuses the marker (the importer reports it at its JSON path).

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The key of the unknown marker object.
pub const MARKER_KEY: &str = "$unknown";

/// What is known of a value Azure assigns only at deployment: the expression that yields it and
/// why it could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownValue {
    /// The ARM expression, as written in the template.
    pub expression: String,
    /// Why it has no value before deployment.
    pub reason: String,
    /// The resource whose attribute Azure sets at deployment, when the input says (a
    /// firewall's private IP read by a route): an analysis that predicts the attribute can use
    /// it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<crate::ResourceId>,
}

impl UnknownValue {
    /// The unknown value `v` stands for when it is the marker object (exactly one key,
    /// [`MARKER_KEY`]); `None` when it is any other JSON; an error when the marker is malformed.
    pub fn from_marker(v: &Value) -> Option<Result<Self, serde_json::Error>> {
        let object = v.as_object().filter(|o| o.len() == 1)?;
        let inner = object.get(MARKER_KEY)?;
        Some(Self::deserialize(inner))
    }
}

/// `expression (reason)`.
impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.expression, self.reason)
    }
}

/// A value that is either known or unknown before deployment. It reads from the value itself or
/// from the unknown marker and writes back the same way, so `estate.json` round-trips.
///
/// The known value is read from its JSON as written (a wrapping deserializer's own leniency,
/// such as the importer's case-insensitive field names, does not reach inside), which suits the
/// plain values — addresses, names — it is used for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Maybe<T> {
    /// The value.
    Known(T),
    /// Only the expression that yields it at deployment.
    Unknown(UnknownValue),
}

impl<T> Maybe<T> {
    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Maybe::Known(t) => Some(t),
            Maybe::Unknown(_) => None,
        }
    }

    /// What is known of it, when unknown.
    pub fn unknown(&self) -> Option<&UnknownValue> {
        match self {
            Maybe::Known(_) => None,
            Maybe::Unknown(u) => Some(u),
        }
    }

    /// Maps the known value, keeping an unknown one.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Maybe<U> {
        match self {
            Maybe::Known(t) => Maybe::Known(f(t)),
            Maybe::Unknown(u) => Maybe::Unknown(u),
        }
    }
}

impl<T> From<T> for Maybe<T> {
    fn from(t: T) -> Self {
        Maybe::Known(t)
    }
}

/// The value, or `unknown before deployment: expression (reason)`.
impl<T: fmt::Display> fmt::Display for Maybe<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Maybe::Known(t) => t.fmt(f),
            Maybe::Unknown(u) => write!(f, "unknown before deployment: {u}"),
        }
    }
}

/// The value as `T` writes it, or the unknown marker.
impl<T: Serialize> Serialize for Maybe<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Maybe::Known(t) => t.serialize(s),
            Maybe::Unknown(u) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry(MARKER_KEY, u)?;
                m.end()
            }
        }
    }
}

/// The unknown marker, or a `T` (read from the JSON value, so `T`'s own errors are kept).
impl<'de, T: DeserializeOwned> Deserialize<'de> for Maybe<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        match UnknownValue::from_marker(&v) {
            Some(u) => u.map(Maybe::Unknown).map_err(de::Error::custom),
            None => T::deserialize(v)
                .map(Maybe::Known)
                .map_err(de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn unknown() -> Maybe<String> {
        Maybe::Unknown(UnknownValue {
            expression:
                "reference(variables('fw')).ipConfigurations[0].properties.privateIPAddress".into(),
            reason: "assigned by Azure at deployment".into(),
            of: None,
        })
    }

    #[test]
    fn a_value_reads_as_known_and_writes_back_as_is() {
        let m: Maybe<String> = serde_json::from_value(json!("10.0.0.4")).unwrap();
        assert_eq!(m, Maybe::Known("10.0.0.4".to_string()));
        assert_eq!(serde_json::to_value(&m).unwrap(), json!("10.0.0.4"));
    }

    #[test]
    fn the_marker_reads_as_unknown_and_round_trips() {
        let text = json!({ "$unknown": {
            "expression": "reference(variables('fw')).ipConfigurations[0].properties.privateIPAddress",
            "reason": "assigned by Azure at deployment" } });
        let m: Maybe<String> = serde_json::from_value(text.clone()).unwrap();
        assert_eq!(m, unknown());
        assert_eq!(serde_json::to_value(&m).unwrap(), text);
        let back: Maybe<String> =
            serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        assert_eq!(
            m.to_string(),
            "unknown before deployment: reference(variables('fw')).ipConfigurations[0].properties.privateIPAddress (assigned by Azure at deployment)"
        );
    }

    #[test]
    fn other_objects_are_read_as_t_and_a_malformed_marker_is_an_error() {
        let e = serde_json::from_value::<Maybe<String>>(json!({ "x": 1 })).unwrap_err();
        assert!(e.to_string().contains("expected a string"), "{e}");
        let e =
            serde_json::from_value::<Maybe<String>>(json!({ "$unknown": { "expression": "x" } }))
                .unwrap_err();
        assert!(e.to_string().contains("missing field `reason`"), "{e}");
        let m: Maybe<u16> = serde_json::from_value(json!(443)).unwrap();
        assert_eq!(m.known(), Some(&443));
        assert!(unknown().known().is_none() && unknown().unknown().is_some());
    }
}
