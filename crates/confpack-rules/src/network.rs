//! Port ranges and address lists as Alibaba Cloud APIs spell them, for the network operators.

use std::net::IpAddr;

/// Parses a security-group port range `from/to`; `-1/-1` (every port) becomes `1..=65535`.
pub fn port_range(text: &str) -> Option<(i64, i64)> {
    let (from, to) = text.trim().split_once('/')?;
    let (from, to): (i64, i64) = (from.trim().parse().ok()?, to.trim().parse().ok()?);
    if from == -1 && to == -1 {
        return Some((1, 65_535));
    }
    (0 <= from && from <= to && to <= 65_535).then_some((from, to))
}

/// Splits an address list on commas and whitespace, dropping empty entries.
pub fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == ',' || c.is_whitespace()).filter(|e| !e.is_empty())
}

/// An IP address with a prefix length (a bare address is a full-length prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or an IPv6 prefix.
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Self { addr, prefix })
    }

    /// True for a block that admits every address: any `/0`, and `0.0.0.0` itself, which
    /// Alibaba Cloud whitelists treat as "any".
    pub fn is_any(&self) -> bool {
        self.prefix == 0 || self.addr.is_unspecified()
    }

    /// True when the whole block lies in a private, loopback, link-local or shared range.
    pub fn is_private(&self) -> bool {
        match self.addr {
            IpAddr::V4(v4) => {
                let bits = u32::from(v4);
                const RANGES: [(u32, u8); 6] = [
                    (0x0A00_0000, 8),  // 10.0.0.0/8
                    (0xAC10_0000, 12), // 172.16.0.0/12
                    (0xC0A8_0000, 16), // 192.168.0.0/16
                    (0x7F00_0000, 8),  // 127.0.0.0/8
                    (0xA9FE_0000, 16), // 169.254.0.0/16
                    (0x6440_0000, 10), // 100.64.0.0/10 (shared address space, used by Alibaba Cloud services)
                ];
                RANGES.iter().any(|&(base, len)| {
                    self.prefix >= len && bits >> (32 - u32::from(len)) == base >> (32 - u32::from(len))
                })
            }
            IpAddr::V6(v6) => {
                let bits = u128::from(v6);
                const RANGES: [(u128, u8); 3] = [
                    (0xFC00 << 112, 7),  // fc00::/7 unique local
                    (0xFE80 << 112, 10), // fe80::/10 link local
                    (1, 128),            // ::1 loopback
                ];
                RANGES.iter().any(|&(base, len)| {
                    self.prefix >= len && bits >> (128 - u32::from(len)) == base >> (128 - u32::from(len))
                })
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges() {
        assert_eq!(port_range("22/22"), Some((22, 22)));
        assert_eq!(port_range("-1/-1"), Some((1, 65_535)));
        assert_eq!(port_range("1/65535"), Some((1, 65_535)));
        assert_eq!(port_range("30/20"), None);
        assert_eq!(port_range("22"), None);
    }

    #[test]
    fn any_and_private() {
        let any = |s: &str| Cidr::parse(s).unwrap().is_any();
        let private = |s: &str| Cidr::parse(s).unwrap().is_private();
        assert!(any("0.0.0.0/0") && any("0.0.0.0") && any("::/0") && any("10.0.0.0/0"));
        assert!(!any("10.0.0.0/8") && !any("47.1.2.3"));
        assert!(private("10.1.0.0/16") && private("172.20.1.1") && private("192.168.0.0/24"));
        assert!(private("127.0.0.1") && private("100.100.1.1") && private("fd00::/8") && private("::1"));
        assert!(!private("10.0.0.0/7") && !private("47.1.2.3") && !private("0.0.0.0/0") && !private("2001:db8::/32"));
        assert_eq!(Cidr::parse("1.2.3.4/33"), None);
        assert_eq!(Cidr::parse("host"), None);
    }
}
