//! The ARM envelope shared by every resource, and keyed collections of resources.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::id::ResourceId;

/// What each resource type declares about itself.
pub trait ResourceType {
    /// The ARM type, e.g. `Microsoft.Network/virtualNetworks`.
    const TYPE: &'static str;
}

/// A resource in ARM's envelope: `id`, `name`, `type`, `location`, `tags`, `sku`, `properties`,
/// with the same field names as the REST API returns them. On input, `name` defaults to the id's
/// last segment and `type` to the type's own (REST bodies for child resources such as rule
/// collection groups omit `type`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource<P> {
    /// The resource id (also the collection key).
    pub id: ResourceId,
    /// The resource name (the id's last segment).
    pub name: String,
    /// The ARM type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Azure region, or `global` for private DNS zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Resource tags.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// SKU, for the types that have one at the top level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    /// Managed identity, for the types that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The type-specific properties.
    pub properties: P,
}

/// The envelope as it may arrive, before defaults are filled in.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawResource<P> {
    id: ResourceId,
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    sku: Option<Sku>,
    #[serde(default)]
    identity: Option<Identity>,
    properties: P,
    /// Child resources nested ARM-template style; readers must attach them first.
    #[serde(default)]
    resources: Option<serde::de::IgnoredAny>,
}

impl<'de, P: ResourceType + Deserialize<'de>> Deserialize<'de> for Resource<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = RawResource::<P>::deserialize(d)?;
        if r.resources.is_some() {
            return Err(serde::de::Error::custom(
                "nested child resources under `resources` must be attached to their parent first",
            ));
        }
        Ok(Self {
            name: r.name.unwrap_or_else(|| r.id.name().to_string()),
            kind: r.kind.unwrap_or_else(|| P::TYPE.to_string()),
            id: r.id,
            location: r.location,
            tags: r.tags.unwrap_or_default(),
            sku: r.sku,
            identity: r.identity,
            properties: r.properties,
        })
    }
}

impl<P: ResourceType> Resource<P> {
    /// A new resource of type `P` with the given id, location and properties.
    pub fn new(id: ResourceId, location: Option<&str>, properties: P) -> Self {
        Self {
            name: id.name().to_string(),
            id,
            kind: P::TYPE.to_string(),
            location: location.map(str::to_string),
            tags: BTreeMap::new(),
            sku: None,
            identity: None,
            properties,
        }
    }

    /// Sets the SKU.
    pub fn with_sku(mut self, name: &str, tier: Option<&str>) -> Self {
        self.sku = Some(Sku {
            name: Some(name.to_string()),
            tier: tier.map(str::to_string),
        });
        self
    }
}

/// An ARM SKU: `{ "name": ..., "tier": ... }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sku {
    /// SKU name, e.g. `Standard`, `Premium`, `WAF_v2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// SKU tier, e.g. `Regional`, `Premium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

/// A managed identity block: `{ "type": "UserAssigned", "userAssignedIdentities": {...} }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// `SystemAssigned`, `UserAssigned` or `SystemAssigned, UserAssigned`.
    #[serde(rename = "type")]
    pub kind: String,
    /// User-assigned identity ids (values are empty objects in requests).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user_assigned_identities: BTreeMap<ResourceId, serde_json::Value>,
    /// The system-assigned identity's object id: known once deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<crate::Maybe<String>>,
}

/// A reference to another resource: `{ "id": ... }`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SubResource {
    /// The referenced id.
    pub id: ResourceId,
}

impl From<ResourceId> for SubResource {
    fn from(id: ResourceId) -> Self {
        Self { id }
    }
}

impl From<&ResourceId> for SubResource {
    fn from(id: &ResourceId) -> Self {
        Self { id: id.clone() }
    }
}

/// A named child object in ARM's `{ name, id, properties }` shape (subnets, rules, routes...).
/// On input, a missing `name` is taken from the id's last segment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Child<P> {
    /// Child name.
    pub name: String,
    /// Child id, when the child is a real sub-resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ResourceId>,
    /// The child's properties.
    pub properties: P,
}

#[derive(Deserialize)]
struct RawChild<P> {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    id: Option<ResourceId>,
    /// Absent (or `{}`) in templates and PUT bodies that state nothing but the name.
    #[serde(default = "Option::default")]
    properties: Option<P>,
}

impl<'de, P: Deserialize<'de>> Deserialize<'de> for Child<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let c = RawChild::<P>::deserialize(d)?;
        let name = match (c.name, &c.id) {
            (Some(n), _) => n,
            (None, Some(id)) => id.name().to_string(),
            (None, None) => return Err(serde::de::Error::missing_field("name")),
        };
        let properties = match c.properties {
            Some(p) => p,
            // As if `{}` were written: fine when every property has a default, else the error
            // names the first required one.
            None => P::deserialize(serde::de::value::MapDeserializer::<_, D::Error>::new(
                std::iter::empty::<(&str, ())>(),
            ))?,
        };
        Ok(Self {
            name,
            id: c.id,
            properties,
        })
    }
}

impl<P> Child<P> {
    /// A child with a name, an optional id and properties.
    pub fn new(name: impl Into<String>, id: Option<ResourceId>, properties: P) -> Self {
        Self {
            name: name.into(),
            id,
            properties,
        }
    }
}

/// Resources of one type keyed by id. Serialised as a JSON array sorted by id, like a REST list.
#[derive(Clone, Debug, PartialEq)]
pub struct Collection<P>(BTreeMap<ResourceId, Resource<P>>);

impl<P> Default for Collection<P> {
    fn default() -> Self {
        Self(BTreeMap::new())
    }
}

impl<P> Collection<P> {
    /// Adds or replaces a resource, keyed by its id.
    pub fn insert(&mut self, r: Resource<P>) {
        self.0.insert(r.id.clone(), r);
    }

    /// The resource with this id (case-insensitive, as in ARM).
    pub fn get(&self, id: &ResourceId) -> Option<&Resource<P>> {
        self.0.get(id)
    }

    /// Mutable access to the resource with this id.
    pub fn get_mut(&mut self, id: &ResourceId) -> Option<&mut Resource<P>> {
        self.0.get_mut(id)
    }

    /// Resources in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Resource<P>> {
        self.0.values()
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is no resource.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<P: Serialize> Serialize for Collection<P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.values())
    }
}

impl<'de, P: DeserializeOwned + ResourceType> Deserialize<'de> for Collection<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = Vec::<Resource<P>>::deserialize(d)?;
        let mut map = BTreeMap::new();
        for r in items {
            let id = r.id.clone();
            if map.insert(id.clone(), r).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "resource `{id}` appears twice"
                )));
            }
        }
        Ok(Self(map))
    }
}
