//! Property tests: random valid intents always give a plan with no overlap, every subnet inside
//! its VNet and big enough for what it holds, and an estate that validates without errors.

use aksnet_design::design;
use aksnet_model::azure::usable_addresses;
use aksnet_net::{Prefix, PrefixSet};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Pool {
    max: u32,
    pods: u32,
    isolated: bool,
}

#[derive(Clone, Debug)]
struct Spoke {
    mode: &'static str,
    pools: Vec<Pool>,
    agw: bool,
    private: bool,
    integration: bool,
    pes: bool,
}

fn pool() -> impl Strategy<Value = Pool> {
    (1u32..=60, 10u32..=250, any::<bool>()).prop_map(|(max, pods, isolated)| Pool {
        max,
        pods,
        isolated,
    })
}

fn spoke() -> impl Strategy<Value = Spoke> {
    (
        prop::sample::select(vec!["overlay", "podSubnet", "nodeSubnet", "kubenet"]),
        prop::collection::vec(pool(), 0..4),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(mode, pools, agw, private, integration, pes)| Spoke {
            mode,
            pools,
            agw,
            private,
            integration,
            pes,
        })
}

fn yaml(onprem: &[Prefix], link: &str, firewall: &str, spokes: &[Spoke]) -> String {
    let onprem: Vec<String> = onprem.iter().map(ToString::to_string).collect();
    let mut y = format!(
        "name: prop\nlocation: westeurope\nonPremises: {{ prefixes: [{}], link: {link} }}\nhub: {{ firewall: {firewall} }}\nspokes:\n",
        onprem.join(", ")
    );
    for (i, s) in spokes.iter().enumerate() {
        let network = match s.mode {
            "kubenet" => "{ plugin: kubenet, policy: calico }".to_string(),
            m => format!("{{ plugin: azure, mode: {m} }}"),
        };
        y += &format!("  - name: s{i}\n    cluster:\n      private: {}\n      apiServerAuthorizedRanges: {}\n      apiServerVnetIntegration: {}\n      network: {network}\n      nodePools:\n        - {{ name: system, mode: System, maxCount: 3 }}\n",
            s.private, if s.private { "[]" } else { "[203.0.113.0/24]" }, s.integration);
        for (j, p) in s.pools.iter().enumerate() {
            y += &format!(
                "        - {{ name: p{j}, mode: User, maxCount: {}, maxPods: {}, isolated: {} }}\n",
                p.max, p.pods, p.isolated
            );
        }
        if s.agw {
            y += "    ingress: { appGateway: { frontend: public, waf: prevention } }\n";
        }
        if !s.pes {
            y += "    privateEndpoints: []\n";
        }
    }
    y
}

fn onprem() -> impl Strategy<Value = Vec<Prefix>> {
    prop::collection::vec((0u8..=255, 12u8..=20), 0..3).prop_map(|v| {
        v.into_iter()
            .map(|(b, len)| Prefix::new(std::net::Ipv4Addr::new(10, b, 0, 0).into(), len).unwrap())
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_intents_plan_cleanly(
        onprem in onprem(),
        link in prop::sample::select(vec!["none", "vpn", "expressRoute"]),
        firewall in prop::sample::select(vec!["azureFirewall", "nva", "none"]),
        spokes in prop::collection::vec(spoke(), 1..4),
    ) {
        let text = yaml(&onprem, link, firewall, &spokes);
        let d = design("prop.yaml", &text).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{text}")))?;
        let onprem_set: PrefixSet = onprem.iter().collect();
        let mut vnets = PrefixSet::new();
        for v in std::iter::once(&d.plan.hub).chain(d.plan.spokes.iter().map(|s| &s.vnet)) {
            prop_assert!(!vnets.overlaps(&v.address_space), "{} overlaps another VNet", v.name);
            prop_assert!(!onprem_set.overlaps(&v.address_space), "{} overlaps on-premises", v.name);
            vnets.insert(v.address_space);
            let mut used = PrefixSet::new();
            for s in &v.subnets {
                prop_assert!(v.address_space.contains(&s.prefix), "{} outside {}", s.name, v.name);
                prop_assert!(!used.overlaps(&s.prefix), "{} overlaps a sibling", s.name);
                used.insert(s.prefix);
                prop_assert_eq!(s.usable, usable_addresses(&s.prefix));
                prop_assert!(s.usable >= s.needed, "{} holds {} but needs {}", s.name, s.usable, s.needed);
            }
        }
        for sp in &d.plan.spokes {
            prop_assert!(!vnets.overlaps(&sp.service_cidr));
            prop_assert!(!onprem_set.overlaps(&sp.service_cidr));
            if let Some(pod) = sp.pod_cidr {
                prop_assert!(!vnets.overlaps(&pod) && !onprem_set.overlaps(&pod) && !pod.overlaps(&sp.service_cidr));
            }
        }
        // The same intent gives the same bytes.
        prop_assert_eq!(design("prop.yaml", &text).unwrap().estate.to_json(), d.estate.to_json());
    }
}
