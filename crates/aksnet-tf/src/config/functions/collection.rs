//! Collection functions.

use serde_json::{Map, Value as Json};

use super::super::value::{
    distinct, equal, make_set, num, to_bool, to_list, to_map, to_number, to_str, type_name,
    EvalError, MAX_LIST, R, RESOURCE_KEY,
};
use super::{arity, at_least};

fn visible(m: &Map<String, Json>) -> impl Iterator<Item = (&String, &Json)> {
    m.iter().filter(|(k, _)| k.as_str() != RESOURCE_KEY)
}

fn index_arg(j: &Json) -> R<i64> {
    let n = to_number(j)?;
    if n.fract() != 0.0 {
        return Err(EvalError::new("an index must be a whole number"));
    }
    Ok(n as i64)
}

/// The number of characters as Terraform counts them (grapheme clusters, approximately:
/// combining marks, variation selectors and zero-width joins do not count).
pub(crate) fn char_count(s: &str) -> usize {
    let mut n = 0;
    let mut join = false;
    for c in s.chars() {
        let u = c as u32;
        let extend = (0x300..=0x36f).contains(&u)
            || (0xfe00..=0xfe0f).contains(&u)
            || (0x1f3fb..=0x1f3ff).contains(&u)
            || (0xe0020..=0xe007f).contains(&u)
            || u == 0x200d;
        if !extend && !join {
            n += 1;
        }
        join = u == 0x200d;
    }
    n
}

fn flatten_into(items: &[Json], out: &mut Vec<Json>) -> R<()> {
    for i in items {
        match i {
            Json::Array(a) => flatten_into(a, out)?,
            other => out.push(other.clone()),
        }
        if out.len() > MAX_LIST {
            return Err(EvalError::new("resulting list too long"));
        }
    }
    Ok(())
}

/// Calls a collection function.
pub(super) fn call(name: &str, a: &[Json]) -> R<Json> {
    match name {
        "alltrue" | "anytrue" => {
            arity(a, 1)?;
            let mut vals = Vec::new();
            for x in to_list(&a[0])? {
                vals.push(to_bool(x)?);
            }
            Ok(Json::Bool(if name == "alltrue" {
                vals.iter().all(|b| *b)
            } else {
                vals.iter().any(|b| *b)
            }))
        }
        "chunklist" => {
            arity(a, 2)?;
            let l = to_list(&a[0])?;
            let n = index_arg(&a[1])?;
            if n < 0 {
                return Err(EvalError::new("the size must be positive"));
            }
            if n == 0 {
                return Ok(Json::Array(vec![Json::Array(l.clone())]));
            }
            Ok(Json::Array(
                l.chunks(n as usize)
                    .map(|c| Json::Array(c.to_vec()))
                    .collect(),
            ))
        }
        "coalesce" => {
            at_least(a, 1)?;
            a.iter()
                .find(|x| !x.is_null() && x.as_str() != Some(""))
                .cloned()
                .ok_or_else(|| EvalError::new("no non-null, non-empty-string arguments"))
        }
        "coalescelist" => {
            at_least(a, 1)?;
            for x in a {
                if !to_list(x)?.is_empty() {
                    return Ok(x.clone());
                }
            }
            Err(EvalError::new("no non-empty list arguments"))
        }
        "compact" => {
            arity(a, 1)?;
            Ok(Json::Array(
                to_list(&a[0])?
                    .iter()
                    .filter(|x| !x.is_null() && x.as_str() != Some(""))
                    .cloned()
                    .collect(),
            ))
        }
        "concat" => {
            let mut out = Vec::new();
            for x in a {
                out.extend(to_list(x)?.iter().cloned());
                if out.len() > MAX_LIST {
                    return Err(EvalError::new("resulting list too long"));
                }
            }
            Ok(Json::Array(out))
        }
        "contains" => {
            arity(a, 2)?;
            Ok(Json::Bool(to_list(&a[0])?.iter().any(|x| equal(x, &a[1]))))
        }
        "distinct" => {
            arity(a, 1)?;
            Ok(Json::Array(distinct(to_list(&a[0])?.clone())))
        }
        "element" => {
            arity(a, 2)?;
            let l = to_list(&a[0])?;
            if l.is_empty() {
                return Err(EvalError::new(
                    "cannot use element function with an empty list",
                ));
            }
            let i = index_arg(&a[1])?;
            if i < 0 {
                return Err(EvalError::new(
                    "cannot use element function with a negative index",
                ));
            }
            Ok(l[(i as usize) % l.len()].clone())
        }
        "flatten" => {
            arity(a, 1)?;
            let mut out = Vec::new();
            flatten_into(to_list(&a[0])?, &mut out)?;
            Ok(Json::Array(out))
        }
        "index" => {
            arity(a, 2)?;
            to_list(&a[0])?
                .iter()
                .position(|x| equal(x, &a[1]))
                .map(Json::from)
                .ok_or_else(|| EvalError::new("item not found"))
        }
        "keys" => {
            arity(a, 1)?;
            Ok(Json::Array(
                visible(to_map(&a[0])?)
                    .map(|(k, _)| Json::String(k.clone()))
                    .collect(),
            ))
        }
        "values" => {
            arity(a, 1)?;
            Ok(Json::Array(
                visible(to_map(&a[0])?).map(|(_, v)| v.clone()).collect(),
            ))
        }
        "length" => {
            arity(a, 1)?;
            match &a[0] {
                Json::Array(l) => Ok(Json::from(l.len())),
                Json::Object(m) => Ok(Json::from(visible(m).count())),
                Json::String(s) => Ok(Json::from(char_count(s))),
                other => Err(EvalError::new(format!(
                    "argument must be a string, a collection type, or a structural type, found {}",
                    type_name(other)
                ))),
            }
        }
        "lookup" => {
            if a.len() != 2 && a.len() != 3 {
                return Err(EvalError::new("expects 2 or 3 arguments"));
            }
            let m = to_map(&a[0])?;
            let k = to_str(&a[1])?;
            match m.get(&k) {
                Some(v) => Ok(v.clone()),
                None => a.get(2).cloned().ok_or_else(|| {
                    EvalError::new(format!("the given key \"{k}\" does not exist in the map"))
                }),
            }
        }
        "matchkeys" => {
            arity(a, 3)?;
            let (vals, keys, search) = (to_list(&a[0])?, to_list(&a[1])?, to_list(&a[2])?);
            if vals.len() != keys.len() {
                return Err(EvalError::new("length of keys and values should be equal"));
            }
            Ok(Json::Array(
                vals.iter()
                    .zip(keys)
                    .filter(|(_, k)| search.iter().any(|s| equal(s, k)))
                    .map(|(v, _)| v.clone())
                    .collect(),
            ))
        }
        "merge" => {
            let mut out = Map::new();
            for x in a {
                if x.is_null() {
                    continue;
                }
                for (k, v) in visible(to_map(x)?) {
                    out.insert(k.clone(), v.clone());
                }
            }
            Ok(Json::Object(out))
        }
        "one" => {
            arity(a, 1)?;
            let l = to_list(&a[0])?;
            match l.len() {
                0 => Ok(Json::Null),
                1 => Ok(l[0].clone()),
                n => Err(EvalError::new(format!(
                    "must be a list, set, or tuple value with either zero or one elements, not {n}"
                ))),
            }
        }
        "range" => {
            let (start, end, step) = match a.len() {
                1 => (0.0, to_number(&a[0])?, 1.0),
                2 => {
                    let (s, e) = (to_number(&a[0])?, to_number(&a[1])?);
                    (s, e, if e < s { -1.0 } else { 1.0 })
                }
                3 => (to_number(&a[0])?, to_number(&a[1])?, to_number(&a[2])?),
                _ => return Err(EvalError::new("expects 1 to 3 arguments")),
            };
            if step == 0.0 {
                return Err(EvalError::new("step must not be zero"));
            }
            if (step > 0.0 && end < start) || (step < 0.0 && end > start) {
                return Err(EvalError::new(
                    "step has the wrong sign for the given range",
                ));
            }
            let count = ((end - start) / step).ceil();
            if !(0.0..=1024.0 * 1024.0).contains(&count) {
                return Err(EvalError::new(format!(
                    "more than {} elements would be produced",
                    1024 * 1024
                )));
            }
            super::super::value::charge(count as u64)?;
            Ok(Json::Array(
                (0..count as usize)
                    .map(|i| num(start + step * i as f64))
                    .collect(),
            ))
        }
        "reverse" => {
            arity(a, 1)?;
            let mut l = to_list(&a[0])?.clone();
            l.reverse();
            Ok(Json::Array(l))
        }
        "setintersection" => {
            at_least(a, 1)?;
            let mut cur = make_set(to_list(&a[0])?.clone());
            for x in &a[1..] {
                let other = to_list(x)?;
                cur.retain(|c| other.iter().any(|o| equal(o, c)));
            }
            Ok(Json::Array(cur))
        }
        "setsubtract" => {
            arity(a, 2)?;
            let other = to_list(&a[1])?;
            let mut cur = make_set(to_list(&a[0])?.clone());
            cur.retain(|c| !other.iter().any(|o| equal(o, c)));
            Ok(Json::Array(cur))
        }
        "setunion" => {
            at_least(a, 1)?;
            let mut all = Vec::new();
            for x in a {
                all.extend(to_list(x)?.iter().cloned());
            }
            Ok(Json::Array(make_set(all)))
        }
        "setproduct" => {
            at_least(a, 2)?;
            let mut out: Vec<Vec<Json>> = vec![vec![]];
            for x in a {
                let l = to_list(x)?;
                if out.len().saturating_mul(l.len()) > MAX_LIST {
                    return Err(EvalError::new("resulting list too long"));
                }
                let mut next = Vec::with_capacity(out.len() * l.len());
                for prefix in &out {
                    for e in l {
                        let mut p = prefix.clone();
                        p.push(e.clone());
                        next.push(p);
                    }
                }
                out = next;
            }
            Ok(Json::Array(out.into_iter().map(Json::Array).collect()))
        }
        "slice" => {
            arity(a, 3)?;
            let l = to_list(&a[0])?;
            let (s, e) = (index_arg(&a[1])?, index_arg(&a[2])?);
            if s < 0 || e < s || e as usize > l.len() {
                return Err(EvalError::new("slice indexes out of range"));
            }
            Ok(Json::Array(l[s as usize..e as usize].to_vec()))
        }
        "sort" => {
            arity(a, 1)?;
            let mut v = Vec::new();
            for x in to_list(&a[0])? {
                v.push(to_str(x)?);
            }
            v.sort();
            Ok(Json::Array(v.into_iter().map(Json::String).collect()))
        }
        "sum" => {
            arity(a, 1)?;
            let l = to_list(&a[0])?;
            if l.is_empty() {
                return Err(EvalError::new("cannot sum an empty list"));
            }
            let mut t = 0.0;
            for x in l {
                t += to_number(x)?;
            }
            Ok(num(t))
        }
        "transpose" => {
            arity(a, 1)?;
            let mut out: Map<String, Json> = Map::new();
            for (k, v) in visible(to_map(&a[0])?) {
                for s in to_list(v)? {
                    let s = to_str(s)?;
                    if let Json::Array(l) = out.entry(s).or_insert_with(|| Json::Array(vec![])) {
                        l.push(Json::String(k.clone()));
                    }
                }
            }
            Ok(Json::Object(out))
        }
        "zipmap" => {
            arity(a, 2)?;
            let (k, v) = (to_list(&a[0])?, to_list(&a[1])?);
            if k.len() != v.len() {
                return Err(EvalError::new("number of keys and values must be equal"));
            }
            let mut out = Map::new();
            for (k, v) in k.iter().zip(v) {
                out.insert(to_str(k)?, v.clone());
            }
            Ok(Json::Object(out))
        }
        _ => Err(EvalError::new("unknown collection function")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{fails, k};
    use serde_json::json;

    #[test]
    fn documentation_examples() {
        assert_eq!(k("alltrue([\"true\", true])"), json!(true));
        assert_eq!(k("alltrue([true, false])"), json!(false));
        assert_eq!(k("alltrue([])"), json!(true));
        assert_eq!(k("anytrue([\"true\"])"), json!(true));
        assert_eq!(k("anytrue([true, false])"), json!(true));
        assert_eq!(k("anytrue([])"), json!(false));
        assert_eq!(
            k("chunklist([\"a\", \"b\", \"c\", \"d\", \"e\"], 2)"),
            json!([["a", "b"], ["c", "d"], ["e"]])
        );
        assert_eq!(
            k("chunklist([\"a\", \"b\", \"c\", \"d\", \"e\"], 1)"),
            json!([["a"], ["b"], ["c"], ["d"], ["e"]])
        );
        assert_eq!(k("coalesce(\"a\", \"b\")"), json!("a"));
        assert_eq!(k("coalesce(\"\", \"b\")"), json!("b"));
        assert_eq!(k("coalesce(1, 2)"), json!(1));
        assert_eq!(k("coalesce([\"\", \"b\"]...)"), json!("b"));
        assert_eq!(
            k("coalescelist([\"a\", \"b\"], [\"c\", \"d\"])"),
            json!(["a", "b"])
        );
        assert_eq!(k("coalescelist([], [\"c\", \"d\"])"), json!(["c", "d"]));
        assert_eq!(
            k("compact([\"a\", \"\", \"b\", null, \"c\"])"),
            json!(["a", "b", "c"])
        );
        assert_eq!(
            k("concat([\"a\", \"\"], [\"b\", \"c\"])"),
            json!(["a", "", "b", "c"])
        );
        assert_eq!(k("contains([\"a\", \"b\", \"c\"], \"a\")"), json!(true));
        assert_eq!(k("contains([\"a\", \"b\", \"c\"], \"d\")"), json!(false));
        assert_eq!(
            k("distinct([\"a\", \"b\", \"a\", \"c\", \"d\", \"b\"])"),
            json!(["a", "b", "c", "d"])
        );
        assert_eq!(k("element([\"a\", \"b\", \"c\"], 1)"), json!("b"));
        assert_eq!(k("element([\"a\", \"b\", \"c\"], 3)"), json!("a"));
        assert_eq!(
            k("element([\"a\", \"b\", \"c\"], length([\"a\", \"b\", \"c\"])-1)"),
            json!("c")
        );
        assert_eq!(
            k("flatten([[\"a\", \"b\"], [], [\"c\"]])"),
            json!(["a", "b", "c"])
        );
        assert_eq!(
            k("flatten([[[\"a\", \"b\"], []], [\"c\"]])"),
            json!(["a", "b", "c"])
        );
        assert_eq!(k("index([\"a\", \"b\", \"c\"], \"b\")"), json!(1));
        assert_eq!(k("keys({a=1, c=2, d=3})"), json!(["a", "c", "d"]));
        assert_eq!(k("length([])"), json!(0));
        assert_eq!(k("length([\"a\", \"b\"])"), json!(2));
        assert_eq!(k("length({\"a\" = \"b\"})"), json!(1));
        assert_eq!(k("length(\"hello\")"), json!(5));
        assert_eq!(k("length(\"👾🕹️\")"), json!(2));
        assert_eq!(
            k("lookup({a=\"ay\", b=\"bee\"}, \"a\", \"what?\")"),
            json!("ay")
        );
        assert_eq!(
            k("lookup({a=\"ay\", b=\"bee\"}, \"c\", \"what?\")"),
            json!("what?")
        );
        assert_eq!(
            k("matchkeys([\"i-123\", \"i-abc\", \"i-def\"], [\"us-west\", \"us-east\", \"us-east\"], [\"us-east\"])"),
            json!(["i-abc", "i-def"])
        );
        assert_eq!(
            k("merge({a=\"b\", c=\"d\"}, {e=\"f\", c=\"z\"})"),
            json!({"a": "b", "c": "z", "e": "f"})
        );
        assert_eq!(
            k("merge({a=\"b\"}, {a=[1,2], c=\"z\"}, {d=3})"),
            json!({"a": [1, 2], "c": "z", "d": 3})
        );
        assert_eq!(k("one([])"), json!(null));
        assert_eq!(k("one([\"hello\"])"), json!("hello"));
        assert!(fails("one([\"hello\", \"goodbye\"])"));
        assert_eq!(k("range(3)"), json!([0, 1, 2]));
        assert_eq!(k("range(0)"), json!([]));
        assert_eq!(k("range(1, 4)"), json!([1, 2, 3]));
        assert_eq!(k("range(1, 8, 2)"), json!([1, 3, 5, 7]));
        assert_eq!(k("range(1, 4, 0.5)"), json!([1, 1.5, 2, 2.5, 3, 3.5]));
        assert_eq!(k("range(4, 1)"), json!([4, 3, 2]));
        assert_eq!(k("range(10, 5, -2)"), json!([10, 8, 6]));
        assert!(fails("range(100000000)"));
        assert_eq!(k("reverse([1, 2, 3])"), json!([3, 2, 1]));
        assert_eq!(
            k("setintersection([\"a\", \"b\"], [\"b\", \"c\"], [\"b\", \"d\"])"),
            json!(["b"])
        );
        assert_eq!(
            k("setproduct([\"development\", \"staging\", \"production\"], [\"app1\", \"app2\"])"),
            json!([
                ["development", "app1"],
                ["development", "app2"],
                ["staging", "app1"],
                ["staging", "app2"],
                ["production", "app1"],
                ["production", "app2"]
            ])
        );
        assert_eq!(
            k("setsubtract([\"a\", \"b\", \"c\"], [\"a\", \"c\"])"),
            json!(["b"])
        );
        assert_eq!(
            k("setunion([\"a\", \"b\"], [\"b\", \"c\"], [\"d\"])"),
            json!(["a", "b", "c", "d"])
        );
        assert_eq!(
            k("slice([\"a\", \"b\", \"c\", \"d\"], 1, 3)"),
            json!(["b", "c"])
        );
        assert_eq!(
            k("sort([\"e\", \"d\", \"a\", \"x\"])"),
            json!(["a", "d", "e", "x"])
        );
        assert_eq!(k("sum([10, 13, 6, 4.5])"), json!(33.5));
        assert_eq!(
            k("transpose({\"a\" = [\"1\", \"2\"], \"b\" = [\"2\", \"3\"]})"),
            json!({"1": ["a"], "2": ["a", "b"], "3": ["b"]})
        );
        assert_eq!(k("values({a=3, c=2, d=1})"), json!([3, 2, 1]));
        assert_eq!(k("zipmap([\"a\", \"b\"], [1, 2])"), json!({"a": 1, "b": 2}));
    }
}
