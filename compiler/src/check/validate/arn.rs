//! ARNs: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
//!
//! Source: AWS General Reference, "Amazon Resource Names (ARNs)" and "AWS Regions" (the region
//! list of 2026-12: add a region here when AWS opens one). Partitions: `aws`, `aws-cn`,
//! `aws-us-gov`; the account is 12 digits.

use super::Invalid;
use crate::check::suggest::did_you_mean;

/// The partitions and their regions.
pub static REGIONS: &[(&str, &[&str])] = &[
    (
        "aws",
        &[
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-central-1",
            "ca-west-1",
            "eu-central-1",
            "eu-central-2",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "mx-central-1",
            "sa-east-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
        ],
    ),
    ("aws-cn", &["cn-north-1", "cn-northwest-1"]),
    ("aws-us-gov", &["us-gov-east-1", "us-gov-west-1"]),
];

/// Checks that `text` is an ARN of one of `services` whose resource starts with `resource`.
pub fn check(text: &str, services: &[&str], resource: &str) -> Result<(), Invalid> {
    let example = format!("arn:aws:{}:us-east-1:123456789012:{resource}ID", services[0]);
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let bad = |help: String, fix: Option<String>| {
        Err(Invalid::format(format!("`{text}` is not a valid {} ARN", services[0]), help, fix))
    };
    if parts.len() < 6 || parts[0] != "arn" {
        return bad(format!("write the ARN, e.g. `{example}`"), None);
    }
    let replace = |i: usize, v: &str| {
        let mut p: Vec<&str> = parts.clone();
        p[i] = v;
        p.join(":")
    };
    let (partition, service, region, account, res) = (parts[1], parts[2], parts[3], parts[4], parts[5]);
    let Some((_, regions)) = REGIONS.iter().find(|(p, _)| *p == partition) else {
        return bad(
            format!("the partition is `aws` (or `aws-cn`, `aws-us-gov`), not `{partition}`"),
            Some(replace(1, "aws")),
        );
    };
    if !services.contains(&service) {
        let near = did_you_mean(service, services.iter().copied()).unwrap_or(services[0]);
        return bad(
            format!("the service here is `{}`, not `{service}`", services.join("` or `")),
            Some(replace(2, near)),
        );
    }
    if !regions.contains(&region) {
        let near = did_you_mean(region, regions.iter().copied());
        // Two regions as close are no guess: name the regions of the same area instead.
        let area = region.rsplit_once('-').map_or(region, |(a, _)| a);
        let same: Vec<&str> =
            regions.iter().copied().filter(|r| r.rsplit_once('-').is_some_and(|(a, _)| a == area)).collect();
        let help = match near {
            Some(n) => format!("`{region}` is not an AWS region of `{partition}`: did you mean `{n}`?"),
            None if !same.is_empty() => {
                format!(
                    "`{region}` is not an AWS region of `{partition}`; the `{area}` regions are {}",
                    same.join(", ")
                )
            }
            None => format!("`{region}` is not an AWS region of `{partition}`"),
        };
        return bad(help, near.map(|n| replace(3, n)));
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return bad(format!("the account id is 12 digits, not `{account}`"), None);
    }
    if !res.starts_with(resource) || res.len() == resource.len() {
        let fix = res.split_once('/').map(|(_, id)| replace(5, &format!("{resource}{id}")));
        return bad(format!("the resource is `{resource}ID`, not `{res}`"), fix);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn arns_are_checked_part_by_part() {
        let ok = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
        assert!(check(ok, &["acm"], "certificate/").is_ok());
        let fix = |t: &str| check(t, &["acm"], "certificate/").err().and_then(|e| e.fix);
        assert_eq!(fix("arn:amazon:acm:us-east-1:123456789012:certificate/abc").as_deref(), Some(ok));
        assert_eq!(fix("arn:aws:acn:us-east-1:123456789012:certificate/abc").as_deref(), Some(ok));
        assert_eq!(fix("arn:aws:acm:us-eas-1:123456789012:certificate/abc").as_deref(), Some(ok));
        assert!(check("arn:aws:acm:us-east-1:1234:certificate/abc", &["acm"], "certificate/").is_err());
        assert!(check("my-cert", &["acm"], "certificate/").is_err());
        assert!(
            check("arn:aws-cn:acm:cn-north-1:123456789012:certificate/x", &["acm"], "certificate/").is_ok()
        );
    }
}
