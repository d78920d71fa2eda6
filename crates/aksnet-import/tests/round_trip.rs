//! A designed estate, written out as the JSON Azure would return for each resource (one REST
//! body per resource, in a list page), imports back to an equal estate.

use aksnet_design::design;
use aksnet_import::{assemble, parse, Summary};
use serde_json::Value;

fn as_azure_list(estate: &aksnet_model::Estate) -> String {
    let v = serde_json::to_value(estate).unwrap();
    let mut resources = Vec::new();
    for (k, x) in v.as_object().unwrap() {
        if let (false, Value::Array(items)) = (
            ["aksnetSchema", "name", "onPremisesPrefixes"].contains(&k.as_str()),
            x,
        ) {
            resources.extend(items.iter().cloned());
        }
    }
    // Reverse, so children and parents do not arrive in the estate's order.
    resources.reverse();
    serde_json::to_string_pretty(&serde_json::json!({ "value": resources, "nextLink": null }))
        .unwrap()
}

#[test]
fn every_example_round_trips_through_azure_json() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        let d = design("x", &std::fs::read_to_string(&p).unwrap()).unwrap();
        let text = as_azure_list(&d.estate);
        let mut raws = Vec::new();
        let mut diags = Vec::new();
        parse("list.json", &text, &mut raws, &mut diags);
        let mut imp = assemble(
            &d.estate.name,
            raws,
            Summary {
                diagnostics: diags,
                ..Default::default()
            },
        );
        imp.estate.on_premises_prefixes = d.estate.on_premises_prefixes.clone();
        // Like on-premises prefixes, subscription names live in the intent, not in Azure.
        imp.estate.subscription_names = d.estate.subscription_names.clone();
        // So does how the designer made names unique: Azure holds only the names.
        imp.estate.unique_names = d.estate.unique_names.clone();
        assert!(
            imp.summary.diagnostics.iter().all(|x| !x.error),
            "{}: {:?}",
            p.display(),
            imp.summary.diagnostics
        );
        assert_eq!(imp.summary.unknown_properties, 0, "{}", p.display());
        assert_eq!(imp.estate, d.estate, "{}", p.display());
        n += 1;
    }
    assert!(n >= 4);
}

#[test]
fn children_listed_separately_attach_to_their_parents() {
    let d = design(
        aksnet_design::REFERENCE_NAME,
        aksnet_design::REFERENCE_INTENT,
    )
    .unwrap();
    let mut v = serde_json::to_value(&d.estate).unwrap();
    // Take the subnets and NSG rules out of their parents and list them as resources of their own,
    // as `az network vnet subnet list` and `az network nsg rule list` return them.
    let mut extra = Vec::new();
    for vnet in v["virtualNetworks"].as_array_mut().unwrap() {
        for s in vnet["properties"]["subnets"]
            .as_array_mut()
            .unwrap()
            .drain(..)
        {
            let mut s = s;
            s["type"] = "Microsoft.Network/virtualNetworks/subnets".into();
            extra.push(s);
        }
    }
    for nsg in v["networkSecurityGroups"].as_array_mut().unwrap() {
        for r in nsg["properties"]["securityRules"]
            .as_array_mut()
            .unwrap()
            .drain(..)
        {
            extra.push(r); // no type: it comes from the id
        }
    }
    let mut resources: Vec<Value> = extra;
    for (k, x) in v.as_object().unwrap() {
        if let (false, Value::Array(items)) = (
            ["aksnetSchema", "name", "onPremisesPrefixes"].contains(&k.as_str()),
            x,
        ) {
            resources.extend(items.iter().cloned());
        }
    }
    let mut raws = Vec::new();
    let mut diags = Vec::new();
    parse(
        "all.json",
        &Value::Array(resources).to_string(),
        &mut raws,
        &mut diags,
    );
    let mut imp = assemble(
        &d.estate.name,
        raws,
        Summary {
            diagnostics: diags,
            ..Default::default()
        },
    );
    imp.estate.on_premises_prefixes = d.estate.on_premises_prefixes.clone();
    // Subnet order may differ; compare by content.
    for vnet in d.estate.virtual_networks.iter() {
        let got = imp.estate.virtual_networks.get(&vnet.id).unwrap();
        let mut a = vnet.properties.subnets.clone();
        let mut b = got.properties.subnets.clone();
        a.sort_by(|x, y| x.name.cmp(&y.name));
        b.sort_by(|x, y| x.name.cmp(&y.name));
        assert_eq!(a, b);
    }
    let rules = |e: &aksnet_model::Estate| {
        e.network_security_groups
            .iter()
            .map(|n| n.properties.security_rules.len())
            .sum::<usize>()
    };
    assert_eq!(rules(&imp.estate), rules(&d.estate));
}

#[test]
fn bad_inputs_say_where() {
    let mut raws = Vec::new();
    let mut diags = Vec::new();
    parse(
        "bad.json",
        "{\n  \"value\": [\n    { \"id\": 1,, }\n  ]\n}",
        &mut raws,
        &mut diags,
    );
    assert_eq!(diags[0].location, "3:15");
    assert_eq!(diags[0].message, "invalid JSON: key must be a string");
    // An element too deep to read as a tree says so (at the line and column within the element
    // where the depth ran out).
    let deep = format!("[{}{}]", "[".repeat(200), "]".repeat(200));
    let mut diags = Vec::new();
    parse("deep.json", &deep, &mut raws, &mut diags);
    assert_eq!(diags[0].location, "1:128");
    assert_eq!(diags[0].message, "invalid JSON: recursion limit exceeded");
    let mut diags = Vec::new();
    let text = r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt", "type": "Microsoft.Network/routeTables",
                  "properties": { "routes": [ { "name": "r", "properties": { "nextHopType": "Internet" } } ] } }"#;
    let mut raws = Vec::new();
    parse("rt.json", text, &mut raws, &mut diags);
    let imp = assemble(
        "x",
        raws,
        Summary {
            diagnostics: diags,
            ..Default::default()
        },
    );
    let d = imp
        .summary
        .diagnostics
        .iter()
        .find(|d| d.error)
        .expect("missing addressPrefix is reported");
    assert!(
        d.location
            .ends_with("routeTables/rt at properties.routes[0].properties"),
        "{}",
        d.location
    );
    assert!(
        d.message.contains("missing field `addressPrefix`"),
        "{}",
        d.message
    );
}

#[test]
fn the_fast_path_for_files_gives_the_same_estate() {
    let d = design(
        aksnet_design::REFERENCE_NAME,
        aksnet_design::REFERENCE_INTENT,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.json");
    std::fs::write(&path, as_azure_list(&d.estate)).unwrap();
    let mut imp = aksnet_import::import_paths(&d.estate.name, &[path.as_path()]);
    imp.estate.on_premises_prefixes = d.estate.on_premises_prefixes.clone();
    imp.estate.unique_names = d.estate.unique_names.clone();
    assert_eq!(imp.estate, d.estate);
    assert_eq!(imp.summary.unknown_properties, 0);
    // A REST-shaped element with nested child resources still gets them attached.
    let nested = r#"{"value": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v", "type": "Microsoft.Network/virtualNetworks",
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": []},
        "resources": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}]}"#;
    let path = dir.path().join("nested.json");
    std::fs::write(&path, nested).unwrap();
    let imp = aksnet_import::import_paths("n", &[path.as_path()]);
    let v = imp.estate.virtual_networks.iter().next().expect("the VNet");
    assert_eq!(
        v.properties.subnets.len(),
        1,
        "{:?}",
        imp.summary.diagnostics
    );
}

#[test]
fn ip_groups_import_and_a_bad_entry_says_where() {
    // The three documented forms (learn.microsoft.com/azure/firewall/ip-groups), case-insensitive
    // keys as ARM reads them; a second group with an entry that is not an address.
    let text = r#"[
      {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/ipGroups/ipg-ok",
       "type": "Microsoft.Network/ipGroups", "location": "westeurope",
       "properties": { "IPAddresses": ["10.0.0.4", "10.1.0.0/24", "10.2.0.0-10.2.0.31"],
                       "firewallPolicies": [], "provisioningState": "Succeeded" } },
      {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/ipGroups/ipg-bad",
       "type": "Microsoft.Network/ipGroups",
       "properties": { "ipAddresses": ["10.0.0.4", "10.0.0.9-10.0.0.1"] } }
    ]"#;
    let mut raws = Vec::new();
    let mut diags = Vec::new();
    parse("ipg.json", text, &mut raws, &mut diags);
    let imp = assemble(
        "x",
        raws,
        Summary {
            diagnostics: diags,
            ..Default::default()
        },
    );
    let ok = imp
        .estate
        .ip_groups
        .iter()
        .find(|g| g.name == "ipg-ok")
        .expect("the valid group is imported");
    assert_eq!(
        ok.properties.addresses().to_string(),
        "10.0.0.4/32, 10.1.0.0/24, 10.2.0.0/27"
    );
    assert_eq!(imp.estate.ip_groups.len(), 1);
    let d = imp
        .summary
        .diagnostics
        .iter()
        .find(|d| d.error)
        .expect("the bad entry is reported");
    assert!(
        d.location
            .ends_with("ipGroups/ipg-bad at properties.ipAddresses[1]"),
        "{}",
        d.location
    );
    assert!(
        d.message.contains("`10.0.0.9-10.0.0.1` is not a range"),
        "{}",
        d.message
    );
}
