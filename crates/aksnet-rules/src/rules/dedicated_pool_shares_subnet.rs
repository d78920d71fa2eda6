//! AKS-CLU-002: a dedicated (tainted) node pool that shares its subnet with other pools.

use std::collections::BTreeMap;

use crate::{Context, Doc, Finding, Rule, Severity};

/// The taint every system pool may carry; it does not make a pool a tenant's.
const SYSTEM_TAINT: &str = "CriticalAddonsOnly";

/// Isolated pool sharing a subnet.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CLU-002",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Isolated node pool shares its subnet",
        what: "A node pool dedicated by a `NoSchedule`/`NoExecute` taint (other than `CriticalAddonsOnly`) whose node subnet also holds another pool, of the same or another cluster. `aksnet design` taints `isolated: true` pools with `tenant=<pool>`.",
        why: "Taints keep other pods off the nodes, but NSGs, route tables and firewall rules work per subnet: a tenant that shares its subnet cannot be given its own network rules, and its egress cannot be told apart at the firewall.",
        fix: "Give the pool its own subnet (`vnetSubnetID`), with its own NSG and route table association.",
        references: &[
            "https://learn.microsoft.com/azure/aks/create-node-pools",
            "https://learn.microsoft.com/azure/architecture/guide/multitenant/service/aks",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let mut by_subnet: BTreeMap<&aksnet_model::ResourceId, Vec<(&str, &str, bool)>> =
        BTreeMap::new();
    for mc in cx.estate.managed_clusters.iter() {
        for p in &mc.properties.agent_pool_profiles {
            let Some(s) = &p.vnet_subnet_id else { continue };
            let dedicated = p.node_taints.iter().any(|t| {
                (t.ends_with(":NoSchedule") || t.ends_with(":NoExecute"))
                    && !t.starts_with(SYSTEM_TAINT)
            });
            by_subnet
                .entry(s)
                .or_default()
                .push((&mc.name, &p.name, dedicated));
        }
    }
    let mut out = Vec::new();
    for (subnet, pools) in by_subnet {
        for &(cluster, pool, dedicated) in &pools {
            if !dedicated || pools.len() < 2 {
                continue;
            }
            let others: Vec<String> = pools
                .iter()
                .filter(|o| (o.0, o.1) != (cluster, pool))
                .map(|o| format!("{}/{}", o.0, o.1))
                .collect();
            out.push(Finding::new(
                rule,
                format!(
                    "dedicated pool `{cluster}/{pool}` shares subnet `{}` with {}",
                    subnet.name(),
                    others.join(", ")
                ),
                vec![subnet.clone()],
            ));
        }
    }
    out
}
