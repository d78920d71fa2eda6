//! Intent checks that need no addresses: names, pools, plugin/policy combinations, references.

use crate::intent::At;
use aksnet_model::azure;

use crate::error::{DesignError, Position};
use crate::intent::{Frontend, Intent, Plugin, PoolMode, WafMode};

/// Where a spanned value sits.
pub(crate) fn pos<T>(s: &At<T>) -> Position {
    s.position.unwrap_or_else(Position::start)
}

fn valid_name(s: &str, max: usize, hyphens: bool) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || (hyphens && c == '-'))
        && !s.ends_with('-')
}

/// A DNS host name: dot-separated labels of 1-63 letters, digits and inner hyphens, 253
/// characters at most.
fn valid_host_name(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|l| {
            (1..=63).contains(&l.len())
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

struct Errs<'a> {
    file: &'a str,
    list: Vec<DesignError>,
}

impl Errs<'_> {
    fn at(&mut self, p: Position, m: String, h: &str) {
        self.list.push(DesignError::at(self.file, p, m, h));
    }

    fn file(&mut self, m: String, h: &str) {
        self.list.push(DesignError::in_file(self.file, m, h));
    }
}

/// Checks the intent; returns errors and warnings.
pub(crate) fn check(intent: &Intent, file: &str) -> (Vec<DesignError>, Vec<String>) {
    let mut e = Errs {
        file,
        list: Vec::new(),
    };
    let mut warns = Vec::new();
    if !valid_name(&intent.name, 20, true) {
        e.at(
            pos(&intent.name),
            format!("estate name `{}` must be 1-20 lowercase letters, digits or hyphens, starting with a letter", *intent.name),
            "it is part of every resource name, e.g. `contoso`",
        );
    }
    if let Some(suffix) = &intent.naming.suffix {
        if !aksnet_model::naming::valid_suffix(suffix) {
            e.at(
                pos(suffix),
                format!(
                    "naming suffix `{}` must be 1-{} lowercase letters or digits",
                    **suffix,
                    aksnet_model::naming::SUFFIX_LEN
                ),
                "it ends every registry and key vault name, which take nothing else; leave it out to derive one from the subscription",
            );
        }
    }
    let location = intent.location.as_str();
    if !aksnet_model::azure::REGIONS.contains(&location) {
        let hint = match aksnet_model::azure::region_suggestion(location) {
            Some(r) => format!("did you mean `{r}`?"),
            None => format!(
                "use the programmatic name, e.g. westeurope or eastus2 (`az account list-locations -o table`); aksnet's list is of {}",
                aksnet_model::azure::REGIONS_AS_OF
            ),
        };
        e.at(
            pos(&intent.location),
            format!("location `{location}` is not an Azure region name"),
            &hint,
        );
    }
    if intent.address_pool.is_empty()
        || intent
            .address_pool
            .iter()
            .any(|p| p.family() != aksnet_net::Family::V4)
    {
        e.at(
            pos(&intent.address_pool),
            "addressPool must list at least one IPv4 prefix, and only IPv4 prefixes".to_string(),
            "e.g. addressPool: [10.0.0.0/8]",
        );
    }
    if intent.planning.headroom_percent > 1000 {
        e.file(
            format!(
                "planning.headroomPercent is {}; at most 1000",
                intent.planning.headroom_percent
            ),
            "25 leaves a quarter spare",
        );
    }
    if intent.spokes.is_empty() {
        e.at(
            pos(&intent.spokes),
            "the intent has no spokes".to_string(),
            "add at least one spoke with a cluster",
        );
    }
    let mut subs: Vec<(&str, Position)> = vec![];
    if let Some(s) = &intent.hub.subscription {
        subs.push((s, Position::start()));
    }
    let mut spoke_names: Vec<&str> = Vec::new();
    for spoke in &intent.spokes {
        let p = pos(spoke);
        if let Some(s) = &spoke.subscription {
            subs.push((s, p));
        }
        if !valid_name(&spoke.name, 20, true) {
            e.at(
                p,
                format!(
                    "spoke name `{}` must be 1-20 lowercase letters, digits or hyphens",
                    spoke.name
                ),
                "e.g. `aks-prod`",
            );
        }
        if spoke_names.contains(&spoke.name.as_str()) {
            e.at(
                p,
                format!("spoke `{}` is declared twice", spoke.name),
                "give every spoke its own name",
            );
        }
        spoke_names.push(&spoke.name);
        let c = &spoke.cluster;
        let net = &c.network;
        if net.plugin == Plugin::Kubenet {
            if net.mode.is_some() {
                e.at(
                    p,
                    format!(
                        "spoke `{}`: network.mode applies to Azure CNI only, not kubenet",
                        spoke.name
                    ),
                    "remove network.mode or use plugin: azure",
                );
            }
            if let Some(pol) = net
                .policy
                .as_deref()
                .filter(|p| !matches!(*p, "calico" | "none"))
            {
                e.at(
                    p,
                    format!(
                        "spoke `{}`: kubenet supports network policy calico only, not `{pol}`",
                        spoke.name
                    ),
                    "use policy: calico, or plugin: azure with policy: cilium",
                );
            }
        }
        if let Some(pol) = net
            .policy
            .as_deref()
            .filter(|p| !matches!(*p, "calico" | "cilium" | "azure" | "none"))
        {
            e.at(
                p,
                format!("spoke `{}`: unknown network policy `{pol}`", spoke.name),
                "use cilium, calico, azure or none",
            );
        }
        if !c.node_pools.iter().any(|np| np.mode == PoolMode::System) {
            e.at(
                p,
                format!("cluster of spoke `{}` has no System node pool", spoke.name),
                "add a pool with mode: System",
            );
        }
        let mut pools: Vec<&str> = Vec::new();
        for np in &c.node_pools {
            let pp = pos(np);
            if !valid_name(&np.name, 12, false) {
                e.at(pp, format!("node pool name `{}` must be 1-12 lowercase letters or digits, starting with a letter", np.name), "AKS pool names are short, e.g. `user` or `tenanta`");
            }
            if pools.contains(&np.name.as_str()) {
                e.at(
                    pp,
                    format!(
                        "node pool `{}` is declared twice in spoke `{}`",
                        np.name, spoke.name
                    ),
                    "give each pool its own name",
                );
            }
            pools.push(&np.name);
            let most = aksnet_model::limits::LimitId::PoolNodes
                .fixed()
                .unwrap_or(u64::MAX);
            if np.max_count == 0 || u64::from(np.max_count) > most {
                e.at(
                    pp,
                    format!(
                        "node pool `{}` has maxCount {}; AKS pools scale to 1-{most} nodes",
                        np.name, np.max_count
                    ),
                    &format!("set maxCount between 1 and {most}"),
                );
            }
            if np.min_count.is_some_and(|m| m > np.max_count) {
                e.at(
                    pp,
                    format!(
                        "node pool `{}` has minCount {} above maxCount {}",
                        np.name,
                        np.min_count.unwrap_or(0),
                        np.max_count
                    ),
                    "minCount must not exceed maxCount",
                );
            }
            if let Some(mp) = np.max_pods.filter(|m| !azure::MAX_PODS_RANGE.contains(m)) {
                e.at(
                    pp,
                    format!(
                        "node pool `{}` has maxPods {mp}; AKS accepts 10-250",
                        np.name
                    ),
                    "set maxPods between 10 and 250",
                );
            }
            if let Some(s) = &np.max_surge {
                let t = s.trim_end_matches('%');
                if t.parse::<u32>()
                    .map_or(true, |n| n == 0 || (s.ends_with('%') && n > 100))
                {
                    e.at(
                        pp,
                        format!(
                            "node pool `{}` has maxSurge `{s}`; use a node count or a percentage",
                            np.name
                        ),
                        "e.g. maxSurge: \"1\" or maxSurge: \"33%\"",
                    );
                }
            }
        }
        // Cluster-wide limits, from the same data the AKS-CAP rules read (designed clusters are
        // on the Standard tier).
        let most_pools = aksnet_model::limits::LimitId::ClusterPools
            .fixed()
            .unwrap_or(u64::MAX);
        if c.node_pools.len() as u64 > most_pools {
            e.at(
                p,
                format!(
                    "cluster of spoke `{}` has {} node pools; AKS allows {most_pools}",
                    spoke.name,
                    c.node_pools.len()
                ),
                "share pools between workloads with taints, or split the spoke",
            );
        }
        let nodes: u64 = c.node_pools.iter().map(|np| u64::from(np.max_count)).sum();
        if nodes > aksnet_model::limits::CLUSTER_NODES {
            e.at(
                p,
                format!(
                    "cluster of spoke `{}` scales to {nodes} nodes; AKS allows {} per cluster",
                    spoke.name,
                    aksnet_model::limits::CLUSTER_NODES
                ),
                "lower the pools' maxCount, or split the workload over spokes",
            );
        }
        if !c.private && c.api_server_authorized_ranges.is_empty() {
            warns.push(format!("spoke `{}`: the API server is public and reachable from any address; set apiServerAuthorizedRanges", spoke.name));
        }
        if c.private && !c.api_server_authorized_ranges.is_empty() {
            warns.push(format!("spoke `{}`: apiServerAuthorizedRanges do nothing on a private cluster (they apply to the public endpoint only)", spoke.name));
        }
        if let Some(agw) = &spoke.ingress.app_gateway {
            if agw.frontend == Frontend::Public && agw.waf == WafMode::Off {
                e.at(
                    p,
                    format!(
                        "spoke `{}`: a public Application Gateway without WAF exposes the cluster",
                        spoke.name
                    ),
                    "set ingress.appGateway.waf to prevention",
                );
            }
            // Over HTTPS the gateway checks the ingress controller's certificate against the
            // host name it sends (SNI): an IP backend has none of its own.
            // https://learn.microsoft.com/azure/application-gateway/ssl-overview#end-to-end-tls-with-the-v2-sku
            match (agw.backend.protocol, &agw.backend.host_name) {
                (crate::intent::BackendProtocol::Https, None) => e.at(
                    p,
                    format!(
                        "spoke `{}`: appGateway.backend.protocol https needs a hostName",
                        spoke.name
                    ),
                    "set appGateway.backend.hostName to the name on the ingress controller's certificate",
                ),
                // Over HTTP a host name would replace the client's Host header, which the
                // HTTP backend exists to pass through.
                (crate::intent::BackendProtocol::Http, Some(h)) => e.at(
                    pos(h),
                    "appGateway.backend.hostName applies to https backends".into(),
                    "leave it out to pass the client's Host header through, or set protocol: https",
                ),
                (_, Some(h)) if !valid_host_name(h) => e.at(
                    pos(h),
                    format!("appGateway.backend.hostName `{}` is not a DNS name", **h),
                    "use the ingress controller's name, e.g. ingress.internal.contoso.com",
                ),
                _ => {}
            }
            if agw.max_capacity == 0 || agw.max_capacity > 125 {
                e.at(
                    p,
                    format!(
                        "spoke `{}`: appGateway.maxCapacity {} is outside 1-125",
                        spoke.name, agw.max_capacity
                    ),
                    "Application Gateway v2 scales to 125 instances",
                );
            }
        }
    }
    for (s, p) in subs {
        if !intent.subscriptions.contains_key(s) && !looks_like_guid(s) {
            let known: Vec<&str> = intent.subscriptions.keys().map(String::as_str).collect();
            e.at(p, format!("subscription `{s}` is neither a key of `subscriptions` ({}) nor a subscription id", if known.is_empty() { "none declared".to_string() } else { known.join(", ") }), "declare it under `subscriptions:` with its id");
        }
    }
    for f in &intent.egress.allow_fqdns {
        if let Err(m) = crate::fqdn::parse_fqdn_port(f) {
            e.at(
                pos(f),
                m.to_string(),
                "write `host.example.com` or `*.example.com:443`",
            );
        }
    }
    for sp in &intent.spokes {
        for ns in &sp.cluster.namespaces {
            let label = ns.len() <= 63
                && ns
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && ns.starts_with(|c: char| c.is_ascii_alphanumeric())
                && ns.ends_with(|c: char| c.is_ascii_alphanumeric());
            if !label || ns.starts_with("kube-") {
                e.at(
                    pos(sp),
                    format!(
                        "namespace `{ns}` of spoke `{}` is not an application namespace name",
                        sp.name
                    ),
                    "use 1-63 lowercase letters, digits or hyphens, not starting with kube-",
                );
            }
        }
    }
    e.list.extend(suppressions(&intent.suppressions, file));
    (e.list, warns)
}

/// True for `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex).
pub(crate) fn looks_like_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Suppressions need a rule code and a reason.
pub(crate) fn suppressions(
    list: &[At<crate::intent::Suppression>],
    file: &str,
) -> Vec<DesignError> {
    let mut e = Errs {
        file,
        list: Vec::new(),
    };
    for s in list {
        if s.reason.trim().is_empty() {
            e.at(pos(s), format!("the suppression of `{}` has no reason", s.rule), "say why the finding is accepted, e.g. `reason: \"public registry for open-source images, no secrets\"`");
        }
        if !s.rule.starts_with("AKS-") {
            e.at(
                pos(s),
                format!("`{}` is not a rule code", s.rule),
                "use a code from `aksnet rules`, e.g. AKS-PLK-001",
            );
        }
    }
    e.list
}
