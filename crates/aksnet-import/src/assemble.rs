//! Typed resources from raw JSON: envelope normalisation, type dispatch, child attachment,
//! duplicate reconciliation.

use std::collections::BTreeMap;

use aksnet_model::aks::AgentPoolProfile;
use aksnet_model::network::{Route, SecurityRule, Subnet, VirtualNetworkPeering};
use aksnet_model::{Child, Estate, Resource, ResourceId, ResourceType};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ci::{from_value, CiDe, Ignored};
use crate::raw::{get, type_from_id, Diagnostic, RawResource, Summary};

/// `(lowercase type, id, origin, normalised object)`.
struct Item {
    ty: String,
    id: ResourceId,
    origin: String,
    value: Value,
}

/// Builds the ARM envelope from any casing/envelope (PowerShell exports use `ResourceId`,
/// `ResourceType`, `Properties`).
fn envelope(mut o: Map<String, Value>) -> Option<(String, String, Value)> {
    let id = get(&o, "id")
        .or_else(|| get(&o, "resourceId"))?
        .as_str()?
        .to_string();
    let declared = get(&o, "type")
        .or_else(|| get(&o, "resourceType"))
        .and_then(Value::as_str)
        .map(str::to_string);
    // The id is authoritative: exports label extension resources (diagnostic settings,
    // assessments) with their parent's type.
    let ty = type_from_id(&id).or(declared)?;
    let mut m = Map::new();
    m.insert("id".into(), Value::String(id.clone()));
    m.insert("type".into(), Value::String(ty.clone()));
    // az CLI prints properties flattened into the envelope (`az network vnet list`): no
    // `properties` key, the properties beside `id` and `name`.
    let flattened = get(&o, "properties").is_none();
    let mut props = Map::new();
    // Envelope keys in canonical case, moved; the rest kept so unknown ones are counted.
    for (k, v) in std::mem::take(&mut o) {
        let lower = k.to_ascii_lowercase();
        match lower.as_str() {
            "id" | "type" | "resourceid" | "resourcetype" => {}
            "name" | "location" | "tags" | "sku" | "identity" | "properties" => {
                if !v.is_null() && !m.contains_key(&lower) {
                    m.insert(lower, v);
                }
            }
            _ if flattened && !AZ_ENVELOPE.contains(&lower.as_str()) => {
                props.insert(k, v);
            }
            _ => {
                m.insert(k, v);
            }
        }
    }
    if !m.contains_key("properties") {
        let mut props = Value::Object(props);
        nest_child_properties(&mut props);
        m.insert("properties".into(), props);
    }
    Some((id, ty, Value::Object(m)))
}

/// Top-level keys az CLI prints beside the flattened properties that are not properties.
const AZ_ENVELOPE: &[&str] = &[
    "etag",
    "resourcegroup",
    "zones",
    "kind",
    "extendedlocation",
    "systemdata",
    "managedby",
    "plan",
];

/// The lists (and single objects) of named child objects in ARM's `{name, id, properties}`
/// shape, by property name: az CLI prints those flattened too.
const CHILD_KEYS: &[&str] = &[
    "subnets",
    "virtualnetworkpeerings",
    "delegations",
    "routes",
    "securityrules",
    "ipconfigurations",
    "frontendipconfigurations",
    "loadbalancingrules",
    "gatewayipconfigurations",
    "frontendports",
    "backendaddresspools",
    "privatelinkserviceconnections",
    "managementipconfiguration",
];

/// In flattened (az CLI) properties, puts each named child's properties back under `properties`,
/// at every depth: `{"name": "a", "addressPrefix": ...}` → `{"name": "a", "properties":
/// {"addressPrefix": ...}}`. Objects without a name (plain values, references) are left alone.
fn nest_child_properties(v: &mut Value) {
    let Some(o) = v.as_object_mut() else { return };
    for (k, child) in o.iter_mut() {
        if !CHILD_KEYS.contains(&k.to_ascii_lowercase().as_str()) {
            continue;
        }
        let items: Vec<&mut Value> = match child {
            Value::Array(a) => a.iter_mut().collect(),
            one @ Value::Object(_) => vec![one],
            _ => continue,
        };
        for item in items {
            let Some(c) = item.as_object_mut() else {
                continue;
            };
            if get(c, "properties").is_some() || get(c, "name").is_none() {
                continue;
            }
            let mut props = Map::new();
            for (ck, cv) in std::mem::take(c) {
                match ck.to_ascii_lowercase().as_str() {
                    "name" | "id" | "etag" | "type" | "resourcegroup" => {
                        c.insert(ck, cv);
                    }
                    _ => {
                        props.insert(ck, cv);
                    }
                }
            }
            let mut props = Value::Object(props);
            nest_child_properties(&mut props);
            c.insert("properties".into(), props);
        }
    }
}

/// A subnet written with `addressPrefixes` only gets its first prefix as `addressPrefix`.
fn fix_subnet(props: &mut Value, origin: &str, diags: &mut Vec<Diagnostic>) {
    let Some(o) = props.as_object_mut() else {
        return;
    };
    if get(o, "addressPrefix").is_some() {
        return;
    }
    if let Some(Value::Array(list)) = get(o, "addressPrefixes").cloned() {
        if let Some(first) = list.first() {
            if list.len() > 1 {
                diags.push(Diagnostic::warning(
                    origin,
                    "properties.addressPrefixes",
                    "the subnet has several prefixes; only the first is modelled",
                ));
            }
            o.insert("addressPrefix".into(), first.clone());
        }
    }
}

/// Whether aksnet models resources of this ARM type (compared case-insensitively).
/// The resource types aksnet models, in Azure's casing (children given on their own
/// included).
pub(crate) fn modelled_types() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = kinds().into_keys().collect();
    v.extend([
        "Microsoft.Network/virtualNetworks/subnets",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "Microsoft.Network/networkSecurityGroups/securityRules",
        "Microsoft.Network/routeTables/routes",
        "Microsoft.ContainerService/managedClusters/agentPools",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        "Microsoft.Network/privateDnsZones/A",
        "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    ]);
    v
}

pub(crate) fn is_modelled(ty: &str) -> bool {
    kinds().keys().any(|k| k.eq_ignore_ascii_case(ty))
}

fn kinds() -> BTreeMap<&'static str, &'static str> {
    use aksnet_model::{aks, appgw, firewall, gateway, network, paas, private};
    [
        network::VirtualNetwork::TYPE,
        network::RouteTable::TYPE,
        network::NetworkSecurityGroup::TYPE,
        network::PublicIpAddress::TYPE,
        network::NatGateway::TYPE,
        network::LoadBalancer::TYPE,
        network::NetworkInterface::TYPE,
        network::ApplicationSecurityGroup::TYPE,
        firewall::AzureFirewall::TYPE,
        firewall::FirewallPolicy::TYPE,
        firewall::RuleCollectionGroup::TYPE,
        firewall::IpGroup::TYPE,
        appgw::ApplicationGateway::TYPE,
        appgw::WafPolicy::TYPE,
        private::PrivateEndpoint::TYPE,
        private::PrivateDnsZoneGroup::TYPE,
        private::PrivateDnsZone::TYPE,
        private::VirtualNetworkLink::TYPE,
        private::ARecordSet::TYPE,
        private::DnsResolver::TYPE,
        private::InboundEndpoint::TYPE,
        private::OutboundEndpoint::TYPE,
        private::DnsForwardingRuleset::TYPE,
        private::ForwardingRule::TYPE,
        private::RulesetVirtualNetworkLink::TYPE,
        gateway::BastionHost::TYPE,
        gateway::VirtualNetworkGateway::TYPE,
        gateway::LocalNetworkGateway::TYPE,
        gateway::Connection::TYPE,
        aks::ManagedCluster::TYPE,
        paas::ContainerRegistry::TYPE,
        paas::KeyVault::TYPE,
        paas::UserAssignedIdentity::TYPE,
        aksnet_model::authorization::RoleAssignment::TYPE,
        "Microsoft.Network/virtualNetworks/subnets",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "Microsoft.Network/routeTables/routes",
        "Microsoft.Network/networkSecurityGroups/securityRules",
        "Microsoft.ContainerService/managedClusters/agentPools",
    ]
    .into_iter()
    .map(|t| (t, t))
    .collect()
}

/// Expands `$m!(collection)` for the Estate collection that holds lowercase ARM type `$ty`
/// (other than virtual networks, which need subnet fix-ups first), or evaluates `$else`.
macro_rules! by_type {
    ($ty:expr, $m:ident, $else:expr) => {
        match $ty {
            "microsoft.network/routetables" => $m!(route_tables),
            "microsoft.network/networksecuritygroups" => $m!(network_security_groups),
            "microsoft.network/publicipaddresses" => $m!(public_ip_addresses),
            "microsoft.network/natgateways" => $m!(nat_gateways),
            "microsoft.network/loadbalancers" => $m!(load_balancers),
            "microsoft.network/networkinterfaces" => $m!(network_interfaces),
            "microsoft.network/applicationsecuritygroups" => {
                $m!(application_security_groups)
            }
            "microsoft.network/azurefirewalls" => $m!(azure_firewalls),
            "microsoft.network/firewallpolicies" => $m!(firewall_policies),
            "microsoft.network/firewallpolicies/rulecollectiongroups" => {
                $m!(rule_collection_groups)
            }
            "microsoft.network/ipgroups" => $m!(ip_groups),
            "microsoft.network/applicationgateways" => $m!(application_gateways),
            "microsoft.network/applicationgatewaywebapplicationfirewallpolicies" => {
                $m!(waf_policies)
            }
            "microsoft.network/privateendpoints" => $m!(private_endpoints),
            "microsoft.network/privateendpoints/privatednszonegroups" => {
                $m!(private_dns_zone_groups)
            }
            "microsoft.network/privatednszones" => $m!(private_dns_zones),
            "microsoft.network/privatednszones/virtualnetworklinks" => $m!(virtual_network_links),
            "microsoft.network/privatednszones/a" => $m!(a_record_sets),
            "microsoft.network/dnsresolvers" => $m!(dns_resolvers),
            "microsoft.network/dnsresolvers/inboundendpoints" => $m!(inbound_endpoints),
            "microsoft.network/dnsresolvers/outboundendpoints" => $m!(outbound_endpoints),
            "microsoft.network/dnsforwardingrulesets" => $m!(dns_forwarding_rulesets),
            "microsoft.network/dnsforwardingrulesets/forwardingrules" => $m!(forwarding_rules),
            "microsoft.network/dnsforwardingrulesets/virtualnetworklinks" => {
                $m!(ruleset_virtual_network_links)
            }
            "microsoft.network/bastionhosts" => $m!(bastion_hosts),
            "microsoft.network/virtualnetworkgateways" => $m!(virtual_network_gateways),
            "microsoft.network/localnetworkgateways" => $m!(local_network_gateways),
            "microsoft.network/connections" => $m!(connections),
            "microsoft.containerservice/managedclusters" => $m!(managed_clusters),
            "microsoft.containerregistry/registries" => $m!(container_registries),
            "microsoft.keyvault/vaults" => $m!(key_vaults),
            "microsoft.managedidentity/userassignedidentities" => $m!(user_assigned_identities),
            "microsoft.authorization/roleassignments" => $m!(role_assignments),
            _ => $else,
        }
    };
}

/// Builds the estate incrementally: each resource is typed as it arrives (so the JSON of a large
/// export is never held whole); children wait for their parents until [`Assembler::finish`].
pub(crate) struct Assembler {
    known: BTreeMap<String, &'static str>,
    estate: Estate,
    /// Per id: what was kept, to reconcile duplicates.
    seen: std::collections::HashMap<ResourceId, Seen>,
    children: BTreeMap<ResourceId, Item>,
    /// Keys ignored, by resource type (embedded children under their parent's).
    ignored: BTreeMap<&'static str, Ignored>,
    pub(crate) summary: Summary,
}

/// A kept definition: its size (JSON nodes), where it came from, and a hash per top-level
/// property (key hash, value hash) to tell differing duplicates from fuller ones.
struct Seen {
    size: usize,
    origin: String,
    prints: Vec<(u64, u64)>,
}

/// Number of JSON nodes: the measure of how full a definition is.
fn size(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(size).sum::<usize>(),
        Value::Object(o) => 1 + o.values().map(size).sum::<usize>(),
        _ => 1,
    }
}

/// A structural hash of a JSON value (FNV-1a; object key order and key case ignored).
fn fingerprint(v: &Value) -> u64 {
    const PRIME: u64 = 0x100_0000_01b3;
    let mix = |h: u64, bytes: &[u8]| {
        bytes
            .iter()
            .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME))
    };
    let basis = 0xcbf2_9ce4_8422_2325;
    match v {
        Value::Null => mix(basis, b"n"),
        Value::Bool(b) => mix(basis, if *b { b"t" } else { b"f" }),
        Value::Number(n) => mix(basis, &n.as_f64().unwrap_or(0.0).to_bits().to_le_bytes()),
        Value::String(s) => mix(mix(basis, b"s"), s.as_bytes()),
        Value::Array(a) => a.iter().fold(mix(basis, b"a"), |h, x| {
            mix(h, &fingerprint(x).to_le_bytes())
        }),
        // XOR of per-entry hashes: independent of key order.
        Value::Object(o) => o.iter().fold(mix(basis, b"o"), |h, (k, x)| {
            let key = k.bytes().fold(basis, |h, b| {
                (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(PRIME)
            });
            h ^ mix(key, &fingerprint(x).to_le_bytes())
        }),
    }
}

fn property_prints(v: &Value) -> Vec<(u64, u64)> {
    let key = |k: &str| fingerprint(&Value::String(k.to_ascii_lowercase()));
    let mut out: Vec<(u64, u64)> = v
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| {
            p.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (key(k), fingerprint(x)))
                .collect()
        })
        .unwrap_or_default();
    out.sort_unstable();
    out
}

impl Assembler {
    pub(crate) fn new(name: &str, summary: Summary) -> Self {
        let known = kinds()
            .into_values()
            .map(|t| (t.to_ascii_lowercase(), t))
            .collect();
        Self {
            known,
            estate: Estate::new(name),
            seen: Default::default(),
            children: BTreeMap::new(),
            ignored: BTreeMap::new(),
            summary,
        }
    }

    /// Takes one raw resource.
    pub(crate) fn add(&mut self, raw: RawResource) {
        let RawResource { value, origin } = raw;
        let Value::Object(o) = value else { return };
        let declared = get(&o, "type")
            .or_else(|| get(&o, "resourceType"))
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        let Some((id, ty, value)) = envelope(o) else {
            self.summary.diagnostics.push(Diagnostic::warning(
                &origin,
                "-",
                "an object without id and type; skipped",
            ));
            return;
        };
        let lower = ty.to_ascii_lowercase();
        let Some(kind) = self.known.get(&lower).copied() else {
            // The id decides the type (exports label extension resources, whose ids hold a second
            // `/providers/`, with their parent's); otherwise a `type` naming a modelled type the
            // id does not is most likely a malformed id.
            let extension = id.to_ascii_lowercase().matches("/providers/").count() > 1;
            if let Some(d) =
                declared.filter(|d| !extension && *d != lower && self.known.contains_key(d))
            {
                let named = self.known[&d];
                self.summary.diagnostics.push(
                    Diagnostic::warning(
                        &origin,
                        &id,
                        &format!("`type` says {named}, but the id names {ty}, which aksnet does not model; skipped"),
                    )
                    .with_hint("check the id: its segments after /providers/ must name the type, as in /providers/Microsoft.Network/dnsResolvers/NAME/inboundEndpoints/NAME"),
                );
            }
            *self.summary.skipped_types.entry(ty).or_default() += 1;
            return;
        };
        let Ok(rid) = ResourceId::parse(&id) else {
            self.summary.diagnostics.push(Diagnostic::warning(
                &origin,
                "id",
                &format!("`{id}` is not a resource id; skipped"),
            ));
            return;
        };
        // Deduplicate by id: the fuller definition wins; differing values are reported.
        let n = size(&value);
        let prints = property_prints(&value);
        if self.seen.get(&rid).is_some_and(|o| o.size == usize::MAX) {
            // The first definition came through the fast path: measure it from its typed form.
            if let Some(old) = self.typed_json(&lower, &rid) {
                let seen = self.seen.get_mut(&rid).expect("checked");
                seen.size = size(&old);
                seen.prints = property_prints(&old);
            }
        }
        if let Some(old) = self.seen.get(&rid) {
            let differs = prints
                .iter()
                .any(|(k, h)| old.prints.iter().any(|(ok, oh)| ok == k && oh != h));
            if differs {
                self.summary.diagnostics.push(Diagnostic::warning(
                    &origin,
                    rid.as_str(),
                    &format!(
                        "also defined in {} with different values; keeping the fuller definition",
                        old.origin
                    ),
                ));
            }
            if n <= old.size {
                return;
            }
        }
        let first = !self.seen.contains_key(&rid);
        let previous = self.seen.insert(
            rid.clone(),
            Seen {
                size: n,
                origin: origin.clone(),
                prints,
            },
        );
        let item = Item {
            ty: lower,
            id: rid.clone(),
            origin,
            value,
        };
        match self.put(item) {
            Typed::Kept if first => self.summary.count_imported(kind),
            Typed::Kept | Typed::Later => {}
            Typed::Skipped => {
                // The earlier definition, if any, stays; a first one that failed is not seen.
                match previous {
                    Some(p) => {
                        self.seen.insert(rid, p);
                    }
                    None => {
                        self.seen.remove(&rid);
                    }
                }
                self.summary.count_skipped(kind);
            }
        }
    }

    /// Types `item` into its collection, or keeps a child for [`Assembler::finish`].
    fn put(&mut self, item: Item) -> Typed {
        let kind = self.known.get(&item.ty).copied().unwrap_or("other");
        let (e, unknown, diags) = (
            &mut self.estate,
            &*self.ignored.entry(kind).or_default(),
            &mut self.summary.diagnostics,
        );
        let id = item.id.clone();
        let origin = item.origin.clone();
        macro_rules! put {
            ($coll:ident) => {{
                match typed(item.value, unknown, &origin, &id, diags) {
                    Some(r) => {
                        e.$coll.insert(r);
                        Typed::Kept
                    }
                    None => Typed::Skipped,
                }
            }};
        }
        match item.ty.as_str() {
            "microsoft.network/virtualnetworks" => {
                let mut v = item.value;
                let subnets = v
                    .get_mut("properties")
                    .and_then(|p| p.as_object_mut())
                    .and_then(|p| {
                        p.iter_mut()
                            .find(|(k, _)| k.eq_ignore_ascii_case("subnets"))
                            .map(|(_, v)| v)
                    });
                if let Some(Value::Array(subnets)) = subnets {
                    for s in subnets {
                        if let Some(p) = s.as_object_mut().and_then(|o| {
                            o.iter_mut()
                                .find(|(k, _)| k.eq_ignore_ascii_case("properties"))
                                .map(|(_, v)| v)
                        }) {
                            fix_subnet(p, &origin, diags);
                        }
                    }
                }
                match typed(v, unknown, &origin, &id, diags) {
                    Some(r) => {
                        e.virtual_networks.insert(r);
                        Typed::Kept
                    }
                    None => Typed::Skipped,
                }
            }
            other => by_type!(other, put, {
                self.children.insert(item.id.clone(), item);
                Typed::Later
            }),
        }
    }

    /// A typed resource back as JSON (for reconciling a duplicate with a fast-path definition).
    fn typed_json(&self, lower: &str, id: &ResourceId) -> Option<Value> {
        let e = &self.estate;
        macro_rules! json {
            ($coll:ident) => {
                e.$coll.get(id).and_then(|r| serde_json::to_value(r).ok())
            };
        }
        match lower {
            "microsoft.network/virtualnetworks" => json!(virtual_networks),
            other => by_type!(other, json, None),
        }
    }

    /// The fast path for one resource given as JSON text whose id names a modelled top-level
    /// type: typed straight from the text. Returns `false` (nothing consumed) when it cannot, so
    /// the caller takes the general path, which has the exact errors.
    pub(crate) fn add_text(&mut self, id: &str, text: &str, origin: &str) -> bool {
        use serde::Deserialize;
        let Some(ty) = type_from_id(id) else {
            return false;
        };
        let lower = ty.to_ascii_lowercase();
        let Some(kind) = self.known.get(&lower).copied() else {
            return false;
        };
        let Ok(rid) = ResourceId::parse(id) else {
            return false;
        };
        if self.seen.contains_key(&rid) {
            return false; // duplicates are reconciled on the general path
        }
        // An attempt that fails is read again on the general path, which notes what it ignores.
        let ignored = &*self.ignored.entry(kind).or_default();
        let before = ignored.checkpoint();
        let e = &mut self.estate;
        macro_rules! fast {
            ($coll:ident) => {{
                let mut de = serde_json::Deserializer::from_str(text);
                match Deserialize::deserialize(CiDe::new(&mut de, ignored)) {
                    Ok(r) => {
                        let mut r: aksnet_model::Resource<_> = r;
                        r.kind = ty.clone(); // as the general path: the type the id names
                        e.$coll.insert(r);
                        true
                    }
                    Err(_) => false,
                }
            }};
        }
        let done = match lower.as_str() {
            "microsoft.network/virtualnetworks" => fast!(virtual_networks),
            other => by_type!(other, fast, false),
        };
        if !done {
            ignored.roll_back(before);
        }
        if done {
            self.summary.count_imported(kind);
            self.seen.insert(
                rid,
                Seen {
                    size: usize::MAX,
                    origin: origin.to_string(),
                    prints: Vec::new(),
                },
            );
        }
        done
    }

    /// Attaches the children and returns the estate and what was read.
    /// Where each resource came from (`file: $.path`), by id, when there are at most `limit`.
    pub(crate) fn origins(&self, limit: usize) -> Vec<(String, String)> {
        if self.seen.len() > limit {
            return Vec::new();
        }
        self.seen
            .iter()
            .map(|(id, s)| (id.as_str().to_ascii_lowercase(), s.origin.clone()))
            .collect()
    }

    pub(crate) fn finish(mut self) -> (Estate, Summary) {
        for c in std::mem::take(&mut self.children).into_values() {
            let kind = self.known.get(&c.ty).copied().unwrap_or("child");
            let kept = attach(
                &mut self.estate,
                c,
                self.ignored.entry(kind).or_default(),
                &mut self.summary.diagnostics,
            );
            if kept {
                self.summary.count_imported(kind);
            } else {
                self.summary.count_skipped(kind);
            }
        }
        for (kind, ignored) in &self.ignored {
            self.summary.unknown_properties += ignored.count();
            let names = ignored.names();
            if !names.is_empty() {
                self.summary
                    .ignored_properties
                    .insert(kind.to_string(), names);
            }
        }
        (self.estate, self.summary)
    }
}

fn typed<P: DeserializeOwned + ResourceType>(
    v: Value,
    unknown: &Ignored,
    origin: &str,
    id: &ResourceId,
    diags: &mut Vec<Diagnostic>,
) -> Option<Resource<P>> {
    match from_value::<Resource<P>>(&v, unknown) {
        Ok(r) => Some(r),
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    origin,
                    &format!("{id} at {}", e.path()),
                    &format!("{}; resource skipped", e.inner()),
                )
                .with_hint(hint(e.inner())),
            );
            None
        }
    }
}

/// How to fix a resource that did not type: a missing property, a value a template leaves to
/// deployment, or a value Azure refuses.
fn hint(e: &serde_json::Error) -> &'static str {
    let text = e.to_string();
    if text.starts_with(crate::ci::UNKNOWN_BEFORE_DEPLOYMENT) {
        "the input leaves this value to deployment and aksnet needs it here: give what it depends on a value (-p NAME=VALUE for a template parameter, --var NAME=VALUE for a Terraform variable), or import the deployed resources"
    } else if text.starts_with("missing field") {
        "Azure requires this property (or aksnet's model does): check the export is complete"
    } else {
        "Azure refuses this value: correct it (docs/import.md, \"Invalid values\", lists the checks)"
    }
}

/// What became of a resource handed to [`Assembler::put`].
enum Typed {
    /// In the estate.
    Kept,
    /// Skipped, with an error saying why.
    Skipped,
    /// A child, attached (and counted) when every parent is in.
    Later,
}

/// Attaches a separately listed child resource to its parent; false when it was skipped (with a
/// diagnostic saying why).
fn attach(e: &mut Estate, c: Item, unknown: &Ignored, diags: &mut Vec<Diagnostic>) -> bool {
    let Some(parent) = c.id.parent() else {
        return false;
    };
    let name = c.id.name().to_string();
    let mut body = c.value.clone();
    if let Some(o) = body.as_object_mut() {
        o.insert("name".into(), Value::String(name.clone()));
    }
    let missing = |diags: &mut Vec<Diagnostic>, what: &str| {
        diags.push(Diagnostic::warning(
            &c.origin,
            c.id.as_str(),
            &format!("its {what} `{parent}` is not in the input; skipped"),
        ));
        false
    };
    macro_rules! child {
        ($coll:ident, $field:ident, $t:ty, $what:expr) => {{
            let Some(p) = e.$coll.get_mut(&parent) else {
                return missing(diags, $what);
            };
            match from_value::<Child<$t>>(&body, unknown) {
                Ok(ch) => {
                    let list = &mut p.properties.$field;
                    match list.iter_mut().find(|x| x.name.eq_ignore_ascii_case(&name)) {
                        Some(existing) => *existing = ch,
                        None => list.push(ch),
                    }
                    true
                }
                Err(e) => {
                    diags.push(
                        Diagnostic::error(
                            &c.origin,
                            &format!("{} at {}", c.id, e.path()),
                            &format!("{}; child skipped", e.inner()),
                        )
                        .with_hint(hint(e.inner())),
                    );
                    false
                }
            }
        }};
    }
    match c.ty.as_str() {
        "microsoft.network/virtualnetworks/subnets" => {
            if let Some(p) = body.get_mut("properties") {
                fix_subnet(p, &c.origin, diags);
            }
            child!(virtual_networks, subnets, Subnet, "virtual network")
        }
        "microsoft.network/virtualnetworks/virtualnetworkpeerings" => child!(
            virtual_networks,
            virtual_network_peerings,
            VirtualNetworkPeering,
            "virtual network"
        ),
        "microsoft.network/routetables/routes" => {
            child!(route_tables, routes, Route, "route table")
        }
        "microsoft.network/networksecuritygroups/securityrules" => child!(
            network_security_groups,
            security_rules,
            SecurityRule,
            "network security group"
        ),
        "microsoft.containerservice/managedclusters/agentpools" => {
            let Some(p) = e.managed_clusters.get_mut(&parent) else {
                return missing(diags, "cluster");
            };
            let mut props = body.get("properties").cloned().unwrap_or(Value::Null);
            if let Some(o) = props.as_object_mut() {
                o.insert("name".into(), Value::String(name.clone()));
            }
            match from_value::<AgentPoolProfile>(&props, unknown) {
                Ok(pool) => {
                    let list = &mut p.properties.agent_pool_profiles;
                    match list.iter_mut().find(|x| x.name.eq_ignore_ascii_case(&name)) {
                        Some(existing) => *existing = pool,
                        None => list.push(pool),
                    }
                    true
                }
                Err(e) => {
                    diags.push(
                        Diagnostic::error(
                            &c.origin,
                            &format!("{} at properties.{}", c.id, e.path()),
                            &format!("{}; agent pool skipped", e.inner()),
                        )
                        .with_hint(hint(e.inner())),
                    );
                    false
                }
            }
        }
        _ => false,
    }
}
