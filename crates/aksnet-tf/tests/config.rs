//! The configuration evaluator end to end, over fixture directories.

use std::path::{Path, PathBuf};

use aksnet_tf::config::{load, CliVar, Inputs, Loaded, Provider};
use aksnet_tf::Instance;
use serde_json::{json, Map, Value as Json};

/// Computes `id` for virtual networks and subnets from their names, as a provider would.
struct TestProvider;

impl Provider for TestProvider {
    fn computed(&self, kind: &str, values: &Json) -> Map<String, Json> {
        let mut m = Map::new();
        let name = values.get("name").and_then(Json::as_str).unwrap_or("?");
        match kind {
            "azurerm_subnet" | "data.azurerm_subnet" => {
                m.insert("id".into(), json!(format!("/subnets/{name}")));
            }
            "azurerm_virtual_network" => {
                m.insert("id".into(), json!(format!("/vnets/{name}")));
            }
            "azurerm_public_ip" => {
                m.insert("id".into(), json!(format!("/pips/{name}")));
            }
            _ => {}
        }
        m
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

fn instance<'a>(l: &'a Loaded, address: &str) -> &'a Instance {
    l.instances
        .iter()
        .find(|i| i.address == address)
        .unwrap_or_else(|| {
            panic!(
                "no {address} in {:?}; diagnostics {:#?}",
                l.instances.iter().map(|i| &i.address).collect::<Vec<_>>(),
                l.diagnostics
            )
        })
}

fn unknown(expression: &str, reason: &str) -> Json {
    json!({"$unknown": {"expression": expression, "reason": reason}})
}

/// An attribute Azure sets at apply on the resource `of` (its id).
fn after_apply(expression: &str, of: &str) -> Json {
    json!({"$unknown": {"expression": expression, "reason": "known only after apply", "of": of}})
}

#[test]
fn variables_follow_terraform_precedence() {
    let dir = fixture("vars");
    let inputs = Inputs {
        cli: vec![
            CliVar::File(dir.join("extra.tfvars")),
            CliVar::Pair("v_cli=cli".into()),
            CliVar::Pair("v_list=[\"x\", \"y\"]".into()),
            CliVar::Pair("v_number=41".into()),
            CliVar::Pair("v_raw=[not parsed]".into()),
            CliVar::Pair("nope=1".into()),
        ],
        env: vec![
            ("v_env".into(), "env".into()),
            ("v_tfvars".into(), "env".into()),
        ],
    };
    let l = load(&dir, &inputs, &TestProvider);
    let rg = instance(&l, "azurerm_resource_group.rg");
    let tags = &rg.values["tags"];
    assert_eq!(tags["v_default"], json!("default"));
    assert_eq!(tags["v_env"], json!("env"));
    assert_eq!(tags["v_tfvars"], json!("tfvars"));
    assert_eq!(tags["v_tfvars_json"], json!("tfvars.json"));
    // a.auto.tfvars.json then b.auto.tfvars, in lexical order.
    assert_eq!(tags["v_auto"], json!("b.auto"));
    assert_eq!(tags["v_file"], json!("var-file"));
    assert_eq!(tags["v_cli"], json!("cli"));
    assert_eq!(tags["v_list"], json!("x,y"));
    assert_eq!(tags["v_number"], json!(42));
    assert_eq!(tags["v_raw"], json!("[not parsed]"));
    assert_eq!(
        tags["v_missing"],
        unknown(
            "var.v_missing",
            "variable \"v_missing\" has no value (give it with --var v_missing=VALUE or a .tfvars file)"
        )
    );
    assert_eq!(rg.values["name"], json!("rg-default"));
    assert_eq!(rg.origin.line, 35);
    assert_eq!(rg.origin.column, 1);
    let d = &l.diagnostics;
    // Only the variable read without a value is warned about, once, at its declaration.
    let missing: Vec<_> = d
        .iter()
        .filter(|d| d.message.contains("has no value"))
        .collect();
    assert_eq!(missing.len(), 1, "{d:#?}");
    assert!(missing[0].message.contains("v_missing"));
    assert!(!missing[0].error);
    assert_eq!(missing[0].origin.as_ref().map(|o| o.line), Some(32));
    assert!(d
        .iter()
        .any(|d| !d.error && d.message.contains("undeclared variable \"undeclared\"")));
    assert!(d
        .iter()
        .any(|d| d.error && d.message.contains("--var nope")));
    assert_eq!(l.files.len(), 1);
}

#[test]
fn resources_count_for_each_dynamic_references_and_modules() {
    let l = load(&fixture("main"), &Inputs::default(), &TestProvider);
    let addresses: Vec<&str> = l.instances.iter().map(|i| i.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "module.spoke[0].azurerm_virtual_network.spoke",
            "module.spoke[0].azurerm_subnet.s",
            "module.spoke[1].azurerm_virtual_network.spoke",
            "module.spoke[1].azurerm_subnet.s",
            "azurerm_route_table.rt",
            "azurerm_virtual_network.hub",
            "azurerm_subnet.a",
            "azurerm_subnet.each[\"app\"]",
            "azurerm_subnet.each[\"db\"]",
            "azurerm_public_ip.zone[\"1\"]",
            "azurerm_public_ip.zone[\"2\"]",
            "azurerm_public_ip.zone[\"3\"]",
            "azurerm_public_ip.fw[0]",
            "azurerm_public_ip.fw[1]",
            "azurerm_firewall.fw",
            "azurerm_network_security_group.nsg",
        ]
    );
    let hub = instance(&l, "azurerm_virtual_network.hub");
    assert_eq!(hub.values["name"], json!("hub-vnet"));
    assert_eq!(hub.values["address_space"], json!(["10.0.0.0/16"]));
    assert_eq!(
        hub.values["subnet"],
        json!([{"name": "inline", "address_prefix": "10.0.9.0/24"}])
    );
    assert_eq!(hub.kind, "azurerm_virtual_network");
    assert_eq!(
        (hub.origin.line, hub.origin.column),
        (14, 1),
        "{:?}",
        hub.origin
    );
    assert!(hub.origin.file.ends_with("network.tf"));
    let each = instance(&l, "azurerm_subnet.each[\"db\"]");
    assert_eq!(each.values["name"], json!("snet-db"));
    assert_eq!(each.values["address_prefixes"], json!(["10.0.2.0/24"]));
    assert_eq!(each.values["virtual_network_name"], json!("hub-vnet"));
    assert!(each.values.get("for_each").is_none());
    let fw = instance(&l, "azurerm_firewall.fw");
    let ipc = &fw.values["ip_configuration"][0];
    assert_eq!(ipc["subnet_id"], json!("/subnets/snet-a"));
    assert_eq!(ipc["public_ip_address_id"], json!("/pips/pip-fw-0"));
    assert_eq!(
        fw.values["tags"]["first_ip"],
        after_apply("azurerm_public_ip.fw[0].ip_address", "/pips/pip-fw-0")
    );
    assert_eq!(fw.values["tags"]["all_ids"], json!("pip-fw-0,pip-fw-1"));
    assert_eq!(fw.values["tags"]["each_ids"], json!("/subnets/snet-db"));
    assert_eq!(fw.values["count_meta"], json!(2));
    let nsg = instance(&l, "azurerm_network_security_group.nsg");
    assert_eq!(
        nsg.values,
        json!({
            "name": "nsg",
            "security_rule": [
                {"name": "ssh", "priority": 100, "port": 22},
                {"name": "https", "priority": 101, "port": 443}
            ]
        })
    );
    let spoke = instance(&l, "module.spoke[1].azurerm_virtual_network.spoke");
    assert_eq!(spoke.values["name"], json!("spoke1"));
    assert_eq!(spoke.values["peer"], json!("/vnets/hub-vnet"));
    assert_eq!(spoke.values["address_space"], json!(["10.1.0.0/24"]));
    assert_eq!(spoke.values["module_dir"], json!("spoke"));
    assert!(spoke.origin.file.ends_with("modules/spoke/main.tf"));
    let rt = instance(&l, "azurerm_route_table.rt");
    assert_eq!(rt.values["name"], json!("spoke1"));
    assert_eq!(
        rt.values["spoke_ids"],
        json!(["/subnets/spoke0-snet", "/subnets/spoke1-snet"])
    );
    // A computed attribute of a nested block is unknown too, named by its path.
    assert_eq!(
        rt.values["fw_ip"],
        unknown(
            "azurerm_firewall.fw.ip_configuration[0].private_ip_address",
            "known only after apply"
        )
    );
    let from_reg = &rt.values["from_reg"]["$unknown"];
    assert_eq!(from_reg["expression"], json!("module.registry.resource_id"));
    // The registry module is missing: a warning naming it and its source; the rest loads.
    let w: Vec<_> = l
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("module \"registry\""))
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", l.diagnostics);
    assert!(!w[0].error);
    assert!(w[0]
        .message
        .contains("Azure/avm-res-network-virtualnetwork/azurerm"));
    assert!(w[0]
        .hint
        .as_deref()
        .is_some_and(|h| h.contains("terraform init")));
    assert!(
        l.diagnostics.iter().all(|d| !d.error),
        "{:#?}",
        l.diagnostics
    );
    assert_eq!(l.files.len(), 3);
}

#[test]
fn installed_modules_are_read_from_modules_json() {
    let l = load(&fixture("installed"), &Inputs::default(), &TestProvider);
    let v = instance(&l, "module.hub.azurerm_virtual_network.v");
    assert_eq!(v.values["name"], json!("from-root"));
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
}

#[test]
fn a_syntax_error_skips_its_file_only() {
    let l = load(&fixture("syntax"), &Inputs::default(), &TestProvider);
    assert_eq!(l.instances.len(), 1);
    assert_eq!(l.instances[0].address, "azurerm_subnet.ok");
    let e: Vec<_> = l.diagnostics.iter().filter(|d| d.error).collect();
    assert_eq!(e.len(), 1, "{:#?}", l.diagnostics);
    let o = e[0].origin.as_ref().expect("origin");
    assert!(o.file.ends_with("a.tf"));
    assert_eq!((o.line, o.column), (3, 7), "{:?}", e[0]);
    assert_eq!(l.files.len(), 2);
}

fn load_text(files: &[(&str, &str)]) -> Loaded {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
    load(dir.path(), &Inputs::default(), &TestProvider)
}

#[test]
fn unknown_count_and_list_for_each_are_errors() {
    let l = load_text(&[(
        "main.tf",
        r#"
resource "azurerm_public_ip" "p" {
  name = "p"
}
resource "azurerm_subnet" "u" {
  count = length(azurerm_public_ip.p.ip_address)
  name  = "u"
}
resource "azurerm_subnet" "l" {
  for_each = ["a", "b"]
  name     = each.key
}
resource "azurerm_subnet" "s" {
  for_each = toset(["a", "b"])
  name     = each.key
}
"#,
    )]);
    let addrs: Vec<&str> = l.instances.iter().map(|i| i.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "azurerm_public_ip.p",
            "azurerm_subnet.s[\"a\"]",
            "azurerm_subnet.s[\"b\"]"
        ]
    );
    assert!(l.diagnostics.iter().any(|d| d.error
        && d.message.contains("azurerm_subnet.u")
        && d.message.contains("cannot be determined until apply")));
    assert!(l.diagnostics.iter().any(|d| d.error
        && d.message.contains("azurerm_subnet.l")
        && d.message.contains("set of strings")));
}

#[test]
fn cycles_are_reported_not_followed() {
    let l = load_text(&[(
        "main.tf",
        r#"
resource "azurerm_subnet" "a" {
  name = azurerm_subnet.b.name
}
resource "azurerm_subnet" "b" {
  name = azurerm_subnet.a.name
}
"#,
    )]);
    assert!(
        l.diagnostics.iter().any(|d| d.error
            && d.message.contains("cycle")
            && d.message.contains("azurerm_subnet.a")
            && d.message.contains("azurerm_subnet.b")),
        "{:#?}",
        l.diagnostics
    );
}

#[test]
fn hostile_input_fails_with_diagnostics() {
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let mut chain = String::from("locals {\n  l0 = 1\n");
    for i in 1..2000 {
        chain.push_str(&format!("  l{i} = local.l{} + 1\n", i - 1));
    }
    chain.push_str("}\n");
    let start = std::time::Instant::now();
    let l = load_text(&[
        ("a.tf", &format!("locals {{\n  x = {deep}\n}}\n")),
        (
            "b.tf",
            r#"
resource "azurerm_subnet" "huge" {
  count = 100000000
  name  = "x"
}
resource "azurerm_subnet" "range" {
  name = length(range(1000000000))
}
resource "azurerm_subnet" "chain" {
  name = local.l1999
}
resource "azurerm_subnet" "many" {
  for_each = toset(formatlist("%d", range(100001)))
  name     = each.key
}
"#,
        ),
        ("c.tf", &chain),
    ]);
    assert!(start.elapsed().as_secs() < 10);
    let errs: Vec<&str> = l
        .diagnostics
        .iter()
        .filter(|d| d.error)
        .map(|d| d.message.as_str())
        .collect();
    assert!(errs.iter().any(|m| m.contains("syntax error")), "{errs:#?}");
    assert!(
        errs.iter().any(|m| m.contains("invalid count")),
        "{errs:#?}"
    );
    assert!(errs.iter().any(|m| m.contains("range")), "{errs:#?}");
    assert!(errs.iter().any(|m| m.contains("too deeply")), "{errs:#?}");
    let chain = l
        .instances
        .iter()
        .find(|i| i.address == "azurerm_subnet.chain")
        .expect("chain");
    assert!(chain.values["name"]["$unknown"]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("too deeply")));
    assert!(errs.iter().any(|m| m.contains("instances")), "{errs:#?}");
    assert!(l.instances.len() <= 100_000);
    // The work budget: one load's iterations, elements and function results together.
    let l = load_text(&[(
        "main.tf",
        r#"
resource "azurerm_subnet" "work" {
  name = length([for i in range(1000) : range(1000000)])
}
"#,
    )]);
    assert!(
        l.diagnostics.iter().any(|d| d.error
            && d.message.contains("azurerm_subnet.work")
            && d.message.contains("evaluation too large")),
        "{:#?}",
        l.diagnostics
    );
    // Copies count by size: a million copies of a 100 kB string are refused.
    let l = load_text(&[(
        "main.tf",
        r#"
locals {
  big = join("", [for i in range(1000) : "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"])
}
resource "azurerm_subnet" "copies" {
  name = length([for i in range(1000000) : local.big])
}
"#,
    )]);
    assert!(
        l.diagnostics.iter().any(|d| d.error
            && d.message.contains("azurerm_subnet.copies")
            && d.message.contains("evaluation too large")),
        "{:#?}",
        l.diagnostics
    );
}

#[test]
fn deep_but_legal_nesting_stays_within_the_stack() {
    // Every kind of nesting at once, as deep as the parser allows, along the longest chain of
    // references allowed: must end in values or diagnostics, never a stack overflow.
    let wrap = |inner: String, i: usize| match i % 6 {
        0 => format!("[{inner}][0]"),
        1 => format!("upper({inner})"),
        2 => format!("\"${{{inner}}}\""),
        3 => format!("true ? {inner} : \"\""),
        4 => format!("[for x in [1] : {inner}][0]"),
        _ => format!("try({inner}, \"\")"),
    };
    let mut text = String::from("locals {\n  l0 = \"a\"\n");
    for i in 1..80 {
        let mut e = format!("local.l{}", i - 1);
        for d in 0..30 {
            e = wrap(e, d);
        }
        text.push_str(&format!("  l{i} = {e}\n"));
    }
    text.push_str("}\nresource \"azurerm_subnet\" \"deep\" {\n  name = local.l79\n}\n");
    let l = load_text(&[("main.tf", &text)]);
    assert_eq!(l.instances.len(), 1, "{:#?}", l.diagnostics);
}

#[test]
fn module_for_each_nested_modules_and_data_sources() {
    let l = load_text(&[
        (
            "main.tf",
            r#"
data "azurerm_subnet" "existing" {
  name = "shared"
}
module "zone" {
  for_each = { a = "10.0.0.0/24", b = "10.0.1.0/24" }
  source   = "./mods//zone"
  prefix   = each.value
  subnet   = data.azurerm_subnet.existing.id
}
resource "azurerm_route_table" "y" {
  names        = { for k, m in module.zone : k => m.name }
  unknown_data = data.azurerm_subnet.existing.address_prefixes
  inner        = module.zone["b"].inner
}
"#,
        ),
        (
            "mods/zone/main.tf",
            r#"
variable "prefix" {}
variable "subnet" {}
variable "opts" {
  type = object({
    size = optional(number, 24)
    tags = optional(map(string))
  })
  default = {}
}
resource "azurerm_subnet" "s" {
  name   = "s-${var.prefix}"
  subnet = var.subnet
  size   = var.opts.size
  tags   = var.opts.tags
}
module "inner" {
  source = "../inner"
  label  = var.prefix
}
output "name" {
  value = azurerm_subnet.s.name
}
output "inner" {
  value = module.inner.label
}
"#,
        ),
        (
            "mods/inner/main.tf",
            r#"
variable "label" {
  type = string
}
resource "azurerm_route_table" "r" {
  name = "inner-${var.label}"
}
output "label" {
  value = upper(azurerm_route_table.r.name)
}
"#,
        ),
    ]);
    let addrs: Vec<&str> = l.instances.iter().map(|i| i.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "module.zone[\"a\"].azurerm_subnet.s",
            "module.zone[\"a\"].module.inner.azurerm_route_table.r",
            "module.zone[\"b\"].azurerm_subnet.s",
            "module.zone[\"b\"].module.inner.azurerm_route_table.r",
            "azurerm_route_table.y",
        ],
        "{:#?}",
        l.diagnostics
    );
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    let s = instance(&l, "module.zone[\"a\"].azurerm_subnet.s");
    assert_eq!(
        s.values,
        json!({"name": "s-10.0.0.0/24", "subnet": "/subnets/shared", "size": 24, "tags": null})
    );
    let y = instance(&l, "azurerm_route_table.y");
    assert_eq!(
        y.values["names"],
        json!({"a": "s-10.0.0.0/24", "b": "s-10.0.1.0/24"})
    );
    assert_eq!(
        y.values["unknown_data"],
        after_apply(
            "data.azurerm_subnet.existing.address_prefixes",
            "/subnets/shared"
        )
    );
    assert_eq!(y.values["inner"], json!("INNER-10.0.1.0/24"));
    assert_eq!(l.files.len(), 3);
}

#[test]
fn a_module_calling_itself_is_refused() {
    let start = std::time::Instant::now();
    let l = load_text(&[(
        "main.tf",
        r#"
module "again" {
  source = "./"
  count  = 2
}
resource "azurerm_subnet" "s" {
  name = "s"
}
"#,
    )]);
    assert!(start.elapsed().as_secs() < 10);
    assert!(
        l.diagnostics
            .iter()
            .any(|d| d.error && d.message.contains("cannot be recursive")),
        "{:#?}",
        &l.diagnostics[..l.diagnostics.len().min(5)]
    );
    assert!(l.instances.len() <= 100_000);
}

#[test]
fn override_files_merge_into_the_blocks_they_name() {
    let l = load_text(&[
        (
            "main.tf",
            r#"
locals {
  name = "base"
}
resource "azurerm_virtual_network" "v" {
  name          = local.name
  address_space = ["10.0.0.0/16"]
  subnet {
    name = "a"
  }
  subnet {
    name = "b"
  }
}
"#,
        ),
        (
            "z_override.tf",
            r#"
locals {
  name = "overridden"
}
resource "azurerm_virtual_network" "v" {
  address_space = ["10.9.0.0/16"]
  subnet {
    name = "c"
  }
}
"#,
        ),
    ]);
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    assert_eq!(l.instances.len(), 1);
    assert_eq!(
        l.instances[0].values,
        json!({"name": "overridden", "address_space": ["10.9.0.0/16"], "subnet": [{"name": "c"}]})
    );
    assert!(l.instances[0].origin.file.ends_with("main.tf"));
}

#[test]
fn a_module_call_missing_a_required_argument_is_an_error() {
    let l = load_text(&[
        ("main.tf", "module \"m\" {\n  source = \"./m\"\n}\n"),
        (
            "m/main.tf",
            "variable \"name\" {}\nresource \"azurerm_subnet\" \"s\" {\n  name = var.name\n}\n",
        ),
    ]);
    let errs: Vec<_> = l.diagnostics.iter().filter(|d| d.error).collect();
    assert_eq!(errs.len(), 1, "{:#?}", l.diagnostics);
    assert!(errs[0]
        .message
        .contains("missing required argument \"name\""));
    assert_eq!(l.diagnostics.len(), 1, "{:#?}", l.diagnostics);
    assert_eq!(
        l.instances[0].values["name"],
        unknown(
            "var.name",
            "variable \"name\" has no value (the module call does not give it)"
        )
    );
}

/// A provider that panics: the evaluation ends with an error, nothing hangs or crashes.
struct PanickingProvider;

impl Provider for PanickingProvider {
    fn computed(&self, _kind: &str, _values: &Json) -> Map<String, Json> {
        panic!("provider failure")
    }
}

#[test]
fn a_panicking_provider_does_not_hang_the_evaluation() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"azurerm_subnet\" \"a\" {\n  name = \"a\"\n}\nresource \"azurerm_subnet\" \"b\" {\n  name = azurerm_subnet.a.id\n}\n",
    )
    .expect("write");
    let l = load(dir.path(), &Inputs::default(), &PanickingProvider);
    assert!(l.instances.is_empty());
    assert!(
        l.diagnostics
            .iter()
            .any(|d| d.error && d.message.contains("the configuration evaluator failed")),
        "{:?}",
        l.diagnostics
    );
}
