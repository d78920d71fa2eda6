//! Bad intents: every error names the file, the line and column where known, the numbers, and
//! a hint. Hostile inputs fail cleanly.

use aksnet_design::{design, DesignErrors};

const BASE: &str = "name: t\nlocation: westeurope\nspokes:\n  - name: a\n    cluster:\n      nodePools:\n        - { name: system, mode: System, maxCount: 3 }\n";

fn errors(text: &str) -> DesignErrors {
    design("intent.yaml", text).expect_err("the intent is invalid")
}

fn first(text: &str) -> (Option<(u64, u64)>, String, String) {
    let e = errors(text).0.remove(0);
    (e.position.map(|p| (p.line, p.column)), e.message, e.hint)
}

#[test]
fn base_is_valid() {
    design("intent.yaml", BASE).unwrap();
}

#[test]
fn yaml_syntax_error_has_line_and_column() {
    let (pos, msg, _) = first("name: t\nlocation: [westeurope\nspokes: []\n");
    assert!(pos.is_some_and(|(l, _)| l >= 2), "{pos:?} {msg}");
}

#[test]
fn unknown_field_points_at_it_and_suggests_the_docs() {
    let text = BASE.replace("maxCount: 3", "maxCont: 3");
    let (pos, msg, hint) = first(&text);
    assert_eq!(pos, Some((7, 41)), "{msg}");
    assert!(msg.contains("unknown field `maxCont`"), "{msg}");
    assert!(hint.contains("docs/intent.md"));
}

#[test]
fn type_error_points_at_the_value() {
    let text = BASE.replace("maxCount: 3", "maxCount: -3");
    let (pos, msg, _) = first(&text);
    assert_eq!(pos.map(|p| p.0), Some(7), "{msg}");
}

#[test]
fn bad_cidr_is_rejected_with_the_canonical_form() {
    let text = BASE.replace(
        "  - name: a\n",
        "  - name: a\n    addressSpace: 10.240.0.1/16\n",
    );
    let (pos, msg, _) = first(&text);
    assert_eq!(pos.map(|p| p.0), Some(5), "{msg}");
    assert!(msg.contains("10.240.0.0/16"), "{msg}");
}

#[test]
fn a_cluster_needs_a_system_pool() {
    let text = BASE.replace("mode: System", "mode: User");
    let (pos, msg, hint) = first(&text);
    assert_eq!(pos, Some((4, 5)));
    assert!(msg.contains("no System node pool"), "{msg}");
    assert!(hint.contains("mode: System"));
}

#[test]
fn spoke_too_small_for_flat_cni_gives_the_numbers() {
    let text = "name: t\nlocation: westeurope\nspokes:\n  - name: a\n    addressSpace: 10.240.0.0/24\n    cluster:\n      network: { plugin: azure, mode: nodeSubnet }\n      nodePools:\n        - { name: system, mode: System, maxCount: 3 }\n        - { name: user, mode: User, maxCount: 20, maxPods: 50 }\n";
    let (pos, msg, hint) = first(text);
    assert_eq!(pos, Some((5, 19)));
    assert!(msg.contains("does not fit in 10.240.0.0/24"), "{msg}");
    assert!(
        msg.contains("`user` (20 nodes + 1 surge) × (50 pods + 1) = 1,071"),
        "{msg}"
    );
    assert!(hint.contains("Overlay"), "{hint}");
}

#[test]
fn explicit_space_overlapping_on_premises_is_pointed_at() {
    let text = BASE.replace("spokes:\n", "onPremises: { prefixes: [10.0.0.0/8], link: vpn }\nhub:\n  addressSpace: 10.200.0.0/22\nspokes:\n");
    let (pos, msg, _) = first(&text);
    assert_eq!(pos, Some((5, 17)));
    assert!(msg.contains("overlaps on-premises (10.0.0.0/8)"), "{msg}");
}

#[test]
fn service_cidr_rules_point_at_the_value() {
    let text = BASE.replace(
        "      nodePools:",
        "      network: { serviceCidr: 100.64.0.0/11 }\n      nodePools:",
    );
    let (pos, msg, _) = first(&text);
    assert_eq!(pos.map(|p| p.0), Some(6));
    assert!(msg.contains("smaller than /12"), "{msg}");
    let text = BASE.replace(
        "      nodePools:",
        "      network: { serviceCidr: 172.31.0.0/16 }\n      nodePools:",
    );
    assert!(first(&text).1.contains("AKS reserves"));
    let text = BASE.replace(
        "      nodePools:",
        "      network: { serviceCidr: 172.16.0.0/16, dnsServiceIp: 172.16.0.1 }\n      nodePools:",
    );
    assert!(first(&text).1.contains("not its network or first address"));
}

/// A service CIDR of /29 to /32 has no .10 for the DNS service IP: an error at the value, not
/// a panic in the planner (issue 15, item 4).
#[test]
fn a_service_cidr_too_small_for_the_dns_ip_is_refused_at_the_value() {
    for len in [29, 30, 31, 32] {
        let text = BASE.replace(
            "      nodePools:",
            &format!("      network: {{ serviceCidr: 172.16.0.0/{len} }}\n      nodePools:"),
        );
        let (pos, msg, hint) = first(&text);
        assert_eq!(pos.map(|p| p.0), Some(6), "/{len}: {msg}");
        assert!(
            msg.contains("too few for the cluster DNS service IP"),
            "/{len}: {msg}"
        );
        assert!(hint.contains("/16"));
    }
}

#[test]
fn kubenet_with_cilium_is_refused() {
    let text = BASE.replace(
        "      nodePools:",
        "      network: { plugin: kubenet, policy: cilium }\n      nodePools:",
    );
    assert!(first(&text)
        .1
        .contains("kubenet supports network policy calico only"));
}

#[test]
fn public_app_gateway_without_waf_is_refused() {
    let text = format!("{BASE}    ingress: {{ appGateway: {{ frontend: public, waf: off }} }}\n");
    assert!(first(&text).1.contains("without WAF"));
}

#[test]
fn max_pods_out_of_range_names_the_pool() {
    let text = BASE.replace("maxCount: 3", "maxCount: 3, maxPods: 300");
    let (pos, msg, _) = first(&text);
    assert_eq!(pos, Some((7, 11)));
    assert!(msg.contains("`system` has maxPods 300; AKS accepts 10-250"));
}

#[test]
fn several_errors_are_reported_together() {
    let text = BASE.replace("maxCount: 3", "maxCount: 0, maxPods: 5");
    assert!(errors(&text).0.len() >= 2);
}

#[test]
fn unknown_subscription_lists_the_known_ones() {
    let text = BASE.replace("  - name: a\n", "  - name: a\n    subscription: prod\n");
    let msg = first(&text).1;
    assert!(
        msg.contains("subscription `prod`") && msg.contains("none declared"),
        "{msg}"
    );
}

#[test]
fn pool_exhaustion_is_an_error_not_a_panic() {
    let text = BASE.replace("spokes:\n", "addressPool: [10.0.0.0/24]\nspokes:\n");
    let msg = first(&text).1;
    assert!(msg.contains("no free"), "{msg}");
}

#[test]
fn hostile_inputs_fail_cleanly() {
    let huge = format!("{BASE}# {}\n", "x".repeat(2 << 20));
    assert!(first(&huge).1.contains("limit"));
    let deep = format!("name: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    assert!(design("deep.yaml", &deep).is_err());
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    assert!(design("bomb.yaml", bomb).is_err());
    for junk in [
        "",
        "\0\0\0",
        "---\n...\n",
        "- a\n- b\n",
        "name: t\nlocation: westeurope\nspokes: {}\n",
    ] {
        assert!(design("junk.yaml", junk).is_err(), "{junk:?}");
    }
}

/// Every intent error has a line and column (issue 15, item 4): the region, the pool, the spoke
/// list, a pool with no room, and a CIDR of the wrong family.
#[test]
fn intent_errors_point_at_the_value_with_a_hint() {
    let cases: [(String, (u64, u64), &str, &str); 6] = [
        (
            BASE.replace("westeurope", "westeurop"),
            (2, 11),
            "location `westeurop` is not an Azure region name",
            "did you mean `westeurope`?",
        ),
        (
            BASE.replace("westeurope", "West Europe"),
            (2, 11),
            "`West Europe` is not an Azure region name",
            "did you mean `westeurope`?",
        ),
        (
            BASE.replace(
                "location: westeurope\n",
                "location: westeurope\naddressPool: [fd00::/8]\n",
            ),
            (3, 14),
            "addressPool must list at least one IPv4 prefix",
            "10.0.0.0/8",
        ),
        (
            "name: t\nlocation: westeurope\nspokes: []\n".to_string(),
            (3, 9),
            "the intent has no spokes",
            "add at least one spoke",
        ),
        (
            BASE.replace(
                "location: westeurope\n",
                "location: westeurope\naddressPool: [10.0.0.0/28]\n",
            ),
            (3, 14),
            "no free /",
            "add a prefix to addressPool",
        ),
        (
            BASE.replace(
                "      nodePools:",
                "      network: { serviceCidr: 'fd00::/108' }\n      nodePools:",
            ),
            (6, 31),
            "service CIDR fd00::/108 is IPv6",
            "use an IPv4 range",
        ),
    ];
    for (text, at, msg_part, hint_part) in cases {
        let (pos, msg, hint) = first(&text);
        assert_eq!(pos, Some(at), "{msg}\n---\n{text}");
        assert!(msg.contains(msg_part), "{msg}");
        assert!(hint.contains(hint_part), "{hint}");
    }
}

/// A region aksnet does not know and cannot guess gets the list's date, so a new region is
/// recognisable as such.
#[test]
fn an_unknown_region_without_a_near_name_says_how_old_the_list_is() {
    let (_, msg, hint) = first(&BASE.replace("westeurope", "marsnorth1"));
    assert!(msg.contains("`marsnorth1`"), "{msg}");
    assert!(
        hint.contains("az account list-locations") && hint.contains("2026"),
        "{hint}"
    );
}

#[test]
fn an_allow_intent_from_the_internet_straight_to_nodes_is_refused_where_it_was_written() {
    for to in ["a/nodes", "a/snet-system", "vnet-a/snet-system"] {
        let text = format!(
            "{BASE}intents:\n  - {{ from: internet, to: {to}, ports: tcp/443, expect: allow }}\n"
        );
        let (pos, msg, hint) = first(&text);
        assert_eq!(pos, Some((9, 5)), "{to}: {msg}");
        assert!(
            msg.contains("never lets the Internet reach nodes directly"),
            "{msg}"
        );
        assert!(msg.contains("Application Gateway"), "{msg}");
        assert!(hint.contains("expect deny"), "{hint}");
    }
}

#[test]
fn internet_to_nodes_may_be_denied_and_to_the_load_balancer_left_to_check() {
    for line in [
        "  - { from: internet, to: a/nodes, expect: deny }\n",
        "  - { from: internet, to: a:ilb, ports: tcp/443, expect: allow }\n",
    ] {
        design("intent.yaml", &format!("{BASE}intents:\n{line}")).unwrap();
    }
}

#[test]
fn clusters_beyond_aks_limits_are_refused_at_their_spoke() {
    // 101 pools (the System pool and 100 more): AKS allows 100 per cluster.
    let pools: String = (0..100)
        .map(|i| format!("        - {{ name: u{i}, mode: User, maxCount: 1 }}\n"))
        .collect();
    let text = format!("{BASE}{pools}");
    let all = errors(&text).0;
    let e = all
        .iter()
        .find(|e| e.message.contains("101 node pools"))
        .unwrap_or_else(|| panic!("{:?}", all.iter().map(|e| &e.message).collect::<Vec<_>>()));
    assert_eq!(e.position.map(|p| (p.line, p.column)), Some((4, 5)));
    assert!(e.message.contains("AKS allows 100"), "{}", e.message);
    // Six pools of 1,000 nodes and the System pool's 3: 6,003 of 5,000 nodes per cluster.
    let pools: String = (0..6)
        .map(|i| format!("        - {{ name: u{i}, mode: User, maxCount: 1000 }}\n"))
        .collect();
    let all = errors(&format!("{BASE}{pools}")).0;
    assert!(
        all.iter().any(|e| e
            .message
            .contains("scales to 6003 nodes; AKS allows 5000 per cluster")),
        "{:?}",
        all.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
}

#[test]
fn an_https_backend_needs_a_host_name_and_a_dns_one() {
    let with = |backend: &str| {
        BASE.replace(
            "        - { name: system, mode: System, maxCount: 3 }\n",
            &format!("        - {{ name: system, mode: System, maxCount: 3 }}\n    ingress:\n      appGateway: {{ backend: {backend} }}\n"),
        )
    };
    let (_, msg, hint) = first(&with("{ protocol: https }"));
    assert!(msg.contains("needs a hostName"), "{msg}");
    assert!(hint.contains("certificate"), "{hint}");
    let (pos, msg, _) = first(&with("{ protocol: https, hostName: \"not a name\" }"));
    assert!(msg.contains("not a DNS name"), "{msg}");
    assert_eq!(pos.map(|p| p.0), Some(9), "{msg}");
    let (_, msg, hint) = first(&with("{ hostName: ingress.internal.contoso.com }"));
    assert!(msg.contains("applies to https"), "{msg}");
    assert!(hint.contains("Host header"), "{hint}");
    design(
        "intent.yaml",
        &with("{ protocol: https, hostName: ingress.internal.contoso.com }"),
    )
    .unwrap();
}
