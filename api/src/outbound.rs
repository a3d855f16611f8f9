//! The guard every outbound HTTP call (webhooks, channel sends, workflow HTTP steps) passes:
//! only http(s) URLs whose host resolves to public addresses, unless the operator set
//! `ISM_ALLOW_PRIVATE_URLS=1`.

use std::net::IpAddr;

use domain::net::is_public_ip;
use url::Url;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefused {
    #[error("must be an absolute http or https URL")]
    NotHttp,
    #[error("the host could not be resolved")]
    Unresolvable,
    #[error("points to a private or loopback address; set ISM_ALLOW_PRIVATE_URLS=1 to allow it")]
    Private,
}

/// Checks `raw` and returns the parsed URL with the addresses its host resolves to now.
/// Callers connect to those addresses, so a DNS answer cannot change between check and use.
pub async fn check_url(raw: &str, allow_private: bool) -> Result<(Url, Vec<IpAddr>), UrlRefused> {
    let url = Url::parse(raw).map_err(|_| UrlRefused::NotHttp)?;
    if !matches!(url.scheme(), "http" | "https") || url.username() != "" {
        return Err(UrlRefused::NotHttp);
    }
    let host = url.host().ok_or(UrlRefused::NotHttp)?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match host {
        url::Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
        url::Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
        url::Host::Domain(name) => tokio::net::lookup_host((name, port))
            .await
            .map_err(|_| UrlRefused::Unresolvable)?
            .map(|a| a.ip())
            .collect(),
    };
    if addrs.is_empty() {
        return Err(UrlRefused::Unresolvable);
    }
    if !allow_private && addrs.iter().any(|ip| !is_public_ip(*ip)) {
        return Err(UrlRefused::Private);
    }
    Ok((url, addrs))
}

/// An HTTP client that connects only to `addrs` for the URL's host (the addresses the guard
/// checked), so a DNS answer cannot change between check and use.
fn pinned_client(
    url: &Url,
    addrs: &[IpAddr],
    timeout: std::time::Duration,
) -> reqwest::Result<reqwest::Client> {
    let port = url.port_or_known_default().unwrap_or(443);
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("IS-Messenger/", env!("CARGO_PKG_VERSION")));
    if let Some(url::Host::Domain(name)) = url.host() {
        let sockets: Vec<std::net::SocketAddr> = addrs
            .iter()
            .map(|ip| std::net::SocketAddr::new(*ip, port))
            .collect();
        builder = builder.resolve_to_addrs(name, &sockets);
    }
    builder.build()
}

/// Why no client could be made for an outbound call.
#[derive(Debug)]
pub enum NoClient {
    /// The URL will never be allowed (not http, private address): give up.
    Refused(UrlRefused),
    /// Try again later (DNS did not answer, the client could not be built).
    Retry(String),
}

/// The guard and the pinning in one step: the checked URL and a client that connects only to
/// the addresses checked.
pub async fn guarded_client(
    raw: &str,
    allow_private: bool,
    timeout: std::time::Duration,
) -> Result<(Url, reqwest::Client), NoClient> {
    let (url, addrs) = match check_url(raw, allow_private).await {
        Ok(x) => x,
        Err(UrlRefused::Unresolvable) => {
            return Err(NoClient::Retry(UrlRefused::Unresolvable.to_string()))
        }
        Err(e) => return Err(NoClient::Refused(e)),
    };
    let client =
        pinned_client(&url, &addrs, timeout).map_err(|e| NoClient::Retry(e.to_string()))?;
    Ok((url, client))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn private_targets_are_refused_unless_allowed() {
        assert_eq!(
            check_url("http://127.0.0.1:9/x", false).await.unwrap_err(),
            UrlRefused::Private
        );
        assert_eq!(
            check_url("http://[::1]/", false).await.unwrap_err(),
            UrlRefused::Private
        );
        assert_eq!(
            check_url("http://169.254.169.254/latest", false)
                .await
                .unwrap_err(),
            UrlRefused::Private
        );
        assert_eq!(
            check_url("http://localhost:8080/", false)
                .await
                .unwrap_err(),
            UrlRefused::Private
        );
        assert!(check_url("http://127.0.0.1:9/x", true).await.is_ok());
    }

    #[tokio::test]
    async fn only_http_urls_pass() {
        for bad in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "not a url",
            "http://user:pw@8.8.8.8/",
        ] {
            assert_eq!(
                check_url(bad, true).await.unwrap_err(),
                UrlRefused::NotHttp,
                "{bad}"
            );
        }
        assert!(check_url("https://8.8.8.8/hook", false).await.is_ok());
    }
}
