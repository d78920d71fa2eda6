//! AKS-EGR-003: the egress path blocks an endpoint AKS requires.

use aksnet_engine::endpoints::EndpointKind;
use aksnet_engine::places::Place;
use aksnet_engine::trace::Query;
use aksnet_engine::trace::Verdict;
use aksnet_model::aks_egress::{for_location, Applies, AKS_EGRESS_SOURCE_DATE, REQUIRED_FQDNS};
use aksnet_net::Protocol;

use crate::shared::node_subnets;
use crate::{Context, Doc, Finding, Rule, Severity};

/// A concrete name for a wildcard requirement (`*.data.mcr.microsoft.com`).
fn sample_name(pattern: &str) -> String {
    match pattern.strip_prefix("*.") {
        Some(rest) => format!("aksnet-probe.{rest}"),
        None => pattern.to_string(),
    }
}

/// Required AKS egress denied on the way out.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-EGR-003",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "Egress blocks an endpoint AKS requires",
        what: "For every node-pool subnet, traces each FQDN that AKS requires for this cluster's mode (Microsoft's outbound-rules list, recorded in `aksnet_model::aks_egress`; private clusters do not need the API server tunnel names) over its protocol and port, through routes, NSGs and the firewall policy — and, for a private cluster, HTTPS to its API server's private address — and reports what is denied, with the first denied flow as witness. Network-rule requirements to `AzureCloud.<region>` need service-tag prefixes and are not traced.",
        why: "Nodes that cannot reach MCR, ARM, Entra ID or the package mirrors fail to join or to upgrade (`vmssCSE` exit status 50, \"Unable to establish outbound connection from agents\"); the list changes over time (see the user reports below). Checkov and PSRule cannot see the firewall policy and the route together.",
        fix: "Allow the `AzureKubernetesService` FQDN tag, or the listed FQDNs, from the node subnets in an application rule collection that is evaluated before any deny.",
        references: &[
            "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress",
            "User report: https://github.com/Azure/AKS/issues/1918", "User report: https://github.com/Azure/AKS/issues/4792", "User report: https://github.com/MicrosoftDocs/azure-docs/issues/110895",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let mut out = Vec::new();
    for (s, cluster_id) in node_subnets(cx) {
        let Some(cluster) = cx.estate.managed_clusters.get(&cluster_id) else {
            continue;
        };
        let private = cluster.properties.is_private();
        let location = cluster.location.clone().unwrap_or_default();
        let mut denied = Vec::new();
        let mut witness = None;
        for req in REQUIRED_FQDNS {
            if private && req.applies == Applies::PublicApiServerOnly {
                continue;
            }
            let name = sample_name(&for_location(req.fqdn, &location));
            let tr = cx.plane.trace(&Query {
                from: Place::Subnet(s),
                to: Place::Internet,
                protocol: Protocol::Tcp,
                port: req.port,
                fqdn: Some(name.clone()),
            });
            if tr.verdict == Verdict::Denied {
                denied.push(format!("{name}:{}", req.port));
                witness.get_or_insert(tr);
            }
        }
        // Nodes and pods reach the API server itself: a private cluster's endpoint is in the
        // estate (the public one is the `*.hcp.<region>.azmk8s.io` name above).
        if let Some(api) = cx
            .plane
            .endpoints
            .iter_enumerated()
            .find(|(_, e)| e.kind == EndpointKind::ApiServerPrivate && e.resource == cluster_id)
            .map(|(i, _)| i)
        {
            let tr = cx.plane.trace(&Query {
                from: Place::Subnet(s),
                to: Place::Endpoint(api),
                protocol: Protocol::Tcp,
                port: 443,
                fqdn: None,
            });
            if tr.verdict == Verdict::Denied {
                denied.push(format!(
                    "{} (private, tcp/443)",
                    cx.plane.endpoints[api].name
                ));
                witness.get_or_insert(tr);
            }
        }
        if let Some(w) = witness {
            out.push(
                Finding::new(
                    rule,
                    format!(
                        "nodes in `{}` ({}) cannot reach {} required endpoint(s) (list of {AKS_EGRESS_SOURCE_DATE}): {}; first denial: {}",
                        t.subnets[s].label(t),
                        cluster.name,
                        denied.len(),
                        denied.join(", "),
                        w.reason
                    ),
                    vec![t.subnets[s].id.clone(), cluster_id.clone()],
                )
                .with_witness(w),
            );
        }
    }
    out
}
