//! `aksnet required-egress`: what each cluster must reach through the firewall, as data for
//! firewalls that have no `AzureKubernetesService` FQDN tag (on-premises or third-party
//! appliances; user report MicrosoftDocs/azure-docs#108832).

use std::fmt::Write;

use aksnet_model::aks_egress::{
    for_location, Applies, AKS_EGRESS_SOURCE_DATE, RECOMMENDED_FQDNS, REQUIRED_FQDNS,
    REQUIRED_NETWORK,
};
use aksnet_model::Estate;
use serde::Serialize;

/// One destination a cluster's nodes need.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    /// The cluster.
    pub cluster: String,
    /// FQDN or service tag (`AzureCloud.<region>`).
    pub destination: String,
    /// `https`, `http`, `tcp` or `udp`.
    pub protocol: String,
    /// Port.
    pub port: u16,
    /// `application` (by name, HTTP/S) or `network` rule.
    pub rule: &'static str,
    /// Required, or recommended (OS updates).
    pub required: bool,
    /// What it is for.
    pub purpose: &'static str,
}

/// The requirements of every cluster in the estate, for its region and API server mode
/// (private clusters do not need the tunnel to a public API server).
pub fn requirements(e: &Estate, recommended: bool) -> Vec<Requirement> {
    let mut out = Vec::new();
    for mc in e.managed_clusters.iter() {
        let location = mc.location.clone().unwrap_or_default();
        let needed = |a: Applies| a == Applies::Always || !mc.properties.is_private();
        let fqdns = REQUIRED_FQDNS.iter().map(|r| (r, true)).chain(
            RECOMMENDED_FQDNS
                .iter()
                .filter(|_| recommended)
                .map(|r| (r, false)),
        );
        for (r, required) in fqdns.filter(|(r, _)| needed(r.applies)) {
            out.push(Requirement {
                cluster: mc.name.clone(),
                destination: for_location(r.fqdn, &location),
                protocol: r.protocol.to_ascii_lowercase(),
                port: r.port,
                rule: "application",
                required,
                purpose: r.purpose,
            });
        }
        for r in REQUIRED_NETWORK.iter().filter(|r| needed(r.applies)) {
            out.push(Requirement {
                cluster: mc.name.clone(),
                destination: for_location(r.destination, &location),
                protocol: r.protocol.to_ascii_lowercase(),
                port: r.port,
                rule: "network",
                required: true,
                purpose: r.purpose,
            });
        }
    }
    out
}

/// As a table per cluster.
pub fn text(list: &[Requirement]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "What AKS nodes must reach (Microsoft's outbound rules of {AKS_EGRESS_SOURCE_DATE})"
    );
    let mut cluster = "";
    for r in list {
        if r.cluster != cluster {
            cluster = &r.cluster;
            let (d, p, n, r) = ("destination", "proto", "port", "rule");
            let _ = writeln!(s, "\n{cluster}\n  {d:<44} {p:<6} {n:>5}  {r:<11} purpose");
        }
        let purpose = if r.required {
            r.purpose.to_string()
        } else {
            format!("{} (recommended)", r.purpose)
        };
        let _ = writeln!(
            s,
            "  {:<44} {:<6} {:>5}  {:<11} {purpose}",
            r.destination, r.protocol, r.port, r.rule
        );
    }
    if list.is_empty() {
        s.push_str("\nThe estate has no AKS cluster.\n");
    }
    s
}

/// As CSV (`cluster,destination,protocol,port,rule,required,purpose`).
pub fn csv(list: &[Requirement]) -> String {
    let mut s = String::from("cluster,destination,protocol,port,rule,required,purpose\n");
    for r in list {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},\"{}\"",
            r.cluster,
            r.destination,
            r.protocol,
            r.port,
            r.rule,
            r.required,
            r.purpose.replace('"', "\"\"")
        );
    }
    s
}
