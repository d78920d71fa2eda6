//! Service tags resolved in context (azure-semantics §3.5, [TAGS]).

use aksnet_model::Estate;
use aksnet_net::{Prefix, PrefixSet};

use crate::topology::{SubnetIx, Topology};

/// 168.63.129.16, the host IP behind `AzureLoadBalancer` probes and Azure DNS.
pub const AZURE_HOST_IP: &str = "168.63.129.16/32";

fn p(s: &str) -> Prefix {
    s.parse().expect("constant")
}

/// Private and special-purpose IPv4 space: RFC 1918, RFC 6598, link-local, loopback, multicast.
pub fn private_space() -> &'static PrefixSet {
    static SET: std::sync::LazyLock<PrefixSet> = std::sync::LazyLock::new(|| {
        [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "169.254.0.0/16",
            "127.0.0.0/8",
            "224.0.0.0/4",
            "0.0.0.0/8",
        ]
        .into_iter()
        .map(p)
        .collect()
    });
    &SET
}

/// The `Internet` tag: address space outside the VNet reachable on the public Internet
/// [TAGS]; modelled as all IPv4 space minus private and special-purpose ranges and 168.63.129.16.
pub fn internet() -> &'static PrefixSet {
    static SET: std::sync::LazyLock<PrefixSet> = std::sync::LazyLock::new(|| {
        let all: PrefixSet = [p("0.0.0.0/0")].into_iter().collect();
        all.difference(private_space())
            .difference(&[p(AZURE_HOST_IP)].into_iter().collect())
    });
    &SET
}

/// Result of resolving an address field.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The addresses.
    pub set: PrefixSet,
    /// Set when the field names a tag whose prefixes are not known offline (e.g. `AzureCloud`);
    /// the set is then empty and the rule matches nothing here.
    pub unresolved: Option<String>,
}

/// The `VirtualNetwork` tag for a subnet: its VNet, connected peered VNets, on-premises space
/// learned through a gateway, 168.63.129.16 and — the documented surprise — the prefixes of the
/// UDRs in the subnet's own route table (so a `0.0.0.0/0` UDR makes it everything) [TAGS]
/// [BLOG-TORIVAR] §3.5, when `udr_prefixes` (the option
/// `virtual_network_tag_includes_udr_prefixes`). Whether other subnets' UDR prefixes count is
/// UNCONFIRMED; they do not here.
pub fn virtual_network(
    t: &Topology,
    estate: &Estate,
    udr_prefixes: bool,
    s: SubnetIx,
) -> PrefixSet {
    let subnet = &t.subnets[s];
    let mut set = t.vnets[subnet.vnet].space.clone();
    for peer in t.connected_peers(subnet.vnet) {
        if peer.allow_virtual_network_access {
            set = set.union(&t.vnets[peer.remote].space);
        }
    }
    if let Some(onprem) = t.gateway_prefixes(subnet.vnet) {
        set = set.union(&onprem);
    }
    set.insert(p(AZURE_HOST_IP));
    if udr_prefixes {
        if let Some(rt) = subnet
            .route_table
            .as_ref()
            .and_then(|id| estate.route_tables.get(id))
        {
            for r in &rt.properties.routes {
                if let Some(prefix) = r.properties.address_prefix.prefix() {
                    set.insert(prefix);
                }
            }
        }
    }
    set
}

/// Service-tag prefixes loaded from a file (lowercase tag name → prefixes): `AzureCloud`,
/// `AzureCloud.westeurope`, `Storage`, `GatewayManager`, ... Empty unless the user supplies them.
pub type ServiceTags = std::collections::BTreeMap<String, PrefixSet>;

/// Why a service-tag file did not read.
#[derive(Debug, thiserror::Error)]
pub enum ServiceTagsError {
    /// Not JSON.
    #[error("line {line}, column {column}: {error}")]
    Json {
        /// The line where the JSON broke.
        line: usize,
        /// The column where the JSON broke.
        column: usize,
        /// The parser's error (in the message, so not also a `source`).
        error: serde_json::Error,
    },
    /// JSON without a top-level `values` array.
    #[error("expected {{\"values\": [...]}} as in ServiceTags_Public.json")]
    NoValues,
    /// An entry without a name.
    #[error("values[{index}] has no name")]
    NoName {
        /// The entry's position in `values`.
        index: usize,
    },
    /// An entry without `properties.addressPrefixes`.
    #[error("values[{index}] ({name}) has no properties.addressPrefixes")]
    NoPrefixes {
        /// The entry's position in `values`.
        index: usize,
        /// The tag.
        name: String,
    },
    /// An entry with a prefix that does not parse.
    #[error("values[{index}] ({name}): {error}")]
    BadPrefix {
        /// The entry's position in `values`.
        index: usize,
        /// The tag.
        name: String,
        /// Why the prefix did not parse (in the message, so not also a `source`).
        error: aksnet_net::ParseError,
    },
}

/// Reads service tags in the format Microsoft publishes them (the weekly `ServiceTags_Public`
/// download and `az network list-service-tags`): `{"values": [{"name": ..., "properties":
/// {"addressPrefixes": [...]}}]}` [TAGS] §3.5.
pub fn parse_service_tags(text: &str) -> Result<ServiceTags, ServiceTagsError> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|error| ServiceTagsError::Json {
            line: error.line(),
            column: error.column(),
            error,
        })?;
    let values = v
        .get("values")
        .and_then(serde_json::Value::as_array)
        .ok_or(ServiceTagsError::NoValues)?;
    let mut out = ServiceTags::new();
    for (index, t) in values.iter().enumerate() {
        let name = t
            .get("name")
            .and_then(serde_json::Value::as_str)
            .ok_or(ServiceTagsError::NoName { index })?;
        let prefixes = t
            .pointer("/properties/addressPrefixes")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| ServiceTagsError::NoPrefixes {
                index,
                name: name.to_string(),
            })?;
        let mut set = PrefixSet::new();
        for p in prefixes {
            let s = p.as_str().unwrap_or_default();
            set.insert(
                Prefix::parse_lenient(s).map_err(|error| ServiceTagsError::BadPrefix {
                    index,
                    name: name.to_string(),
                    error,
                })?,
            );
        }
        out.insert(name.to_ascii_lowercase(), set);
    }
    Ok(out)
}

/// What address fields are resolved against: the subnet's `VirtualNetwork` tag and the loaded
/// service tags.
#[derive(Clone, Copy, Debug)]
pub struct TagContext<'a> {
    /// `VirtualNetwork` in this subnet's context.
    pub vnet: &'a PrefixSet,
    /// Loaded service tags.
    pub service: &'a ServiceTags,
}

/// Resolves an NSG or firewall address field (`*`, CIDR, IP, or a tag) in a subnet's context.
pub fn resolve(field: &str, ctx: &TagContext) -> Resolved {
    let vnet_tag = ctx.vnet;
    let f = field.trim();
    let ok = |set| Resolved {
        set,
        unresolved: None,
    };
    if f == "*" || f.eq_ignore_ascii_case("any") {
        return ok([p("0.0.0.0/0"), p("::/0")].into_iter().collect());
    }
    if let Ok(prefix) = Prefix::parse_lenient(f) {
        return ok([prefix].into_iter().collect());
    }
    match f.to_ascii_lowercase().as_str() {
        "virtualnetwork" => ok(vnet_tag.clone()),
        "azureloadbalancer" => ok([p(AZURE_HOST_IP)].into_iter().collect()),
        "internet" => ok(internet().clone()),
        other => match ctx.service.get(other) {
            Some(set) => ok(set.clone()),
            None => Resolved {
                set: PrefixSet::new(),
                unresolved: Some(f.to_string()),
            },
        },
    }
}
