//! The intent file: a short YAML description of the estate to design (`docs/intent.md`).
//!
//! Parsing is strict (unknown keys are errors, so typos are caught) and every error carries the
//! file, line and column. Defaults are the secure choice: private clusters, egress forced
//! through Azure Firewall, WAF in Prevention, private endpoints with public access disabled.

use aksnet_net::{PortRange, Prefix, Protocol};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::{DesignError, Position};

/// A value with the position it was written at, so later checks can point at it.
#[derive(Clone, Debug)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Where it was written (absent for values from aliases the parser could not place).
    pub position: Option<Position>,
}

impl<T> std::ops::Deref for At<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// A positioned value is written as the value itself.
impl<T: JsonSchema> JsonSchema for At<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(g)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// How a prefix is written: a CIDR block in network-address form.
struct CidrSchema;

impl JsonSchema for CidrSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cidr".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A CIDR block in network-address form, e.g. 10.240.0.0/16.",
            "pattern": "^[0-9a-fA-F.:]+/[0-9]{1,3}$"
        })
    }
}

impl<T: std::fmt::Display> std::fmt::Display for At<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

impl<'a, T> IntoIterator for &'a At<Vec<T>> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.value.iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Self {
            position: Position::from_location(&s.referenced),
            value: s.value,
        })
    }
}

/// Largest intent file accepted (hostile-input guard).
pub const MAX_INTENT_BYTES: usize = 1 << 20;

/// The whole intent file.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Intent {
    /// Estate name, used in every resource name (lowercase letters, digits, hyphens).
    pub name: At<String>,
    /// Azure region, e.g. `westeurope`.
    pub location: At<String>,
    /// Named subscriptions that `hub.subscription` / `spokes[].subscription` refer to.
    #[serde(default)]
    pub subscriptions: std::collections::BTreeMap<String, String>,
    /// Where VNet address spaces are allocated from when not given (default `10.0.0.0/8`).
    #[serde(default = "default_pool")]
    #[schemars(with = "Vec<CidrSchema>")]
    pub address_pool: At<Vec<Prefix>>,
    /// Planning knobs.
    #[serde(default)]
    pub planning: Planning,
    /// How globally unique names are made unique.
    #[serde(default)]
    pub naming: Naming,
    /// On-premises connectivity.
    #[serde(default)]
    pub on_premises: OnPremises,
    /// The hub.
    #[serde(default)]
    pub hub: HubIntent,
    /// The spokes, one AKS cluster each.
    pub spokes: At<Vec<At<SpokeIntent>>>,
    /// Egress additions on top of what AKS requires.
    #[serde(default)]
    pub egress: Egress,
    /// Flow intents, checked by `aksnet check` and `aksnet design` (not used by the planner).
    #[serde(default)]
    pub intents: Vec<At<FlowIntent>>,
    /// Accepted findings, each with its reason.
    #[serde(default)]
    pub suppressions: Vec<At<Suppression>>,
}

fn default_pool() -> At<Vec<Prefix>> {
    At {
        value: vec!["10.0.0.0/8".parse().expect("constant")],
        position: None,
    }
}

/// Planning knobs.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Planning {
    /// Growth headroom added to computed subnet needs, in percent (default 25).
    #[serde(default = "default_headroom")]
    pub headroom_percent: u32,
}

impl Default for Planning {
    fn default() -> Self {
        Self {
            headroom_percent: default_headroom(),
        }
    }
}

fn default_headroom() -> u32 {
    25
}

/// `naming: { suffix }`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Naming {
    /// Appended to every globally unique name (container registries, key vaults): 1-6
    /// lowercase letters or digits. Default: derived from each spoke's subscription and the
    /// estate's name (the first 6 hex digits of SHA-1 over `<subscription id>/<estate>`), or,
    /// when the intent names no subscription, by the generated Terraform from the one it is
    /// given.
    #[serde(default)]
    pub suffix: Option<At<String>>,
}

/// `onPremises: { prefixes, link }`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OnPremises {
    /// On-premises prefixes (never allocated, never overlapped).
    #[serde(default)]
    #[schemars(with = "Vec<CidrSchema>")]
    pub prefixes: Vec<Prefix>,
    /// `vpn`, `expressRoute` or `none` (default).
    #[serde(default)]
    pub link: Link,
}

/// How on-premises connects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Link {
    /// No on-premises connection.
    #[default]
    None,
    /// Site-to-site VPN gateway.
    Vpn,
    /// ExpressRoute gateway.
    ExpressRoute,
}

/// `hub: {...}`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HubIntent {
    /// Hub VNet space; planned from `addressPool` when omitted.
    #[serde(default)]
    #[schemars(with = "Option<CidrSchema>")]
    pub address_space: Option<At<Prefix>>,
    /// Subscription name (key of `subscriptions`) or id.
    #[serde(default)]
    pub subscription: Option<String>,
    /// `azureFirewall` (default), `nva` or `none`.
    #[serde(default)]
    pub firewall: FirewallKind,
    /// Azure Firewall tier: `Premium` (default) or `Standard`.
    #[serde(default = "default_fw_tier")]
    pub firewall_tier: String,
    /// NVA private IP (with `firewall: nva`); defaults to the first address of `snet-nva`.
    #[serde(default)]
    pub nva_ip: Option<At<String>>,
    /// Azure Bastion in the hub (default true).
    #[serde(default = "yes")]
    pub bastion: bool,
}

impl Default for HubIntent {
    fn default() -> Self {
        Self {
            address_space: None,
            subscription: None,
            firewall: FirewallKind::default(),
            firewall_tier: default_fw_tier(),
            nva_ip: None,
            bastion: true,
        }
    }
}

fn default_fw_tier() -> String {
    "Premium".to_string()
}

fn yes() -> bool {
    true
}

/// The egress appliance in the hub.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum FirewallKind {
    /// Azure Firewall with a Firewall Policy.
    #[default]
    AzureFirewall,
    /// A third-party network virtual appliance, by private IP.
    Nva,
    /// No egress control (clusters use a load balancer for egress).
    None,
}

/// One spoke.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SpokeIntent {
    /// Spoke name (lowercase letters, digits, hyphens).
    pub name: String,
    /// Spoke VNet space; planned from `addressPool` when omitted.
    #[serde(default)]
    #[schemars(with = "Option<CidrSchema>")]
    pub address_space: Option<At<Prefix>>,
    /// Subscription name (key of `subscriptions`) or id.
    #[serde(default)]
    pub subscription: Option<String>,
    /// The AKS cluster.
    pub cluster: ClusterIntent,
    /// Ingress components.
    #[serde(default)]
    pub ingress: Ingress,
    /// Private endpoints to create: `containerRegistry`, `keyVault`.
    #[serde(default = "default_pes")]
    pub private_endpoints: Vec<PrivateEndpointKind>,
}

fn default_pes() -> Vec<PrivateEndpointKind> {
    vec![
        PrivateEndpointKind::ContainerRegistry,
        PrivateEndpointKind::KeyVault,
    ]
}

/// A private endpoint target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum PrivateEndpointKind {
    /// Azure Container Registry (Premium), sub-resource `registry`.
    ContainerRegistry,
    /// Azure Key Vault, sub-resource `vault`.
    KeyVault,
}

/// `cluster: {...}`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterIntent {
    /// Cluster name (default `aks-<spoke>`).
    #[serde(default)]
    pub name: Option<String>,
    /// Kubernetes version (default: AKS's default).
    #[serde(default)]
    pub kubernetes_version: Option<String>,
    /// Private API server (default true).
    #[serde(default = "yes")]
    pub private: bool,
    /// Ranges allowed to reach a public API server.
    #[serde(default)]
    #[schemars(with = "Vec<CidrSchema>")]
    pub api_server_authorized_ranges: Vec<At<Prefix>>,
    /// API server VNet integration: a delegated /28 subnet (default false).
    #[serde(default)]
    pub api_server_vnet_integration: bool,
    /// CNI and CIDRs.
    #[serde(default)]
    pub network: NetworkIntent,
    /// Node pools (at least one System pool).
    pub node_pools: Vec<At<NodePoolIntent>>,
    /// Application namespaces: each gets a default-deny NetworkPolicy in the generated
    /// manifests (default `[apps]`).
    #[serde(default = "default_namespaces")]
    pub namespaces: Vec<String>,
}

fn default_namespaces() -> Vec<String> {
    vec!["apps".to_string()]
}

/// `network: {...}`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkIntent {
    /// `azure` (default) or `kubenet`.
    #[serde(default)]
    pub plugin: Plugin,
    /// With `azure`: `overlay` (default), `podSubnet` or `nodeSubnet`.
    #[serde(default)]
    pub mode: Option<CniMode>,
    /// `cilium` (default with azure), `calico` (default with kubenet), `azure`, `none`.
    #[serde(default)]
    pub policy: Option<String>,
    /// Pod CIDR for overlay/kubenet (planned when omitted).
    #[serde(default)]
    #[schemars(with = "Option<CidrSchema>")]
    pub pod_cidr: Option<At<Prefix>>,
    /// Service CIDR (planned when omitted; `172.16.0.0/16` when free).
    #[serde(default)]
    #[schemars(with = "Option<CidrSchema>")]
    pub service_cidr: Option<At<Prefix>>,
    /// Cluster DNS IP (default: the service CIDR's .10).
    #[serde(default)]
    pub dns_service_ip: Option<At<String>>,
}

/// Network plugin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Plugin {
    /// Azure CNI.
    #[default]
    Azure,
    /// kubenet (retiring 2028-03-31).
    Kubenet,
}

/// Azure CNI mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CniMode {
    /// Azure CNI Overlay.
    Overlay,
    /// Azure CNI with a dedicated pod subnet per node subnet.
    PodSubnet,
    /// Azure CNI node subnet ("flat", legacy).
    NodeSubnet,
}

/// One node pool.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePoolIntent {
    /// Pool name (lowercase letters and digits, ≤ 12).
    pub name: String,
    /// `System` or `User`.
    pub mode: PoolMode,
    /// VM size (default `Standard_D4ds_v5`).
    #[serde(default = "default_vm")]
    pub vm_size: String,
    /// Autoscaler minimum (default: 2 for System pools, 1 for User pools).
    #[serde(default)]
    pub min_count: Option<u32>,
    /// Autoscaler maximum: the subnet is sized for this.
    pub max_count: u32,
    /// Pods per node (default: the plugin's default).
    #[serde(default)]
    pub max_pods: Option<u32>,
    /// Upgrade surge, a count or a percentage (default `1`).
    #[serde(default)]
    pub max_surge: Option<String>,
    /// Its own subnet, NSG and route table (tenant isolation).
    #[serde(default)]
    pub isolated: bool,
    /// Availability zones (default 1, 2, 3).
    #[serde(default = "default_zones")]
    pub zones: Vec<String>,
}

fn default_vm() -> String {
    "Standard_D4ds_v5".to_string()
}

fn default_zones() -> Vec<String> {
    vec!["1".into(), "2".into(), "3".into()]
}

/// Pool mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum PoolMode {
    /// Runs system pods.
    System,
    /// Workloads.
    User,
}

/// `ingress: {...}`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ingress {
    /// Application Gateway v2 in front of the cluster (omit for none).
    #[serde(default)]
    pub app_gateway: Option<AppGatewayIntent>,
    /// An internal load balancer frontend in its own subnet (default true).
    #[serde(default = "yes")]
    pub internal_load_balancer: bool,
}

impl Default for Ingress {
    fn default() -> Self {
        Self {
            app_gateway: None,
            internal_load_balancer: true,
        }
    }
}

/// `appGateway: {...}`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppGatewayIntent {
    /// `public` (default) or `private`.
    #[serde(default)]
    pub frontend: Frontend,
    /// `prevention` (default), `detection` or `off` (off only with a private frontend).
    #[serde(default)]
    pub waf: WafMode,
    /// Autoscale maximum (default 10; v2 allows 125).
    #[serde(default = "default_agw_max")]
    pub max_capacity: u32,
    /// The WAF's core rule set (default `owasp-3.2`).
    #[serde(default)]
    pub rule_set: RuleSet,
    /// How the gateway reaches the ingress controller (default: HTTP on port 80, the client's
    /// Host header passed through).
    #[serde(default)]
    pub backend: BackendIntent,
}

/// `backend: { protocol, hostName }`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BackendIntent {
    /// `http` (default: port 80) or `https` (port 443, TLS to the ingress controller).
    #[serde(default)]
    pub protocol: BackendProtocol,
    /// The name on the ingress controller's certificate, required with `https`: the gateway
    /// sends it as SNI and Host header and checks the certificate against it.
    #[serde(default)]
    pub host_name: Option<At<String>>,
}

/// The protocol from the gateway to the ingress controller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BackendProtocol {
    /// HTTP on port 80.
    #[default]
    Http,
    /// HTTPS on port 443.
    Https,
}

fn default_agw_max() -> u32 {
    10
}

/// The WAF's core managed rule set, both within Azure WAF's supported versions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum RuleSet {
    /// OWASP CRS 3.2: recognised by policy scanners (Checkov CKV_AZURE_135 for Log4j).
    #[default]
    #[serde(rename = "owasp-3.2")]
    Owasp32,
    /// Microsoft Default Rule Set 2.1 (Microsoft's recommendation; also blocks Log4j, but
    /// Checkov CKV_AZURE_135 does not recognise it).
    #[serde(rename = "drs-2.1")]
    Drs21,
}

impl RuleSet {
    /// `(ruleSetType, ruleSetVersion)` as ARM spells them.
    pub fn arm(self) -> (&'static str, &'static str) {
        match self {
            RuleSet::Owasp32 => ("OWASP", "3.2"),
            RuleSet::Drs21 => ("Microsoft_DefaultRuleSet", "2.1"),
        }
    }
}

/// Application Gateway frontend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Frontend {
    /// Public IP (plus a private frontend for on-premises).
    #[default]
    Public,
    /// Private IP only (network-isolated deployment).
    Private,
}

/// WAF mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum WafMode {
    /// Block matches.
    #[default]
    Prevention,
    /// Log only.
    Detection,
    /// No WAF (Standard_v2).
    Off,
}

/// `egress: {...}`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Egress {
    /// Extra FQDNs the clusters may reach, `fqdn[:port]` (port 443 when omitted, 80 = HTTP).
    #[serde(default)]
    pub allow_fqdns: Vec<At<String>>,
}

/// A flow expectation, checked by `aksnet check`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FlowIntent {
    /// Source place.
    pub from: String,
    /// Destination place.
    pub to: String,
    /// `tcp/443`, `udp/53`, ... (default all).
    #[serde(default)]
    pub ports: Option<String>,
    /// `allow` or `deny`.
    pub expect: Expectation,
}

impl FlowIntent {
    /// The services the intent names: `tcp/443,udp/53,tcp/8000-8100`, `icmp`; absent or `any`
    /// is every protocol on every port. The error names the part that does not parse.
    pub fn services(&self) -> Result<Vec<(Protocol, PortRange)>, String> {
        flow_services(self.ports.as_deref())
    }
}

/// Parses an intent's `ports` (see [`FlowIntent::services`]); shared with `aksnet check`.
pub fn flow_services(spec: Option<&str>) -> Result<Vec<(Protocol, PortRange)>, String> {
    let Some(spec) = spec.filter(|s| !s.trim().eq_ignore_ascii_case("any")) else {
        return Ok(Protocol::ALL.iter().map(|&p| (p, PortRange::ANY)).collect());
    };
    spec.split(',')
        .map(|part| {
            let part = part.trim();
            let (proto, ports) = part.split_once('/').unwrap_or((part, "*"));
            let proto: Protocol = proto.parse().map_err(|_| {
                format!("`{part}`: unknown protocol `{proto}` (use tcp, udp or icmp)")
            })?;
            let ports: PortRange = ports
                .parse()
                .map_err(|_| format!("`{part}`: `{ports}` is not a port or range"))?;
            Ok((proto, ports))
        })
        .collect()
}

/// A finding the team accepts: reported as suppressed, with the reason, and not failing the run.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Suppression {
    /// Rule code, e.g. `AKS-PLK-001`.
    pub rule: String,
    /// A resource name or id fragment; absent: every finding of the rule.
    #[serde(default)]
    pub resource: Option<String>,
    /// Why it is accepted (mandatory, non-empty).
    pub reason: String,
}

/// Expected verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Expectation {
    /// Must be reachable.
    Allow,
    /// Must not be reachable.
    Deny,
}

/// The checking part of an intent file on its own, for estates that do not come from an intent
/// (`aksnet check --estate FILE --policy policy.yaml`): flow intents and suppressions.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Policy {
    /// Flow intents.
    #[serde(default)]
    pub intents: Vec<At<FlowIntent>>,
    /// Accepted findings.
    #[serde(default)]
    pub suppressions: Vec<At<Suppression>>,
}

impl Policy {
    /// Parses a policy file (see [`crate::policy`], which also checks it). `file` names it in
    /// errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, DesignError> {
        parse_yaml(file, text)
    }
}

/// YAML into `T`, with the size limit and errors at file:line:column.
fn parse_yaml<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T, DesignError> {
    if text.len() > MAX_INTENT_BYTES {
        return Err(DesignError::at(
            file,
            Position::start(),
            format!(
                "the file is {} bytes; the limit is {MAX_INTENT_BYTES}",
                text.len()
            ),
            "an intent or policy file is a short description; split generated content out",
        ));
    }
    let options = serde_saphyr::options! { with_snippet: false };
    serde_saphyr::from_str_with_options::<T>(text, options).map_err(|e| {
        use serde_saphyr::MessageFormatter;
        let pos = e
            .location()
            .map(|l| Position::new(l.line(), l.column()))
            .unwrap_or_else(Position::start);
        // The message without serde-saphyr's " at line L, column C" suffix, from its own API.
        let message = serde_saphyr::DefaultMessageFormatter.format_message(&e);
        DesignError::at(file, pos, message.into_owned(), hint_for_yaml(&e))
    })
}

impl Intent {
    /// Parses an intent file. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, DesignError> {
        parse_yaml(file, text)
    }
}

/// The hint for a YAML error, by its kind. Custom errors (serde-saphyr's `Message`) come from
/// aksnet's own value parsers: prefixes, addresses, ports.
fn hint_for_yaml(e: &serde_saphyr::Error) -> &'static str {
    use serde_saphyr::Error;
    match e.without_snippet() {
        Error::SerdeUnknownField { .. } => "check the spelling; docs/intent.md lists every field",
        Error::SerdeUnknownVariant { .. } => "use one of the listed values",
        Error::SerdeMissingField { .. } => "add the field; docs/intent.md shows an example",
        Error::Message { .. } => "write prefixes in network-address form, e.g. 10.240.0.0/16, and values as docs/intent.md shows",
        _ => "see docs/intent.md for the file's shape, or run `aksnet init` for a starter",
    }
}
