//! Array and object functions (`array`, `createArray`, `createObject`, `contains`, `empty`,
//! `first`, `last`, `indexOf`, `lastIndexOf`, `length`, `take`, `skip`, `range`, `union`,
//! `intersection`, `json`, `null`, `tryGet`, `items`, `objectKeys`, `shallowMerge`, `flatten`):
//! Microsoft Learn template-functions-array and -object. The functions both pages share with strings take strings here too.

use serde_json::{json, Map, Value as Json};

use super::{chars, k, to_str, Call, Ev, Fun};
use crate::value::{get_ci, EvalError, Value};

/// The array or object function named `lname`.
pub(super) fn function(lname: &str) -> Option<Fun> {
    Some(match lname {
        "array" => array,
        "createarray" => create_array,
        "createobject" => create_object,
        "contains" => contains,
        "empty" => empty,
        "first" | "last" => first_last,
        "indexof" | "lastindexof" => index_of,
        "length" => length,
        "take" | "skip" => take_skip,
        "range" => range,
        "union" => union,
        "intersection" => intersection,
        "json" => json,
        "null" => null,
        "tryget" => try_get,
        "items" => items,
        "objectkeys" => object_keys,
        "shallowmerge" => shallow_merge,
        "flatten" => flatten,
        _ => return None,
    })
}

fn array(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(match &v[0] {
        Json::Array(_) => v[0].clone(),
        x => Json::Array(vec![x.clone()]),
    })
}

fn create_array(_: &Ev, _: &Call, v: &[Json]) -> Result<Value, EvalError> {
    k(Json::Array(v.to_vec()))
}

fn create_object(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    if v.len() % 2 != 0 {
        return Err(EvalError::Arity {
            function: c.name.into(),
            expected: "an even number of".into(),
            found: v.len(),
            column: c.call.start + 1,
        });
    }
    let mut m = Map::new();
    for i in (0..v.len()).step_by(2) {
        m.insert(c.str(v, i)?.to_string(), v[i + 1].clone());
    }
    k(Json::Object(m))
}

fn contains(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    k(Json::Bool(match (&v[0], &v[1]) {
        (Json::String(s), x) => s.contains(&to_str(x)),
        (Json::Array(a), x) => a.contains(x),
        (Json::Object(o), Json::String(key)) => get_ci(o, key).is_some(),
        (Json::Object(_), x) => return Err(c.bad(1, "string", x)),
        (x, _) => return Err(c.bad(0, "string, array or object", x)),
    }))
}

fn empty(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(Json::Bool(match &v[0] {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        other => return Err(c.bad(0, "string, array, object or null", other)),
    }))
}

fn first_last(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let first = c.lname == "first";
    k(match &v[0] {
        Json::String(s) => {
            let ch = if first {
                s.chars().next()
            } else {
                s.chars().next_back()
            };
            Json::String(ch.map(String::from).unwrap_or_default())
        }
        Json::Array(a) => (if first { a.first() } else { a.last() })
            .cloned()
            .unwrap_or(Json::Null),
        x => return Err(c.bad(0, "string or array", x)),
    })
}

fn find_ci(hay: &str, needle: &str, last: bool) -> i64 {
    let h = hay.to_lowercase();
    let n = needle.to_lowercase();
    let byte = if last { h.rfind(&n) } else { h.find(&n) };
    byte.map_or(-1, |b| h[..b].chars().count() as i64)
}

fn index_of(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    let last = c.lname == "lastindexof";
    k(json!(match &v[0] {
        Json::String(s) => find_ci(s, c.str(v, 1)?, last),
        Json::Array(a) => {
            let pos = if last {
                a.iter().rposition(|x| x == &v[1])
            } else {
                a.iter().position(|x| x == &v[1])
            };
            pos.map_or(-1, |p| p as i64)
        }
        x => return Err(c.bad(0, "string or array", x)),
    }))
}

fn length(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(json!(match &v[0] {
        Json::String(s) => s.chars().count(),
        Json::Array(a) => a.len(),
        Json::Object(o) => o.len(),
        x => return Err(c.bad(0, "string, array or object", x)),
    }))
}

fn take_skip(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    let n = c.int(v, 1)?.max(0) as usize;
    let take = c.lname == "take";
    k(match &v[0] {
        Json::String(s) => {
            let ch = chars(s);
            let n = n.min(ch.len());
            Json::String(if take {
                ch[..n].iter().collect()
            } else {
                ch[n..].iter().collect()
            })
        }
        Json::Array(a) => {
            let n = n.min(a.len());
            Json::Array(if take {
                a[..n].to_vec()
            } else {
                a[n..].to_vec()
            })
        }
        x => return Err(c.bad(0, "string or array", x)),
    })
}

fn range(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    let (start, count) = (c.int(v, 0)?, c.int(v, 1)?);
    if !(0..=10_000).contains(&count) {
        return Err(c.bad_value(1, "a count within 0..=10000", count.to_string()));
    }
    if start
        .checked_add(count)
        .is_none_or(|end| end > i64::from(i32::MAX) + 1)
    {
        return Err(c.bad_value(0, "start + count at most 2147483647", start.to_string()));
    }
    k(Json::Array(
        (start..start + count).map(|i| json!(i)).collect(),
    ))
}

fn union_objects(a: &mut Map<String, Json>, b: &Map<String, Json>) {
    for (key, v) in b {
        match (a.get_mut(key), v) {
            (Some(Json::Object(x)), Json::Object(y)) => union_objects(x, y),
            _ => {
                a.insert(key.clone(), v.clone());
            }
        }
    }
}
fn union(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, usize::MAX)?;
    if v.iter().all(Json::is_array) {
        let mut out: Vec<Json> = Vec::new();
        for x in v.iter().filter_map(Json::as_array).flatten() {
            if !out.contains(x) {
                out.push(x.clone());
            }
        }
        return k(Json::Array(out));
    }
    let mut out = Map::new();
    for (i, x) in v.iter().enumerate() {
        let o = x
            .as_object()
            .ok_or_else(|| c.bad(i, "object (all objects or all arrays)", x))?;
        union_objects(&mut out, o);
    }
    k(Json::Object(out))
}

fn intersection(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, usize::MAX)?;
    if v.iter().all(Json::is_array) {
        let mut out: Vec<Json> = Vec::new();
        for x in v[0].as_array().into_iter().flatten() {
            if !out.contains(x)
                && v[1..]
                    .iter()
                    .all(|o| o.as_array().is_some_and(|a| a.contains(x)))
            {
                out.push(x.clone());
            }
        }
        return k(Json::Array(out));
    }
    for (i, x) in v.iter().enumerate() {
        if !x.is_object() {
            return Err(c.bad(i, "object (all objects or all arrays)", x));
        }
    }
    let mut out = Map::new();
    for (key, x) in v[0].as_object().into_iter().flatten() {
        if v[1..].iter().all(|o| o.get(key) == Some(x)) {
            out.insert(key.clone(), x.clone());
        }
    }
    k(Json::Object(out))
}

fn json(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let s = c.str(v, 0)?;
    serde_json::from_str(s)
        .map(Value::Known)
        .map_err(|err| c.bad_value(0, "valid JSON", err.to_string()))
}

fn null(_: &Ev, c: &Call, _: &[Json]) -> Result<Value, EvalError> {
    c.arity(0, 0)?;
    k(Json::Null)
}

fn try_get(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, usize::MAX)?;
    let mut cur = v[0].clone();
    for key in &v[1..] {
        cur = match (&cur, key) {
            (Json::Object(m), Json::String(s)) => get_ci(m, s).cloned().unwrap_or(Json::Null),
            (Json::Array(a), Json::Number(n)) => n
                .as_u64()
                .and_then(|i| a.get(i as usize))
                .cloned()
                .unwrap_or(Json::Null),
            _ => Json::Null,
        };
    }
    k(cur)
}

/// Argument `i`, which must be an object.
fn object<'j>(c: &Call, v: &'j [Json], i: usize) -> Result<&'j Map<String, Json>, EvalError> {
    v[i].as_object().ok_or_else(|| c.bad(i, "object", &v[i]))
}

/// `items(object)`: `{key, value}` objects, by key (the documented example lists `item001`
/// before `item002` whatever the declaration order).
fn items(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let mut entries: Vec<_> = object(c, v, 0)?.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    k(Json::Array(
        entries
            .into_iter()
            .map(|(key, value)| json!({"key": key, "value": value}))
            .collect(),
    ))
}

fn object_keys(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(Json::Array(
        object(c, v, 0)?.keys().cloned().map(Json::String).collect(),
    ))
}

fn shallow_merge(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let a = v[0]
        .as_array()
        .ok_or_else(|| c.bad(0, "array of objects", &v[0]))?;
    let mut out = Map::new();
    for x in a {
        let o = x
            .as_object()
            .ok_or_else(|| c.bad(0, "array of objects", x))?;
        out.extend(o.iter().map(|(key, value)| (key.clone(), value.clone())));
    }
    k(Json::Object(out))
}

fn flatten(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let a = v[0]
        .as_array()
        .ok_or_else(|| c.bad(0, "array of arrays", &v[0]))?;
    let mut out = Vec::new();
    for x in a {
        let inner = x.as_array().ok_or_else(|| c.bad(0, "array of arrays", x))?;
        out.extend(inner.iter().cloned());
    }
    k(Json::Array(out))
}

#[cfg(test)]
mod tests {
    use super::super::tests::ev;
    use serde_json::json;

    #[test]
    fn array_and_object_functions_doc_examples() {
        // template-functions-array / -object
        assert_eq!(ev("[array(1)]"), json!([1]));
        assert_eq!(ev("[array('efgh')]"), json!(["efgh"]));
        assert_eq!(ev("[createArray(1, 2, 3)]"), json!([1, 2, 3]));
        assert_eq!(
            ev("[createObject('intProp', 1, 'stringProp', 'abc', 'boolProp', true, 'arrayProp', createArray('a', 'b', 'c'), 'objectProp', createObject('key1', 'value1'))]"),
            json!({"intProp": 1, "stringProp": "abc", "boolProp": true, "arrayProp": ["a","b","c"], "objectProp": {"key1": "value1"}})
        );
        assert_eq!(
            ev("[contains(createObject('one','a','two','b','three','c'), 'one')]"),
            json!(true)
        );
        assert_eq!(
            ev("[contains(createObject('one','a','two','b','three','c'), 'a')]"),
            json!(false)
        );
        assert_eq!(
            ev("[contains(createArray('one','two','three'), 'three')]"),
            json!(true)
        );
        assert_eq!(ev("[empty(createArray())]"), json!(true));
        assert_eq!(ev("[empty(createObject())]"), json!(true));
        assert_eq!(
            ev("[first(createArray('one','two','three'))]"),
            json!("one")
        );
        assert_eq!(
            ev("[last(createArray('one','two','three'))]"),
            json!("three")
        );
        assert_eq!(
            ev("[indexOf(createArray('one','two','three'), 'two')]"),
            json!(1)
        );
        assert_eq!(ev("[indexOf(createArray(1,2,3,1), 1)]"), json!(0));
        assert_eq!(ev("[lastIndexOf(createArray(1,2,3,1), 1)]"), json!(3));
        assert_eq!(ev("[length(createArray('one','two','three'))]"), json!(3));
        assert_eq!(
            ev("[length(createObject('propA','one','propB','two','propC','three','propD',createObject('propD-1','sub','propD-2','sub')))]"),
            json!(4)
        );
        assert_eq!(
            ev("[union(createObject('one','a','two','b','three','c1'), createObject('three','c2','four','d','five','e'))]"),
            json!({"one":"a","two":"b","three":"c2","four":"d","five":"e"})
        );
        assert_eq!(
            ev("[union(createArray('one','two','three'), createArray('three','four'))]"),
            json!(["one", "two", "three", "four"])
        );
        assert_eq!(
            ev("[intersection(createObject('one','a','two','b','three','c'), createObject('one','a','two','z','three','c'))]"),
            json!({"one":"a","three":"c"})
        );
        assert_eq!(
            ev("[intersection(createArray('one','two','three'), createArray('two','three'))]"),
            json!(["two", "three"])
        );
        assert_eq!(ev("[range(1, 3)]"), json!([1, 2, 3]));
        assert_eq!(
            ev("[take(createArray('one','two','three'), 2)]"),
            json!(["one", "two"])
        );
        assert_eq!(
            ev("[skip(createArray('one','two','three'), 2)]"),
            json!(["three"])
        );
        assert_eq!(ev("[json('{\"a\": \"b\"}').a]"), json!("b"));
        assert_eq!(ev("[json('null')]"), json!(null));
        assert_eq!(ev("[null()]"), json!(null));
        assert_eq!(
            ev("[tryGet(parameters('testObject'), 'valueA')]"),
            json!(10)
        );
        assert_eq!(
            ev("[tryGet(parameters('testObject'), 'missing')]"),
            json!(null)
        );
        assert_eq!(
            ev("[parameters('testObject').valueB]"),
            json!("Example Text")
        );
        assert_eq!(ev("[PARAMETERS('TESTOBJECT')['VALUEA']]"), json!(10));
        assert_eq!(ev("[variables('vnet').subnets[1].name]"), json!("b"));
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#items
    #[test]
    fn items_doc_example() {
        assert_eq!(
            ev("[items(json('{\"item002\": {\"enabled\": false, \"displayName\": \"Example item 2\", \"number\": 200}, \"item001\": {\"enabled\": true, \"displayName\": \"Example item 1\", \"number\": 300}}'))]"),
            json!([
                {"key": "item001", "value": {"displayName": "Example item 1", "enabled": true, "number": 300}},
                {"key": "item002", "value": {"displayName": "Example item 2", "enabled": false, "number": 200}}
            ])
        );
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#objectkeys
    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#shallowmerge
    #[test]
    fn object_keys_and_shallow_merge_doc_examples() {
        assert_eq!(
            ev("[objectKeys(createObject('a', 1, 'b', 2))]"),
            json!(["a", "b"])
        );
        assert_eq!(
            ev("[shallowMerge(createArray(createObject('one', 'a'), createObject('two', 'b'), createObject('two', 'c')))]"),
            json!({"one": "a", "two": "c"})
        );
        assert_eq!(
            ev("[shallowMerge(createArray(createObject('one', 'a', 'nested', createObject('a', 1, 'nested', createObject('c', 3))), createObject('two', 'b', 'nested', createObject('b', 2))))]"),
            json!({"one": "a", "nested": {"b": 2}, "two": "b"})
        );
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#flatten
    #[test]
    fn flatten_doc_example() {
        assert_eq!(
            ev("[flatten(createArray(createArray('one', 'two'), createArray('three'), createArray('four', 'five')))]"),
            json!(["one", "two", "three", "four", "five"])
        );
    }
}
