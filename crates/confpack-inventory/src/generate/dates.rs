//! Epoch milliseconds to the date-time spellings the product APIs use. Hand-rolled so the
//! generator needs no clock and no date library in its hot path.

/// Epoch milliseconds → (year, month, day, hour, minute, second, millisecond), UTC.
fn civil(ms: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let days = ms.div_euclid(86_400_000);
    let of_day = ms.rem_euclid(86_400_000);
    // Days since 1970-01-01 → proleptic Gregorian date, counting 400-year eras from
    // 0000-03-01 so that leap days fall at the end of each year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let narrow = |v: i64| u32::try_from(v).expect("a calendar field fits u32");
    (
        year,
        narrow(month),
        narrow(day),
        narrow(of_day / 3_600_000),
        narrow(of_day / 60_000 % 60),
        narrow(of_day / 1000 % 60),
        narrow(of_day % 1000),
    )
}

/// `2021-06-29T10:05Z` (ECS, VPC, SLB).
pub(super) fn minutes(ms: i64) -> String {
    let (y, mo, d, h, mi, _, _) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}Z")
}

/// `2021-06-29T10:05:12Z` (RAM, RDS, KMS, ActionTrail).
pub(super) fn seconds(ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `2021-06-29T10:05:12.000Z` (OSS).
pub(super) fn millis(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_as_the_vendor_does() {
        assert_eq!(millis(1_624_961_112_000), "2021-06-29T10:05:12.000Z");
        assert_eq!(seconds(0), "1970-01-01T00:00:00Z");
        assert_eq!(minutes(951_782_400_000), "2000-02-29T00:00Z");
        assert_eq!(seconds(4_102_444_799_000), "2099-12-31T23:59:59Z");
    }
}
