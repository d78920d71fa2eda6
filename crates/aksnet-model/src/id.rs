//! Azure resource ids.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An Azure Resource Manager id, such as
/// `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<name>`.
///
/// ARM compares ids case-insensitively, and so does this type: equality, ordering and hashing
/// ignore ASCII case, while the original spelling is kept for output. Ids are not validated
/// strictly (real REST examples contain typos such as `provders`); only the leading
/// `/subscriptions/` segment is required by [`ResourceId::parse`].
#[derive(Clone, Debug)]
pub struct ResourceId {
    /// As written.
    raw: Box<str>,
    /// ASCII-lowercased, for comparisons, ordering and hashing (ids are compared far more often
    /// than they are built).
    key: Box<str>,
}

/// A string that is not an Azure resource id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an Azure resource id (expected /subscriptions/<id>/resourceGroups/<rg>/providers/...)")]
pub struct NotAResourceId(pub String);

impl ResourceId {
    /// Wraps an id string as given.
    pub fn new(id: impl Into<String>) -> Self {
        let raw: String = id.into();
        let key = raw.to_ascii_lowercase().into_boxed_str();
        Self {
            raw: raw.into_boxed_str(),
            key,
        }
    }

    /// Checks the id's shape and wraps it.
    pub fn parse(id: &str) -> Result<Self, NotAResourceId> {
        let mut segs = id.split('/');
        let ok = segs.next() == Some("")
            && segs
                .next()
                .is_some_and(|s| s.eq_ignore_ascii_case("subscriptions"))
            && segs.next().is_some();
        if !ok {
            return Err(NotAResourceId(id.to_string()));
        }
        Ok(Self::new(id))
    }

    /// Builds the id of a top-level resource.
    pub fn resource(
        subscription: &str,
        resource_group: &str,
        provider_type: &str,
        name: &str,
    ) -> Self {
        Self::new(format!(
            "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/{provider_type}/{name}"
        ))
    }

    /// The id of a child resource: `<self>/<child_type>/<name>`.
    pub fn child(&self, child_type: &str, name: &str) -> Self {
        Self::new(format!("{}/{child_type}/{name}", self.raw))
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The id in ASCII lower case: the form it is compared, ordered and hashed by.
    pub fn lower(&self) -> &str {
        &self.key
    }

    /// The value after a segment named `key` (case-insensitive), e.g. `resourceGroups`.
    fn segment_after(&self, key: &str) -> Option<&str> {
        let mut it = self.raw.split('/');
        while let Some(s) = it.next() {
            if s.eq_ignore_ascii_case(key) {
                return it.next();
            }
        }
        None
    }

    /// The subscription id.
    pub fn subscription(&self) -> Option<&str> {
        self.segment_after("subscriptions")
    }

    /// The resource group name.
    pub fn resource_group(&self) -> Option<&str> {
        self.segment_after("resourceGroups")
    }

    /// The last segment: the resource's own name.
    pub fn name(&self) -> &str {
        self.raw.rsplit('/').next().unwrap_or("")
    }

    /// The id with its last two segments removed: a child's parent (`.../subnets/x` → the VNet).
    pub fn parent(&self) -> Option<ResourceId> {
        let mut parts: Vec<&str> = self.raw.split('/').collect();
        if parts.len() < 10 {
            return None;
        }
        parts.truncate(parts.len() - 2);
        Some(Self::new(parts.join("/")))
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for ResourceId {}

impl Ord for ResourceId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl PartialOrd for ResourceId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for ResourceId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for ResourceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for ResourceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ResourceId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VNET: &str =
        "/subscriptions/s1/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub";

    #[test]
    fn parts_and_children() {
        let id = ResourceId::parse(VNET).unwrap();
        assert_eq!(id.subscription(), Some("s1"));
        assert_eq!(id.resource_group(), Some("rg-hub"));
        assert_eq!(id.name(), "vnet-hub");
        let sub = id.child("subnets", "AzureFirewallSubnet");
        assert_eq!(sub.name(), "AzureFirewallSubnet");
        assert_eq!(sub.parent(), Some(id.clone()));
        assert_eq!(id.parent(), None);
    }

    #[test]
    fn compares_case_insensitively_like_arm() {
        let a = ResourceId::new(VNET);
        let b = ResourceId::new(VNET.to_uppercase());
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert_eq!(b.to_string(), VNET.to_uppercase());
    }

    #[test]
    fn rejects_non_ids() {
        assert!(ResourceId::parse("vnet-hub").is_err());
        assert!(ResourceId::parse("").is_err());
    }
}
