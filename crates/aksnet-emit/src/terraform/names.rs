//! Terraform local names and references, resource groups, and which file a resource goes to.

use std::collections::{BTreeMap, BTreeSet};

use aksnet_model::{Estate, ResourceId};

use crate::hcl::Expr;

/// `vnet-aks-prod` → `vnet_aks_prod`: lowercase letters, digits and underscores, starting with
/// a letter or underscore, as Terraform identifiers must.
pub fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// A resource group: its name, Terraform name, location, and file.
#[derive(Clone, Debug)]
pub struct Group {
    /// Azure name.
    pub name: String,
    /// Terraform local name.
    pub local: String,
    /// Location of its first resource.
    pub location: String,
    /// A resource id inside it (for the provider).
    pub sample: ResourceId,
    /// The file it and its network resources go to.
    pub file: String,
}

/// Every resource's Terraform type and local name, and the resource groups.
pub struct Names {
    by_id: BTreeMap<ResourceId, (&'static str, String)>,
    tags: BTreeMap<ResourceId, BTreeMap<String, String>>,
    groups: BTreeMap<(String, String), Group>,
}

/// Every resource and child id the generator names, in a fixed order.
pub fn all_ids(e: &Estate) -> Vec<ResourceId> {
    typed(e).into_iter().map(|(_, id, _, _)| id).collect()
}

type Tags = BTreeMap<String, String>;

/// `(terraform type, id, location, tags)` for everything that becomes a resource.
fn typed(e: &Estate) -> Vec<(&'static str, ResourceId, Option<String>, Tags)> {
    let mut v = Vec::new();
    macro_rules! each {
        ($field:ident, $ty:literal) => {
            for r in e.$field.iter() {
                v.push(($ty, r.id.clone(), r.location.clone(), r.tags.clone()));
            }
        };
    }
    each!(virtual_networks, "azurerm_virtual_network");
    for vnet in e.virtual_networks.iter() {
        for s in &vnet.properties.subnets {
            v.push((
                "azurerm_subnet",
                vnet.id.child("subnets", &s.name),
                None,
                Tags::new(),
            ));
        }
        for p in &vnet.properties.virtual_network_peerings {
            v.push((
                "azurerm_virtual_network_peering",
                vnet.id.child("virtualNetworkPeerings", &p.name),
                None,
                Tags::new(),
            ));
        }
    }
    each!(route_tables, "azurerm_route_table");
    each!(network_security_groups, "azurerm_network_security_group");
    each!(public_ip_addresses, "azurerm_public_ip");
    each!(nat_gateways, "azurerm_nat_gateway");
    each!(ip_groups, "azurerm_ip_group");
    each!(azure_firewalls, "azurerm_firewall");
    each!(firewall_policies, "azurerm_firewall_policy");
    each!(
        rule_collection_groups,
        "azurerm_firewall_policy_rule_collection_group"
    );
    each!(application_gateways, "azurerm_application_gateway");
    each!(waf_policies, "azurerm_web_application_firewall_policy");
    each!(private_endpoints, "azurerm_private_endpoint");
    each!(private_dns_zones, "azurerm_private_dns_zone");
    each!(
        virtual_network_links,
        "azurerm_private_dns_zone_virtual_network_link"
    );
    each!(a_record_sets, "azurerm_private_dns_a_record");
    each!(bastion_hosts, "azurerm_bastion_host");
    each!(virtual_network_gateways, "azurerm_virtual_network_gateway");
    each!(local_network_gateways, "azurerm_local_network_gateway");
    each!(connections, "azurerm_virtual_network_gateway_connection");
    each!(managed_clusters, "azurerm_kubernetes_cluster");
    each!(container_registries, "azurerm_container_registry");
    each!(key_vaults, "azurerm_key_vault");
    each!(user_assigned_identities, "azurerm_user_assigned_identity");
    v
}

impl Names {
    /// Names every resource: sanitized Azure names, made unique per type in id order. Names
    /// that repeat across parents (subnets, links, records) are qualified by the parent.
    pub fn index(e: &Estate) -> Self {
        let mut by_id = BTreeMap::new();
        let mut tags = BTreeMap::new();
        let mut taken: BTreeSet<(&'static str, String)> = BTreeSet::new();
        let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
        for (ty, id, location, t) in typed(e) {
            if !t.is_empty() {
                tags.insert(id.clone(), t);
            }
            // A suffixed name is labelled by its base, so labels do not follow the subscription.
            let mut base = match e.unique_names.bases.get(&id) {
                Some(b) => sanitize(b.trim_end_matches('-')),
                None => sanitize(id.name()),
            };
            if matches!(
                ty,
                "azurerm_subnet"
                    | "azurerm_virtual_network_peering"
                    | "azurerm_private_dns_zone_virtual_network_link"
                    | "azurerm_private_dns_a_record"
            ) {
                if let Some(parent) = id.parent() {
                    base = format!("{}_{}", sanitize(parent.name()), base);
                }
            }
            let mut local = base.clone();
            let mut n = 2;
            while !taken.insert((ty, local.clone())) {
                local = format!("{base}_{n}");
                n += 1;
            }
            by_id.insert(id.clone(), (ty, local));
            if let (Some(sub), Some(rg)) = (id.subscription(), id.resource_group()) {
                let key = (sub.to_ascii_lowercase(), rg.to_ascii_lowercase());
                groups.entry(key).or_insert_with(|| Group {
                    name: rg.to_string(),
                    local: String::new(),
                    location: location.clone().unwrap_or_default(),
                    sample: id.clone(),
                    file: String::new(),
                });
            }
        }
        // Resource group names are unique per subscription, not across: qualify repeats.
        let mut rg_taken = BTreeSet::new();
        for g in groups.values_mut() {
            let base = sanitize(&g.name);
            let mut local = base.clone();
            let mut n = 2;
            while !rg_taken.insert(local.clone()) {
                local = format!("{base}_{n}");
                n += 1;
            }
            g.local = local;
        }
        let files = group_files(e, &groups);
        for (k, g) in groups.iter_mut() {
            g.file = files
                .get(k)
                .cloned()
                .unwrap_or_else(|| format!("rg_{}.tf", g.local.trim_start_matches("rg_")));
        }
        Names {
            by_id,
            tags,
            groups,
        }
    }

    /// The local name of a resource.
    pub fn local(&self, id: &ResourceId) -> Option<String> {
        self.by_id.get(id).map(|(_, l)| l.clone())
    }

    /// `azurerm_x.local.attr` when the resource is generated; otherwise the literal id (for
    /// `id`) or name.
    pub fn reference(&self, id: &ResourceId, attr: &str) -> Expr {
        match self.by_id.get(id) {
            Some((ty, local)) => Expr::r(format!("{ty}.{local}.{attr}")),
            None if attr == "id" => Expr::s(id.as_str()),
            None => Expr::s(id.name()),
        }
    }

    /// The resource's tags as a map expression, when it has any.
    pub fn tags(&self, id: &ResourceId) -> Option<Expr> {
        self.tags
            .get(id)
            .map(|t| Expr::Map(t.iter().map(|(k, v)| (k.clone(), Expr::s(v))).collect()))
    }

    /// Whether the resource is generated.
    pub fn has(&self, id: &ResourceId) -> bool {
        self.by_id.contains_key(id)
    }

    fn group_of(&self, id: &ResourceId) -> Option<&Group> {
        let key = (
            id.subscription()?.to_ascii_lowercase(),
            id.resource_group()?.to_ascii_lowercase(),
        );
        self.groups.get(&key)
    }

    /// `azurerm_resource_group.<rg>.name` for the resource's group.
    pub fn resource_group_name(&self, id: &ResourceId) -> Expr {
        match self.group_of(id) {
            Some(g) => Expr::r(format!("azurerm_resource_group.{}.name", g.local)),
            None => Expr::s(id.resource_group().unwrap_or_default()),
        }
    }

    /// The resource groups.
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    /// The file for a resource of the network layer: its resource group's.
    pub fn file(&self, id: &ResourceId) -> String {
        self.group_of(id)
            .map(|g| g.file.clone())
            .unwrap_or_else(|| "main.tf".into())
    }
}

/// `hub.tf` for the group holding a VNet with a gateway, firewall or Bastion subnet;
/// `spoke_<vnet>.tf` for other groups holding a VNet; the rest by group name.
fn group_files(
    e: &Estate,
    groups: &BTreeMap<(String, String), Group>,
) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for v in e.virtual_networks.iter() {
        let (Some(sub), Some(rg)) = (v.id.subscription(), v.id.resource_group()) else {
            continue;
        };
        let key = (sub.to_ascii_lowercase(), rg.to_ascii_lowercase());
        if !groups.contains_key(&key) {
            continue;
        }
        let hub = v
            .properties
            .subnets
            .iter()
            .any(|s| aksnet_model::azure::special_subnet(&s.name).is_some());
        let file = if hub {
            "hub.tf".to_string()
        } else {
            format!("spoke_{}.tf", sanitize(v.name.trim_start_matches("vnet-")))
        };
        out.entry(key).or_insert(file);
    }
    out
}
