//! `aksnet required-egress` as text and CSV: what each cluster must reach through the firewall
//! ([`aksnet_model::aks_egress::requirements`]), as data for firewalls that have no
//! `AzureKubernetesService` FQDN tag (on-premises or third-party appliances; user report
//! MicrosoftDocs/azure-docs#108832).

use std::fmt::Write;

use aksnet_model::aks_egress::{Requirement, AKS_EGRESS_SOURCE_DATE};

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
