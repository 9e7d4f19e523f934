//! Lenient instants for the date operators: the timestamp shapes cloud APIs emit.
//!
//! Accepted: epoch numbers (milliseconds, or seconds when below 10^11) as JSON numbers or digit
//! strings; `YYYY-MM-DD`; `YYYY-MM-DD[T ]hh:mm[:ss[.fff]]` followed by `Z`, `±hh:mm` or nothing
//! (taken as UTC). Anything else is not a time, and the operator reports a mismatch.

use serde_json::Value;

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The current time in epoch milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The instant a JSON value denotes, in epoch milliseconds.
pub fn instant_ms(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)).map(scale_epoch),
        Value::String(s) => parse_text(s.trim()),
        _ => None,
    }
}

fn scale_epoch(n: i64) -> i64 {
    if n.abs() < 100_000_000_000 { n * 1000 } else { n }
}

fn parse_text(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().map(scale_epoch);
    }
    let b = s.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(range)?;
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * DAY_MS;
    let mut rest = &s[10..];
    if rest.is_empty() {
        return Some(ms);
    }
    if !(rest.starts_with('T') || rest.starts_with(' ')) || rest.len() < 6 || rest.as_bytes()[3] != b':' {
        return None;
    }
    let hh: i64 = rest.get(1..3)?.parse().ok()?;
    let mm: i64 = rest.get(4..6)?.parse().ok()?;
    ms += (hh * 60 + mm) * 60_000;
    rest = &rest[6..];
    if let Some(after) = rest.strip_prefix(':') {
        let ss: i64 = after.get(0..2)?.parse().ok()?;
        ms += ss * 1000;
        rest = &after[2..];
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            let millis = format!("{:0<3}", &frac[..digits.min(3)]);
            ms += millis.parse::<i64>().ok()?;
            rest = &frac[digits..];
        }
    }
    match rest {
        "" | "Z" | "z" => Some(ms),
        offset if offset.len() == 6 && (offset.starts_with('+') || offset.starts_with('-')) => {
            let oh: i64 = offset.get(1..3)?.parse().ok()?;
            let om: i64 = offset.get(4..6)?.parse().ok()?;
            let shift = (oh * 60 + om) * 60_000;
            Some(if offset.starts_with('+') { ms - shift } else { ms + shift })
        }
        _ => None,
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_cloud_apis_emit() {
        let t = 1_624_961_100_000; // 2021-06-29T10:05:00Z
        assert_eq!(instant_ms(&json!("2021-06-29T10:05Z")), Some(t));
        assert_eq!(instant_ms(&json!("2021-06-29T10:05:00Z")), Some(t));
        assert_eq!(instant_ms(&json!("2021-06-29T10:05:00.250Z")), Some(t + 250));
        assert_eq!(instant_ms(&json!("2021-06-29 10:05:00")), Some(t));
        assert_eq!(instant_ms(&json!("2021-06-29T18:05:00+08:00")), Some(t));
        assert_eq!(instant_ms(&json!("2021-06-29")), Some(t - (10 * 60 + 5) * 60_000));
        assert_eq!(instant_ms(&json!(t)), Some(t));
        assert_eq!(instant_ms(&json!(t / 1000)), Some(t));
        assert_eq!(instant_ms(&json!("1624961100000")), Some(t));
        assert_eq!(instant_ms(&json!("1970-01-01T00:00:00Z")), Some(0));
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        assert_eq!(instant_ms(&json!("2024-02-29")), Some(1_709_164_800_000));
        for bad in [
            "",
            "soon",
            "2021-13-01",
            "2030-02-30",
            "2023-02-29",
            "2021-04-31",
            "2021-06-29T10",
            "2021-06-29X10:05",
            "2021-06-29T10:05+8",
        ] {
            assert_eq!(instant_ms(&json!(bad)), None, "{bad}");
        }
        assert_eq!(instant_ms(&json!(true)), None);
    }
}
