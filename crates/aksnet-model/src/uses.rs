//! Which PaaS resources each cluster uses — the registries it pulls from, the vaults it reads:
//! those with a private endpoint in a VNet of the cluster's node subnets, and those in the
//! cluster's resource group (its name compared ignoring case). Indexed once over the estate, so
//! that asking it for every cluster costs the estate's size and not clusters × private
//! endpoints.

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
    /// stronger of the two signs of use.
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

    /// The container registries a cluster pulls from, in id order.
    pub fn registries_of(
        &self,
        mc: &Resource<ManagedCluster>,
    ) -> Vec<&'e Resource<ContainerRegistry>> {
        let e = self.estate;
        self.of(mc, &self.registries, |id| e.container_registries.get(id))
    }

    /// The key vaults a cluster's pods read through the Secrets Store CSI driver, in id order.
    pub fn key_vaults_of(&self, mc: &Resource<ManagedCluster>) -> Vec<&'e Resource<KeyVault>> {
        let e = self.estate;
        self.of(mc, &self.vaults, |id| e.key_vaults.get(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SUB: &str = "/subscriptions/s";

    fn id(rg: &str, kind: &str, name: &str) -> String {
        format!("{SUB}/resourceGroups/{rg}/providers/{kind}/{name}")
    }

    /// A cluster in `rg-aks` with nodes in `vnet-a`; registries: one in its resource group
    /// (spelt in another case), one linked by a private endpoint in `vnet-a`, one linked only
    /// from `vnet-b`, one unrelated; a vault in the group.
    #[test]
    fn a_cluster_uses_what_its_group_holds_and_what_its_vnets_link() {
        let vnet = |n: &str| id("rg-net", "Microsoft.Network/virtualNetworks", n);
        let acr = |rg: &str, n: &str| id(rg, "Microsoft.ContainerRegistry/registries", n);
        let pe = |n: &str, v: &str, target: &str| {
            json!({"id": id("rg-net", "Microsoft.Network/privateEndpoints", n), "name": n,
                "type": "Microsoft.Network/privateEndpoints",
                "properties": {"subnet": {"id": format!("{}/subnets/pe", vnet(v))},
                    "privateLinkServiceConnections": [{"name": "c",
                        "properties": {"privateLinkServiceId": target, "groupIds": ["registry"]}}]}})
        };
        let registry = |rg: &str, n: &str| json!({"id": acr(rg, n), "name": n, "type": "Microsoft.ContainerRegistry/registries", "properties": {}});
        let estate = json!({
            "aksnetSchema": crate::ESTATE_SCHEMA_VERSION, "name": "uses",
            "managedClusters": [{"id": id("rg-aks", "Microsoft.ContainerService/managedClusters", "aks"),
                "name": "aks", "type": "Microsoft.ContainerService/managedClusters",
                "properties": {"agentPoolProfiles": [{"name": "system",
                    "vnetSubnetID": format!("{}/subnets/nodes", vnet("vnet-a"))}]}}],
            "containerRegistries": [registry("RG-AKS", "cr-group"), registry("rg-x", "cr-linked"),
                registry("rg-x", "cr-elsewhere"), registry("rg-x", "cr-unrelated")],
            "keyVaults": [{"id": id("rg-aks", "Microsoft.KeyVault/vaults", "kv"), "name": "kv",
                "type": "Microsoft.KeyVault/vaults", "properties": {"tenantId": "t", "sku": {"family": "A", "name": "standard"}}}],
            "privateEndpoints": [pe("pe-1", "vnet-a", &acr("rg-x", "cr-linked")),
                pe("pe-2", "vnet-b", &acr("rg-x", "cr-elsewhere"))],
        });
        let e = Estate::from_json(&estate.to_string()).unwrap();
        let uses = Uses::new(&e);
        let mc = e.managed_clusters.iter().next().unwrap();
        let names = |v: Vec<&str>| v.join(",");
        assert_eq!(
            names(
                uses.registries_of(mc)
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect()
            ),
            "cr-group,cr-linked"
        );
        assert_eq!(
            names(
                uses.key_vaults_of(mc)
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect()
            ),
            "kv"
        );
        assert!(uses.linked_to_cluster(mc, &ResourceId::new(acr("rg-x", "CR-LINKED"))));
        assert!(!uses.linked_to_cluster(mc, &ResourceId::new(acr("RG-AKS", "cr-group"))));
        assert!(!uses.linked_to_cluster(mc, &ResourceId::new(acr("rg-x", "cr-elsewhere"))));
    }
}
