//! Names and addresses AWS validates: URLs, domain names, IAM names, Lambda functions, SSM
//! parameters and RDS names.

use super::Invalid;

/// An http(s) URL (CodePipeline's `ExternalEntityLink`, shown to approvers as a link).
pub fn url(text: &str) -> Result<(), Invalid> {
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace) => Ok(()),
        Some(_) => Err(Invalid::format(
            format!("`{text}` is not a valid URL"),
            "a URL has a host and no spaces, e.g. `https://example.com/release`",
            None,
        )),
        None => {
            let fix = match text.split_once("://") {
                Some((_, r)) => format!("https://{r}"),
                None => format!("https://{}", text.trim_start_matches('/')),
            };
            Err(Invalid::format(
                format!("`{text}` is not an http(s) URL"),
                format!("approvers open the link in a browser: write `{fix}`"),
                (!fix.contains(char::is_whitespace)).then_some(fix),
            ))
        }
    }
}

/// A domain name (`record`: a record name in a zone, which may be empty for the apex and may
/// start with `*`). Source: RFC 1035 and the Route 53 Developer Guide, "DNS domain name
/// format": labels of 1 to 63 letters, digits, `-` and `_`, 255 characters in all.
pub fn domain(text: &str, record: bool) -> Result<(), Invalid> {
    if record && text.is_empty() {
        return Ok(());
    }
    let what = if record { "record name" } else { "domain name" };
    let body = if record { text } else { text.strip_suffix('.').unwrap_or(text) };
    let label_ok = |(i, l): (usize, &str)| {
        (record && i == 0 && l == "*")
            || (!l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    };
    if body.len() <= 253 && body.split('.').enumerate().all(label_ok) {
        return Ok(());
    }
    let host = text.split_once("://").map_or(text, |(_, r)| r).split('/').next().unwrap_or("");
    let fixed: String = host
        .split('.')
        .map(|l| {
            let l = l.trim();
            l.chars()
                .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '*' { c } else { '-' })
                .collect::<String>()
        })
        .filter(|l| !l.is_empty())
        .map(|l: String| l.chars().take(63).collect::<String>())
        .collect::<Vec<_>>()
        .join(".");
    let fix = (fixed != text && domain(&fixed, record).is_ok() && !fixed.is_empty()).then_some(fixed);
    let rule = "labels of 1 to 63 letters, digits, `-` and `_`, separated by `.`";
    let help = match &fix {
        Some(f) => format!("a {what} is {rule}: write `{f}`"),
        None => format!("a {what} is {rule}"),
    };
    Err(Invalid::format(format!("`{text}` is not a valid {what}"), help, fix))
}

/// An IAM user or group name. Source: IAM User Guide, "IAM object quotas": letters, digits and
/// `+=,.@_-`, 1 to 128 characters.
pub fn iam(text: &str) -> Result<(), Invalid> {
    let ok = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if !text.is_empty() && text.len() <= 128 && text.chars().all(ok) {
        return Ok(());
    }
    let fixed: String = text.trim().chars().map(|c| if ok(c) { c } else { '-' }).take(128).collect();
    Err(Invalid::name(
        format!("`{text}` is not a valid IAM group name"),
        format!("IAM names are 1 to 128 letters, digits and `+=,.@_-`: write `{fixed}`"),
        (!fixed.is_empty()).then_some(fixed),
    ))
}

/// A Linux user name, as the instance's user data creates it (`useradd`) and CodeDeploy's
/// `runas` names it. Source: useradd(8) of shadow-utils (Amazon Linux 2023): a lowercase letter
/// or `_`, then lowercase letters, digits, `_` and `-`, at most 32 characters. pf writes the name
/// into the user data script, so nothing else may pass.
pub fn linux_user(text: &str) -> Result<(), Invalid> {
    let ok = |(i, c): (usize, char)| {
        c.is_ascii_lowercase() || c == '_' || (i > 0 && (c.is_ascii_digit() || c == '-'))
    };
    if !text.is_empty() && text.len() <= 32 && text.chars().enumerate().all(ok) {
        return Ok(());
    }
    let mut fixed: String = text
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' })
        .take(32)
        .collect();
    if fixed.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        fixed.insert(0, '_');
        fixed.truncate(32);
    }
    Err(Invalid::format(
        format!("`{text}` is not a Linux user name"),
        format!("user names are a lowercase letter or `_`, then up to 31 lowercase letters, digits, `_` and `-`: write `{fixed}`"),
        (!fixed.is_empty()).then_some(fixed),
    ))
}

/// A Lambda function name or ARN. Source: Lambda API reference, `FunctionName`: a name of 1 to
/// 64 letters, digits, `-` and `_`, or `arn:aws:lambda:REGION:ACCOUNT:function:NAME`.
pub fn lambda_function(text: &str) -> Result<(), Invalid> {
    if text.starts_with("arn:") {
        return super::arn::check(text, &["lambda"], "function:");
    }
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !text.is_empty() && text.len() <= 64 && text.chars().all(ok) {
        return Ok(());
    }
    let fixed: String = text.trim().chars().map(|c| if ok(c) { c } else { '-' }).take(64).collect();
    Err(Invalid::name(
        format!("`{text}` is not a valid Lambda function name"),
        format!("function names are 1 to 64 letters, digits, `-` and `_` (or the function's ARN): write `{fixed}`"),
        (!fixed.is_empty()).then_some(fixed),
    ))
}

/// An SSM parameter name, as `param("...")` gives it. Source: Systems Manager User Guide,
/// "Parameter name requirements": letters, digits and `_.-/`; a name with `/` is fully
/// qualified (starts with `/`); at most 15 levels; not starting with `aws` or `ssm`; at most
/// 1011 characters. An ARN of the parameter is accepted as is.
pub fn ssm_parameter(text: &str) -> Result<(), Invalid> {
    if text.starts_with("arn:") {
        return super::arn::check(text, &["ssm"], "parameter/");
    }
    let ok = |c: char| c.is_ascii_alphanumeric() || "_.-/".contains(c);
    let repaired = || {
        let s: String = text.trim().chars().map(|c| if ok(c) { c } else { '-' }).collect();
        let parts: Vec<&str> = s.split('/').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            None
        } else if s.contains('/') || text.contains('/') {
            Some(format!("/{}", parts.join("/")))
        } else {
            Some(parts.join("/"))
        }
    };
    let bad = |why: &str, fix: Option<String>| {
        let help = match &fix {
            Some(f) => format!("{why}: write `{f}`"),
            None => why.to_string(),
        };
        Err(Invalid::name(format!("`{text}` is not a valid SSM parameter name"), help, fix))
    };
    let first = text.trim_start_matches('/').to_ascii_lowercase();
    if first.starts_with("aws") || first.starts_with("ssm") {
        return bad("parameter names may not start with `aws` or `ssm` (AWS reserves them)", None);
    }
    if !text.chars().all(ok) {
        return bad("parameter names are letters, digits and `_.-/`", repaired());
    }
    if text.contains('/') && !text.starts_with('/') {
        return bad("a parameter name with `/` is fully qualified: it starts with `/`", repaired());
    }
    if text.contains("//") || (text.len() > 1 && text.ends_with('/')) || text == "/" {
        return bad("a parameter name has no empty level", repaired());
    }
    if text.matches('/').count() > 15 {
        return bad("a parameter name has at most 15 levels", None);
    }
    if text.len() > 1011 {
        return bad("a parameter name is at most 1011 characters", None);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_user_names_are_what_useradd_takes() {
        for ok in ["webshop", "_svc", "app-1", "a_b", &"a".repeat(32)] {
            assert!(linux_user(ok).is_ok(), "{ok}");
        }
        let fix = |t: &str| linux_user(t).unwrap_err().fix;
        assert_eq!(fix("My App").as_deref(), Some("my-app"));
        assert_eq!(fix("1app").as_deref(), Some("_1app"));
        assert_eq!(fix("app; rm -rf /").as_deref(), Some("app--rm--rf--"));
        assert_eq!(fix("${AWS::Region}").as_deref(), Some("_--aws--region-"));
        assert!(linux_user("").is_err() && linux_user(&"a".repeat(33)).is_err() && linux_user("-x").is_err());
    }

    #[test]
    fn names_follow_aws_rules() {
        assert!(url("https://example.com/x").is_ok());
        assert_eq!(url("github.com/a").unwrap_err().fix.as_deref(), Some("https://github.com/a"));
        assert!(domain("example.com", false).is_ok());
        assert!(domain("", true).is_ok());
        assert!(domain("*.api", true).is_ok());
        assert_eq!(domain("https://example.com", false).unwrap_err().fix.as_deref(), Some("example.com"));
        assert_eq!(domain("my site", true).unwrap_err().fix.as_deref(), Some("my-site"));
        assert!(iam("release-owners").is_ok());
        assert_eq!(iam("release owners").unwrap_err().fix.as_deref(), Some("release-owners"));
        assert!(lambda_function("smoke_check-1").is_ok());
        assert_eq!(lambda_function("smoke check").unwrap_err().fix.as_deref(), Some("smoke-check"));
        assert!(ssm_parameter("/shop/cert").is_ok());
        assert!(ssm_parameter("cert").is_ok());
        assert_eq!(ssm_parameter("shop/cert").unwrap_err().fix.as_deref(), Some("/shop/cert"));
        assert_eq!(ssm_parameter("/shop//cert").unwrap_err().fix.as_deref(), Some("/shop/cert"));
        assert!(ssm_parameter("/aws/x").is_err());
    }
}
