//! `azurerm_*` and `azapi_*` instances as Azure resource JSON.
//!
//! Each mapped instance becomes the resource JSON Azure's REST API returns for it (`id`, `type`,
//! `name`, `location`, `tags`, `sku`, `zones`, `properties` with REST names); unknown values
//! pass through as markers where the value goes. Separate child resources (`azurerm_subnet`,
//! `azurerm_route`, ...) are given as child resources with their full ids, which the importer
//! attaches to their parents; associations, classic firewall rule collections and
//! `azapi_update_resource` are folded into the resources they change ([`fold`]).

mod aks;
mod azapi;
mod dns;
mod edge;
mod firewall;
mod fold;
mod ids;
mod lb;
mod network;
mod private;
mod val;

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use crate::config::Provider;
use crate::{Diagnostic, Instance, Origin};

use fold::Fold;
use ids::Ident;
use val::get;

/// The azurerm provider as aksnet knows it: the subscription resources go to (the provider's
/// `subscription_id`, `--subscription`, or the placeholder `00000000-…`).
#[derive(Clone, Debug)]
pub struct Azurerm {
    /// Subscription id for the ids of resources whose provider configuration states none
    /// ([`Instance::subscription`] is `None`).
    pub subscription: String,
}

impl Provider for Azurerm {
    fn computed(&self, kind: &str, values: &Json) -> Map<String, Json> {
        ids::computed(&self.subscription, kind, values)
    }

    /// The ids in `subscription` when given, else in [`Azurerm::subscription`].
    fn computed_in(
        &self,
        kind: &str,
        values: &Json,
        subscription: Option<&str>,
    ) -> Map<String, Json> {
        ids::computed(subscription.unwrap_or(&self.subscription), kind, values)
    }
}

/// What [`to_azure`] made of the instances.
#[derive(Clone, Debug, Default)]
pub struct Mapped {
    /// Azure resource JSON (`id`, `type`, `name`, `location`, `tags`, `properties`, and
    /// `sku`/`zones` where the type has them), as Azure would hold it after apply, each with
    /// the instance it came from (address and origin). Associations and separate child
    /// resources are folded into their targets or given as child resources by id, as Azure
    /// JSON exports give them.
    pub resources: Vec<(Json, String, Origin)>,
    /// Resource types not mapped (not network-relevant, or not yet), with how many instances.
    pub unmapped: BTreeMap<String, usize>,
    /// Problems, each at the instance's origin.
    pub diagnostics: Vec<Diagnostic>,
}

/// What a mapper makes of one instance.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Out {
    /// A resource (or separate child resource) as Azure JSON.
    Resource(Json),
    /// A change to another resource.
    Fold(Fold),
    /// A warning about the instance.
    Warning(String),
}

/// One identified instance being mapped.
pub(crate) struct Ctx<'a> {
    /// The instance's evaluated arguments.
    pub v: &'a Json,
    /// Its identity.
    pub ident: Ident,
    /// Locations of the resource groups in the configuration, by lowercase name.
    pub groups: &'a BTreeMap<String, Json>,
}

impl Ctx<'_> {
    /// The resource envelope: `id`, `name`, `type`, `location` (its own when known, else its
    /// resource group's when that is in the configuration) and `tags`, with `properties`.
    pub(crate) fn envelope(&self, properties: Map<String, Json>) -> Map<String, Json> {
        let mut m = Map::new();
        m.insert("id".into(), Json::String(self.ident.id.clone()));
        m.insert("name".into(), Json::String(self.ident.name.clone()));
        m.insert("type".into(), Json::String(self.ident.arm.clone()));
        // An unknown location is left out (the model reads it as a string, and no analysis
        // depends on it) rather than costing the resource.
        let location = get(self.v, "location")
            .filter(|l| l.is_string())
            .cloned()
            .or_else(|| {
                let rg = val::text(self.v, "resource_group_name")?;
                self.groups.get(&rg.to_ascii_lowercase()).cloned()
            });
        if let Some(l) = location {
            // Azure holds a location by its short name (`azurerm` normalises it too).
            let l = l
                .as_str()
                .map_or(l.clone(), |s| Json::String(val::short_location(s)));
            m.insert("location".into(), l);
        }
        if let Some(t) =
            get(self.v, "tags").filter(|t| t.as_object().is_some_and(|o| !o.is_empty()))
        {
            m.insert("tags".into(), t.clone());
        }
        m.insert("properties".into(), Json::Object(properties));
        m
    }

    /// A resource with the envelope and `properties`, nothing else.
    pub(crate) fn resource(&self, properties: Map<String, Json>) -> Out {
        Out::Resource(Json::Object(self.envelope(properties)))
    }

    /// A child resource (no location or tags): `id`, `name`, `type`, `properties`.
    pub(crate) fn child_resource(&self, properties: Map<String, Json>) -> Out {
        let mut m = Map::new();
        m.insert("id".into(), Json::String(self.ident.id.clone()));
        m.insert("name".into(), Json::String(self.ident.name.clone()));
        m.insert("type".into(), Json::String(self.ident.arm.clone()));
        m.insert("properties".into(), Json::Object(properties));
        Out::Resource(Json::Object(m))
    }
}

type Mapper = fn(&Ctx) -> Vec<Out>;

/// The mapper for an azurerm type, or `None` when it is not mapped.
fn mapper(kind: &str) -> Option<Mapper> {
    Some(match kind {
        "azurerm_virtual_network" => network::virtual_network,
        "azurerm_subnet" => network::subnet,
        "azurerm_subnet_network_security_group_association" => network::subnet_nsg,
        "azurerm_subnet_route_table_association" => network::subnet_route_table,
        "azurerm_subnet_nat_gateway_association" => network::subnet_nat_gateway,
        "azurerm_network_security_group" => network::security_group,
        "azurerm_network_security_rule" => network::security_rule,
        "azurerm_application_security_group" => network::empty,
        "azurerm_route_table" => network::route_table,
        "azurerm_route" => network::route,
        "azurerm_virtual_network_peering" => network::peering,
        "azurerm_public_ip" => network::public_ip,
        "azurerm_nat_gateway" => network::nat_gateway,
        "azurerm_nat_gateway_public_ip_association" => network::nat_gateway_ip,
        "azurerm_network_interface" => network::interface,
        "azurerm_network_interface_security_group_association" => network::interface_nsg,
        "azurerm_network_interface_application_security_group_association" => {
            network::interface_asg
        }
        "azurerm_firewall" => firewall::firewall,
        "azurerm_firewall_policy" => firewall::policy,
        "azurerm_firewall_policy_rule_collection_group" => firewall::rule_collection_group,
        "azurerm_firewall_network_rule_collection"
        | "azurerm_firewall_application_rule_collection"
        | "azurerm_firewall_nat_rule_collection" => firewall::classic_collection,
        "azurerm_ip_group" => firewall::ip_group,
        "azurerm_private_endpoint" => private::endpoint,
        "azurerm_private_dns_zone" => private::zone,
        "azurerm_private_dns_zone_virtual_network_link" => private::zone_link,
        "azurerm_private_dns_a_record" => private::a_record,
        "azurerm_kubernetes_cluster" => aks::cluster,
        "azurerm_kubernetes_cluster_node_pool" => aks::node_pool,
        "azurerm_application_gateway" => edge::application_gateway,
        "azurerm_web_application_firewall_policy" => edge::waf_policy,
        "azurerm_bastion_host" => edge::bastion,
        "azurerm_virtual_network_gateway" => edge::vpn_gateway,
        "azurerm_local_network_gateway" => edge::local_gateway,
        "azurerm_virtual_network_gateway_connection" => edge::connection,
        "azurerm_container_registry" => edge::registry,
        "azurerm_key_vault" => edge::key_vault,
        "azurerm_user_assigned_identity" => network::empty,
        "azurerm_role_assignment" => aks::role_assignment,
        "azurerm_lb" => lb::load_balancer,
        "azurerm_lb_rule" => lb::rule,
        "azurerm_private_dns_resolver" => dns::resolver,
        "azurerm_private_dns_resolver_inbound_endpoint" => dns::inbound,
        "azurerm_private_dns_resolver_outbound_endpoint" => dns::outbound,
        "azurerm_private_dns_resolver_dns_forwarding_ruleset" => dns::ruleset,
        "azurerm_private_dns_resolver_forwarding_rule" => dns::forwarding_rule,
        "azurerm_private_dns_resolver_virtual_network_link" => dns::ruleset_link,
        _ => return None,
    })
}

/// Maps `instances` to Azure resource JSON, each with ids in its [`Instance::subscription`],
/// else in `provider.subscription`.
pub fn to_azure(instances: &[Instance], provider: &Azurerm) -> Mapped {
    let sub = provider.subscription.as_str();
    let mut mapped = Mapped::default();
    let groups: BTreeMap<String, Json> = instances
        .iter()
        .filter(|i| i.kind == "azurerm_resource_group")
        .filter_map(|i| {
            let name = val::text(&i.values, "name")?;
            let loc = get(&i.values, "location")?;
            Some((name.to_ascii_lowercase(), loc.clone()))
        })
        .collect();
    let mut resources: Vec<Json> = Vec::new();
    let mut sources: Vec<(String, Origin)> = Vec::new();
    let mut folds: Vec<(Fold, &Instance)> = Vec::new();
    for inst in instances {
        // Each resource in its provider configuration's subscription (the ids of its children,
        // associations and the parents it names by name with it, as azurerm builds them).
        let sub = inst.subscription.as_deref().unwrap_or(sub);
        let outs = match map_one(sub, inst, &groups) {
            None => {
                *mapped.unmapped.entry(inst.kind.clone()).or_default() += 1;
                continue;
            }
            Some(Err(message)) => {
                mapped.diagnostics.push(Diagnostic {
                    error: true,
                    origin: Some(inst.origin.clone()),
                    message,
                    hint: Some(
                        "give it a known value: a literal, a variable with a value, or a \
                         reference to a resource in the configuration"
                            .into(),
                    ),
                });
                continue;
            }
            Some(Ok(outs)) => outs,
        };
        for out in outs {
            match out {
                Out::Resource(r) => {
                    resources.push(r);
                    sources.push((inst.address.clone(), inst.origin.clone()));
                }
                Out::Fold(f) => folds.push((f, inst)),
                Out::Warning(message) => mapped.diagnostics.push(Diagnostic {
                    error: false,
                    origin: Some(inst.origin.clone()),
                    message: format!("{}: {message}", inst.address),
                    hint: None,
                }),
            }
        }
    }
    // Associations and collections first, then azapi updates over the result.
    folds.sort_by_key(|(f, _)| matches!(f, Fold::Merge { .. }));
    for (f, inst) in &folds {
        if !fold::apply(&mut resources, f) {
            mapped.diagnostics.push(Diagnostic {
                error: false,
                origin: Some(inst.origin.clone()),
                message: format!(
                    "{}: `{}` is not in the configuration; nothing to fold it into",
                    inst.address,
                    f.target()
                ),
                hint: Some(
                    "declare the resource in the configuration (or a data source for it) to \
                     have it analysed"
                        .into(),
                ),
            });
        }
    }
    fold::peering_states(&mut resources);
    mapped.resources = resources
        .into_iter()
        .zip(sources)
        .map(|(r, (a, o))| (r, a, o))
        .collect();
    mapped
}

/// Maps one instance: `None` when its type is not mapped, an error message when it cannot be
/// identified.
fn map_one(
    sub: &str,
    inst: &Instance,
    groups: &BTreeMap<String, Json>,
) -> Option<Result<Vec<Out>, String>> {
    let v = &inst.values;
    match inst.kind.as_str() {
        "azapi_resource" | "azapi_update_resource" if !azapi::modelled(v) => return None,
        "azapi_resource" => {
            return Some(azapi::resource(v).map_err(|e| e.message(&inst.address)));
        }
        "azapi_update_resource" => {
            return Some(azapi::update(v).map_err(|e| e.message(&inst.address)));
        }
        _ => {}
    }
    let f = mapper(&inst.kind)?;
    let ident = match ids::identify(sub, &inst.kind, v)? {
        Ok(i) => i,
        Err(e) => return Some(Err(e.message(&inst.address))),
    };
    let ctx = Ctx { v, ident, groups };
    Some(Ok(f(&ctx)))
}
