//! Which PaaS resources each cluster uses — the registries it pulls from, the vaults it reads —
//! indexed once over the estate, so that asking it for every cluster costs the estate's size
//! and not clusters × private endpoints.

use std::collections::{BTreeSet, HashMap};

use crate::aks::ManagedCluster;
use crate::paas::{ContainerRegistry, KeyVault};
use crate::resource::Resource;
use crate::{Estate, ResourceId};

/// The index: the resources each VNet's private endpoints link to, and the registries and
/// vaults of each resource group.
pub struct Uses<'e> {
    estate: &'e Estate,
    /// VNet id → the resources private endpoints in its subnets link to.
    linked: HashMap<ResourceId, BTreeSet<&'e ResourceId>>,
    /// Resource group name (lower case) → registries in it.
    registries: HashMap<String, Vec<&'e ResourceId>>,
    /// Resource group name (lower case) → key vaults in it.
    vaults: HashMap<String, Vec<&'e ResourceId>>,
}

/// The lower-case resource group of an id (`""` when it names none).
fn group(id: &ResourceId) -> String {
    id.resource_group().unwrap_or("").to_ascii_lowercase()
}

impl<'e> Uses<'e> {
    /// Indexes `estate`: one pass over its private endpoints, registries and vaults.
    pub fn new(estate: &'e Estate) -> Self {
        let mut linked: HashMap<ResourceId, BTreeSet<&'e ResourceId>> = HashMap::new();
        for pe in estate.private_endpoints.iter() {
            let Some(vnet) = pe.properties.subnet.id.parent() else {
                continue;
            };
            linked.entry(vnet).or_default().extend(
                pe.properties
                    .private_link_service_connections
                    .iter()
                    .map(|c| &c.properties.private_link_service_id),
            );
        }
        let by_group = |ids: &mut dyn Iterator<Item = &'e ResourceId>| {
            let mut m: HashMap<String, Vec<&'e ResourceId>> = HashMap::new();
            for id in ids {
                m.entry(group(id)).or_default().push(id);
            }
            m
        };
        Uses {
            estate,
            linked,
            registries: by_group(&mut estate.container_registries.iter().map(|r| &r.id)),
            vaults: by_group(&mut estate.key_vaults.iter().map(|v| &v.id)),
        }
    }

    /// The resources private endpoints in a cluster's node VNets link to.
    fn linked(&self, mc: &Resource<ManagedCluster>) -> BTreeSet<&'e ResourceId> {
        mc.properties
            .node_vnets()
            .iter()
            .filter_map(|v| self.linked.get(v))
            .flatten()
            .copied()
            .collect()
    }

    /// Whether a private endpoint in one of the cluster's node VNets links to `id`: the
    /// stronger of [`Estate::cluster_uses`]'s two signs.
    pub fn linked_to_cluster(&self, mc: &Resource<ManagedCluster>, id: &ResourceId) -> bool {
        self.linked(mc).contains(id)
    }

    /// The ids among `in_group` (the cluster's resource group's) and the cluster's linked
    /// resources that `get` finds, in id order.
    fn of<P: 'e>(
        &self,
        mc: &Resource<ManagedCluster>,
        in_group: &HashMap<String, Vec<&'e ResourceId>>,
        get: impl Fn(&ResourceId) -> Option<&'e Resource<P>>,
    ) -> Vec<&'e Resource<P>> {
        let mut ids = self.linked(mc);
        ids.extend(in_group.get(&group(&mc.id)).into_iter().flatten().copied());
        ids.into_iter().filter_map(get).collect()
    }

    /// The container registries a cluster pulls from ([`Estate::cluster_uses`]), in id order.
    pub fn registries_of(
        &self,
        mc: &Resource<ManagedCluster>,
    ) -> Vec<&'e Resource<ContainerRegistry>> {
        let e = self.estate;
        self.of(mc, &self.registries, |id| e.container_registries.get(id))
    }

    /// The key vaults a cluster's pods read through the Secrets Store CSI driver
    /// ([`Estate::cluster_uses`]), in id order.
    pub fn key_vaults_of(&self, mc: &Resource<ManagedCluster>) -> Vec<&'e Resource<KeyVault>> {
        let e = self.estate;
        self.of(mc, &self.vaults, |id| e.key_vaults.get(id))
    }
}
