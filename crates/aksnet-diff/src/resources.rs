//! Resources added, removed and changed, by id (case-insensitive, as ARM compares ids), with
//! the properties that changed as paths (`properties.securityRules[allow-https].properties.
//! priority`): elements of arrays of named objects are matched by name, other arrays by
//! position.

use std::collections::{BTreeMap, BTreeSet};

use aksnet_model::Estate;
use serde::Serialize;
use serde_json::Value;

/// Resources added, removed and changed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ResourceChanges {
    /// Ids in HEAD, not in BASE.
    pub added: Vec<String>,
    /// Ids in BASE, not in HEAD.
    pub removed: Vec<String>,
    /// Resources in both that differ.
    pub changed: Vec<Changed>,
}

impl ResourceChanges {
    /// Nothing added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// One changed resource.
#[derive(Clone, Debug, Serialize)]
pub struct Changed {
    /// Its id (as HEAD writes it).
    pub id: String,
    /// The paths that differ (at most [`MAX_PATHS`]; `more` counts the rest).
    pub properties: Vec<String>,
    /// Paths left out of `properties`.
    #[serde(skip_serializing_if = "is_zero")]
    pub more: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The most changed paths listed per resource.
pub const MAX_PATHS: usize = 20;

/// An estate's resources as JSON text: the estate serialised once, each resource a slice of
/// it, by lowercase id. Equal slices are equal resources, so only resources whose text differs
/// are parsed and compared, and an id is looked for in the text rather than in parsed values.
pub struct Texts {
    /// The estate, compact JSON.
    text: String,
    /// The same in ASCII lower case (the same byte offsets), to find ids ignoring case.
    lower: String,
    /// Each resource's byte range in `text`, by lowercase id (the last one of an id repeated).
    by_id: BTreeMap<String, (usize, usize)>,
    /// The ranges by start, with their ids: which resource holds a position.
    by_start: Vec<(usize, usize, String)>,
}

impl Texts {
    /// Serialises `e` and finds its resources: the objects with an `id` in its top-level
    /// arrays, noted as they are written ([`Marks`]).
    pub fn of(e: &Estate) -> Self {
        let written = std::rc::Rc::new(std::cell::Cell::new(0));
        let marks = std::cell::RefCell::new(Marks::default());
        let mut out = Counted {
            out: Vec::new(),
            written: written.clone(),
        };
        let formatter = MarksFormatter {
            marks: &marks,
            written,
        };
        let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
        // An estate always serialises (its maps have string keys); an empty text finds nothing.
        let text = match e.serialize(&mut ser) {
            Ok(()) => String::from_utf8(out.out).unwrap_or_default(),
            Err(_) => String::new(),
        };
        let found = marks.into_inner().found;
        let mut by_id = BTreeMap::new();
        for (id, start, end) in found.into_iter().filter(|&(_, _, end)| end <= text.len()) {
            by_id.insert(id.to_ascii_lowercase(), (start, end));
        }
        let mut by_start: Vec<(usize, usize, String)> = by_id
            .iter()
            .map(|(id, &(a, b))| (a, b, id.clone()))
            .collect();
        by_start.sort();
        Texts {
            lower: text.to_ascii_lowercase(),
            text,
            by_id,
            by_start,
        }
    }

    /// The resource's JSON text.
    fn text(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(|&(a, b)| &self.text[a..b])
    }

    /// The resource's JSON.
    pub(crate) fn value(&self, id: &str) -> Option<Value> {
        serde_json::from_str(self.text(id)?).ok()
    }

    /// The resources' lowercase ids.
    fn ids(&self) -> impl Iterator<Item = &String> {
        self.by_id.keys()
    }

    /// The lowercase ids of the resources other than `id` (lowercase) whose JSON holds a
    /// string equal to it, ignoring case. serde_json escapes only quotes, backslashes and
    /// control characters, which no resource id holds, so the string is its quoted text.
    pub(crate) fn naming(&self, id: &str) -> BTreeSet<&str> {
        let quoted = format!("\"{id}\"");
        self.lower
            .match_indices(&quoted)
            .filter_map(|(at, _)| {
                let i = self.by_start.partition_point(|(a, _, _)| *a <= at);
                let (_, end, holder) = self.by_start.get(i.checked_sub(1)?)?;
                (at < *end && holder != id).then_some(holder.as_str())
            })
            .collect()
    }
}

/// The paths under `path` where `a` and `b` differ.
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    if a == b {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                differences(
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    &join(k),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            fn named(v: &[Value]) -> Option<BTreeMap<String, &Value>> {
                v.iter()
                    .map(|e| {
                        e.get("name")
                            .and_then(Value::as_str)
                            .map(|n| (n.to_ascii_lowercase(), e))
                    })
                    .collect()
            }
            match (named(x), named(y)) {
                (Some(nx), Some(ny)) if !x.is_empty() || !y.is_empty() => {
                    let keys: std::collections::BTreeSet<&String> =
                        nx.keys().chain(ny.keys()).collect();
                    for k in keys {
                        let at = format!("{path}[{k}]");
                        match (nx.get(k), ny.get(k)) {
                            (Some(p), Some(q)) => differences(p, q, &at, out),
                            (None, Some(_)) => out.push(format!("{at} added")),
                            (Some(_), None) => out.push(format!("{at} removed")),
                            (None, None) => {}
                        }
                    }
                }
                _ => {
                    for i in 0..x.len().max(y.len()) {
                        let null = Value::Null;
                        differences(
                            x.get(i).unwrap_or(&null),
                            y.get(i).unwrap_or(&null),
                            &format!("{path}[{i}]"),
                            out,
                        );
                    }
                }
            }
        }
        _ => out.push(if path.is_empty() {
            "(whole)".into()
        } else {
            path.to_string()
        }),
    }
}

/// Compares the resources of two estates.
pub fn compare(base: &Texts, head: &Texts) -> ResourceChanges {
    let mut out = ResourceChanges::default();
    let id_of = |v: &Value, k: &str| v.get("id").and_then(Value::as_str).unwrap_or(k).to_string();
    for k in head.ids() {
        let hv = || head.value(k).unwrap_or_default();
        match base.text(k) {
            None => out.added.push(id_of(&hv(), k)),
            Some(b) if Some(b) == head.text(k) => {}
            Some(_) => {
                let (bv, hv) = (base.value(k).unwrap_or_default(), hv());
                let mut paths = Vec::new();
                differences(&bv, &hv, "", &mut paths);
                // The id's casing is not a change Azure sees.
                paths.retain(|p| p != "id" && p != "name");
                if !paths.is_empty() {
                    let more = paths.len().saturating_sub(MAX_PATHS);
                    paths.truncate(MAX_PATHS);
                    out.changed.push(Changed {
                        id: id_of(&hv, k),
                        properties: paths,
                        more,
                    });
                }
            }
        }
    }
    for k in base.ids() {
        if head.text(k).is_none() {
            out.removed
                .push(id_of(&base.value(k).unwrap_or_default(), k));
        }
    }
    out
}

/// A writer that says how many bytes it holds, to [`MarksFormatter`].
struct Counted {
    out: Vec<u8>,
    written: std::rc::Rc<std::cell::Cell<usize>>,
}

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.extend_from_slice(buf);
        self.written.set(self.out.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What [`MarksFormatter`] has seen: the containers open (`true` for an object), and for the
/// resource being written (an object in an array of the estate object) where it began and
/// its `id`.
#[derive(Default)]
struct Marks {
    open: Vec<bool>,
    start: usize,
    /// The text of the key or `id` value being captured.
    capture: Option<String>,
    /// The key just written at resource level was `id`.
    id_next: bool,
    id: Option<String>,
    /// Each resource: its id, first byte and end.
    found: Vec<(String, usize, usize)>,
}

impl Marks {
    /// Whether the containers open are the estate object and one of its arrays.
    fn in_collection(&self) -> bool {
        self.open == [true, false]
    }

    /// Whether the containers open are a resource's own object.
    fn in_resource(&self) -> bool {
        self.open == [true, false, true]
    }
}

/// serde_json's compact output, noting each resource's byte range and id as it goes, so that
/// the text need not be parsed again to find them.
struct MarksFormatter<'m> {
    marks: &'m std::cell::RefCell<Marks>,
    written: std::rc::Rc<std::cell::Cell<usize>>,
}

impl serde_json::ser::Formatter for MarksFormatter<'_> {
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        let mut m = self.marks.borrow_mut();
        if m.in_collection() {
            m.start = self.written.get();
            m.id = None;
        }
        m.open.push(true);
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b"}")?;
        let mut m = self.marks.borrow_mut();
        m.open.pop();
        if m.in_collection() {
            if let Some(id) = m.id.take() {
                let (start, end) = (m.start, self.written.get());
                m.found.push((id, start, end));
            }
        }
        Ok(())
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.marks.borrow_mut().open.push(false);
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.marks.borrow_mut().open.pop();
        w.write_all(b"]")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        let mut m = self.marks.borrow_mut();
        if m.in_resource() {
            m.capture = Some(String::new());
        }
        if first {
            Ok(())
        } else {
            w.write_all(b",")
        }
    }

    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        let mut m = self.marks.borrow_mut();
        if m.in_resource() {
            m.id_next = m.capture.take().as_deref() == Some("id");
        }
        Ok(())
    }

    fn begin_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        let mut m = self.marks.borrow_mut();
        if m.id_next && m.in_resource() {
            m.capture = Some(String::new());
        }
        w.write_all(b"\"")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        let mut m = self.marks.borrow_mut();
        if m.in_resource() && m.id_next {
            m.id_next = false;
            m.id = m.capture.take();
        }
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        if let Some(c) = &mut self.marks.borrow_mut().capture {
            c.push_str(fragment);
        }
        w.write_all(fragment.as_bytes())
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        use serde_json::ser::CharEscape as E;
        let (c, text): (char, &[u8]) = match escape {
            E::Quote => ('"', b"\\\""),
            E::ReverseSolidus => ('\\', b"\\\\"),
            E::Solidus => ('/', b"\\/"),
            E::Backspace => ('\u{8}', b"\\b"),
            E::FormFeed => ('\u{c}', b"\\f"),
            E::LineFeed => ('\n', b"\\n"),
            E::CarriageReturn => ('\r', b"\\r"),
            E::Tab => ('\t', b"\\t"),
            E::AsciiControl(b) => {
                if let Some(c) = &mut self.marks.borrow_mut().capture {
                    c.push(char::from(b));
                }
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hex = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ];
                return w.write_all(&hex);
            }
        };
        if let Some(s) = &mut self.marks.borrow_mut().capture {
            s.push(c);
        }
        w.write_all(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn estate(v: Value) -> Estate {
        Estate::from_json(&v.to_string()).unwrap()
    }

    /// The text is serde_json's own compact output, and each resource's slice is the object of
    /// a top-level array whose `id` it is filed under, as parsing the text again finds them.
    #[test]
    fn texts_note_each_resource_as_parsing_would_find_it() {
        let e = estate(json!({"aksnetSchema": 1, "name": "t",
            "virtualNetworks": [{"id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V\"1",
                "name": "v", "type": "Microsoft.Network/virtualNetworks", "location": "x",
                "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [{"id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V\"1/subnets/a",
                        "name": "a", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}],
            "networkSecurityGroups": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n\u{1}\t",
                "name": "n", "type": "Microsoft.Network/networkSecurityGroups", "location": "x",
                "properties": {"securityRules": []}}]}));
        let t = Texts::of(&e);
        assert_eq!(t.text, serde_json::to_string(&e).unwrap());
        let top: BTreeMap<String, Value> = serde_json::from_str(&t.text).unwrap();
        let mut expected = BTreeMap::new();
        for items in top.values().filter_map(Value::as_array) {
            for r in items {
                if let Some(id) = r["id"].as_str() {
                    expected.insert(id.to_ascii_lowercase(), r.clone());
                }
            }
        }
        assert_eq!(expected.len(), 2);
        let noted: BTreeMap<String, Value> = t
            .ids()
            .map(|id| (id.clone(), t.value(id).unwrap()))
            .collect();
        assert_eq!(noted, expected);
    }

    #[test]
    fn texts_find_resources_naming_an_id_in_any_case() {
        let sub = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";
        let e = estate(json!({
            "aksnetSchema": 1, "name": "t",
            "networkSecurityGroups": [{ "id": format!("{sub}/networkSecurityGroups/NSG-A"),
                "name": "NSG-A", "properties": { "securityRules": [] } }],
            "virtualNetworks": [
                { "id": format!("{sub}/virtualNetworks/v1"), "name": "v1", "properties": {
                    "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
                    "subnets": [{ "name": "a", "properties": { "addressPrefix": "10.1.0.0/24",
                        "networkSecurityGroup": { "id": format!("{sub}/networksecuritygroups/nsg-a") } } }] } },
                { "id": format!("{sub}/virtualNetworks/v2"), "name": "v2", "properties": {
                    "addressSpace": { "addressPrefixes": ["10.2.0.0/16"] }, "subnets": [] } }
            ]
        }));
        let t = Texts::of(&e);
        let nsg = format!("{sub}/networkSecurityGroups/NSG-A").to_ascii_lowercase();
        let v1 = format!("{sub}/virtualNetworks/v1").to_ascii_lowercase();
        // The subnet names the NSG in another case; the NSG itself is not counted, nor v2.
        assert_eq!(
            t.naming(&nsg).into_iter().collect::<Vec<_>>(),
            [v1.as_str()]
        );
        assert!(t.naming(&v1).is_empty());
        assert_eq!(t.value(&nsg).unwrap()["name"], "NSG-A");
        // Texts alike are resources alike: nothing changed; one rule more is one change.
        assert!(compare(&t, &Texts::of(&e)).is_empty());
        let mut json2 = serde_json::to_value(&e).unwrap();
        json2["networkSecurityGroups"][0]["properties"]["securityRules"] = json!([{ "name": "r",
            "properties": { "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "*",
            "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*" } }]);
        let more = estate(json2);
        let c = compare(&t, &Texts::of(&more));
        assert_eq!(c.changed.len(), 1, "{c:?}");
        assert_eq!(
            c.changed[0].id,
            format!("{sub}/networkSecurityGroups/NSG-A")
        );
        assert_eq!(
            c.changed[0].properties,
            ["properties.securityRules[r] added"]
        );
    }

    #[test]
    fn named_elements_match_by_name_and_others_by_position() {
        let mut out = Vec::new();
        differences(
            &json!({"properties": {"securityRules": [{"name": "a", "properties": {"priority": 100}}, {"name": "b"}], "x": [1, 2]}}),
            &json!({"properties": {"securityRules": [{"name": "b"}, {"name": "a", "properties": {"priority": 110}}, {"name": "c"}], "x": [1, 3]}}),
            "",
            &mut out,
        );
        assert_eq!(
            out,
            [
                "properties.securityRules[a].properties.priority",
                "properties.securityRules[c] added",
                "properties.x[1]"
            ]
        );
    }
}
