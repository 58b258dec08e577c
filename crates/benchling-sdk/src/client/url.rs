//! Tenant URL parsing and path-segment encoding.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use url::{Host, Url};

use crate::error::{Error, Result};

/// Characters left as they are in a path segment: RFC 3986 unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path parameter; rejects an empty value.
///
/// `name` names the parameter in the error, for example `"registry id"`.
pub fn encode_path_segment(name: &'static str, value: &str) -> Result<String> {
    if value.trim().is_empty() {
        return Err(Error::invalid(
            name,
            value,
            format!("the {name} must not be empty"),
        ));
    }
    Ok(utf8_percent_encode(value, SEGMENT).to_string())
}

/// Parses the tenant URL into the API base, `{scheme}://{host}[:port]/api/v2`, without a trailing slash.
///
/// Accepts `https://x.benchling.com`, with or without a trailing slash or
/// `/api/v2`. Plain `http://` is accepted only for loopback hosts, so that
/// credentials never travel in clear text.
pub(crate) fn parse_tenant_url(input: &str) -> Result<String> {
    let trimmed = input.trim();
    let invalid = |reason: &str| Error::invalid("tenant URL", input, reason.to_string());

    if trimmed.is_empty() {
        return Err(invalid(
            "the tenant URL is empty; set it to your tenant's address, such as https://example.benchling.com",
        ));
    }

    let url = Url::parse(trimmed).map_err(|error| {
        invalid(&format!(
            "it is not an absolute URL ({error}); use the form https://example.benchling.com"
        ))
    })?;

    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(invalid(
                "plain http would send credentials in clear text; use https (http is allowed only for loopback hosts such as 127.0.0.1)",
            ))
        }
        _ => return Err(invalid("only https URLs are supported, such as https://example.benchling.com")),
    }

    if url.host().is_none() {
        return Err(invalid(
            "the URL has no host; use the form https://example.benchling.com",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // The credentials themselves stay out of the error.
        let mut without_credentials = url.clone();
        let _ = without_credentials.set_username("");
        let _ = without_credentials.set_password(None);
        return Err(Error::invalid(
            "tenant URL",
            format!("{without_credentials} (credentials removed)"),
            "the URL must not contain credentials; pass the API key or client secret to the builder instead",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "the URL must not have a query or fragment; use just the tenant address",
        ));
    }

    let path = url.path().trim_end_matches('/');
    let prefix = path.strip_suffix("/api/v2").unwrap_or(path);
    let origin = url.origin().ascii_serialization();
    Ok(format!("{origin}{prefix}/api/v2"))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(address)) => address.is_loopback(),
        Some(Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_url_forms() {
        for input in [
            "https://x.benchling.com",
            "https://x.benchling.com/",
            "https://x.benchling.com/api/v2",
            "https://x.benchling.com/api/v2/",
            "  https://X.Benchling.com  ",
        ] {
            assert_eq!(
                parse_tenant_url(input).unwrap(),
                "https://x.benchling.com/api/v2",
                "{input}"
            );
        }
    }

    #[test]
    fn loopback_http_allowed() {
        assert_eq!(
            parse_tenant_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/api/v2"
        );
        assert_eq!(
            parse_tenant_url("http://localhost:9/").unwrap(),
            "http://localhost:9/api/v2"
        );
        assert_eq!(
            parse_tenant_url("http://[::1]:9").unwrap(),
            "http://[::1]:9/api/v2"
        );
    }

    #[test]
    fn rejected_urls_name_the_value() {
        for (input, reason) in [
            ("", "empty"),
            ("x.benchling.com", "absolute URL"),
            ("http://x.benchling.com", "clear text"),
            ("ftp://x.benchling.com", "only https"),
            ("https://user:pw@x.benchling.com", "credentials"),
            ("https://x.benchling.com/?a=1", "query"),
        ] {
            let error = parse_tenant_url(input).unwrap_err();
            let text = error.to_string();
            assert!(text.contains("tenant URL"), "{input}: {text}");
            assert!(text.contains(reason), "{input}: {text}");
            assert!(!text.contains("pw@"), "{input}: {text}");
        }
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(
            encode_path_segment("task id", "a/b c").unwrap(),
            "a%2Fb%20c"
        );
        assert_eq!(
            encode_path_segment("task id", "abc-123_x.y~").unwrap(),
            "abc-123_x.y~"
        );
        assert!(encode_path_segment("registry id", " ").is_err());
    }
}
