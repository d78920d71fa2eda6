//! The public ARM templates of `../shared/corpus/arm`, deployed by aksnet with the parameters
//! a user would give, judged against what each network, read by hand, must give.

mod common;

use common::{aksnet, err, out};

fn corpus(name: &str) -> String {
    format!(
        "{}/../../../shared/corpus/arm/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Runs `aksnet` in a temporary directory.
fn run(args: &[&str]) -> std::process::Output {
    let d = tempfile::tempdir().unwrap();
    aksnet(d.path(), args)
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn firewall_quickstart_routes_to_an_address_the_template_does_not_give_the_firewall() {
    // By hand: one VNet 10.0.0.0/16 with JumpboxSubnet, AzureFirewallSubnet 10.0.1.0/24 and
    // ServersSubnet 10.0.2.0/24; ServersSubnet's route table sends 0.0.0.0/0 to the appliance
    // 10.0.1.4; the firewall (classic rules) declares no private address, so nothing in the
    // template says 10.0.1.4 is the firewall: egress from the servers is unknown, not allowed.
    let t =
        corpus("quickstart-azurefirewall-create-with-ipgroups-and-linux-jumpbox.azuredeploy.json");
    let args = ["--azure-json", t.as_str(), "-p", "adminUsername=azureuser"];
    let o = run(&[&["routes", "vnetunio7inrxdtco/ServersSubnet"], &args[..]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains("0.0.0.0/0       VirtualAppliance  10.0.1.4"),
        "{}",
        out(&o)
    );
    let o = run(&[
        &[
            "trace",
            "--from",
            "vnetunio7inrxdtco/ServersSubnet",
            "--to",
            "internet",
        ],
        &args[..],
    ]
    .concat());
    assert!(out(&o).contains("verdict: unknown"), "{}", out(&o));
    // With the firewall at its subnet's first address, its classic rules decide: every rule
    // takes its sources from IP groups of public ranges, so the servers are denied.
    let o = run(&[
        &[
            "trace",
            "--from",
            "vnetunio7inrxdtco/ServersSubnet",
            "--to",
            "12.0.0.5",
            "--port",
            "90",
            "--switch",
            "firewall-first-address",
        ],
        &args[..],
    ]
    .concat());
    assert!(
        out(&o).contains("verdict: denied — denied by firewall1 (no rule matched: default deny)"),
        "{}",
        out(&o)
    );
    // The jump box subnet has no NSG of its own (its NIC has one): a true warning.
    let o = run(&[&["check", "--fail-on", "never"], &args[..]].concat());
    assert!(
        out(&o)
            .contains("warning[AKS-NET-001]: subnet `vnetunio7inrxdtco/JumpboxSubnet` has no NSG"),
        "{}",
        out(&o)
    );
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn waf_quickstart_has_its_policy_in_detection_mode() {
    // By hand: the WAF policy's mode comes from the parameter firewallPolicySettings, whose
    // default says Detection; the gateway is public.
    let t = corpus("quickstart-application-gateway-waf-firewall-policy.azuredeploy.json");
    let o = run(&[
        "check",
        "--azure-json",
        &t,
        "-p",
        "existingVnetResourceGroup=rg-net",
        "-p",
        "existingVnetName=vnet-app",
        "-p",
        "existingSubnetName=snet-appgw",
        "--fail-on",
        "never",
    ]);
    assert!(
        out(&o).contains("error[AKS-ING-002]: public Application Gateway `appGw01` has WAF policy `FirewallPolicy01` in Detection mode"),
        "{}{}",
        out(&o),
        err(&o)
    );
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn private_cluster_demo_puts_its_service_cidr_inside_the_vnet() {
    // By hand: the VNet is 10.0.0.0/8 and the service CIDR 10.2.0.0/16, inside it.
    let t = corpus("demo-private-aks-cluster.azuredeploy.json");
    let o = run(&[
        "check",
        "--azure-json",
        &t,
        "-p",
        "aksClusterAdminUsername=azureuser",
        "-p",
        "aksClusterSshPublicKey=ssh-rsa AAAA",
        "-p",
        "logAnalyticsWorkspaceName=law",
        "-p",
        "vmAdminUsername=azureuser",
        "-l",
        "eastus",
        "--fail-on",
        "never",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AKS-ADR-001")
        .expect("the service CIDR overlap");
    // Located at the cluster's declaration in the nested deployment.
    assert_eq!(f["location"]["line"], 1910);
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn landing_zone_accelerator_sends_cluster_egress_to_the_firewall_with_a_load_balancer_outbound() {
    // By hand (2.75 MB, subscription scope, 191 nested deployments): hub 10.0.0.0/16 with
    // AzureBastionSubnet 10.0.2.0/27 (Azure requires /26), spoke 10.1.0.0/16 whose AKS subnet
    // routes 0.0.0.0/0 to the firewall's 10.0.1.4 while the cluster's outboundType defaults to
    // loadBalancer; the registry, Key Vault and their endpoints take names from utcNow() in
    // nested defaults, so they are unknown and skipped (reported).
    let t = corpus("aks-lza-secure-baseline-private-cluster.main.json");
    let d = tempfile::tempdir().unwrap();
    let o = aksnet(
        d.path(),
        &[
            "import",
            &t,
            "-p",
            "aksadminaccessprincipalId=11111111-1111-1111-1111-111111111111",
            "-l",
            "eastus",
            "--keep-going",
            "--out",
            "lza.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("the name of this Microsoft.ContainerRegistry/registries is unknown (parameters('acrName'): its default value utcNow() is unknown"),
        "{e}"
    );
    assert!(
        out(&o).contains("1  Microsoft.ContainerService/managedClusters"),
        "{}",
        out(&o)
    );
    let o = aksnet(
        d.path(),
        &["check", "--estate", "lza.json", "--fail-on", "never"],
    );
    let text = out(&o);
    for want in [
        "error[AKS-ADR-004]: `AzureBastionSubnet` is 10.0.2.0/27",
        "error[AKS-EGR-002]: cluster `aksCluster` uses outboundType loadBalancer, but `VNet-SPOKE/AKS` sends 0.0.0.0/0 to VirtualAppliance 10.0.1.4",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    // The hub firewall has classic rules only (no policy): NTP by a network rule, the AKS FQDN
    // tag by an application rule, anything else denied. Its private address is not in the
    // template (Azure assigns it), so without the switch whether the route's 10.0.1.4 is the firewall
    // is unknown.
    let trace = |extra: &[&str], to: &[&str]| {
        let base = ["trace", "--estate", "lza.json", "--from", "VNet-SPOKE/AKS"];
        out(&aksnet(d.path(), &[&base[..], to, extra].concat()))
    };
    let ntp = ["--to", "203.0.113.5", "--protocol", "udp", "--port", "123"];
    let first = ["--switch", "firewall-first-address"];
    let t1 = trace(&[], &ntp);
    assert!(
        t1.contains("verdict: unknown")
            && t1.contains("10.0.1.4 is in the AzureFirewallSubnet of AZFW"),
        "{t1}"
    );
    let t2 = trace(&first, &ntp);
    assert!(t2.contains("AZFW (network pass): AKS-egress/NTP"), "{t2}");
    assert!(t2.contains("verdict: allowed"), "{t2}");
    let mcr = [
        "--to",
        "internet",
        "--port",
        "443",
        "--fqdn",
        "mcr.microsoft.com",
    ];
    let t3 = trace(&first, &mcr);
    assert!(
        t3.contains("AZFW (application pass): AKS-egress-application/AKS-FQDN-TAG"),
        "{t3}"
    );
    let other = ["--to", "internet", "--port", "443", "--fqdn", "example.org"];
    let t4 = trace(&first, &other);
    assert!(
        t4.contains("verdict: denied — denied by AZFW (no rule matched: default deny)"),
        "{t4}"
    );
    // Without --keep-going the skipped resources stop the import.
    let o = aksnet(
        d.path(),
        &[
            "import",
            &t,
            "-p",
            "aksadminaccessprincipalId=1",
            "-l",
            "eastus",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn app_gateway_quickstart_imports_without_problems() {
    let t = corpus("quickstart-application-gateway-v2-autoscale-create.azuredeploy.json");
    let o = run(&["import", &t]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("Imported 3 resource(s)"), "{}", out(&o));
    assert!(err(&o).is_empty(), "{}", err(&o));
}
