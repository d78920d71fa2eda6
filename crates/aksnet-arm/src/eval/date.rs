//! Date functions (`utcNow`, `dateTimeAdd`, `dateTimeToEpoch`, `dateTimeFromEpoch`): Microsoft
//! Learn template-functions-date.
//!
//! `utcNow` differs at every deployment, so it is unknown. `dateTimeAdd` formats its result the
//! way .NET does by culture, which is not modelled: unknown too. The epoch conversions are exact
//! (proleptic Gregorian calendar, UTC).

use serde_json::{json, Value as Json};

use super::{k, unknown, Call, Ev, Fun};
use crate::value::{EvalError, Value};

/// The date function named `lname`.
pub(super) fn function(lname: &str) -> Option<Fun> {
    Some(match lname {
        "utcnow" => utc_now,
        "datetimeadd" => date_time_add,
        "datetimetoepoch" => to_epoch,
        "datetimefromepoch" => from_epoch,
        _ => return None,
    })
}

fn utc_now(_: &Ev, c: &Call, _: &[Json]) -> Result<Value, EvalError> {
    c.arity(0, 1)?;
    Ok(unknown(c.call, "differs at every deployment"))
}

fn date_time_add(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 3)?;
    c.str(v, 0)?;
    c.str(v, 1)?;
    Ok(unknown(
        c.call,
        "not implemented: the result's format follows .NET culture rules",
    ))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Seconds since the epoch of an ISO 8601 date-time: `YYYY-MM-DD[T| ]hh:mm[:ss[.fff]]` with
/// an optional `Z` or `±hh:mm` offset (none means UTC), or a bare date.
fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |t: &str| -> Option<i64> {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, "00:00:00Z"),
    };
    let mut dp = date.split('-');
    let (y, mo, d) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    if dp.next().is_some() || !(1..=12).contains(&mo) || !(1..=31).contains(&d) || y > 9999 {
        return None;
    }
    let (clock, offset) = if let Some(t) = time.strip_suffix(['Z', 'z']) {
        (t, 0)
    } else if let Some(i) = time.rfind(['+', '-']) {
        let (sign, off) = (if &time[i..=i] == "-" { -1 } else { 1 }, &time[i + 1..]);
        let (oh, om) = off.split_once(':').unwrap_or((off, "0"));
        let (oh, om) = (num(oh)?, num(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (&time[..i], sign * (oh * 3600 + om * 60))
    } else {
        (time, 0)
    };
    let clock = clock.split('.').next()?;
    let mut tp = clock.split(':');
    let (h, mi) = (num(tp.next()?)?, num(tp.next()?)?);
    let sec = tp.next().map_or(Some(0), num)?;
    if tp.next().is_some() || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

fn to_epoch(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let s = c.str(v, 0)?;
    match parse_iso(s) {
        Some(t) => k(json!(t)),
        None => Err(c.bad_value(
            0,
            "an ISO 8601 date-time such as '2023-05-02T15:16:13Z'",
            format!("'{s}'"),
        )),
    }
}

fn from_epoch(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let t = c.int(v, 0)?;
    // Years 1 to 9999, as .NET dates go.
    if !(-62_135_596_800..=253_402_300_799).contains(&t) {
        return Err(c.bad_value(0, "an epoch time within years 1 to 9999", t.to_string()));
    }
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    k(Json::String(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{ctx, err, ev, unk};
    use crate::value::EvalError;
    use serde_json::json;

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date#datetimefromepoch
    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date#datetimetoepoch
    #[test]
    fn epoch_doc_examples() {
        assert_eq!(
            ev("[dateTimeFromEpoch(1683040573)]"),
            json!("2023-05-02T15:16:13Z")
        );
        assert_eq!(
            ev("[dateTimeToEpoch('2023-05-02T15:16:13Z')]"),
            json!(1683040573)
        );
        assert_eq!(
            ev("[dateTimeToEpoch('2020-04-07 14:53:14Z')]"),
            json!(1586271194)
        );
        assert_eq!(
            ev("[dateTimeToEpoch('1970-01-01T01:00:00+01:00')]"),
            json!(0)
        );
        assert_eq!(ev("[dateTimeFromEpoch(-1)]"), json!("1969-12-31T23:59:59Z"));
        for bad in [
            "yesterday",
            "2023-05-02T15:16:13+99999999999999999:00",
            "99999999999999999999-01-01",
            "2023-13-01",
            "2023-05-02T24:00:00Z",
        ] {
            assert!(
                matches!(
                    err(&format!("[dateTimeToEpoch('{bad}')]")),
                    crate::Error::Eval(EvalError::Argument { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            err("[dateTimeToEpoch('yesterday')]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
        assert!(matches!(
            err("[dateTimeFromEpoch(9223372036854775807)]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date#utcnow
    #[test]
    fn now_is_unknown() {
        let u = unk("[utcNow('u')]", &ctx());
        assert_eq!(u.reason, "differs at every deployment");
        assert!(unk("[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]", &ctx())
            .reason
            .contains("not implemented"));
    }
}
